#!/usr/bin/env python3
"""One self-contained HTML page of charts over the marts: deliverability, engagement, SMS cost.

    python scripts/report.py [--duckdb FILE] [--out DIR]
    python scripts/report.py --from-athena --athena-schema DB --s3-staging-dir s3://... [--out DIR]
    python scripts/report.py --from-trino [--trino-schema engagement] [--out DIR]

Reads the built marts (a read-only DuckDB connection; or Athena through PyAthena, optional and not
tested against a real Athena) and writes DIR/index.html (plotly.js inlined once: it opens from disk
with no network) and DIR/report.json (every headline figure of the page, with its definition).
Exit codes: 0 written, 2 the warehouse is missing or not built (the message names the path and
`make run`). Progress goes to stderr. See docs/report.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from engagement_tools import DUCKDB_FILE, REPORT_DIR, SCRIPTS_DIR, duckdb_file, trino_port

REQUIRED_TABLES = (
    "agg_email_deliverability_hourly", "agg_email_engagement_hourly", "agg_email_engagement_by_campaign",
    "agg_email_engagement_by_subject", "agg_sms_cost_daily", "fct_email_messages", "fct_sms_messages",
    "ses_reputation_thresholds",
)
HOURLY_MAX_SPAN = dt.timedelta(hours=72)  # longer spans are drawn per day
TOP_CAMPAIGNS = 8
TOP_SUBJECTS = 10
TOP_SMS_GROUPS = 8  # more countries or campaigns than this: the rest are drawn as "other"
TOP_REVENUE_GROUPS = 8
# The deliverability marts of issue 21: read when present (a warehouse built before them still reports).
DELIVERABILITY_TABLES = ("fct_email_engagements", "agg_email_deliverability_by_provider_daily", "suppression_list",
                         "fct_conversions")
WILSON_Z = 1.96  # 95 % interval
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False,
               "topojsonURL": ""}
Row = dict[str, Any]


def _escaped(value: Any) -> Any:
    """Text escaped as html.escape does (&#x27; for an apostrophe, as the page always had), before the
    template's autoescape, which leaves Markup alone."""
    return value if isinstance(value, Markup) or not isinstance(value, str) else Markup(html.escape(value))


TEMPLATES = Environment(loader=FileSystemLoader(SCRIPTS_DIR / "templates"), autoescape=True,
                        undefined=StrictUndefined, keep_trailing_newline=True, finalize=_escaped)


class WarehouseError(Exception):
    """The warehouse cannot be read: missing, locked or not built."""


def log(message: str) -> None:
    print(f"report: {message}", file=sys.stderr, flush=True)


# --- reading the marts ----------------------------------------------------------------------------

class Warehouse(Protocol):
    label: str

    def table(self, name: str) -> str: ...
    def query(self, sql: str) -> list[Row]: ...
    def tables(self) -> set[str]: ...
    def columns(self, table: str) -> set[str]: ...
    def close(self) -> None: ...


class DuckDBWarehouse:
    def __init__(self, path: Path) -> None:
        import duckdb

        self.label = f"DuckDB file {path}"
        if not path.is_file():
            raise WarehouseError(f"no DuckDB file at {path}: build the marts first with `make run` "
                                 "(or `dbt build`), or pass --duckdb FILE")
        try:
            self.con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the DuckDB file {path} read-only ({exc}); if a dbt run is "
                                 "writing to it, wait for it to finish") from exc
        self.con.execute("set TimeZone = 'UTC'")

    def close(self) -> None:
        self.con.close()

    def table(self, name: str) -> str:
        return name

    def query(self, sql: str) -> list[Row]:
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, values)) for values in cursor.fetchall()]

    def tables(self) -> set[str]:
        return {str(r["t"]) for r in self.query(
            "select lower(table_name) as t from information_schema.tables where table_schema = current_schema()")}

    def columns(self, table: str) -> set[str]:
        return {str(r["c"]) for r in self.query(
            "select lower(column_name) as c from information_schema.columns "
            f"where table_schema = current_schema() and lower(table_name) = '{table}'")}


class TrinoWarehouse:
    """The same marts on a Trino server (the trino target of profiles.yml) through the trino client that
    dbt-trino installs. Connection settings: the profile's ENGAGEMENT_TRINO_* variables."""

    def __init__(self, catalog: str, schema: str) -> None:
        try:
            import trino
        except ImportError as exc:
            raise WarehouseError("--from-trino needs the trino client (pip install trino; dbt-trino brings it)") from exc
        env = os.environ.get
        host, port = env("ENGAGEMENT_TRINO_HOST", "127.0.0.1"), trino_port()
        user, method = env("ENGAGEMENT_TRINO_USER", "engagement"), env("ENGAGEMENT_TRINO_METHOD", "none")
        auth: Any = None
        if method == "ldap":
            auth = trino.auth.BasicAuthentication(user, env("ENGAGEMENT_TRINO_PASSWORD", ""))
        elif method == "jwt":
            auth = trino.auth.JWTAuthentication(env("ENGAGEMENT_TRINO_JWT", ""))
        self.catalog, self.schema = catalog, schema
        self.label = f"Trino {host}:{port} {catalog}.{schema}"
        self.con = trino.dbapi.connect(  # type: ignore[no-untyped-call]
            host=host, port=port, user=user, catalog=catalog, schema=schema,
            http_scheme=env("ENGAGEMENT_TRINO_HTTP_SCHEME", "http"),
            auth=auth if auth is not None else trino.constants.DEFAULT_AUTH)

    def close(self) -> None:
        self.con.close()

    def table(self, name: str) -> str:
        return f'"{self.catalog}"."{self.schema}"."{name}"'

    def query(self, sql: str) -> list[Row]:
        cursor = self.con.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, values)) for values in rows]

    def tables(self) -> set[str]:
        return {str(r["t"]) for r in self.query(
            f"select lower(table_name) as t from {self.catalog}.information_schema.tables "
            f"where table_schema = '{self.schema}'")}

    def columns(self, table: str) -> set[str]:
        return {str(r["c"]) for r in self.query(
            f"select lower(column_name) as c from {self.catalog}.information_schema.columns "
            f"where table_schema = '{self.schema}' and lower(table_name) = '{table}'")}


