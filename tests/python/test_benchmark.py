"""Smoke run of scripts/benchmark.py on a tiny data set: every section of the JSON is there, with positive
timings. No timing is asserted: the benchmark reports, it does not judge (docs/benchmark.md)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import REPO_ROOT, SCRIPTS

QUESTIONS = sorted(p.stem for p in (REPO_ROOT / "analyses").glob("*.sql"))


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and value > 0


def test_benchmark_smoke_run_reports_every_section(tmp_path: Path) -> None:
    output = tmp_path / "benchmark.json"
    # a report of scripts/athena_bill.py, written by hand: the benchmark prints its Trino build time
    athena = tmp_path / "athena_bill.json"
    athena.write_text(json.dumps({"machine": {"date": "2026-12-02 16:05 UTC"}, "history": {"raw_events": 62270},
                                  "builds": {"trino_build_seconds": 281.25, "duckdb_build_seconds": 49.5}}))
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "benchmark.py"), "--events", "3000", "--long-hours", "4",
         "--short-hours", "2", "--repeat", "1", "--scale-events", "1500,6000", "--memory-limit", "900MB",
         "--fixed-cost-events", "200", "--incremental-repeat", "2", "--native-events", "2500",
         "--native-files-per-hour", "8", "--many-files-per-hour", "5",
         "--athena-report", str(athena),
         "--work-dir", str(tmp_path / "work"), "--output", str(output)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(output.read_text())

    assert {"machine", "parameters", "data", "floor", "full_build", "week", "scale", "incremental",
            "questions", "targets"} <= set(report)
    machine = report["machine"]
    assert machine["cores"] and machine["cpu_model"] and machine["duckdb"] and machine["dbt"] != "unknown"

    floor = report["floor"]
    assert floor["raw_rows"] > 0 and floor["floor_rows"] == floor["raw_rows"]
    assert _positive(floor["count_by_type_seconds"]) and _positive(floor["floor_seconds"])

    build = report["full_build"]
    assert build["ok"], build
    assert _positive(build["wall_seconds"]) and _positive(build["peak_rss_mib"]), build
    assert _positive(build["events_per_second"]) and _positive(build["ratio_to_floor"])
    assert _positive(build["node_seconds_by_type"]["model"]) and _positive(build["node_seconds_by_type"]["test"])

    # The same events over (here, at most) one week: its own floor, a build and a run alone, each measured.
    week = report["week"]
    assert week["floor"]["floor_rows"] == week["floor"]["raw_rows"] > 0
    assert week["build"]["ok"] and week["run"]["ok"], week
    assert _positive(week["build_over_floor"]) and _positive(week["run_over_floor"])

    # Scale: the --events history and each --scale-events size, smallest first, the largest with --memory-limit.
    sizes = report["scale"]["sizes"]
    assert [entry["events"] for entry in sizes] == [1500, 3000, 6000]
    assert all(entry["build"]["ok"] and _positive(entry["seconds_per_million_events"]) for entry in sizes), sizes
    default = os.environ.get("ENGAGEMENT_DUCKDB_MEMORY", "1GB")
    assert [entry["memory_limit"] for entry in sizes] == [default, default, "900MB"]
    assert any(t["name"].startswith("peak RSS at 6,000 events") for t in report["targets"]), report["targets"]

    # The same events in many files per hour folder (Firehose's 60-second buffer; here 5 per hour): floor and build.
    many = report["many_files_week"]
    assert many["files_per_hour"] == 5 and many["files"] > 2 * many["hours"] and many["build"]["ok"], many
    assert many["floor"]["floor_rows"] == many["floor"]["raw_rows"] > 0 and _positive(many["build_over_floor"])
    assert any(t["name"].startswith(f"full build / floor, one week in {many['files']:,} files")
               for t in report["targets"]), report["targets"]
    assert "many files: dbt build" in done.stdout, done.stdout[-2000:]

    # One week after Pinpoint's end: SES and SMS JSON lines only, their own JSON floor and a build.
    native = report["native_week"]
    assert native["events"] == 2500 and native["build"]["ok"], native
    # 8 objects per stream and hour where the events allow: more than the generator's default of 3 per stream
    assert report["parameters"]["native_files_per_hour"] == 8 and native["floor"]["files"] > 6 * native["hours"], native
    assert native["floor"]["ses_records"] > 0 and native["floor"]["sms_records"] > 0, native["floor"]
    assert _positive(native["floor"]["floor_seconds"]) and _positive(native["build_over_floor"])
    assert any(t["name"].startswith("full build / JSON floor") for t in report["targets"]), report["targets"]

    fixed = report["fixed_cost"]
    assert fixed["events"] == 200 and fixed["build"]["ok"] and _positive(fixed["build"]["wall_seconds"]), fixed
    assert isinstance(fixed["data_dependent_over_floor"], float)
    assert report["trino"]["trino_build_seconds"] == 281.25 and report["trino"]["raw_events"] == 62270
    assert "Trino build, 62,270 events" in done.stdout and "281.250s" in done.stdout, done.stdout[-2000:]
    assert _positive(report["scale"]["growth"])

    incremental = report["incremental"]
    for key in ("short", "long"):
        side = incremental[key]
        assert side["ok"] and _positive(side["incremental_seconds"]) and _positive(side["canonical_seconds"]), side
        # two tries from the same warehouse (each restored to the full build's state); the fastest counts
        assert len(side["tries_seconds"]) == 2 and side["incremental_seconds"] == min(side["tries_seconds"]), side
    assert _positive(incremental["ratio"])

    assert sorted(q["name"] for q in report["questions"]) == QUESTIONS
    for question in report["questions"]:
        assert "marts_error" not in question and "original_error" not in question, question
        assert _positive(question["marts_seconds"]) and _positive(question["original_seconds"]), question
        assert _positive(question["ratio"]), question

    assert all(t["result"] in ("pass", "miss") for t in report["targets"]), report["targets"]
    assert not (tmp_path / "work").exists(), "the work folder is removed unless --keep"
