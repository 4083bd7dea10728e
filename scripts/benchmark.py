#!/usr/bin/env python3
"""Benchmark the DuckDB warehouse: build and answer times as ratios against the floor and the original way.

Measured in one run, on generated events (docs/benchmark.md says how to read the figures):
  floor         a plain DuckDB scan of the raw Parquet: COUNT(*) by event type, and a flattening of every
                column into one table (CREATE TABLE AS, nested fields extracted), same settings as dbt;
  full build    `dbt build` (models and data tests; unit tests excluded) as a subprocess: wall time,
                events/second, peak RSS, ratio to the floor;
  memory        the same build again with ENGAGEMENT_DUCKDB_MEMORY=2GB: completes? peak RSS;
  questions     each Appendix B question from the marts (analyses/, compiled by dbt) versus the original
                way (plain views over the raw Parquet, scripts/benchmark_original_views.sql): the ratio;
  incremental   `dbt run` adding one hour on top of a short (1 day) and a long (30 days) history with the
                same events per hour: the ratio of the two.
Prints a table and writes JSON (default target/benchmark/latest.json). Reports; asserts nothing.

    python scripts/benchmark.py [--events 1000000] [--work-dir DIR] [--output FILE] [--keep]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from string import Template
from typing import Any, Callable

import duckdb

from engagement_tools import REPO_ROOT, SCRIPTS_DIR, TARGET_DIR, absent_native_folders, dbt_args

PROJECT = {"dir": REPO_ROOT}   # --project-dir: the dbt project benchmarked (a copy, if others edit the tree)
ORIGINAL_SQL = SCRIPTS_DIR / "benchmark_original_views.sql"
GENERATOR = SCRIPTS_DIR / "generate_events.py"
START = datetime(2026, 10, 1, tzinfo=timezone.utc)
# The DuckDB settings of profiles.yml, used for the floor and the original way too.
THREADS = 2
DEFAULT_MEMORY = os.environ.get("ENGAGEMENT_DUCKDB_MEMORY", "4GB")
# The full build: models and data tests. Unit tests run on fixed fixtures, cost the same at any size,
# and one failing would skip every model after it, so they are left to `make test`.
BUILD = ("build", "--exclude-resource-type", "unit_test")
TARGET_BUILD_OVER_FLATTEN = 3.0
TARGET_INCREMENTAL_RATIO = 1.5
TARGET_MARTS_SPEEDUP = 10.0
# The nested fields the flattening floor extracts: every leaf of the Glue schema (scripts/generate_events.py).
_MAIL = "facets.email_channel.mail_event"
FLATTEN_COLUMNS = [
    "event_type", "event_timestamp", "arrival_timestamp", "event_version",
    "application.app_id", "application.sdk", "client.client_id", "client.cognito_id", "device.platform",
    "session", "attributes", "client_context.custom", "awsaccountid",
    f"{_MAIL}.mail.message_id", f"{_MAIL}.mail.message_send_timestamp", f"{_MAIL}.mail.from_address",
    f"{_MAIL}.mail.destination", f"{_MAIL}.mail.headers_truncated", f"{_MAIL}.mail.headers",
    f"{_MAIL}.mail.common_headers.from", f"{_MAIL}.mail.common_headers.to", f"{_MAIL}.mail.common_headers.subject",
    f"{_MAIL}.send", f"{_MAIL}.delivery.smtp_response", f"{_MAIL}.delivery.reporting_mta",
    f"{_MAIL}.delivery.recipients", f"{_MAIL}.delivery.processing_time_millis",
    f"{_MAIL}.open.ip_address", f"{_MAIL}.open.user_agent",
    f"{_MAIL}.click.ip_address", f"{_MAIL}.click.user_agent", f"{_MAIL}.click.link",
    f"{_MAIL}.click.link_tags.unsubscribelinktag", f"{_MAIL}.reject.reason",
    f"{_MAIL}.complaint.complained_recipients", f"{_MAIL}.complaint.feedback_id",
    f"{_MAIL}.complaint.user_agent", f"{_MAIL}.complaint.complaint_feedback_type",
    f"{_MAIL}.bounce.bounce_type", f"{_MAIL}.bounce.bounce_sub_type", f"{_MAIL}.bounce.bounced_recipients",
    f"{_MAIL}.bounce.feedback_id", f"{_MAIL}.bounce.reporting_mta", "metrics.price_in_millicents_usd",
]
INGEST_HOUR_SQL = r"strptime(regexp_extract(filename, '(\d{4}/\d{2}/\d{2}/\d{2})/[^/]*$', 1), '%Y/%m/%d/%H')"

_T0 = time.monotonic()


def progress(message: str) -> None:
    print(f"[bench {time.monotonic() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# --- processes and memory ---------------------------------------------------------------------------

def _proc_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in children.read_text().split())
            except (OSError, ValueError):
                pass
    return found


@dataclass
class ProcessRun:
    """A finished subprocess: exit code, wall time and peak resident memory of its process tree."""

    returncode: int
    wall_seconds: float
    peak_rss_mib: float
    log: Path


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> ProcessRun:
    """Run cmd, sampling the RSS of its process tree every 50 ms; peak = max(samples, the child's VmHWM).

    The child's ru_maxrss from wait4 is not used: Linux starts a forked child's maxrss at the parent's
    resident size, so after the floor queries (run in this process) every child would report at least
    this process's own RSS."""
    peak_kib = 0
    done = threading.Event()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=PROJECT["dir"], env=env, stdout=out, stderr=subprocess.STDOUT)

        def sample() -> None:
            nonlocal peak_kib
            while not done.is_set():
                tree = sum(_proc_kib(p, "VmRSS") for p in _descendants(proc.pid))
                peak_kib = max(peak_kib, tree, _proc_kib(proc.pid, "VmHWM"))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, _ = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return ProcessRun(proc.returncode, wall, peak_kib / 1024, log)


