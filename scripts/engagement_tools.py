"""What the scripts and the tests share: the repository's paths, the dbt command line, dbt in-process.

Standard library only at import time (scripts/trino_server.py runs on the system Python, without the
venv); dbt is imported when `run_dbt` is called.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS_DIR = REPO_ROOT / "scripts"
TARGET_DIR = REPO_ROOT / "target"
# The defaults of dbt_project.yml's vars and of the Makefile, relative to the project folder (where
# `make` and dbt run): the folders of real data, the DuckDB file and the report.
EVENTS_DIR = Path("data/events")
SES_EVENTS_DIR = Path("data/ses_events")
SMS_EVENTS_DIR = Path("data/sms_events")
DUCKDB_FILE = Path("target/engagement.duckdb")
REPORT_DIR = Path("target/report")
TRINO_DEFAULT_PORT = 8089


def duckdb_file() -> Path:
    """The DuckDB file of profiles.yml: $ENGAGEMENT_DUCKDB_PATH, else target/engagement.duckdb."""
    return Path(os.environ.get("ENGAGEMENT_DUCKDB_PATH") or DUCKDB_FILE)


def trino_port() -> int:
    """The port of the local Trino (`make trino`) and of the trino target: $ENGAGEMENT_TRINO_PORT or 8089."""
    return int(os.environ.get("ENGAGEMENT_TRINO_PORT", str(TRINO_DEFAULT_PORT)))


def absent_native_folders(root: Path) -> dict[str, str]:
    """SES and SMS vars naming folders inside `root` that do not exist (empty sources), never the
    repository's own data/ folders that `make run` fills."""
    return {"ses_events_path": str(root / "no_ses_events"), "sms_events_path": str(root / "no_sms_events")}


def dbt_args(*args: str, project_dir: Path, target_path: Path, profiles_dir: Path | None = None,
             log_path: Path | None = None, dbt_vars: Mapping[str, Any] | None = None) -> list[str]:
    """A dbt command line (without the `dbt`) isolated in its own target and log folders."""
    cli = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir or project_dir),
           "--target-path", str(target_path), "--log-path", str(log_path or target_path / "logs")]
    if dbt_vars is not None:
        cli += ["--vars", json.dumps(dict(dbt_vars))]  # JSON is valid YAML
    return cli


def _put(key: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(key, None)
    else:
        os.environ[key] = value


@contextmanager
def environ(**values: str | None) -> Iterator[None]:
    """Set (a str) or unset (None) environment variables for the block, then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            _put(key, value)
        yield
    finally:
        for key, previous in saved.items():
            _put(key, previous)


def run_dbt(cli: list[str], **env: str | None) -> dbtRunnerResult:
    """One dbt invocation in this process, with `env` set for its duration."""
    from dbt.cli.main import dbtRunner

    with environ(**env):
        return dbtRunner().invoke(cli)


def failures(result: dbtRunnerResult, ok: tuple[str, ...] = ("success", "pass")) -> str:
    """The nodes of a failed invocation whose status is not in `ok`, with their messages."""
    rows = getattr(result.result, "results", None) or []
    bad = [f"{r.node.name}: {r.message}" for r in rows if str(r.status) not in ok]
    return "; ".join(bad) or "unknown failure"
