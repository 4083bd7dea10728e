"""The committed profiles.yml holds every target, and the README's steps find them on a fresh machine.

dbt reads profiles.yml from the folder it runs in before ~/.dbt/, so a target that lived only in a copied
~/.dbt/profiles.yml was never found (issue 17). Every setting comes from one set of ENGAGEMENT_* variables,
which scripts/report.py and the docs use too.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO_ROOT, make_project
from dbt.artifacts.schemas.run import RunExecutionResult
from engagement_tools import environ

DBT = Path(sys.executable).parent / "dbt"
# A variable name; a prefix written as `ENGAGEMENT_ATHENA_*` in prose ends with "_" and is not one.
ENV_VAR = re.compile(r"ENGAGEMENT_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_])")


def _outputs() -> dict[str, Any]:
    profile: dict[str, Any] = yaml.safe_load((REPO_ROOT / "profiles.yml").read_text())["engagement_events"]
    return dict(profile["outputs"])


def test_one_profile_with_every_target() -> None:
    assert set(_outputs()) == {"duckdb", "athena", "trino"}
    assert not (REPO_ROOT / "profiles.example.yml").exists()


def test_trino_target_keys_are_dbt_trino_credentials() -> None:
    from dbt.adapters.trino.connections import TrinoJwtCredentials, TrinoLdapCredentials, TrinoNoneCredentials

    trino = _outputs()["trino"]
    allowed = {"type", "threads", "method", "catalog"}
    for credentials in (TrinoNoneCredentials, TrinoLdapCredentials, TrinoJwtCredentials):
        allowed |= set(credentials.__dataclass_fields__)
    assert set(trino) <= allowed, set(trino) - allowed
    assert "8089" in str(trino["port"]) and "127.0.0.1" in str(trino["host"])


def test_scripts_and_docs_use_the_profile_variable_names() -> None:
    profile_vars = set(ENV_VAR.findall((REPO_ROOT / "profiles.yml").read_text()))
    # Variables that configure something other than a connection.
    others = {"ENGAGEMENT_PII_SALT", "ENGAGEMENT_TRINO_HOME", "ENGAGEMENT_TRINO_JAVA_HOME", "ENGAGEMENT_TRINO_HEAP",
              "ENGAGEMENT_M2_REPOSITORY"}
    for path in [REPO_ROOT / "scripts" / "report.py", REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        unknown = set(ENV_VAR.findall(path.read_text())) - profile_vars - others
        assert not unknown, f"{path.name}: {sorted(unknown)} are not the profile's variable names"


@pytest.mark.parametrize("target", ["athena", "trino"])
def test_dbt_parse_finds_the_target_from_a_fresh_home(tmp_path: Path, target: str) -> None:
    """As the README says: from the project folder, `dbt parse --target <name>`, no ~/.dbt at all."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DBT_", "ENGAGEMENT_"))}
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir()
    result = subprocess.run(
        [str(DBT), "parse", "--target", target, "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("threads", [None, "1"])
def test_duckdb_threads_come_from_the_environment(tmp_path: Path, threads: str | None) -> None:
    """ENGAGEMENT_DUCKDB_THREADS sets DuckDB's worker threads (decision 67); unset, the profile's default of 2."""
    project = make_project(tmp_path, tmp_path / "events")
    with environ(ENGAGEMENT_DUCKDB_THREADS=threads):
        result = project.invoke("show", "--inline", "select current_setting('threads') as threads", "--limit", "1")
    assert isinstance(result.result, RunExecutionResult)
    table = result.result.results[0].agate_table
    assert table is not None and table.rows[0][0] == int(threads or 2)
