"""Shared fixtures: drive dbt in-process on data the tests make themselves, in temporary folders."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult

_SCRIPTS = str(Path(__file__).resolve().parents[2] / "scripts")
if _SCRIPTS not in sys.path:  # the scripts import as modules, in the tests as in each other
    sys.path.insert(0, _SCRIPTS)

from engagement_tools import REPO_ROOT as REPO_ROOT  # noqa: E402  (re-exported: the tests import it from here)
from engagement_tools import SCRIPTS_DIR, absent_native_folders, dbt_args, failures, run_dbt  # noqa: E402

SCRIPTS = SCRIPTS_DIR
# The flattening, the event table, the public views and the audit models (with their tests), without the
# marts and custom events downstream: what tests of the core layers build.
CORE_SELECTOR = "path:models/staging path:models/intermediate path:models/audit"


@dataclass
class DbtProject:
    """One isolated use of the project: its own DuckDB file, target folder and events folder."""

    duckdb_path: Path
    target_path: Path
    events_path: Path
    extra_vars: dict[str, Any]

    def invoke(self, *args: str, vars: dict[str, Any] | None = None, expect_ok: bool = True) -> dbtRunnerResult:
        all_vars = {"events_path": str(self.events_path), **self.extra_vars, **(vars or {})}
        cli = dbt_args(*args, project_dir=REPO_ROOT, target_path=self.target_path, dbt_vars=all_vars)
        result = run_dbt(cli, ENGAGEMENT_DUCKDB_PATH=str(self.duckdb_path))
        if expect_ok and not result.success:
            raise AssertionError(f"dbt {' '.join(args)} failed: {result.exception or failures(result)}")
        return result

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.duckdb_path))
        try:
            con.execute("set TimeZone = 'UTC'")
            return con.execute(sql).fetchall()
        finally:
            con.close()


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
    return DbtProject(root / "warehouse.duckdb", root / "target", events_path,
                      {**absent_native_folders(root), **extra_vars})


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
