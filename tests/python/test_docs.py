"""The data dictionary: every object described, source freshness, and the docs site as a person sees it.

- `test_everything_is_described`: `dbt docs generate` on the built sample; every model, every column that
  exists in a built relation (the catalog, so undocumented real columns are caught), every raw source
  column, seed, seed column, project macro (dispatched variants included) and exposure has a description.
- `test_source_freshness_*`: `dbt source freshness` on DuckDB against generated (old) events.
- `test_docs_site_renders_in_chromium`: the static site opened in headless Chromium; the lineage graph and
  the column list of a view render. Screenshots: <test target>/docs_screenshots and target/docs_screenshots.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from browser import browser_unavailable, headless_chromium, save_screenshot
from conftest import REPO_ROOT, SCRIPTS, DbtProject, make_project

PROJECT = "engagement_events"
REPO_SCREENSHOTS = REPO_ROOT / "target" / "docs_screenshots"


@dataclass
class DocsSite:
    project: DbtProject
    manifest: dict[str, Any]
    catalog: dict[str, Any]

    @property
    def static_page(self) -> Path:
        return self.project.target_path / "static_index.html"


@pytest.fixture(scope="module")
def docs_site(built_sample: DbtProject, tmp_path_factory: pytest.TempPathFactory) -> DocsSite:
    """`dbt docs generate --static` on the built sample, into a target folder of its own."""
    root = tmp_path_factory.mktemp("docs")
    project = DbtProject(built_sample.duckdb_path, root / "target", built_sample.events_path,
                         dict(built_sample.extra_vars))
    project.invoke("docs", "generate", "--static")
    target = project.target_path
    return DocsSite(project, json.loads((target / "manifest.json").read_text()),
                    json.loads((target / "catalog.json").read_text()))


# --- every object described ---------------------------------------------------------------------------

def _blank(entry: dict[str, Any] | None) -> bool:
    return entry is None or not str(entry.get("description") or "").strip()


def _undocumented_columns(label: str, node: dict[str, Any], real: list[str]) -> list[str]:
    """Columns of `node` (declared in yml, or `real` ones in the relation) without a description."""
    declared = {name.lower(): col for name, col in node.get("columns", {}).items()}
    names = list(dict.fromkeys([*declared, *(c.lower() for c in real)]))
    return [f"{label} column  {node['name']}.{name}" for name in names if _blank(declared.get(name))]


def missing_descriptions(manifest: dict[str, Any], catalog: dict[str, Any],
                         raw_source_columns: dict[str, list[str]]) -> list[str]:
    """Everything of this project that dbt docs would show without a description, one line each.

    raw_source_columns: source unique_id -> the columns its relation really has (the catalog holds
    none for a read_parquet source).
    """
    missing: list[str] = []
    for uid, node in sorted(manifest["nodes"].items()):
        kind = node["resource_type"]
        if node["package_name"] != PROJECT or kind not in ("model", "seed"):
            continue
        if _blank(node):
            missing.append(f"{kind}  {node['name']}")
        real = list(catalog["nodes"].get(uid, {}).get("columns", {}))
        missing += _undocumented_columns(kind, node, real)
    for uid, source in sorted(manifest["sources"].items()):
        if source["package_name"] != PROJECT:
            continue
        if not str(source.get("source_description") or "").strip():
            missing.append(f"source  {source['source_name']}")
        if _blank(source):
            missing.append(f"source table  {source['source_name']}.{source['name']}")
        real = [*catalog["sources"].get(uid, {}).get("columns", {}), *raw_source_columns.get(uid, [])]
        missing += _undocumented_columns("source", source, real)
    for macro in sorted(manifest["macros"].values(), key=lambda m: str(m["name"])):
        if macro["package_name"] == PROJECT and _blank(macro):
            missing.append(f"macro  {macro['name']}  ({macro['original_file_path']})")
    for exposure in sorted(manifest["exposures"].values(), key=lambda e: str(e["name"])):
        if _blank(exposure):
            missing.append(f"exposure  {exposure['name']}")
    return missing


def _raw_event_columns(events_path: Path) -> list[str]:
    con = duckdb.connect()
    try:
        rel = con.sql(f"select * from read_parquet('{events_path}/**/*.parquet', union_by_name = true, "
                      "hive_partitioning = false) limit 0")
        return list(rel.columns)
    finally:
        con.close()


def test_missing_descriptions_catches_an_undocumented_real_column() -> None:
    manifest = {
        "nodes": {"model.engagement_events.m": {"resource_type": "model", "package_name": PROJECT, "name": "m",
                                                "description": "A model.",
                                                "columns": {"a": {"description": "Column a."}}}},
        "sources": {}, "macros": {}, "exposures": {},
    }
    catalog: dict[str, Any] = {"nodes": {"model.engagement_events.m": {"columns": {"A": {}, "b": {}}}}, "sources": {}}
    assert missing_descriptions(manifest, catalog, {}) == ["model column  m.b"]


def test_everything_is_described(docs_site: DocsSite) -> None:
    assert docs_site.catalog["nodes"], "the catalog is empty: was the sample built?"
    raw = {uid: _raw_event_columns(docs_site.project.events_path)
           for uid, src in docs_site.manifest["sources"].items()
           if src["package_name"] == PROJECT and src["name"] == "all_events"}
    missing = missing_descriptions(docs_site.manifest, docs_site.catalog, raw)
    report = "\n".join(f"  {line}" for line in missing)
    print(f"\n{len(missing)} objects without a description:\n{report}" if missing else "\nall described")
    assert not missing, f"{len(missing)} objects without a description (write them in our own words):\n{report}"


# --- source freshness ---------------------------------------------------------------------------------

def _freshness(project: DbtProject, vars: dict[str, Any] | None = None) -> tuple[bool, str, float, dict[str, Any]]:
    # all_events only: the native streams have checks of their own (tests/python/test_native_sources.py)
    result = project.invoke("source", "freshness", "--select", "source:pinpoint", vars=vars, expect_ok=False)
    assert result.exception is None, f"dbt source freshness crashed: {result.exception}"
    rows = json.loads((project.target_path / "sources.json").read_text())["results"]
    [row] = [r for r in rows if r["unique_id"] == f"source.{PROJECT}.pinpoint.all_events"]
    return result.success, row["status"], float(row["max_loaded_at_time_ago_in_s"]), row["criteria"]


@pytest.fixture(scope="module")
def freshness_project(sample_events: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    return make_project(tmp_path_factory.mktemp("freshness"), sample_events)


def test_source_freshness_reports_stale_events_with_their_age(freshness_project: DbtProject) -> None:
    ok, status, age_s, criteria = _freshness(freshness_project)
    print(f"\nall_events: {status}, newest ingest hour {age_s / 3600:.1f} h old")
    assert (ok, status) == (False, "error"), "events from 2026-10-01 must be past the 24 h error threshold"
    assert age_s > 24 * 3600
    assert criteria["warn_after"] == {"count": 6, "period": "hour"}
    assert criteria["error_after"] == {"count": 24, "period": "hour"}


@pytest.mark.parametrize(("warn_hours", "expected"), [(10**6, "pass"), (1, "warn")])
def test_source_freshness_thresholds_come_from_vars(freshness_project: DbtProject, warn_hours: int,
                                                   expected: str) -> None:
    ok, status, _, criteria = _freshness(
        freshness_project, {"freshness_warn_after_hours": warn_hours, "freshness_error_after_hours": 10**6 + 1})
    assert (ok, status) == (True, expected)
    assert criteria["warn_after"]["count"] == warn_hours


# --- the site in a real browser -----------------------------------------------------------------------

# cytoscape.js keeps its instance on the container element (`_cyreg.cy`): the graph's nodes, as drawn.
VISIBLE_GRAPH_NODES = """
    const c = document.getElementById('cy');
    const cy = c && c._cyreg && c._cyreg.cy;
    const canvases = c ? Array.from(c.querySelectorAll('canvas')).filter(x => x.width > arguments[0]) : [];
    return cy && canvases.length ? cy.nodes(':visible').map(n => n.id()) : null;