# --- dbt ---------------------------------------------------------------------------------------------

@dataclass
class Dbt:
    """dbt as a user runs it, isolated: its own DuckDB file, target and log folders, events folder."""

    work: Path
    events: Path
    duckdb_path: Path
    memory_limit: str = DEFAULT_MEMORY
    extra_vars: dict[str, Any] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        exe = Path(sys.executable).with_name("dbt")
        dbt = str(exe) if exe.exists() else (shutil.which("dbt") or "dbt")
        all_vars = {"events_path": str(self.events), **absent_native_folders(self.work), **self.extra_vars}
        return [dbt, *dbt_args(*args, project_dir=PROJECT["dir"], target_path=self.target,
                               log_path=self.work / "dbt_logs", dbt_vars=all_vars)]

    @property
    def target(self) -> Path:
        return self.work / "dbt_target"

    def env(self) -> dict[str, str]:
        return {**os.environ, "ENGAGEMENT_TARGET": "duckdb", "ENGAGEMENT_DUCKDB_PATH": str(self.duckdb_path),
                "ENGAGEMENT_DUCKDB_MEMORY": self.memory_limit, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def run(self, name: str, *args: str) -> dict[str, Any]:
        """Run one dbt command; its timings, node outcomes and per-model seconds from run_results.json."""
        results = self.target / "run_results.json"
        results.unlink(missing_ok=True)
        measured = run_measured(self.command(*args), self.env(), self.work / "logs" / f"{name}.log")
        outcome: dict[str, Any] = {
            "command": "dbt " + " ".join(args), "ok": measured.returncode == 0, "returncode": measured.returncode,
            "wall_seconds": measured.wall_seconds, "peak_rss_mib": round(measured.peak_rss_mib, 1),
            "memory_limit": self.memory_limit, "log": str(measured.log),
        }
        if results.exists():
            rows = json.loads(results.read_text()).get("results", [])
            statuses: dict[str, int] = {}
            by_type: dict[str, float] = {}
            model_seconds: dict[str, float] = {}
            for row in rows:
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
                kind = row["unique_id"].split(".")[0]
                by_type[kind] = by_type.get(kind, 0.0) + float(row.get("execution_time") or 0.0)
                if kind == "model":
                    model_seconds[row["unique_id"].split(".")[-1]] = round(float(row.get("execution_time") or 0.0), 3)
            slowest = sorted(model_seconds.items(), key=lambda item: -item[1])[:5]
            outcome.update(node_statuses=statuses, node_seconds_by_type={k: round(v, 3) for k, v in by_type.items()},
                           int_events_seconds=model_seconds.get("int_events"), slowest_models=dict(slowest))
        if not outcome["ok"]:
            progress(f"  dbt {args[0]} exited with {measured.returncode}; see {measured.log}")
        return outcome


# --- data ----------------------------------------------------------------------------------------------

def generate(out: Path, events: int, seed: int, start: datetime, hours: int) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--events", str(events), "--seed", str(seed),
                    "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ"), "--hours", str(hours), "--quiet", "--overwrite"],
                   check=True)
    return time.monotonic() - started


