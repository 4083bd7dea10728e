"""scripts/report.py: the one-page report over the marts.

- `test_headlines_equal_raw_events`: every headline figure of report.json equals an independent computation
  in plain DuckDB SQL over the raw Parquet of `sample_events` (exact duplicate rows dropped, distinct
  messages counted, so repeated opens and clicks and Firehose re-deliveries do not double count).
- `test_page_is_self_contained`: plotly.js inlined exactly once, no src/href or URL outside that bundle,
  every chart div present, every headline shown.
- `test_queries_parse_as_trino`: the SQL the script runs also parses as Athena (Trino) SQL (`--from-athena`).
- `test_no_sms_and_cut_over`: data spanning the cut-over to the native SES format, with the SMS events
  removed: the SMS charts say so in place of a chart; the source-system chart is drawn.
- `test_missing_or_unbuilt_duckdb`: exit code 2 and a message naming the path and `make run`.
- `test_page_renders_offline_in_chromium`: every chart drawn, no network request, no console error;
  screenshots in target/report_screenshots/ and docs/images/report.png.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest
import report
from plotly.offline import get_plotlyjs

from browser import browser_unavailable, headless_chromium, save_screenshot
from conftest import REPO_ROOT, SCRIPTS, DbtProject, generate_events, make_project

CHART_IDS = ["chart-deliverability", "chart-volumes", "chart-funnel", "chart-subjects", "chart-sms-cost-country",
             "chart-sms-cost-campaign", "chart-sms-success", "chart-source-system", "chart-human-machine",
             "chart-providers", "chart-suppression", "chart-revenue"]
SMS_CHARTS = {"chart-sms-cost-country", "chart-sms-cost-campaign", "chart-sms-success"}
REPO_SCREENSHOTS = REPO_ROOT / "target" / "report_screenshots"
README_IMAGES = REPO_ROOT / "docs" / "images"
URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


def run_report(project: DbtProject, out: Path) -> dict[str, Any]:
    """The script as a user runs it, a subprocess, on a copy of the project's DuckDB file (dbt-duckdb keeps
    this process's connection, and its lock, on the file)."""
    project.query("checkpoint")
    # same file name: views (the audit models) name their file's catalog
    copy = out.parent / f"{out.name}_warehouse" / project.duckdb_path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(project.duckdb_path, copy)
    done = subprocess.run([sys.executable, str(SCRIPTS / "report.py"), "--duckdb", str(copy), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str((out / "index.html").resolve())
    assert "report: reading the marts from" in done.stderr and "charts drawn" in done.stderr, done.stderr
    result: dict[str, Any] = json.loads((out / "report.json").read_text())
    return result


@pytest.fixture(scope="module")
def sample_report(built_sample: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report"
    run_report(built_sample, out)
    return out


# --- the figures, from raw events ---------------------------------------------------------------------

RAW_EMAIL = """
    with raw as (
        select distinct * from read_parquet('{events}/**/*.parquet', union_by_name = true)
    ),
    messages as (
        select
            facets.email_channel.mail_event.mail.message_id as message_id,
            bool_or(event_type = '_email.send') as sent,
            bool_or(event_type = '_email.delivered') as delivered,
            bool_or(event_type = '_email.hardbounce') as bounced,
            bool_or(event_type = '_email.complaint') as complained,
            bool_or(event_type = '_email.open') as opened,
            bool_or(event_type = '_email.click') as clicked,
            count(*) filter (where event_type = '_email.open') as opens,
            count(*) filter (where event_type = '_email.click') as clicks,
            make_timestamp(1000 * min(facets.email_channel.mail_event.mail.message_send_timestamp)) as sent_at
        from raw
        where starts_with(event_type, '_email.')
        group by 1
    )
    select
        count(*) filter (where sent) as sent,
        count(*) filter (where sent and delivered) as delivered,
        count(*) filter (where sent and bounced) as bounced,
        count(*) filter (where sent and complained) as complained,
        count(*) filter (where sent and opened) as opened,
        count(*) filter (where sent and clicked) as clicked,
        sum(opens) filter (where sent) as opens,
        sum(clicks) filter (where sent) as clicks,
        min(sent_at) filter (where sent) as first_sent,
        max(sent_at) filter (where sent) as last_sent
    from messages
"""
# One price per SMS message: its _SMS.BUFFERED event's, else its success/failure event's.
RAW_SMS = """
    with raw as (
        select distinct * from read_parquet('{events}/**/*.parquet', union_by_name = true)
    ),
    messages as (
        select
            attributes['message_id'] as message_id,
            coalesce(
                max(metrics.price_in_millicents_usd) filter (where event_type = '_SMS.BUFFERED'),
                max(metrics.price_in_millicents_usd) filter (where event_type in ('_SMS.SUCCESS', '_SMS.FAILURE'))
            ) as price,
            make_timestamp(1000 * min(event_timestamp)) as sent_at
        from raw
        where starts_with(event_type, '_SMS.')
        group by 1
    )
    select sum(price) / 100000.0 as spend, count(*) as messages, min(sent_at) as first_sent, max(sent_at) as last_sent
    from messages
"""


def raw_figures(events: Path) -> dict[str, Any]:
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        cursor = con.execute(RAW_EMAIL.format(events=events))
        email = dict(zip([d[0] for d in cursor.description], cursor.fetchone() or ()))
        cursor = con.execute(RAW_SMS.format(events=events))
        sms = dict(zip([d[0] for d in cursor.description], cursor.fetchone() or ()))
        rows, distinct_rows = con.execute(
            f"select count(*), (select count(*) from (select distinct * from read_parquet('{events}/**/*.parquet', "
            f"union_by_name = true))) from read_parquet('{events}/**/*.parquet', union_by_name = true)").fetchone() or ()
    finally:
        con.close()
    return {"email": email, "sms": sms, "duplicate_rows": rows - distinct_rows}


def test_headlines_equal_raw_events(sample_report: Path, sample_events: Path) -> None:
    got = json.loads((sample_report / "report.json").read_text())["headlines"]
    raw = raw_figures(sample_events)
    email, sms = raw["email"], raw["sms"]
    # The data must exercise what the counting rules are about.
    assert raw["duplicate_rows"] > 0, "the sample has no re-delivered rows"
    assert email["opens"] > email["opened"] and email["clicks"] > email["clicked"], "no repeated opens/clicks"

    assert got["messages_sent"]["value"] == email["sent"]
    for key, numerator in (("delivery_rate", "delivered"), ("bounce_rate", "bounced"),
                           ("complaint_rate", "complained"), ("open_rate", "opened"), ("click_rate", "clicked")):
        assert (got[key]["numerator"], got[key]["denominator"]) == (email[numerator], email["sent"]), key
        assert got[key]["value"] == pytest.approx(email[numerator] / email["sent"], rel=1e-12), key
    assert got["sms_spend"]["value"] == pytest.approx(float(sms["spend"]), abs=1e-9)
    assert got["sms_spend"]["messages"] == sms["messages"]
    period = got["period"]["value"]
    assert datetime.fromisoformat(period["start"]) == min(email["first_sent"], sms["first_sent"])
    assert datetime.fromisoformat(period["end"]) == max(email["last_sent"], sms["last_sent"])
    for item in got.values():
        assert item["definition"] and item["display"] and item["label"], item


# --- the page's structure -----------------------------------------------------------------------------

class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def test_page_is_self_contained(sample_report: Path) -> None:
    page = (sample_report / "index.html").read_text(encoding="utf-8")
    summary = json.loads((sample_report / "report.json").read_text())
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1, "plotly.js must be inlined exactly once"
    parser = PageParser()
    parser.feed(page)

    loaders = [(tag, name) for tag, attrs in parser.elements for name in attrs
               if name in {"src", "href", "srcset", "action", "poster", "data", "background", "xmlns"}]
    assert loaders == [], f"elements that could load something: {loaders}"
    assert not {tag for tag, _ in parser.elements} & {"link", "img", "iframe", "object", "embed", "base"}
    urls = [(tag, value) for tag, attrs in parser.elements for value in attrs.values() if URL.search(value)]
    assert urls == [], f"URLs in attributes: {urls}"
    # Outside the bundle (our markup, styles, figure data and config) there is no URL at all; the bundle's own
    # URL strings (map tiles, topojson) are only used by map traces, which the page has none of.
    rest = page.replace(bundle, "")
    assert not URL.search(rest), f"a URL in the page: {URL.search(rest)}"
    assert not re.search(r"@import|url\(", rest), "a stylesheet that could load something"
    assert '"topojsonURL": ""' in rest, "plotly's default topojson URL must be switched off"

    divs = {attrs["id"]: attrs for tag, attrs in parser.elements if tag == "div" and "id" in attrs}
    assert [i for i in divs if i.startswith("chart-")] == CHART_IDS
    assert [c["id"] for c in summary["charts"]] == CHART_IDS
    for chart in summary["charts"]:
        if chart["rendered"]:
            assert "plotly-graph-div" in divs[chart["id"]]["class"], chart["id"]
            assert any(f'Plotly.newPlot(' in js and f'"{chart["id"]}"' in js for js in parser.scripts), chart["id"]
            assert chart["title"], chart["id"]
        else:
            assert divs[chart["id"]]["class"] == "chart-empty"
            assert chart["message"] and html.escape(chart["message"]) in page, chart["id"]
    assert {c["id"] for c in summary["charts"] if c["rendered"]} == set(CHART_IDS) - {"chart-source-system"}
    for item in summary["headlines"].values():
        assert html.escape(item["display"]) in page


def test_wilson_ranking_prefers_volume() -> None:
    rows = [{"subject": "tiny", "sent": 3, "opened": 2}, {"subject": "big", "sent": 30000, "opened": 9000},
            {"subject": "good", "sent": 300, "opened": 120}]
    # 2 of 3 (67 %) ranks last; 120 of 300 (40 %) beats 9,000 of 30,000 (30 %).
    assert [r["subject"] for r in report.ranked_subjects(rows)] == ["good", "big", "tiny"]
    low, high = report.wilson_interval(2, 3)
    assert 0.20 < low < 0.21 and 0.93 < high < 0.94


def test_queries_parse_as_trino(built_sample: DbtProject) -> None:
    """The SQL of read_data, with Athena-style qualified names, parses as Trino SQL without pitfalls."""
    from check_athena_sql import check_tree, load_functions, parse_trino

    class Recording(report.DuckDBWarehouse):
        def __init__(self, path: Path) -> None:  # read-write: this process already holds the file (dbt)
            self.con = duckdb.connect(str(path))
            self.sql: list[str] = []

        def table(self, name: str) -> str:
            return f'"main"."{name}"'

        def query(self, sql: str) -> list[dict[str, Any]]:
            self.sql.append(sql)
            return super().query(sql)

    wh = Recording(built_sample.duckdb_path)
    try:
        report.read_data(wh)
        report.read_quality(wh)
    finally:
        wh.close()
    functions = load_functions()
    findings = [str(f) for sql in wh.sql if '"main".' in sql for f in check_tree("report", parse_trino(sql), functions)]
    assert len([s for s in wh.sql if '"main".' in s]) >= 8
    assert findings == []


# --- no SMS, and the cut-over to native sources -------------------------------------------------------

@pytest.fixture(scope="module")
def no_sms_build(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    """Events spanning the cut-over (Pinpoint, then native SES), SMS events removed; models and seeds only."""
    root = tmp_path_factory.mktemp("report_no_sms")
    mixed = root / "mixed"
    subprocess.run([sys.executable, str(SCRIPTS / "generate_events.py"), "--out", str(mixed / "pinpoint"),
                    "--ses-out", str(mixed / "ses"), "--sms-out", str(mixed / "sms"), "--format", "mixed",
                    "--events", "3000", "--seed", "11", "--hours", "6", "--start", "2026-10-01T00:00:00Z",
                    "--quiet"], check=True)
    events = root / "events"
    con = duckdb.connect()
    try:
        for file in sorted((mixed / "pinpoint").rglob("*.parquet")):
            target = events / file.relative_to(mixed / "pinpoint")
            target.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"copy (select * from read_parquet('{file}') where event_type is null "
                        f"or not starts_with(event_type, '_SMS.')) to '{target}' (format parquet, compression snappy)")
    finally:
        con.close()
    project = make_project(root, events, ses_events_path=str(mixed / "ses"), sms_events_path=str(root / "no_sms"))
    project.invoke("build", "--select", "+path:models/marts", "ses_reputation_thresholds",
                   "--resource-type", "model", "--resource-type", "seed")
    return project


def test_no_sms_and_cut_over(no_sms_build: DbtProject, tmp_path: Path) -> None:
    summary = run_report(no_sms_build, tmp_path / "report")
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    charts = {c["id"]: c for c in summary["charts"]}
    for chart_id in SMS_CHARTS:
        assert not charts[chart_id]["rendered"]
        assert f'<div id="{chart_id}" class="chart-empty">No SMS messages in the data' in page
    assert summary["headlines"]["sms_spend"]["value"] == 0
    assert all(charts[c]["rendered"] for c in CHART_IDS if c not in SMS_CHARTS | {"chart-source-system"})
    has_column = no_sms_build.query("select count(*) from information_schema.columns "
                                    "where table_name = 'int_events' and column_name = 'source_system'")[0][0]
    if has_column:
        sources = no_sms_build.query("select distinct source_system from int_events order by 1")
        assert sources == [("pinpoint",), ("ses",)]
        assert charts["chart-source-system"]["rendered"], charts["chart-source-system"]
    else:
        assert "Only one source in the data" in charts["chart-source-system"]["message"]


# --- a missing or unbuilt warehouse -------------------------------------------------------------------

def test_missing_or_unbuilt_duckdb(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    for path, says in ((tmp_path / "absent.duckdb", "no DuckDB file at"), (empty, "the marts are not built")):
        done = subprocess.run([sys.executable, str(SCRIPTS / "report.py"), "--duckdb", str(path),
                               "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and str(path) in done.stderr and "make run" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "out").exists()


# --- in a real browser --------------------------------------------------------------------------------

DRAWN = """
    return arguments[0].map(id => {
        const div = document.getElementById(id);
        return [id, !!(div && div.querySelector('.main-svg')), div && div.data ? div.data.map(t => t.type) : []];
    });
"""


def test_page_renders_offline_in_chromium(sample_report: Path, tmp_path: Path) -> None:
    reason = browser_unavailable()
    if reason:
        pytest.skip(f"no headless browser: {reason}")
    from selenium.webdriver.support.ui import WebDriverWait

    summary = json.loads((sample_report / "report.json").read_text())
    drawn_ids = [c["id"] for c in summary["charts"] if c["rendered"]]
    page = sample_report / "index.html"
    shutil.rmtree(REPO_SCREENSHOTS, ignore_errors=True)
    with headless_chromium(1280, 1000, with_logs=True) as driver:
        driver.get("about:blank")
        driver.get_log("performance")  # drop what the browser itself loaded at start (its new-tab page)
        driver.get(page.as_uri())
        state: list[list[Any]] = []

        def all_drawn(d: Any) -> bool:
            state[:] = d.execute_script(DRAWN, drawn_ids)
            return all(ok for _, ok, _ in state)

        WebDriverWait(driver, 30).until(all_drawn, message=f"charts not drawn: {state}")
        assert {t for _, _, types in state for t in types} <= {"scatter", "bar", "table"}, state  # table: the provider table
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), \
            "the page scrolls sideways at 1280 px"
        for chart in summary["charts"]:
            if not chart["rendered"]:
                text = driver.find_element("id", chart["id"]).text
                assert text == chart["message"]

        # The README's picture is refreshed only on request (UPDATE_README_SCREENSHOT=1), so test runs
        # do not rewrite a committed file.
        readme_copy = [README_IMAGES] if os.environ.get("UPDATE_README_SCREENSHOT") == "1" else []
        shot = save_screenshot(driver, tmp_path / "report.png", REPO_SCREENSHOTS, *readme_copy)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, height + 120)
        save_screenshot(driver, tmp_path / "report_full.png", REPO_SCREENSHOTS)

        requests = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                requests.append(message["params"]["request"]["url"])
        console_errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert any(url.startswith("file:") for url in requests), "the performance log saw no request at all"
    external = [url for url in requests if not url.startswith(("file:", "data:", "blob:", "about:"))]
    assert external == [], f"the page made network requests: {external}"
    assert console_errors == [], f"console errors: {console_errors}"
    print(f"\nscreenshots: {shot.parent} (copied to {REPO_SCREENSHOTS})")


# --- the data-quality panel ---------------------------------------------------------------------------

def test_data_quality_panel_counts_what_was_set_aside(tmp_path: Path) -> None:
    """Two lines that are not JSON and one file that is not Parquet, written by hand: the panel says so."""
    from raw_events import load_fixture, write_events
    from world_events import encode, ses_send, write_lines

    events = tmp_path / "events"
    write_events([{**e, "_folder": "2026/10/01/09"} for e in load_fixture()], events)
    (events / "2026/10/01/09" / "broken.parquet").write_bytes(b"not parquet at all")
    ses = tmp_path / "ses" / "2026/11/02/10"
    write_lines(ses, "object", [encode(ses_send("m-1", "Hi", "2026-11-02T10:00:00.000Z")), b"{oops", b"not json"])
    project = make_project(tmp_path, events, ses_events_path=str(tmp_path / "ses"))
    project.invoke("build", "--exclude", "resource_type:unit_test")
    quality = {row["model"]: row["count"] for row in run_report(project, tmp_path / "report")["data_quality"]}
    assert quality["audit_rejected_events"] == 2
    assert quality["audit_unreadable_files"] == 1
    assert quality["audit_schema_drift"] == 0
    page = (tmp_path / "report" / "index.html").read_text()
    assert 'id="data-quality"' in page and "audit_unreadable_files" in page
