"""The marts (models/marts/**) against an independent computation straight from the raw Parquet.

One generated Firehose folder (repeated opens and clicks, duplicates, late files) is built twice:
once in one go (full refresh) and once as three incremental runs that add hour folders (one file
held back and delivered late, inside the lookback). The oracle reads the raw files with DuckDB,
removes exact duplicate rows itself, and does the per-message and rollup arithmetic in Python.
"""
from __future__ import annotations

import json
import math
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dateutil.relativedelta import relativedelta

from conftest import REPO_ROOT, DbtProject, generate_events, make_project

EPOCH = datetime(1970, 1, 1)
HOURS = 10
MARTS_SELECTOR = "+path:models/marts"
MART_TABLES = [
    "fct_email_messages", "fct_sms_messages", "agg_email_deliverability_hourly", "agg_email_engagement_hourly",
    "agg_email_engagement_by_subject", "agg_email_engagement_by_campaign", "agg_email_engagement_by_recipient",
    "agg_sms_cost_daily", "agg_sms_cost_by_tag_daily", "fct_email_engagements", "fct_email_recipients",
]
GRAINS = {
    "fct_email_messages": ["message_id"],
    "fct_sms_messages": ["message_id"],
    "agg_email_deliverability_hourly": ["sent_hour", "from_address"],
    "agg_email_engagement_hourly": ["sent_hour"],
    "agg_email_engagement_by_subject": ["subject"],
    "agg_email_engagement_by_campaign": ["pinpoint_campaign_id", "pinpoint_treatment_id"],
    "agg_email_engagement_by_recipient": ["recipient_address"],
    "agg_sms_cost_daily": ["sent_date", "pinpoint_campaign_id", "journey_id", "iso_country_code", "message_type"],
    "agg_sms_cost_by_tag_daily": ["sent_date", "tag_value"],
    "fct_email_engagements": ["event_id"],
    "fct_email_recipients": ["message_id", "recipient_address"],
}
# Small enough that the generated recipients cross it, so the flag takes both values.
TEST_VARS = {"engagement_min_sends": 2}


def ms(value: int | None) -> datetime | None:
    return None if value is None else EPOCH + timedelta(milliseconds=value)


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def raw_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("marts_raw") / "events"
    generate_events(out, events=6000, seed=11, hours=HOURS)
    return out


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, raw_events: Path) -> DbtProject:
    """Everything the marts need, built in one go, with the marts' data tests."""
    project = make_project(tmp_path_factory.mktemp("marts_full"), raw_events, **TEST_VARS)
    project.invoke("build", "--select", MARTS_SELECTOR, "path:seeds", "--indirect-selection", "cautious",
                   "--exclude-resource-type", "unit_test")
    return project


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory, raw_events: Path) -> DbtProject:
    """The same files delivered in three steps, with an incremental run after each."""
    events = tmp_path_factory.mktemp("marts_inc") / "events"
    hour_dirs = sorted(p for p in raw_events.glob("*/*/*/*") if p.is_dir())
    assert len(hour_dirs) >= 8, hour_dirs
    held_back = sorted(hour_dirs[3].glob("*.parquet"))[0]   # arrives after hour 4, within the 2-hour lookback

    def deliver(dirs: list[Path]) -> None:
        for folder in dirs:
            for path in folder.glob("*.parquet"):
                if path == held_back and dirs is first:
                    continue
                target = events / path.relative_to(raw_events)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)

    # A lookback shorter than the span of the data, so later runs really re-read only a window.
    project = make_project(tmp_path_factory.mktemp("marts_inc_project"), events, incremental_lookback_hours=2,
                           **TEST_VARS)
    first, second, rest = hour_dirs[:5], hour_dirs[5:7], hour_dirs[7:]
    # the machine-engagement rules (fct_email_engagements, upstream of fct_email_messages) read seeds
    project.invoke("seed")
    deliver(first)
    project.invoke("run", "--select", MARTS_SELECTOR)
    deliver(second)
    shutil.copy(held_back, events / held_back.relative_to(raw_events))
    project.invoke("run", "--select", MARTS_SELECTOR)
    deliver(rest)
    project.invoke("run", "--select", MARTS_SELECTOR)
    ran = (project.target_path / "compiled" / "engagement_events" / "models" / "marts" / "engagement"
           / "fct_email_messages.sql").read_text()
    assert "changed.ingest_timestamp" in ran, "the last run should have taken the incremental branch"
    return project