def newest_hour(events: Path) -> datetime:
    folders = sorted(p.parent.relative_to(events).as_posix() for p in events.glob("*/*/*/*/*.parquet"))
    return datetime.strptime(folders[-1], "%Y/%m/%d/%H").replace(tzinfo=timezone.utc)


def add_hour(events: Path, staging: Path, per_hour: int, seed: int) -> str:
    """Generate one more hour right after the newest folder of `events` and move that hour's folder in.
    (The generator's late files for later hours are dropped, so exactly one hour folder is added.)"""
    hour = newest_hour(events) + timedelta(hours=1)
    shutil.rmtree(staging, ignore_errors=True)
    generate(staging, per_hour, seed, hour, 1)
    relative = hour.strftime("%Y/%m/%d/%H")
    (events / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging / relative), str(events / relative))
    shutil.rmtree(staging, ignore_errors=True)
    return relative


def connect(path: str = ":memory:", memory_limit: str = DEFAULT_MEMORY, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path, read_only=read_only)
    con.execute(f"set threads = {THREADS}")
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute("set preserve_insertion_order = false")
    con.execute("set TimeZone = 'UTC'")
    return con


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of `repeat` runs (the least disturbed by other work on a shared machine) and its result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return min(times), result


def parquet_scan(events: Path) -> str:
    return (f"read_parquet('{events}/**/*.parquet', union_by_name = true, filename = true, "
            "hive_partitioning = false)")


def measure_floor(events: Path, work: Path, repeat: int) -> dict[str, Any]:
    flat_db = work / "floor.duckdb"
    by_type_sql = f"select event_type, count(*) from {parquet_scan(events)} group by event_type"
    columns = ",\n    ".join(f"{c} as \"{c.replace(_MAIL + '.', '').replace('.', '_')}\"" for c in FLATTEN_COLUMNS)
    flatten_sql = (f"create or replace table flat as select\n    {columns},\n    filename as source_file,\n"
                   f"    {INGEST_HOUR_SQL} as ingest_timestamp\nfrom {parquet_scan(events)}")
    con = connect()
    try:
        count_seconds, rows = best_of(repeat, lambda: con.execute(by_type_sql).fetchall())
    finally:
        con.close()
    flat_db.unlink(missing_ok=True)
    con = connect(str(flat_db))
    try:
        flatten_seconds, _ = best_of(repeat, lambda: con.execute(flatten_sql).fetchall())
        flat_rows = con.execute("select count(*) from flat").fetchone()
    finally:
        con.close()
        flat_db.unlink(missing_ok=True)
    return {"raw_rows": sum(int(r[1]) for r in rows), "event_types": len(rows),
            "count_by_type_seconds": count_seconds, "flatten_seconds": flatten_seconds,
            "flatten_columns": len(FLATTEN_COLUMNS) + 2, "flatten_rows": int(flat_rows[0]) if flat_rows else 0}