"""
# The graph animates its zoom after a layout: wait until zoom and pan stop changing.
GRAPH_VIEWPORT = """
    const cy = document.getElementById('cy')._cyreg.cy;
    document.querySelectorAll('.tooltip').forEach(t => t.remove());
    return JSON.stringify([cy.zoom(), cy.pan()]);
"""
COLUMN_ROWS = """
    return Array.from(document.querySelectorAll('tr.column-row')).map(
        r => [r.cells[0].innerText.trim(), r.cells[2].innerText.trim()]);
"""


def _open_graph_fullscreen(driver: Any) -> list[str]:
    """Click the lineage launcher, then full screen; the ids of the nodes drawn."""
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: d.find_elements("css selector", 'a[title="View Lineage Graph"]'))
    driver.find_element("css selector", 'a[title="View Lineage Graph"]').click()
    wait.until(lambda d: d.execute_script(VISIBLE_GRAPH_NODES, 0))
    driver.find_element("css selector", 'a[title="View Fullscreen"]').click()
    nodes: list[str] = wait.until(lambda d: d.execute_script(VISIBLE_GRAPH_NODES, 800))
    viewports: list[str] = []

    def settled(d: Any) -> bool:
        viewports.append(d.execute_script(GRAPH_VIEWPORT))
        return len(viewports) > 1 and viewports[-1] == viewports[-2]

    wait.until(settled)
    return nodes


def test_docs_site_renders_in_chromium(docs_site: DocsSite) -> None:
    reason = browser_unavailable()
    if reason:
        pytest.skip(f"no headless browser: {reason}")
    from selenium.webdriver.support.ui import WebDriverWait

    page = docs_site.static_page
    assert page.exists(), "dbt docs generate --static wrote no static_index.html"
    shots = docs_site.project.target_path / "docs_screenshots"
    shutil.rmtree(REPO_SCREENSHOTS, ignore_errors=True)
    email_send = docs_site.catalog["nodes"][f"model.{PROJECT}.email_send"]
    with headless_chromium() as driver:
        # A view's page: its column list, every real column with its description.
        driver.get(f"{page.as_uri()}#!/model/model.{PROJECT}.email_send")
        rows: list[list[str]] = WebDriverWait(driver, 30).until(lambda d: d.execute_script(COLUMN_ROWS))
        driver.execute_script("document.getElementById('columns').scrollIntoView()")
        save_screenshot(driver, shots / "email_send_columns.png", REPO_SCREENSHOTS)
        assert [name for name, _ in rows] == [c.lower() for c in email_send["columns"]]
        assert [name for name, text in rows if not text] == [], "columns shown without a description"

        # The lineage of that view, then of the raw source: everything from Firehose to the exposures.
        nodes = _open_graph_fullscreen(driver)
        save_screenshot(driver, shots / "lineage_email_send.png", REPO_SCREENSHOTS)
        assert {f"model.{PROJECT}.email_send", f"model.{PROJECT}.int_events"} <= set(nodes)

        # A consumer's lineage (upstream only, so no tests): Firehose source to marts to the exposure.
        driver.get("about:blank")
        driver.get(f"{page.as_uri()}#!/exposure/exposure.{PROJECT}.sms_cost_report")
        nodes = _open_graph_fullscreen(driver)
        save_screenshot(driver, shots / "lineage_sms_cost_report.png", REPO_SCREENSHOTS)
        expected = {f"source.{PROJECT}.pinpoint.all_events", f"model.{PROJECT}.int_events",
                    f"model.{PROJECT}.agg_sms_cost_daily", f"exposure.{PROJECT}.sms_cost_report"}
        assert expected <= set(nodes), f"not drawn in the lineage graph: {sorted(expected - set(nodes))}"

        driver.get("about:blank")
        driver.get(f"{page.as_uri()}#!/source/source.{PROJECT}.pinpoint.all_events")
        nodes = _open_graph_fullscreen(driver)
        save_screenshot(driver, shots / "lineage_all_events.png", REPO_SCREENSHOTS)
        expected = {f"source.{PROJECT}.pinpoint.all_events", f"model.{PROJECT}.base_pinpoint_events",
                    f"model.{PROJECT}.int_events", f"model.{PROJECT}.email_send",
                    *docs_site.manifest["exposures"]}
        assert expected <= set(nodes), f"not drawn in the lineage graph: {sorted(expected - set(nodes))}"
    print(f"\nscreenshots: {shots} (copied to {REPO_SCREENSHOTS})")


def test_static_page_is_self_contained_and_shows_a_models_docs(docs_site: DocsSite) -> None:
    """What `make run` prints as the docs site: static_index.html opened from file:// with no server. The
    normal index.html fetches manifest.json and catalog.json, which a browser refuses from file://, and hangs;
    the static page carries both inside, so it must ask for neither."""
    reason = browser_unavailable()
    if reason:
        pytest.skip(f"no headless browser: {reason}")
    from selenium.webdriver.support.ui import WebDriverWait

    page = docs_site.static_page
    node = docs_site.manifest["nodes"][f"model.{PROJECT}.custom_purchase"]
    summary = node["description"].split("\n")[0]
    with headless_chromium(with_logs=True) as driver:
        driver.get(f"{page.as_uri()}#!/model/model.{PROJECT}.custom_purchase")
        text: str = WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.body.innerText") if summary in d.execute_script(
                "return document.body.innerText") else None)
        save_screenshot(driver, docs_site.project.target_path / "docs_screenshots" / "static_custom_purchase.png",
                        REPO_SCREENSHOTS)
        requested = [json.loads(entry["message"])["message"].get("params", {}).get("request", {}).get("url", "")
                     for entry in driver.get_log("performance")]
    assert "custom_purchase" in text and "invalid_attribute_count" in text
    fetched = [url for url in requested if url.endswith(("manifest.json", "catalog.json"))]
    assert not fetched, f"the static page fetched {fetched}: it would hang when opened from disk"
    assert any(url.startswith("file://") for url in requested), "no request seen at all: the log is not working"


# --- the SES source page's sample queries -------------------------------------------------------------

SOURCE_DOCS = REPO_ROOT / "models" / "docs" / "sources.md"


def _sample_queries() -> list[str]:
    """The ```sql blocks of the SES source's doc block: the DuckDB query, then the Athena one."""
    text = SOURCE_DOCS.read_text(encoding="utf-8")
    block = text.split("{% docs ses_events_table %}")[1].split("{% enddocs %}")[0]
    return re.findall(r"```sql\n(.*?)```", block, flags=re.S)


def test_ses_sample_query_runs_on_duckdb(tmp_path: Path) -> None:
    ses = tmp_path / "ses_events"
    subprocess.run([sys.executable, str(SCRIPTS / "generate_events.py"), "--format", "ses", "--ses-out", str(ses),
                    "--events", "600", "--seed", "5", "--hours", "2", "--start", "2026-11-02T00:00:00Z", "--quiet"],
                   check=True)
    duckdb_sql, _ = _sample_queries()
    assert "'data/ses_events/**/[!._]*'" in duckdb_sql, "the sample reads the default folder"
    sql = duckdb_sql.replace("'data/ses_events/**/[!._]*'", f"'{ses}/**/[!._]*'")
    con = duckdb.connect()
    try:
        limited = con.execute(sql).fetchall()
        everything = con.execute(sql.replace("limit 10", "")).fetchall()
    finally:
        con.close()
    # the oracle: every line of every file, read with gzip and json
    expected: Counter[tuple[object, ...]] = Counter()
    for path in sorted(p for p in ses.rglob("*") if p.is_file()):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                mail = record["mail"]
                expected[(record["eventType"], mail["messageId"], (mail.get("destination") or [None])[0],
                          mail.get("commonHeaders", {}).get("subject"), (record.get("bounce") or {}).get("bounceType"),
                          str(path))] += 1
    assert len(limited) == 10
    assert sum(expected.values()) > 100
    assert Counter(everything) == expected
    assert {row[0] for row in everything} >= {"Send", "Delivery", "Open"}


def test_ses_sample_query_parses_for_athena() -> None:
    check = pytest.importorskip("check_athena_sql")
    _, athena_sql = _sample_queries()
    assert "due_eventdb.ses_events" in athena_sql
    check.parse_trino(athena_sql.strip())
