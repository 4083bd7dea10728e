"""Bad input gives a clear error naming the path or setting, a failed exit, and nothing half-written."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, DbtProject, make_project


def _build_output(project: DbtProject, capfd: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    result = project.invoke("build", "--exclude", "resource_type:unit_test", expect_ok=False)
    return result.success, capfd.readouterr().out


def test_missing_events_folder_is_named(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder"
    ok, out = _build_output(make_project(tmp_path, missing), capfd)
    assert not ok
    assert f"no Parquet files under events_path '{missing}'" in out


def test_empty_events_folder_is_named(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "events"
    (empty / "2026/10/01/00").mkdir(parents=True)
    ok, out = _build_output(make_project(tmp_path, empty), capfd)
    assert not ok
    assert f"no Parquet files under events_path '{empty}'" in out


def test_corrupt_parquet_file_is_named_and_nothing_is_half_written(
    tmp_path: Path, sample_events: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events"
    shutil.copytree(sample_events, events)
    project = make_project(tmp_path, events)
    project.invoke("seed")   # the marts read seeds (machine-engagement rules, mailbox providers)
    project.invoke("run")
    before = project.query("select count(*), max(ingest_timestamp) from int_events")
    corrupt = events / "2026/10/01/23/broken.parquet"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(b"PAR1 this is not a parquet file PAR1")
    ok, out = _build_output(project, capfd)
    assert not ok
    assert str(corrupt) in out
    assert project.query("select count(*), max(ingest_timestamp) from int_events") == before


def test_unknown_target_is_named(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "debug", "--target", "no_such_target",
         "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert completed.returncode != 0
    assert "no_such_target" in completed.stdout + completed.stderr
