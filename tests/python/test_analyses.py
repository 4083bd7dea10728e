"""Every analysis (Appendix B's reference queries, rewritten) compiles and runs on DuckDB against the
built sample, and returns rows where the sample has them."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import REPO_ROOT, DbtProject

ANALYSES = sorted(p.stem for p in (REPO_ROOT / "analyses").glob("*.sql"))
# Analyses whose answer is a single aggregate row even on empty input.
SINGLE_ROW = {"sms_cost_by_context_parameter", "transactional_email_count_by_tag"}


@pytest.fixture(scope="module")
def compiled(built_sample: DbtProject) -> dict[str, Path]:
    """Compile the analyses with vars that point their windows and filters at the sample's data."""
    con = duckdb.connect(str(built_sample.duckdb_path))
    try:
        (latest,) = con.execute("select max(sent_at) from fct_email_messages").fetchone()  # type: ignore[misc]
        (address,) = con.execute("""
            select recipient_address from agg_email_engagement_by_recipient
            where opened_messages > 0 order by sent_messages desc, recipient_address limit 1
        """).fetchone()  # type: ignore[misc]
        (tag_value,) = con.execute("""
            select message_tags['mycustomerid'] from email_send
            where message_tags['mycustomerid'] is not null limit 1
        """).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    analysis_vars: dict[str, Any] = {
        "analysis_as_of": f"{latest:%Y-%m-%d} 23:59:59",
        "analysis_email_address": address,
        "analysis_tag_value": tag_value,
        "analysis_min_tenure_months": 0,
        "engagement_min_sends": 1,
    }
    built_sample.invoke("compile", "--select", "path:analyses", vars=analysis_vars)
    folder = built_sample.target_path / "compiled" / "engagement_events" / "analyses"
    return {p.stem: p for p in folder.glob("*.sql")}


def test_every_analysis_compiles(compiled: dict[str, Path]) -> None:
    assert len(ANALYSES) == 9
    assert sorted(compiled) == ANALYSES


@pytest.mark.parametrize("name", ANALYSES)
def test_analysis_runs_and_returns_rows(built_sample: DbtProject, compiled: dict[str, Path], name: str) -> None:
    rows = built_sample.query(compiled[name].read_text())
    assert rows, f"{name} returned no rows on the sample"
    if name in SINGLE_ROW:
        assert len(rows) == 1 and rows[0][0], f"{name}: the filter matched nothing"


def test_monitoring_analyses_never_exceed_one(built_sample: DbtProject, compiled: dict[str, Path]) -> None:
    for name in ("bounce_complaint_monitoring", "open_click_unsub_monitoring"):
        for row in built_sample.query(compiled[name].read_text()):
            rates = [v for v in row if isinstance(v, float)]
            assert all(0.0 <= v <= 1.0 for v in rates), (name, row)