# --- the Appendix B questions ------------------------------------------------------------------------

def original_sections() -> tuple[list[str], dict[str, str]]:
    """The views (in order) and the questions (by name) of benchmark_original_views.sql."""
    views: list[str] = []
    questions: dict[str, str] = {}
    for match in re.finditer(r"^-- (view|question): (\w+)\n(.*?)(?=^-- (?:view|question): |\Z)",
                             ORIGINAL_SQL.read_text(), re.S | re.M):
        body = match.group(3).strip().rstrip(";")
        if match.group(1) == "view":
            views.append(body)
        else:
            questions[match.group(2)] = body
    return views, questions


def question_vars(duckdb_path: Path, as_of: datetime) -> dict[str, Any]:
    """Values that make every question find rows: an address with opens and a customer id that exists."""
    chosen: dict[str, Any] = {"analysis_as_of": as_of.strftime("%Y-%m-%d %H:%M:%S"),
                              "analysis_email_address": "example_address@example.com", "analysis_tag_value": "4",
                              "analysis_min_tenure_months": 0, "engagement_min_sends": 1}
    con = connect(str(duckdb_path), read_only=True)
    try:
        for key, sql in (("analysis_email_address", "select recipient_address from agg_email_engagement_by_recipient "
                          "where opened_messages > 0 order by sent_messages desc, recipient_address limit 1"),
                         ("analysis_tag_value", "select message_tags['mycustomerid'] as v from email_send "
                          "where v is not null group by v order by count(*) desc, v limit 1")):
            try:
                row = con.execute(sql).fetchone()
                if row and row[0] is not None:
                    chosen[key] = row[0]
            except duckdb.Error as exc:
                progress(f"  could not pick {key} ({exc.__class__.__name__}); using {chosen[key]!r}")
    finally:
        con.close()
    return chosen


def _runner(con: duckdb.DuckDBPyConnection, sql: str) -> Callable[[], list[Any]]:
    return lambda: con.execute(sql).fetchall()


def measure_questions(dbt: Dbt, events: Path, as_of: datetime, repeat: int) -> list[dict[str, Any]]:
    if not dbt.duckdb_path.exists():
        return [{"name": p.stem, "marts_error": "the build did not produce a warehouse"}
                for p in sorted((PROJECT["dir"] / "analyses").glob("*.sql"))]
    qvars = question_vars(dbt.duckdb_path, as_of)
    dbt.extra_vars = qvars
    compiled = dbt.run("compile_analyses", "compile", "--select", "path:analyses")
    dbt.extra_vars = {}
    folder = dbt.target / "compiled" / "engagement_events" / "analyses"
    marts_sql = {p.stem: p.read_text() for p in folder.glob("*.sql")} if compiled["ok"] else {}
    views, questions = original_sections()
    fill = {"events_path": str(events), "as_of": f"timestamp '{qvars['analysis_as_of']}'",
            "address": qvars["analysis_email_address"], "tag_value": qvars["analysis_tag_value"],
            "tenure_months": qvars["analysis_min_tenure_months"], "min_sends": qvars["engagement_min_sends"]}
    results: list[dict[str, Any]] = []
    marts = connect(str(dbt.duckdb_path), read_only=True)
    original = connect()
    try:
        for view in views:
            original.execute(Template(view).substitute(fill))
        for name in sorted(set(questions) | set(marts_sql)):
            entry: dict[str, Any] = {"name": name}
            for way, con, sql in (("marts", marts, marts_sql.get(name)),
                                  ("original", original, Template(questions[name]).substitute(fill)
                                   if name in questions else None)):
                if sql is None:
                    entry[f"{way}_error"] = "no query" if way == "original" else "analysis did not compile"
                    continue
                try:
                    seconds, rows = best_of(repeat, _runner(con, sql))
                    entry[f"{way}_seconds"], entry[f"{way}_rows"] = seconds, len(rows)
                except duckdb.Error as exc:
                    entry[f"{way}_error"] = f"{exc.__class__.__name__}: {exc}".splitlines()[0][:300]
            if entry.get("marts_seconds") and entry.get("original_seconds"):
                entry["ratio"] = entry["original_seconds"] / entry["marts_seconds"]
            progress(f"  {name}: marts {_fmt(entry.get('marts_seconds'))}, original {_fmt(entry.get('original_seconds'))}")
            results.append(entry)
    finally:
        marts.close()
        original.close()
    return results


