"""What the scripts and the tests share: the repository's paths, the dbt command line, dbt in-process.

Standard library only at import time (scripts/trino_server.py runs on the system Python, without the
venv); dbt is imported when `run_dbt` is called.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from datetime import datetime
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
# The names DuckDB reads in a stream folder: any object not named .* or _* (macro raw_file_glob; Athena alike).
RAW_FILE_GLOB = "[!._]*"
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


# --- the Appendix B questions, shared by scripts/benchmark.py (DuckDB) and scripts/athena_bill.py (Trino) ---

# The address every question about one recipient asks for: one with opens, among the most sent to.
ADDRESS_PICK_SQL = ("select recipient_address from agg_email_engagement_by_recipient "
                    "where opened_messages > 0 order by sent_messages desc, recipient_address limit 1")


def question_var_defaults(as_of: datetime) -> dict[str, Any]:
    """The vars of the analyses/ questions before values are picked from the data (window end `as_of`)."""
    return {"analysis_as_of": as_of.strftime("%Y-%m-%d %H:%M:%S"),
            "analysis_email_address": "example_address@example.com", "analysis_tag_value": "4",
            "analysis_min_tenure_months": 0, "engagement_min_sends": 1}


def original_sql_sections(path: Path) -> tuple[list[str], dict[str, str]]:
    """The views (in order) and the questions (by name) of an original-views file: sections that start with
    `-- view: <name>` or `-- question: <name>`."""
    views: list[str] = []
    questions: dict[str, str] = {}
    for match in re.finditer(r"^-- (view|question): (\w+)\n(.*?)(?=^-- (?:view|question): |\Z)",
                             path.read_text(), re.S | re.M):
        body = match.group(3).strip().rstrip(";")
        if match.group(1) == "view":
            views.append(body)
        else:
            questions[match.group(2)] = body
    return views, questions