class AthenaWarehouse:
    """The same marts on Athena through PyAthena (installed with dbt-athena). Not tested against AWS."""

    def __init__(self, schema: str, s3_staging_dir: str | None, region: str | None, work_group: str | None) -> None:
        try:
            from pyathena import connect
        except ImportError as exc:
            raise WarehouseError("--from-athena needs PyAthena (pip install PyAthena; dbt-athena brings it)") from exc
        self.schema = schema
        self.label = f"Athena database {schema}"
        self.con = connect(s3_staging_dir=s3_staging_dir, region_name=region, work_group=work_group,
                           schema_name=schema)

    def close(self) -> None:
        self.con.close()

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    def query(self, sql: str) -> list[Row]:
        cursor = self.con.cursor()
        cursor.execute(sql)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, values)) for values in cursor.fetchall()]

    def tables(self) -> set[str]:
        return {str(r["t"]) for r in self.query(
            f"select lower(table_name) as t from information_schema.tables where table_schema = '{self.schema}'")}

    def columns(self, table: str) -> set[str]:
        return {str(r["c"]) for r in self.query(
            "select lower(column_name) as c from information_schema.columns "
            f"where table_schema = '{self.schema}' and lower(table_name) = '{table}'")}


def check_built(wh: Warehouse) -> None:
    missing = [t for t in REQUIRED_TABLES if t not in wh.tables()]
    if missing:
        raise WarehouseError(f"{wh.label} has no {', '.join(missing)}: the marts are not built; run `make run` "
                             "(or `dbt build`) first")


def num(value: Any) -> float:
    return float(value) if value is not None else 0.0