# --- machine, targets, report ------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = "unknown"
    mem_kib = 0
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), cpu)
        mem_kib = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                        if line.startswith("MemTotal:")), 0)
    except OSError:
        pass
    dbt_version = "unknown"
    try:
        from importlib.metadata import version
        dbt_version = f"dbt-core {version('dbt-core')}, dbt-duckdb {version('dbt-duckdb')}"
    except Exception:  # noqa: BLE001 - a missing distribution only loses a label
        pass
    return {"cpu_model": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "os": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "dbt": dbt_version}


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: float | None, passed: bool | None) -> None:
        out.append({"name": name, "target": target, "measured": None if measured is None else round(measured, 3),
                    "result": "n/a" if passed is None else "pass" if passed else "miss"})

    build = report["full_build"].get("ratio_to_flatten")
    add("full build vs flattening floor", f"<= {TARGET_BUILD_OVER_FLATTEN:g}x", build,
        None if build is None else build <= TARGET_BUILD_OVER_FLATTEN)
    inc = report["incremental"].get("ratio")
    add("incremental run, long vs short history", f"<= {TARGET_INCREMENTAL_RATIO:g}", inc,
        None if inc is None else inc <= TARGET_INCREMENTAL_RATIO)
    ratios = [q["ratio"] for q in report["questions"] if "ratio" in q]
    complete = ratios and len(ratios) == len(report["questions"])
    add("marts vs original way, slowest question", f">= {TARGET_MARTS_SPEEDUP:g}x faster",
        min(ratios) if ratios else None, None if not complete else min(ratios) >= TARGET_MARTS_SPEEDUP)
    for q in report["questions"]:
        add(f"  {q['name']}", f">= {TARGET_MARTS_SPEEDUP:g}x faster", q.get("ratio"),
            None if "ratio" not in q else q["ratio"] >= TARGET_MARTS_SPEEDUP)
    mem = report["memory_limited_build"]
    if not mem.get("skipped"):
        add(f"build with memory_limit {mem['memory_limit']}: completes, peak RSS (MiB) within it",
            f"<= {_mib(mem['memory_limit']):g} MiB", mem["peak_rss_mib"],
            mem["ok"] and mem["peak_rss_mib"] <= _mib(mem["memory_limit"]))
    return out


def _mib(limit: str) -> float:
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]i?B)\s*", limit, re.I)
    if not match:
        return float("nan")
    power = {"K": 1, "M": 2, "G": 3, "T": 4}[match.group(2)[0].upper()]
    base = 1024 if "i" in match.group(2).lower() else 1000   # DuckDB: GB = 10^9 bytes, GiB = 2^30
    return float(match.group(1)) * float(base ** power) / 1024.0 ** 2


def _fmt(seconds: Any) -> str:
    return "-" if not isinstance(seconds, (int, float)) else f"{seconds:.3f}s"


