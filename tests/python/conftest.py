"""Shared fixtures: drive dbt in-process on data the tests make themselves, in temporary folders."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = REPO_ROOT / "scripts"
# The flattening, the event table, the public views and the audit models (with their tests), without the
# marts and custom events downstream: what tests of the core layers build.
CORE_SELECTOR = "path:models/staging path:models/intermediate path:models/audit"

if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))


@dataclass
class DbtProject:
    """One isolated use of the project: its own DuckDB file, target folder and events folder."""

    duckdb_path: Path
    target_path: Path
    events_path: Path
    extra_vars: dict[str, Any]

    def invoke(self, *args: str, vars: dict[str, Any] | None = None, expect_ok: bool = True) -> dbtRunnerResult:
        all_vars = {"events_path": str(self.events_path), **self.extra_vars, **(vars or {})}
        cli = [
            *args,
            "--project-dir", str(REPO_ROOT),
            "--profiles-dir", str(REPO_ROOT),
            "--target-path", str(self.target_path),
            "--log-path", str(self.target_path / "logs"),
            "--vars", _yaml_inline(all_vars),
        ]
        previous = os.environ.get("ENGAGEMENT_DUCKDB_PATH")
        os.environ["ENGAGEMENT_DUCKDB_PATH"] = str(self.duckdb_path)
        try:
            result = dbtRunner().invoke(cli)
        finally:
            if previous is None:
                os.environ.pop("ENGAGEMENT_DUCKDB_PATH", None)
            else:
                os.environ["ENGAGEMENT_DUCKDB_PATH"] = previous
        if expect_ok and not result.success:
            raise AssertionError(f"dbt {' '.join(args)} failed: {result.exception or _failures(result)}")
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.duckdb_path))
        try:
            con.execute("set TimeZone = 'UTC'")
            return con.execute(sql).fetchall()
        finally:
            con.close()


def _yaml_inline(values: dict[str, Any]) -> str:
    import json

    return json.dumps(values)  # JSON is valid YAML


def _failures(result: dbtRunnerResult) -> str:
    rows = getattr(result.result, "results", None) or []
    bad = [f"{r.node.name}: {r.message}" for r in rows if str(r.status) not in ("success", "pass")]
    return "; ".join(bad) or "unknown failure"


def generate_events(out: Path, events: int, seed: int, hours: int = 6, start: str = "2026-10-01T00:00:00Z") -> None:
    """Run the sample generator as a user would (a subprocess), into `out`."""
    subprocess.run(
        [sys.executable, str(SCRIPTS / "generate_events.py"), "--out", str(out), "--events", str(events),
         "--seed", str(seed), "--hours", str(hours), "--start", start, "--quiet"],
        check=True,
    )


def make_project(root: Path, events_path: Path, **extra_vars: Any) -> DbtProject:
    """A project on `events_path`. The native SES/SMS folders default to folders inside `root` that do
    not exist (an empty source), never to the repository's own data/ folders that `make run` fills."""
    root.mkdir(parents=True, exist_ok=True)
    native = {"ses_events_path": str(root / "no_ses_events"), "sms_events_path": str(root / "no_sms_events")}
    return DbtProject(root / "warehouse.duckdb", root / "target", events_path, {**native, **extra_vars})


@pytest.fixture(scope="session")
def sample_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated Firehose folder shared by the read-only tests."""
    out = tmp_path_factory.mktemp("sample") / "events"
    generate_events(out, events=6000, seed=7, hours=8)
    return out


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory, sample_events: Path) -> Iterator[DbtProject]:
    """`dbt build` (models and data tests) on the sample events; shared, do not modify."""
    project = make_project(tmp_path_factory.mktemp("built"), sample_events)
    project.invoke("build")
    yield project