# ------------------------------------------------------------------------------------------ oracle
@dataclass
class EmailMessage:
    sent_at: datetime | None = None
    subject: str | None = None
    from_address: str | None = None
    campaign: str | None = None
    treatment: str | None = None
    destination: list[str] | None = None
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    arrivals: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def has(self, kind: str) -> bool:
        return self.counts[kind] > 0


@dataclass
class SmsMessage:
    sent_at: datetime
    country: str | None = None
    message_type: str | None = None
    campaign: str | None = None
    journey: str | None = None
    parts: int | None = None
    kinds: set[str] = field(default_factory=set)
    prices: list[tuple[int, int, float | None, str | None]] = field(default_factory=list)  # (rank, -arrival, price, ctx)


@dataclass
class Oracle:
    emails: dict[str, EmailMessage]
    sms: dict[str, SmsMessage]


def _max_text(a: str | None, b: str | None) -> str | None:
    """max() over the non-NULL values, as SQL's max does."""
    return max((v for v in (a, b) if v is not None), default=None)


def _raw_rows(events: Path, sql_select: str, where: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    try:
        return con.execute(f"""
            with raw as (
                select distinct * from read_parquet('{events}/**/*.parquet', union_by_name = true)
            )
            select {sql_select} from raw
            where event_type is not null and event_timestamp is not null and arrival_timestamp is not null
              and {where}
        """).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def oracle(raw_events: Path) -> Oracle:
    emails: dict[str, EmailMessage] = {}
    rows = _raw_rows(raw_events, """
        event_type, arrival_timestamp, event_timestamp,
        facets.email_channel.mail_event.mail.message_id,
        facets.email_channel.mail_event.mail.message_send_timestamp,
        facets.email_channel.mail_event.mail.common_headers.subject,
        facets.email_channel.mail_event.mail.from_address,
        facets.email_channel.mail_event.mail.destination,
        attributes['campaign_id'], attributes['treatment_id']
    """, "starts_with(event_type, '_email.')")
    for etype, arrival, event_ts, mid, send_ts, subject, sender, dest, campaign, treatment in rows:
        if mid is None:
            continue
        m = emails.setdefault(mid, EmailMessage())
        kind = etype.removeprefix("_email.")
        m.counts[kind] += 1
        m.arrivals[kind].append(ms(arrival))  # type: ignore[arg-type]
        sent = ms(send_ts) if send_ts is not None else (ms(event_ts) if kind == "send" else None)
        if sent is not None and (m.sent_at is None or sent < m.sent_at):
            m.sent_at = sent
        m.subject = _max_text(m.subject, subject)
        m.from_address = _max_text(m.from_address, sender)
        m.campaign = _max_text(m.campaign, campaign)
        m.treatment = _max_text(m.treatment, treatment)
        if dest is not None and (m.destination is None or kind == "send"):
            m.destination = list(dest)

    sms: dict[str, SmsMessage] = {}
    rows = _raw_rows(raw_events, """
        event_type, arrival_timestamp, event_timestamp, attributes, metrics.price_in_millicents_usd
    """, "starts_with(event_type, '_SMS.')")
    for etype, arrival, event_ts, attrs, price in rows:
        attrs = dict(attrs or {})
        mid = attrs.get("message_id")
        if mid is None:
            continue
        s = sms.setdefault(mid, SmsMessage(sent_at=ms(event_ts)))  # type: ignore[arg-type]
        s.sent_at = min(s.sent_at, ms(event_ts))  # type: ignore[type-var,assignment]
        s.country, s.message_type = attrs.get("iso_country_code"), attrs.get("message_type")
        s.campaign, s.journey = attrs.get("campaign_id"), attrs.get("journey_id")
        if attrs.get("number_of_message_parts", "").isdigit():
            s.parts = int(attrs["number_of_message_parts"])
        kind = etype.removeprefix("_SMS.")
        s.kinds.add(kind)
        if kind in ("BUFFERED", "SUCCESS", "FAILURE"):
            rank = 0 if kind == "BUFFERED" and price is not None else (1 if price is not None else 2)
            s.prices.append((rank, -arrival, price, attrs.get("customer_context")))
    return Oracle(emails, sms)


def _rows(project: DbtProject, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(project.duckdb_path))
    try:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        con.close()


def _approx(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


# ------------------------------------------------------------------------------------------ email
def test_fct_email_messages_matches_raw(full: DbtProject, oracle: Oracle) -> None:
    rows = {r["message_id"]: r for r in _rows(full, "select * from fct_email_messages")}
    assert set(rows) == set(oracle.emails)
    repeated_opens = 0
    for mid, m in oracle.emails.items():
        r = rows[mid]
        repeated_opens += m.counts["open"] > 1
        assert r["sent_at"] == m.sent_at, mid
        assert (r["subject"], r["from_address"]) == (m.subject, m.from_address), mid
        assert (r["pinpoint_campaign_id"], r["pinpoint_treatment_id"]) == (m.campaign, m.treatment), mid
        assert r["destination"] == m.destination, mid
        for kind, column in [("send", "send_events"), ("delivered", "delivery_events"), ("open", "open_events"),
                             ("click", "click_events"), ("unsubscribe", "unsubscribe_events"),
                             ("hardbounce", "hard_bounce_events"), ("softbounce", "soft_bounce_events"),
                             ("complaint", "complaint_events"), ("rejected", "reject_events")]:
            assert r[column] == m.counts[kind], (mid, column)
        assert (r["is_sent"], r["is_delivered"], r["is_opened"], r["is_clicked"]) == (
            m.has("send"), m.has("delivered"), m.has("open"), m.has("click")), mid
        assert (r["is_hard_bounced"], r["is_soft_bounced"], r["is_complained"], r["is_rejected"]) == (
            m.has("hardbounce"), m.has("softbounce"), m.has("complaint"), m.has("rejected")), mid
        assert r["first_open_at"] == min(m.arrivals["open"], default=None), mid
        assert r["first_click_at"] == min(m.arrivals["click"], default=None), mid
    assert repeated_opens > 10, "the sample must have messages opened more than once"


def _hour(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


def test_deliverability_hourly_matches_raw(full: DbtProject, oracle: Oracle) -> None:
    expected: dict[tuple[datetime, str | None], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m in oracle.emails.values():
        assert m.sent_at is not None
        e = expected[(_hour(m.sent_at), m.from_address)]
        sent = m.has("send")
        e["sent_messages"] += sent
        e["delivered_messages"] += sent and m.has("delivered")
        e["hard_bounced_messages"] += sent and m.has("hardbounce")
        e["soft_bounced_messages"] += sent and m.has("softbounce")
        e["complained_messages"] += sent and m.has("complaint")
        e["rejected_messages"] += m.has("rejected")
        e["hard_bounce_events"] += m.counts["hardbounce"]
        e["complaint_events"] += m.counts["complaint"]
    rows = _rows(full, "select * from agg_email_deliverability_hourly")
    got = {(r["sent_hour"], r["from_address"]): r for r in rows}
    assert set(got) == set(expected)
    for key, e in expected.items():
        r = got[key]
        for column, value in e.items():
            assert r[column] == value, (key, column)
        assert _approx(r["bounce_rate"], _rate(e["hard_bounced_messages"], e["sent_messages"])), key
        assert _approx(r["complaint_rate"], _rate(e["complained_messages"], e["sent_messages"])), key
        assert r["is_bounce_rate_at_review_level"] == (r["bounce_rate"] is not None and r["bounce_rate"] >= 0.05)
        assert r["is_complaint_rate_at_pause_level"] == (
            r["complaint_rate"] is not None and r["complaint_rate"] >= 0.005)
    assert sum(e["hard_bounced_messages"] for e in expected.values()) > 0


def _engagement(messages: list[EmailMessage]) -> dict[str, Any]:
    sent = [m for m in messages if m.has("send")]
    out: dict[str, Any] = {
        "sent_messages": len(sent),
        "delivered_messages": sum(m.has("delivered") for m in sent),
        "opened_messages": sum(m.has("open") for m in sent),
        "clicked_messages": sum(m.has("click") for m in sent),
        "unsubscribed_messages": sum(m.has("unsubscribe") for m in sent),
        "open_events": sum(m.counts["open"] for m in sent),
        "click_events": sum(m.counts["click"] for m in sent),
        "unsubscribe_events": sum(m.counts["unsubscribe"] for m in sent),
    }
    out["open_rate"] = _rate(out["opened_messages"], out["sent_messages"])
    out["click_rate"] = _rate(out["clicked_messages"], out["sent_messages"])
    out["unsubscribe_rate"] = _rate(out["unsubscribed_messages"], out["sent_messages"])
    return out


def _check_rollup(rows: list[dict[str, Any]], key_columns: list[str], groups: dict[Any, list[EmailMessage]]) -> None:
    got = {tuple(r[c] for c in key_columns): r for r in rows}
    expected = {k: _engagement(v) for k, v in groups.items()}
    expected = {k: v for k, v in expected.items() if v["sent_messages"] > 0}
    assert set(got) == set(expected)
    for key, e in expected.items():
        for column, value in e.items():
            ok = _approx(got[key][column], value) if column.endswith("_rate") else got[key][column] == value
            assert ok, (key, column, got[key][column], value)


def test_engagement_hourly_matches_raw(full: DbtProject, oracle: Oracle) -> None:
    groups: dict[Any, list[EmailMessage]] = defaultdict(list)
    for m in oracle.emails.values():
        groups[(_hour(m.sent_at),)].append(m)  # type: ignore[arg-type]
    _check_rollup(_rows(full, "select * from agg_email_engagement_hourly"), ["sent_hour"], groups)


def test_engagement_by_subject_and_campaign_match_raw(full: DbtProject, oracle: Oracle) -> None:
    by_subject: dict[Any, list[EmailMessage]] = defaultdict(list)
    by_campaign: dict[Any, list[EmailMessage]] = defaultdict(list)
    for m in oracle.emails.values():
        by_subject[(m.subject,)].append(m)
        if m.campaign is not None:
            by_campaign[(m.campaign, m.treatment)].append(m)
    _check_rollup(_rows(full, "select * from agg_email_engagement_by_subject"), ["subject"], by_subject)
    _check_rollup(_rows(full, "select * from agg_email_engagement_by_campaign"),
                  ["pinpoint_campaign_id", "pinpoint_treatment_id"], by_campaign)
    # The reference query's count of joined rows is larger whenever a message is opened twice.
    joined_opens = sum(m.counts["open"] for m in oracle.emails.values() if m.has("send"))
    distinct_opened = sum(m.has("open") for m in oracle.emails.values() if m.has("send"))
    assert joined_opens > distinct_opened


def test_engagement_by_recipient_matches_raw(full: DbtProject, oracle: Oracle) -> None:
    sent = [m for m in oracle.emails.values() if m.has("send")]
    as_of = max(m.sent_at for m in sent)  # type: ignore[type-var]
    per: dict[str, dict[str, Any]] = {}
    for m in sent:
        for address in {a.lower() for a in (m.destination or [])}:
            p = per.setdefault(address, {"sent": 0, "window": 0, "opened": 0, "engaged": []})
            p["sent"] += 1
            p["window"] += m.sent_at > as_of - relativedelta(months=6)
            p["opened"] += m.has("open")
            p["engaged"] += m.arrivals["open"] + m.arrivals["click"]
    rows = {r["recipient_address"]: r for r in _rows(full, "select * from agg_email_engagement_by_recipient")}
    assert set(rows) == set(per)
    flags = set()
    for address, p in per.items():
        r = rows[address]
        last = max(p["engaged"], default=None)
        assert (r["sent_messages"], r["sent_messages_in_send_window"], r["opened_messages"]) == (
            p["sent"], p["window"], p["opened"]), address
        assert r["last_engagement_at"] == last, address
        assert r["is_frequent_recipient"] == (p["window"] > TEST_VARS["engagement_min_sends"]), address
        assert r["is_recently_engaged"] == (last is not None and last > as_of - relativedelta(months=3)), address
        flags.add(r["is_frequent_recipient"])
    assert flags == {True, False}


# ------------------------------------------------------------------------------------------ SMS
def _sms_expected(s: SmsMessage) -> tuple[str, float | None, str | None]:
    outcome = ("success" if "SUCCESS" in s.kinds else "failure" if "FAILURE" in s.kinds
               else "buffered" if "BUFFERED" in s.kinds else "unknown")
    _, _, price, ctx = sorted(s.prices, key=lambda p: (p[0], p[1]))[0]
    try:
        tag = json.loads(ctx).get("mycustomerid") if ctx else None
    except (ValueError, AttributeError):
        tag = None
    return outcome, (None if price is None else price / 100000), (None if tag is None else str(tag))


def test_fct_sms_messages_matches_raw(full: DbtProject, oracle: Oracle) -> None:
    rows = {r["message_id"]: r for r in _rows(full, """
        select *, message_tags['mycustomerid'] as tag_value from fct_sms_messages""")}
    assert set(rows) == set(oracle.sms)
    for mid, s in oracle.sms.items():
        outcome, cost, tag = _sms_expected(s)
        r = rows[mid]
        assert (r["outcome"], r["sent_at"], r["message_parts"], r["iso_country_code"]) == (
            outcome, s.sent_at, s.parts, s.country), mid
        assert _approx(r["cost_usd"], cost) and r["tag_value"] == tag, mid
    # Summing the price of every priced event (what a naive query does) would count messages twice.
    all_event_prices = sum(p[2] or 0 for s in oracle.sms.values() for p in s.prices)
    assert all_event_prices > 1.5 * sum(r["price_in_millicents_usd"] or 0 for r in rows.values())


def test_sms_cost_aggregates_match_raw(full: DbtProject, oracle: Oracle) -> None:
    daily: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_tag: dict[tuple[Any, ...], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in oracle.sms.values():
        outcome, cost, tag = _sms_expected(s)
        day: date = s.sent_at.date()
        for bucket in (daily[(day, s.campaign, s.journey, s.country, s.message_type)], by_tag[(day, tag)]):
            bucket["messages"] += 1
            bucket["message_parts"] += s.parts or 0
            bucket["successful_messages"] += outcome == "success"
            bucket["failed_messages"] += outcome == "failure"
            bucket["total_cost_usd"] += cost or 0.0
    for table, keys, expected in [
        ("agg_sms_cost_daily", ["sent_date", "pinpoint_campaign_id", "journey_id", "iso_country_code", "message_type"],
         daily),
        ("agg_sms_cost_by_tag_daily", ["sent_date", "tag_value"], by_tag),
    ]:
        got = {tuple(r[c] for c in keys): r for r in _rows(full, f"select * from {table}")}
        assert set(got) == set(expected), table
        for key, e in expected.items():
            for column, value in e.items():
                assert _approx(float(got[key][column]), value), (table, key, column)
    assert any(k[1] is not None for k in by_tag) and any(k[1] is not None for k in daily)


# ------------------------------------------------------------------------------------------ shape
def test_every_mart_has_rows_and_a_unique_grain(full: DbtProject) -> None:
    for table in MART_TABLES:
        keys = ", ".join(GRAINS[table])
        (rows,) = full.query(f"select count(*) from {table}")[0]
        assert rows > 0, table
        dupes = full.query(f"select count(*) from (select {keys} from {table} group by {keys} having count(*) > 1)")
        assert dupes[0][0] == 0, table


def test_rates_are_doubles_in_unit_interval(full: DbtProject) -> None:
    columns = full.query("""
        select table_name, column_name, data_type from information_schema.columns
        where column_name like '%\\_rate' escape '\\' and table_name in ({})
    """.format(", ".join(f"'{t}'" for t in MART_TABLES)))
    assert len(columns) >= 20
    for table, column, data_type in columns:
        assert data_type == "DOUBLE", (table, column, data_type)
        low, high = full.query(f"select min({column}), max({column}) from {table}")[0]
        assert low is None or 0.0 <= low <= high <= 1.0, (table, column, low, high)


# ------------------------------------------------------------------------------------------ incremental
def _table(project: DbtProject, table: str) -> list[tuple[str, ...]]:
    return sorted(tuple(repr(v) for v in row) for row in project.query(f"select * from {table}"))


def test_incremental_runs_equal_full_refresh(full: DbtProject, incremental: DbtProject) -> None:
    for table in MART_TABLES:
        assert _table(incremental, table) == _table(full, table), table
    # the canonical table the marts read, merged hour by hour (the late file included); the two builds
    # read copies of the files in different folders, so the file is compared from its hour folder on
    canonical = ("(select * exclude (source_file), "
                 "regexp_extract(source_file, '[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}/[^/]+$') as file_in_layout "
                 "from int_events) as canonical")
    assert _table(incremental, canonical) == _table(full, canonical)


def test_incremental_run_on_unchanged_data_changes_nothing(incremental: DbtProject) -> None:
    before = {t: _table(incremental, t) for t in MART_TABLES}
    incremental.invoke("run", "--select", MARTS_SELECTOR)
    assert {t: _table(incremental, t) for t in MART_TABLES} == before


# ------------------------------------------------------------------------------------------ documentation
def test_every_mart_and_column_is_documented(full: DbtProject) -> None:
    manifest = json.loads((full.target_path / "manifest.json").read_text())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for table in MART_TABLES:
        node = nodes[table]
        assert "Grain:" in node["description"], table
        documented = {name for name, c in node["columns"].items() if c["description"].strip()}
        actual = {row[0] for row in full.query(
            f"select column_name from information_schema.columns where table_name = '{table}'")}
        assert actual == documented, (table, actual ^ documented)


def test_ses_threshold_table_matches_the_var_defaults(full: DbtProject) -> None:
    """ses_reputation_thresholds is built from the vars that own the levels: it shows their values."""
    defaults = {"ses_bounce_review_rate": 0.05, "ses_bounce_pause_rate": 0.10,
                "ses_complaint_review_rate": 0.001, "ses_complaint_pause_rate": 0.005}
    declared = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text()).get("vars", {})
    table = dict(full.query("select var_name, rate from ses_reputation_thresholds"))
    assert table == pytest.approx(defaults)
    for name, value in defaults.items():
        assert declared.get(name, value) == pytest.approx(value), name