def print_table(report: dict[str, Any]) -> None:
    fb, fl, inc = report["full_build"], report["floor"], report["incremental"]
    lines = [
        ("floor: COUNT(*) by event type", _fmt(fl["count_by_type_seconds"]), ""),
        ("floor: flatten all columns (CTAS)", _fmt(fl["flatten_seconds"]), ""),
        (f"full {fb['command']}", _fmt(fb["wall_seconds"]),
         f"{fb.get('ratio_to_flatten', 0):.1f}x flatten, {fb.get('ratio_to_count', 0):.1f}x count; "
         f"{fb.get('events_per_second', 0):,.0f} events/s; peak RSS {fb['peak_rss_mib']:.0f} MiB"),
        ("  of which in models / in data tests", _fmt(fb.get("node_seconds_by_type", {}).get("model")),
         _fmt(fb.get("node_seconds_by_type", {}).get("test"))),
    ]
    mem = report["memory_limited_build"]
    if not mem.get("skipped"):
        lines.append((f"same build, memory_limit {mem['memory_limit']}", _fmt(mem["wall_seconds"]),
                      f"{'completed' if mem['ok'] else 'FAILED'}; peak RSS {mem['peak_rss_mib']:.0f} MiB"))
    for key in ("short", "long"):
        side = inc.get(key, {})
        lines.append((f"incremental dbt run, +1h on {side.get('history_hours')}h history",
                      _fmt(side.get("incremental_seconds")), f"int_events {_fmt(side.get('int_events_seconds'))}"))
    if inc.get("ratio"):
        lines.append(("incremental ratio long/short", f"{inc['ratio']:.2f}", ""))
    for q in report["questions"]:
        detail = f"original {_fmt(q.get('original_seconds'))}"
        if "ratio" in q:
            detail += f" -> {q['ratio']:.1f}x faster"
        else:
            detail += "; " + "; ".join(str(q[k]) for k in ("marts_error", "original_error") if k in q)
        lines.append((f"question {q['name']} (marts)", _fmt(q.get("marts_seconds")), detail))
    width = max(len(a) for a, _, _ in lines)
    print(f"\nBenchmark: {report['parameters']['events']:,} events requested, {fl['raw_rows']:,} raw rows; "
          f"{report['machine']['cores']} cores, {report['machine']['cpu_model']}")
    for label, value, detail in lines:
        print(f"  {label:<{width}}  {value:>9}  {detail}")
    print("\nTargets:")
    for t in report["targets"]:
        print(f"  {t['result']:>4}  {t['name']} ({t['target']}; measured {t['measured']})")