def as_datetime(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.fromisoformat(str(value))


# SQL kept to what DuckDB and Athena (Trino) both run: the same text reads either warehouse.
def read_data(wh: Warehouse) -> dict[str, Any]:
    t = wh.table
    data: dict[str, Any] = {}
    data["thresholds"] = {(r["metric"], r["level"]): num(r["rate"]) for r in wh.query(
        f"select metric, level, cast(rate as double) as rate from {t('ses_reputation_thresholds')}")}
    data["period"] = wh.query(f"""
        select min(first_at) as start_at, max(last_at) as end_at from (
            select min(sent_at) as first_at, max(sent_at) as last_at from {t('fct_email_messages')} where is_sent
            union all
            select min(sent_at), max(sent_at) from {t('fct_sms_messages')}
        ) as spans""")[0]
    start, end = data["period"]["start_at"], data["period"]["end_at"]
    hourly = start is None or as_datetime(end) - as_datetime(start) <= HOURLY_MAX_SPAN
    data["grain"] = "hour" if hourly else "day"
    bucket = "sent_hour" if hourly else "sent_date"
    data["email_periods"] = wh.query(f"""
        select {bucket} as period, sum(sent_messages) as sent, sum(delivered_messages) as delivered,
            sum(hard_bounced_messages) as hard_bounced, sum(complained_messages) as complained,
            sum(rejected_messages) as rejected
        from {t('agg_email_deliverability_hourly')} group by {bucket} order by {bucket}""")
    data["engagement"] = wh.query(f"""
        select sum(sent_messages) as sent, sum(opened_messages) as opened, sum(clicked_messages) as clicked,
            sum(open_events) as open_events, sum(click_events) as click_events
        from {t('agg_email_engagement_hourly')}""")[0]
    data["campaigns"] = wh.query(f"""
        select pinpoint_campaign_id as campaign, sum(sent_messages) as sent, sum(delivered_messages) as delivered,
            sum(opened_messages) as opened, sum(clicked_messages) as clicked,
            sum(unsubscribed_messages) as unsubscribed
        from {t('agg_email_engagement_by_campaign')} group by pinpoint_campaign_id
        order by sum(sent_messages) desc, pinpoint_campaign_id limit {TOP_CAMPAIGNS}""")
    data["subjects"] = wh.query(f"""
        select subject, sent_messages as sent, opened_messages as opened
        from {t('agg_email_engagement_by_subject')} where sent_messages > 0""")
    data["sms"] = wh.query(f"""
        select sent_date, pinpoint_campaign_id as campaign, journey_id as journey, iso_country_code as country,
            sum(messages) as messages, sum(successful_messages) as successful, sum(failed_messages) as failed,
            sum(cast(total_cost_usd as double)) as cost_usd
        from {t('agg_sms_cost_daily')}
        group by sent_date, pinpoint_campaign_id, journey_id, iso_country_code order by sent_date""")
    read_deliverability(wh, data)
    data["sources"] = []
    data["source_note"] = ""
    if "source_system" in (wh.columns("int_events") if "int_events" in wh.tables() else set()):
        channel = "case when event_type = '_email.send' then 'email' else 'SMS' end"
        period = f"date_trunc('{data['grain']}', event_timestamp)"
        data["sources"] = wh.query(f"""
            select {channel} as channel, source_system, {period} as period, count(*) as messages
            from {t('int_events')} where event_type in ('_email.send', '_SMS.BUFFERED')
            group by {channel}, source_system, {period} order by {period}""")
    else:
        data["source_note"] = " (int_events has no source_system column: built before the native SES/SMS sources)"
    return data


def read_deliverability(wh: Warehouse, data: dict[str, Any]) -> None:
    """Human vs machine engagement, mailbox providers, suppression-list growth, attributed revenue."""
    t = wh.table
    present = wh.tables()
    data["missing_deliverability"] = [name for name in DELIVERABILITY_TABLES if name not in present]
    data["human"] = {"opened": 0, "clicked": 0}
    if "human_opened_messages" in wh.columns("agg_email_engagement_hourly"):
        data["human"] = wh.query(f"""
            select sum(human_opened_messages) as opened, sum(human_clicked_messages) as clicked
            from {t('agg_email_engagement_hourly')}""")[0]
    data["machine"] = [] if "fct_email_engagements" not in present else wh.query(f"""
        select engagement_type, coalesce(machine_reason, 'human') as reason, count(*) as events
        from {t('fct_email_engagements')} group by engagement_type, coalesce(machine_reason, 'human')
        order by engagement_type, count(*) desc""")
    data["providers"] = [] if "agg_email_deliverability_by_provider_daily" not in present else wh.query(f"""
        select provider_group, sum(sent_recipients) as sent, sum(delivered_recipients) as delivered,
            sum(hard_bounced_recipients) as bounced, sum(complained_recipients) as complained,
            sum(opened_recipients) as opened, sum(human_opened_recipients) as human_opened,
            sum(case when is_complaint_rate_above_mailbox_target then 1 else 0 end) as days_above_target,
            sum(case when is_complaint_rate_at_mailbox_max then 1 else 0 end) as days_at_max
        from {t('agg_email_deliverability_by_provider_daily')}
        group by provider_group order by sum(sent_recipients) desc, provider_group""")
    data["suppression"] = [] if "suppression_list" not in present else wh.query(f"""
        select cast(suppressed_since as date) as day, reason, count(*) as addresses
        from {t('suppression_list')} group by cast(suppressed_since as date), reason
        order by cast(suppressed_since as date), reason""")
    data["revenue"] = [] if "fct_conversions" not in present else wh.query(f"""
        select
            case
                when not is_attributed then 'unattributed'
                when pinpoint_campaign_id is not null then 'campaign ' || pinpoint_campaign_id
                when journey_id is not null then 'journey ' || journey_id
                when subject is not null then 'subject: ' || subject
                else channel || ' (no campaign)'
            end as attributed_to,
            is_attributed, count(*) as conversions, sum(conversion_value) as revenue
        from {t('fct_conversions')}
        group by 1, 2 order by sum(conversion_value) desc""")


# What each audit model counts, for the data-quality panel: (model, what its rows are, count expression).
# The audits hold what the sources control; the build warns when one is not empty.
QUALITY_CHECKS = (
    ("audit_rejected_events", "raw rows or lines that could not be read (not UTF-8, not JSON, no event type "
     "or timestamp, no ingest hour)", "count(*)"),
    ("audit_unreadable_files", "raw files skipped because no engine could read them", "count(*)"),
    ("audit_unmapped_events", "events of a type no view or custom-event model covers", "sum(event_count)"),
    ("audit_schema_drift", "fields in the files that the declared schemas do not have (not read)", "count(*)"),
    ("audit_custom_event_cast_failures", "custom-event attribute values that did not fit their declared type "
     "(made NULL)", "sum(failed_casts)"),
    ("audit_event_anomalies", "kept events with a value that could not be read (e.g. malformed SMS context)",
     "sum(event_count)"),
)


def read_quality(wh: Warehouse) -> list[dict[str, Any]]:
    """One row per audit model that exists in the warehouse: its count and what it counts."""
    tables = wh.tables()
    rows: list[dict[str, Any]] = []
    for model, meaning, count in QUALITY_CHECKS:
        if model not in tables:
            continue
        if count.startswith("sum(") and count[4:-1] not in wh.columns(model):
            count = "count(*)"
        try:
            value = wh.query(f"select {count} as n from {wh.table(model)}")[0]["n"]
        except Exception as error:  # e.g. a view of a copied DuckDB file names the original file's catalog
            log(f"data quality: cannot read {model}: {str(error).splitlines()[0]}")
            rows.append({"model": model, "meaning": meaning, "count": None,
                         "error": str(error).splitlines()[0]})
            continue
        rows.append({"model": model, "meaning": meaning, "count": int(num(value))})
    return rows


# --- figures ----------------------------------------------------------------------------------------

def rate(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def wilson_interval(successes: float, trials: float, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (0, 0 when there are no trials)."""
    if trials <= 0:
        return 0.0, 0.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _layout(fig: Any, title: str, x_title: str, y_title: str, height: int = 440, **extra: Any) -> Any:
    layout: dict[str, Any] = {"title": {"text": title, "x": 0.01}, "template": "plotly_white", "height": height,
                              "margin": {"l": 70, "r": 30, "t": 70, "b": 60}, "font": {"size": 13},
                              "legend": {"orientation": "h", "y": -0.18}}
    fig.update_layout(**{**layout, **extra})
    fig.update_xaxes(title_text=x_title, automargin=True)
    if x_title == "send day (UTC)":
        fig.update_xaxes(tickformat="%Y-%m-%d", dtick=86400000)
    fig.update_yaxes(title_text=y_title, automargin=True)
    return fig


def short(identifier: str | None, kind: str) -> str:
    return f"{kind} {identifier[:8]}" if identifier else f"no {kind}"


def deliverability_figure(data: dict[str, Any]) -> Any:
    rows, unit, th = data["email_periods"], data["grain"], data["thresholds"]
    x = [as_datetime(r["period"]) for r in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.14,
                        subplot_titles=("Hard-bounce rate (hard-bounced / sent messages)",
                                        "Complaint rate (complained / sent messages)"))
    for row, (key, metric, name) in enumerate(
            (("hard_bounced", "bounce_rate", "bounce rate"), ("complained", "complaint_rate", "complaint rate")), 1):
        ys = [rate(num(r[key]), num(r["sent"])) for r in rows]
        fig.add_trace(go.Scatter(x=x, y=ys, mode="lines+markers", name=name,
                                 customdata=[[num(r[key]), num(r["sent"])] for r in rows],
                                 hovertemplate="%{x}<br>%{y:.3%} = %{customdata[0]:,} / %{customdata[1]:,}"
                                               "<extra></extra>"), row=row, col=1)
        levels = [(level, th.get((metric, level))) for level in ("review", "pause")]
        for level, value in levels:
            if value is not None:
                fig.add_hline(y=value, row=row, col=1, line_dash="dash" if level == "review" else "solid",
                              line_color="#d98c00" if level == "review" else "#c0392b",
                              annotation_text=f"SES {level} level {value:.1%}", annotation_position="top left")
        top = max([y for y in ys if y is not None] + [v for _, v in levels if v is not None] + [0.0])
        fig.update_yaxes(range=[0, top * 1.2 or 1], tickformat=".1%" if row == 1 else ".2%",
                         title_text="% of sent messages", row=row, col=1)
    _layout(fig, f"Email deliverability per {unit} (UTC): rates against the SES review and pause levels",
            "", "", height=560, showlegend=False)
    fig.update_xaxes(title_text=f"send {unit} (UTC)", row=2, col=1)
    if unit == "day":
        fig.update_xaxes(tickformat="%Y-%m-%d", dtick=86400000)
    fig.update_yaxes(title_text="% of sent messages")
    return fig


def volumes_figure(data: dict[str, Any]) -> Any:
    rows, unit = data["email_periods"], data["grain"]
    fig = go.Figure()
    for key, name in (("sent", "sent"), ("delivered", "delivered"), ("hard_bounced", "hard-bounced"),
                      ("complained", "complained"), ("rejected", "rejected")):
        fig.add_trace(go.Scatter(x=[as_datetime(r["period"]) for r in rows], y=[num(r[key]) for r in rows],
                                 mode="lines+markers", name=name))
    return _layout(fig, f"Email volumes per {unit} (UTC), by send {unit}", f"send {unit} (UTC)",
                   f"messages per {unit}")


def funnel_figure(data: dict[str, Any]) -> Any:
    rows = data["campaigns"]
    labels = [short(r["campaign"], "campaign") for r in rows]
    fig = go.Figure()
    for key in ("sent", "delivered", "opened", "clicked", "unsubscribed"):
        fig.add_trace(go.Bar(x=labels, y=[num(r[key]) for r in rows], name=key,
                             customdata=[html.escape(str(r["campaign"])) for r in rows],
                             hovertemplate="%{customdata}<br>" + key + ": %{y:,}<extra></extra>"))
    return _layout(fig, f"Engagement funnel per campaign (top {len(rows)} by sent messages)",
                   "Pinpoint campaign (first 8 characters of its id)", "distinct messages", barmode="group")


def ranked_subjects(rows: Sequence[Row]) -> list[Row]:
    ranked = []
    for r in rows:
        low, high = wilson_interval(num(r["opened"]), num(r["sent"]))
        ranked.append({**r, "open_rate": num(r["opened"]) / num(r["sent"]), "low": low, "high": high})
    ranked.sort(key=lambda r: (-r["low"], -num(r["sent"]), str(r["subject"])))
    return ranked[:TOP_SUBJECTS]


def subjects_figure(data: dict[str, Any]) -> Any:
    rows = list(reversed(ranked_subjects(data["subjects"])))  # best on top
    labels = [f"{html.escape(str(r['subject'] or '(no subject)'))[:60]}  (n={num(r['sent']):,.0f})" for r in rows]
    fig = go.Figure(go.Bar(
        x=[r["open_rate"] for r in rows], y=labels, orientation="h", name="open rate",
        error_x={"type": "data", "symmetric": False, "array": [r["high"] - r["open_rate"] for r in rows],
                 "arrayminus": [r["open_rate"] - r["low"] for r in rows], "color": "#444"},
        customdata=[[r["low"], r["high"], num(r["opened"]), num(r["sent"])] for r in rows],
        hovertemplate="open rate %{x:.1%} (%{customdata[2]:,} / %{customdata[3]:,})<br>"
                      "95% interval %{customdata[0]:.1%} to %{customdata[1]:.1%}<extra></extra>"))
    return _layout(fig, f"Top {len(rows)} subjects by open rate, ranked by the lower end of the 95% Wilson interval",
                   "open rate (% of sent messages; bar: 95% Wilson interval)", "subject (n = sent messages)",
                   height=120 + 34 * len(rows), xaxis={"tickformat": ".0%"}, showlegend=False)


def _top_groups(rows: Sequence[Row], key: Callable[[Row], str]) -> list[str]:
    totals: dict[str, float] = {}
    for r in rows:
        totals[key(r)] = totals.get(key(r), 0.0) + num(r["cost_usd"])
    return sorted(totals, key=lambda k: (-totals[k], k))[:TOP_SMS_GROUPS]


def sms_cost_figure(data: dict[str, Any], key: Callable[[Row], str], title: str, legend: str) -> Any:
    rows = data["sms"]
    top = _top_groups(rows, key)
    days = sorted({as_datetime(r["sent_date"]) for r in rows})
    series: dict[str, dict[dt.datetime, float]] = {}
    for r in rows:
        group = key(r) if key(r) in top else "other"
        cell = series.setdefault(group, {})
        day = as_datetime(r["sent_date"])
        cell[day] = cell.get(day, 0.0) + num(r["cost_usd"])
    fig = go.Figure()
    for group in [*top, "other"] if "other" in series else top:
        fig.add_trace(go.Bar(x=days, y=[series[group].get(d, 0.0) for d in days], name=html.escape(group),
                             hovertemplate="%{x|%Y-%m-%d}: $%{y:,.2f}<extra>" + html.escape(group) + "</extra>"))
    return _layout(fig, title, "send day (UTC)", "cost (USD per day)", barmode="stack",
                   yaxis={"tickprefix": "$"}, legend={"orientation": "h", "y": -0.18, "title": {"text": legend}})


def sms_campaign_label(r: Row) -> str:
    if r["campaign"]:
        return short(r["campaign"], "campaign")
    return short(r["journey"], "journey") if r["journey"] else "direct (no campaign or journey)"


def sms_success_figure(data: dict[str, Any]) -> Any:
    by_country: dict[str, list[float]] = {}
    for r in data["sms"]:
        counts = by_country.setdefault(r["country"] or "unknown", [0.0, 0.0, 0.0])
        counts[0] += num(r["successful"])
        counts[1] += num(r["failed"])
        counts[2] += num(r["messages"])
    countries = sorted(by_country, key=lambda c: (-by_country[c][2], c))
    fig = go.Figure(go.Bar(
        x=[html.escape(c) for c in countries], y=[rate(by_country[c][0], by_country[c][0] + by_country[c][1])
                                                   for c in countries],
        text=[f"n={by_country[c][0] + by_country[c][1]:,.0f}" for c in countries], textposition="outside",
        hovertemplate="%{x}: %{y:.1%} of %{text} messages with a final status<extra></extra>"))
    return _layout(fig, "SMS delivery success rate by destination country (all days)",
                   "destination country (ISO code; ordered by messages)", "delivered / (delivered + failed)",
                   yaxis={"tickformat": ".0%", "range": [0, 1.1]}, showlegend=False)


def sources_figure(data: dict[str, Any]) -> Any:
    rows, unit = data["sources"], data["grain"]
    periods = sorted({as_datetime(r["period"]) for r in rows})
    fig = go.Figure()
    for channel, source in sorted({(r["channel"], r["source_system"]) for r in rows}):
        counts = {as_datetime(r["period"]): num(r["messages"]) for r in rows
                  if (r["channel"], r["source_system"]) == (channel, source)}
        fig.add_trace(go.Bar(x=periods, y=[counts.get(p, 0.0) for p in periods], name=f"{channel} via {source}"))
    return _layout(fig, f"Messages sent per {unit} by source system: the cut-over to the native SES/SMS formats",
                   f"send {unit} (UTC)", f"messages per {unit}", barmode="stack")


def machine_figure(data: dict[str, Any]) -> Any:
    rows = data["machine"]
    reasons = sorted({str(r["reason"]) for r in rows}, key=lambda x: (x != "human", x))
    fig = go.Figure()
    for reason in reasons:
        counts = {str(r["engagement_type"]): num(r["events"]) for r in rows if r["reason"] == reason}
        fig.add_trace(go.Bar(x=["open", "click"], y=[counts.get("open", 0.0), counts.get("click", 0.0)],
                             name=html.escape(reason)))
    return _layout(fig, "Opens and clicks by people and by machines (fct_email_engagements)",
                   "engagement", "events", barmode="stack")


def provider_figure(data: dict[str, Any]) -> Any:
    rows = data["providers"]

    def pct(numerator: Any, denominator: Any, digits: int = 2) -> str:
        value = rate(num(numerator), num(denominator))
        return "n/a" if value is None else f"{value:.{digits}%}"

    columns = [
        ("provider", [html.escape(str(r["provider_group"])) for r in rows]),
        ("sent", [f"{num(r['sent']):,.0f}" for r in rows]),
        ("delivery rate", [pct(r["delivered"], r["sent"], 1) for r in rows]),
        ("bounce rate", [pct(r["bounced"], r["sent"]) for r in rows]),
        ("complaint rate", [pct(r["complained"], r["sent"], 3) for r in rows]),
        ("open rate (raw)", [pct(r["opened"], r["sent"], 1) for r in rows]),
        ("human open rate", [pct(r["human_opened"], r["sent"], 1) for r in rows]),
        ("days >= 0.1 % / >= 0.3 %", [f"{num(r['days_above_target']):.0f} / {num(r['days_at_max']):.0f}"
                                      for r in rows]),
    ]
    fig = go.Figure(go.Table(header={"values": [c[0] for c in columns], "align": "left"},
                             cells={"values": [c[1] for c in columns], "align": "left"}))
    return _layout(fig, "Deliverability by mailbox provider (recipient domain), all days", "", "",
                   height=140 + 30 * len(rows))


def suppression_figure(data: dict[str, Any]) -> Any:
    rows = data["suppression"]
    days = sorted({as_datetime(r["day"]) for r in rows})
    fig = go.Figure()
    for reason in sorted({str(r["reason"]) for r in rows}):
        per_day = {as_datetime(r["day"]): num(r["addresses"]) for r in rows if r["reason"] == reason}
        total, cumulative = 0.0, []
        for day in days:
            total += per_day.get(day, 0.0)
            cumulative.append(total)
        fig.add_trace(go.Scatter(x=days, y=cumulative, mode="lines+markers", stackgroup="reasons",
                                 name=html.escape(reason)))
    return _layout(fig, "Suppression list: addresses not to contact now, by the day they were suppressed",
                   "send day (UTC)", "addresses on the list (cumulative)")


def revenue_figure(data: dict[str, Any]) -> Any:
    rows = data["revenue"][:TOP_REVENUE_GROUPS]
    fig = go.Figure(go.Bar(x=[html.escape(str(r["attributed_to"]))[:50] for r in rows],
                           y=[num(r["revenue"]) for r in rows],
                           customdata=[num(r["conversions"]) for r in rows],
                           hovertemplate="%{x}<br>%{y:,.2f} from %{customdata:,} conversions<extra></extra>"))
    return _layout(fig, f"Conversion value by what it is attributed to (top {len(rows)})",
                   "campaign, journey or subject of the attributed message", "conversion value",
                   showlegend=False)


@dataclass
class Chart:
    id: str
    caption: str
    figure: Any | None = None
    message: str | None = None


@dataclass
class Report:
    headlines: dict[str, dict[str, Any]]
    charts: list[Chart] = field(default_factory=list)
    quality: list[dict[str, Any]] = field(default_factory=list)


def build_charts(data: dict[str, Any]) -> list[Chart]:
    email = bool(data["email_periods"])
    sms = bool(data["sms"])
    no_email = "No email messages in the marts: nothing to draw."
    no_sms = "No SMS messages in the data: the SMS marts are empty, so there is no SMS chart."
    sources = sorted({str(r["source_system"]) for r in data["sources"]})

    def chart(id_: str, caption: str, ok: bool, make: Callable[[], Any], message: str) -> Chart:
        return Chart(id_, caption, make() if ok else None, None if ok else message)

    return [
        chart("chart-deliverability", "Of the messages sent in each period, the share that hard-bounced and the "
              "share that drew a complaint, whenever the bounce or complaint arrived. Dashed: the level at which SES "
              "reviews an account; solid: the level at which it may pause sending (model ses_reputation_thresholds, "
              "equal to the vars ses_*_rate). SES judges rates over a rolling window of representative volume, so "
              "a single small period above a line is a warning, not SES's verdict.",
              email, lambda: deliverability_figure(data), no_email),
        chart("chart-volumes", "Distinct messages per send period: sent, delivered, hard-bounced, complained about "
              "and rejected (rejected messages were never sent).", email, lambda: volumes_figure(data), no_email),
        chart("chart-funnel", f"Sent, delivered, opened, clicked and unsubscribed distinct messages for the "
              f"campaigns with the most sent messages (up to {TOP_CAMPAIGNS}) (treatments added up; messages outside "
              "campaigns left out). A message opened five times counts once.",
              bool(data["campaigns"]), lambda: funnel_figure(data), "No campaign email in the marts."),
        chart("chart-subjects", "Open rate = opened / sent distinct messages. Subjects are ranked by the lower end "
              "of the 95% Wilson score interval of their open rate (the bar's whisker), not by the rate itself: a "
              "subject needs both a high rate and enough sends to rank high, so 2 opens out of 3 sends (interval "
              "21% to 94%) does not outrank 9,000 out of 30,000 (29.5% to 30.5%).",
              bool(data["subjects"]), lambda: subjects_figure(data), no_email),
        chart("chart-sms-cost-country", "SMS cost per send day by destination country: one price per message "
              "(price_in_millicents_usd / 100,000), so Pinpoint's repeated prices are not added twice.",
              sms, lambda: sms_cost_figure(data, lambda r: str(r["country"] or "unknown"),
                                           "SMS cost in USD per day by destination country", "country"), no_sms),
        chart("chart-sms-cost-campaign", "SMS cost per send day by Pinpoint campaign, else journey, else sent "
              "directly (first 8 characters of the id).",
              sms, lambda: sms_cost_figure(data, sms_campaign_label, "SMS cost in USD per day by campaign or journey",
                                           "campaign / journey"), no_sms),
        chart("chart-sms-success", "Messages whose final status is delivered, over messages with a final status "
              "(delivered or failed; still buffered ones left out), by destination country.",
              sms, lambda: sms_success_figure(data), no_sms),
        chart("chart-source-system", "Email send events and SMS accepted (_SMS.BUFFERED) events per period, "
              "one per message, from int_events (deduplicated across streams), by the stream they were read from: "
              "Pinpoint's event stream, or the native SES / End User Messaging SMS records. Across the cut-over "
              "the bars should neither dip (a gap) nor rise (a message counted from both streams).",
              len(sources) > 1, lambda: sources_figure(data),
              f"Only one source in the data ({', '.join(sources) or 'none'}){data['source_note']}: this chart "
              "appears when the data spans the cut-over from Pinpoint's stream to the native SES/SMS formats."),
        chart("chart-human-machine", "Every open and click, split into people and the machine rule that matched "
              "(Apple Mail Privacy Protection user agent or IP range, prefetch or link scan at delivery, scanner "
              "user agents, all links clicked at once; fct_email_engagements, rules in docs/marts.md).",
              bool(data["machine"]), lambda: machine_figure(data), not_built(data, "fct_email_engagements")
              or "No opens or clicks in the marts."),
        chart("chart-providers", "Per mailbox provider group of the recipient (seed mailbox_provider_domains), over "
              "sent message-recipient pairs. Last column: days (per sending identity) with a complaint rate at or "
              "above the Gmail / Yahoo bulk-sender levels, 0.1 % (stay below) and 0.3 % (never reach).",
              bool(data["providers"]), lambda: provider_figure(data),
              not_built(data, "agg_email_deliverability_by_provider_daily") or no_email),
        chart("chart-suppression", "Addresses and phone numbers on suppression_list, counted on the day of the "
              "earliest blocking event still in force (hard bounce, complaint, unsubscribe, SES subscription "
              "opt-out, SMS opt-out), added up over the days; re-subscribed addresses have left the list.",
              bool(data["suppression"]), lambda: suppression_figure(data),
              not_built(data, "suppression_list") or "Nobody is on the suppression list."),
        chart("chart-revenue", "Conversion value (fct_conversions) by the campaign, journey or subject of the message "
              "it is attributed to: the last human click, else human open, else delivered SMS, within the "
              "attribution window; unattributed conversions in their own bar.",
              bool(data["revenue"]), lambda: revenue_figure(data),
              not_built(data, "fct_conversions") or "No conversions in the data."),
    ]


def not_built(data: dict[str, Any], table: str) -> str:
    if table in data["missing_deliverability"]:
        return f"The warehouse has no {table}: built before the deliverability marts; run dbt build."
    return ""


# --- headline figures -------------------------------------------------------------------------------

def headlines(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = data["email_periods"]
    sent = sum(num(r["sent"]) for r in rows)
    eng = data["engagement"]

    def ratio(label: str, numerator: float, definition: str, digits: int = 1) -> dict[str, Any]:
        value = rate(numerator, sent)
        return {"label": label, "value": value, "numerator": numerator, "denominator": sent, "unit": "fraction",
                "display": "n/a" if value is None else f"{value:.{digits}%}", "definition": definition}

    start, end = data["period"]["start_at"], data["period"]["end_at"]
    spend = sum(num(r["cost_usd"]) for r in data["sms"])
    sms_messages = sum(num(r["messages"]) for r in data["sms"])
    fmt = "%Y-%m-%d %H:%M"
    suppressed = sum(num(r["addresses"]) for r in data["suppression"])
    attributed = sum(num(r["revenue"]) for r in data["revenue"] if r["is_attributed"])
    attributed_conversions = sum(num(r["conversions"]) for r in data["revenue"] if r["is_attributed"])
    return {
        "period": {"label": "Period covered (UTC)",
                   "value": {"start": None if start is None else as_datetime(start).isoformat(),
                             "end": None if end is None else as_datetime(end).isoformat()},
                   "display": "no data" if start is None else
                   f"{as_datetime(start):{fmt}} to {as_datetime(end):{fmt}}",
                   "definition": "Earliest and latest send time of the email messages with a send event "
                                 "(fct_email_messages.sent_at) and of the SMS messages (fct_sms_messages.sent_at)."},
        "messages_sent": {"label": "Email messages sent", "value": sent, "unit": "messages", "display": f"{sent:,.0f}",
                          "definition": "Distinct email messages with a send event "
                                        "(sum of agg_email_deliverability_hourly.sent_messages)."},
        "delivery_rate": ratio("Delivery rate", sum(num(r["delivered"]) for r in rows),
                               "Distinct sent messages with a delivery event / distinct sent messages."),
        "bounce_rate": ratio("Bounce rate (hard)", sum(num(r["hard_bounced"]) for r in rows),
                             "Distinct sent messages with a hard bounce / distinct sent messages (SES's reputation "
                             "bounce rate counts hard bounces only).", 2),
        "complaint_rate": ratio("Complaint rate", sum(num(r["complained"]) for r in rows),
                                "Distinct sent messages with a complaint / distinct sent messages.", 3),
        "open_rate": ratio("Open rate", num(eng["opened"]),
                           "Distinct sent messages opened at least once / distinct sent messages "
                           "(agg_email_engagement_hourly; repeated opens count once)."),
        "click_rate": ratio("Click rate", num(eng["clicked"]),
                            "Distinct sent messages clicked at least once / distinct sent messages "
                            "(repeated clicks count once)."),
        "human_open_rate": ratio("Human open rate", num(data["human"]["opened"]),
                                 "Distinct sent messages opened by a person (not a privacy proxy, prefetch or "
                                 "scanner; fct_email_engagements) / distinct sent messages."),
        "human_click_rate": ratio("Human click rate", num(data["human"]["clicked"]),
                                  "Distinct sent messages clicked by a person (not a link scanner) / distinct sent "
                                  "messages."),
        "suppressed_addresses": {"label": "Suppressed addresses", "value": suppressed, "unit": "addresses",
                                 "display": f"{suppressed:,.0f}",
                                 "definition": "Email addresses and phone numbers not to contact now "
                                               "(rows of suppression_list)."},
        "attributed_revenue": {"label": "Attributed conversion value", "value": attributed, "unit": "value",
                               "conversions": attributed_conversions, "display": f"{attributed:,.2f}",
                               "detail": f"{attributed_conversions:,.0f} attributed conversions",
                               "definition": "Sum of conversion_value of the conversions fct_conversions attributes "
                                             "to a message (in the conversions' own currency)."},
        "sms_spend": {"label": "SMS spend", "value": spend, "unit": "USD", "messages": sms_messages,
                      "display": f"${spend:,.2f}", "detail": f"{sms_messages:,.0f} SMS messages",
                      "definition": "Sum of one price per SMS message, price_in_millicents_usd / 100,000 "
                                    "(sum of agg_sms_cost_daily.total_cost_usd)."},
    }


# --- the page ---------------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2733;
       background: #f4f6f8; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 26px; margin: 8px 0 4px; } .meta { color: #556; margin: 0 0 16px; font-size: 14px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-bottom: 20px; }
.tile { background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tile .label { font-size: 13px; color: #556; } .tile .value { font-size: 24px; font-weight: 600; margin: 4px 0; }
.tile .value.small { font-size: 16px; } .tile .def { font-size: 12px; color: #667; }
section { background: #fff; border-radius: 8px; padding: 10px 14px 14px; margin-bottom: 18px;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
section p.caption { font-size: 13px; color: #445; margin: 4px 0 0; }
.chart-empty { padding: 28px; text-align: center; color: #6a4b00; background: #fff8e5; border-radius: 6px; }
table.quality { border-collapse: collapse; width: 100%; font-size: 14px; margin-top: 6px; }
table.quality td, table.quality th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e7eb; }
table.quality td.count { text-align: right; font-variant-numeric: tabular-nums; width: 9em; }
table.quality tr.attention td { background: #fff8e5; }
"""


def render_page(report: Report, label: str, generated: str) -> str:
    """The page, from templates/report.html.j2. Trusted markup goes in as Markup: the CSS above,
    plotly.js and the figures' divs that plotly writes; everything else is escaped by the template."""
    charts = [{"id": chart.id, "caption": chart.caption, "message": chart.message,
               "html": None if chart.figure is None else Markup(chart.figure.to_html(
                   full_html=False, include_plotlyjs=False, div_id=chart.id, config=PLOT_CONFIG,
                   default_height=f"{chart.figure.layout.height}px", default_width="100%"))}
              for chart in report.charts]
    return TEMPLATES.get_template("report.html.j2").render(
        css=Markup(CSS), plotlyjs=Markup(get_plotlyjs()), label=label, generated=generated,
        headlines=list(report.headlines.values()), quality=report.quality, charts=charts)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def write_report(wh: Warehouse, out: Path) -> Path:
    check_built(wh)
    log(f"reading the marts from {wh.label}")
    data = read_data(wh)
    report = Report(headlines(data), build_charts(data), read_quality(wh))
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(render_page(report, wh.label, generated), encoding="utf-8")
    summary = {
        "generated_at": generated, "source": wh.label, "grain": data["grain"],
        "thresholds": {f"{metric}_{level}": value for (metric, level), value in sorted(data["thresholds"].items())},
        "headlines": report.headlines,
        "data_quality": report.quality,
        "charts": [{"id": c.id, "title": None if c.figure is None else c.figure.layout.title.text,
                    "rendered": c.figure is not None, "message": c.message, "caption": c.caption}
                   for c in report.charts],
    }
    (out / "report.json").write_text(json.dumps(summary, indent=2, default=_json_default) + "\n", encoding="utf-8")
    drawn = sum(c.figure is not None for c in report.charts)
    log(f"{drawn} of {len(report.charts)} charts drawn (per {data['grain']}); wrote {page} and {out / 'report.json'}")
    return page


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duckdb", type=Path, default=duckdb_file(),
                        help=f"DuckDB file of the built project (default: $ENGAGEMENT_DUCKDB_PATH or {DUCKDB_FILE})")
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help=f"output folder (default {REPORT_DIR})")
    athena = parser.add_argument_group("Athena (optional, needs PyAthena; AWS credentials from the environment)")
    athena.add_argument("--from-athena", action="store_true", help="read the marts from Athena instead of DuckDB")
    athena.add_argument("--athena-schema", default=os.environ.get("ENGAGEMENT_ATHENA_SCHEMA"),
                        help="Glue database the marts were built in (the dbt target schema; default $ENGAGEMENT_ATHENA_SCHEMA)")
    athena.add_argument("--s3-staging-dir", default=os.environ.get("ENGAGEMENT_ATHENA_STAGING_DIR"),
                        help="query result location (default $ENGAGEMENT_ATHENA_STAGING_DIR, as in profiles.yml)")
    athena.add_argument("--region", default=os.environ.get("ENGAGEMENT_ATHENA_REGION"),
                        help="AWS region (default $ENGAGEMENT_ATHENA_REGION, as in profiles.yml)")
    athena.add_argument("--work-group", default=os.environ.get("ENGAGEMENT_ATHENA_WORKGROUP"),
                        help="Athena workgroup (default $ENGAGEMENT_ATHENA_WORKGROUP)")
    trino_group = parser.add_argument_group("Trino (optional; connection from the ENGAGEMENT_TRINO_* variables)")
    trino_group.add_argument("--from-trino", action="store_true", help="read the marts from Trino (the trino target)")
    trino_group.add_argument("--trino-catalog", default=os.environ.get("ENGAGEMENT_TRINO_CATALOG", "iceberg"),
                             help="catalog of the marts (default $ENGAGEMENT_TRINO_CATALOG or iceberg)")
    trino_group.add_argument("--trino-schema", default=os.environ.get("ENGAGEMENT_TRINO_SCHEMA", "engagement"),
                             help="schema of the marts (default $ENGAGEMENT_TRINO_SCHEMA or engagement)")
    args = parser.parse_args(argv)
    try:
        if args.from_trino:
            wh: Warehouse = TrinoWarehouse(args.trino_catalog, args.trino_schema)
        elif args.from_athena:
            if not args.athena_schema:
                parser.error("--from-athena needs --athena-schema")
            wh = AthenaWarehouse(args.athena_schema, args.s3_staging_dir, args.region, args.work_group)
        else:
            wh = DuckDBWarehouse(args.duckdb.resolve())
        try:
            page = write_report(wh, args.out)
        finally:
            wh.close()
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(page.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