# --- main ----------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="events in the long history, the one the full build and questions use (default 1000000; "
                             "10000000 for the large run, see docs/benchmark.md)")
    parser.add_argument("--long-hours", type=int, default=720, help="hours of the long history (default 720 = 30 days)")
    parser.add_argument("--short-hours", type=int, default=24, help="hours of the short history (default 24)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the fastest counts (default 3)")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit of the memory-limited build (default 2GB)")
    parser.add_argument("--skip-memory-run", action="store_true", help="do not run the memory-limited build")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", type=Path, default=TARGET_DIR / "benchmark" / "work",
                        help="folder for events, DuckDB files and dbt output (emptied first)")
    parser.add_argument("--output", type=Path, default=TARGET_DIR / "benchmark" / "latest.json")
    parser.add_argument("--project-dir", type=Path, default=REPO_ROOT,
                        help="dbt project to benchmark (default: this repository; a copy keeps others' edits out)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (events, DuckDB files) afterwards")
    args = parser.parse_args(argv)
    if args.events < 10 or args.long_hours < 2 or not 0 < args.short_hours < args.long_hours or args.repeat < 1:
        parser.error("need --events >= 10, --long-hours >= 2, 0 < --short-hours < --long-hours, --repeat >= 1")

    PROJECT["dir"] = args.project_dir.resolve()
    work: Path = args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    per_hour = max(1, round(args.events / args.long_hours))
    long_events, short_events = work / "long" / "events", work / "short" / "events"
    report: dict[str, Any] = {
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
        "parameters": {"events": args.events, "long_hours": args.long_hours, "short_hours": args.short_hours,
                       "events_per_hour": per_hour, "repeat": args.repeat, "seed": args.seed, "threads": THREADS,
                       "memory_limit": DEFAULT_MEMORY, "work_dir": str(work), "project_dir": str(PROJECT["dir"])},
    }

    progress(f"generating {args.events:,} events over {args.long_hours} h and "
             f"{per_hour * args.short_hours:,} over {args.short_hours} h ({per_hour:,}/h) ...")
    report["data"] = {"generate_seconds": generate(long_events, args.events, args.seed, START, args.long_hours)
                      + generate(short_events, per_hour * args.short_hours, args.seed + 1, START, args.short_hours),
                      "files": sum(1 for _ in long_events.rglob("*.parquet")),
                      "bytes": sum(p.stat().st_size for p in long_events.rglob("*.parquet"))}

    progress("floor: plain DuckDB scans of the raw Parquet ...")
    report["floor"] = measure_floor(long_events, work, args.repeat)

    progress("full dbt build (models and data tests) ...")
    long_dbt = Dbt(work / "long", long_events, work / "long" / "warehouse.duckdb")
    build = long_dbt.run("full_build", *BUILD)
    raw = report["floor"]["raw_rows"]
    build.update(events_per_second=raw / build["wall_seconds"],
                 ratio_to_flatten=build["wall_seconds"] / report["floor"]["flatten_seconds"],
                 ratio_to_count=build["wall_seconds"] / report["floor"]["count_by_type_seconds"])
    report["full_build"] = build

    progress("Appendix B questions: marts (analyses/) versus the original views over raw Parquet ...")
    as_of = START + timedelta(hours=args.long_hours)
    report["questions"] = measure_questions(long_dbt, long_events, as_of, args.repeat)

    report["memory_limited_build"] = {"skipped": True, "memory_limit": args.memory_limit}
    if not args.skip_memory_run:
        progress(f"the same build with memory_limit {args.memory_limit} ...")
        mem_dbt = Dbt(work / "memory", long_events, work / "memory" / "warehouse.duckdb", args.memory_limit)
        report["memory_limited_build"] = mem_dbt.run("memory_limited_build", *BUILD)
        mem_dbt.duckdb_path.unlink(missing_ok=True)

    progress("incremental: full run of the short history, then one more hour on each history ...")
    short_dbt = Dbt(work / "short", short_events, work / "short" / "warehouse.duckdb")
    incremental: dict[str, Any] = {}
    short_dbt.run("short_seed", "seed")   # the marts read seeds; `dbt run` does not load them
    short_full = short_dbt.run("short_full_run", "run")
    for key, dbt, events, hours, full in (("short", short_dbt, short_events, args.short_hours, short_full),
                                          ("long", long_dbt, long_events, args.long_hours, build)):
        folder = add_hour(events, work / "staging", per_hour, args.seed + 2)
        run = dbt.run(f"{key}_incremental_run", "run")
        incremental[key] = {"history_hours": hours, "added_folder": folder, "full_seconds": full["wall_seconds"],
                            "incremental_seconds": run["wall_seconds"], "int_events_seconds": run.get("int_events_seconds"),
                            "ok": run["ok"] and full["ok"], "peak_rss_mib": run["peak_rss_mib"],
                            "slowest_models": run.get("slowest_models", {})}
    if incremental["short"]["incremental_seconds"]:
        incremental["ratio"] = incremental["long"]["incremental_seconds"] / incremental["short"]["incremental_seconds"]
    short_int, long_int = incremental["short"]["int_events_seconds"], incremental["long"]["int_events_seconds"]
    if short_int and long_int:
        incremental["int_events_ratio"] = long_int / short_int
    report["incremental"] = incremental

    report["targets"] = targets(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    print(f"\nJSON: {args.output}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
