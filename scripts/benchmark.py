#!/usr/bin/env python3
"""Benchmark the DuckDB warehouse: build and answer times as ratios against the floor and the original way.

Measured in one run, on generated events (docs/benchmark.md says how to read the figures):
  floor         plain DuckDB over the same raw Parquet: COUNT(*) by event type, and CREATE TABLE AS of every
                raw column with the file name into a DuckDB file (the floor), same settings as dbt;
  full build    `dbt build` (models and data tests; unit tests excluded) as a subprocess: wall time,
                events/second, peak RSS, ratio to the floor;
  week          the same events over one week: floor, `dbt build` and `dbt run` alone, each on a fresh file;
  scale         `dbt build` of --scale-events more one-week histories (default 250,000 and 4,000,000; the largest
                with --memory-limit): seconds per million events at each size beside the 1,000,000 one;
  many files    --events events over one week in --many-files-per-hour (60) files per hour folder, as Firehose's
                60-second buffer writes them: floor and `dbt build`;
  native week   --events events over one week after Pinpoint's end, as SES and End User Messaging SMS JSON
                lines (gzip) in --native-files-per-hour (60) objects per stream and hour folder: the JSON floor
                (the same CREATE TABLE AS over read_json) and `dbt build`;
  fixed cost    `dbt build` of a one-week history of --fixed-cost-events (2,000) events: what dbt costs whatever
                the data (start-up, parsing, one statement set per node), to split the build into that and the rest;
  trino         the Trino and DuckDB build times of `make bench-athena`'s last report, when there is one;
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
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from string import Template
from typing import Any, Callable

import duckdb
import jinja2
import yaml

from engagement_tools import (ADDRESS_PICK_SQL, RAW_FILE_GLOB, REPO_ROOT, SCRIPTS_DIR, TARGET_DIR, absent_native_folders, dbt_args,
                              original_sql_sections, question_var_defaults)

PROJECT = {"dir": REPO_ROOT}   # --project-dir: the dbt project benchmarked (a copy, if others edit the tree)
ORIGINAL_SQL = SCRIPTS_DIR / "benchmark_original_views.sql"
GENERATOR = SCRIPTS_DIR / "generate_events.py"
START = datetime(2026, 10, 1, tzinfo=timezone.utc)
def profile_value(value: Any) -> Any:
    """A profiles.yml value as dbt renders it in this environment: Jinja text, with env_var() reading the
    environment (else the default written there); any other value as it is."""
    if not isinstance(value, str) or "{{" not in value:
        return value
    return jinja2.Template(value).render(env_var=lambda name, default=None: os.environ.get(name, default))


# The DuckDB settings of profiles.yml, used for the floor and the original way too (threads, compression,
# caches, ...), rendered as dbt renders them; memory_limit is set per connection after them (DEFAULT_MEMORY:
# the profile's, from ENGAGEMENT_DUCKDB_MEMORY or its default there).
PROFILE_SETTINGS: dict[str, Any] = {
    name: profile_value(value)
    for name, value in yaml.safe_load((REPO_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    ["engagement_events"]["outputs"]["duckdb"]["settings"].items()
}
THREADS = int(PROFILE_SETTINGS["threads"])
DEFAULT_MEMORY = str(PROFILE_SETTINGS["memory_limit"])
# The full build: models and data tests. Unit tests run on fixed fixtures, cost the same at any size,
# and one failing would skip every model after it, so they are left to `make test`.
BUILD = ("build", "--exclude-resource-type", "unit_test")
# The canonical stage: the validated raw rows, the key row chosen per event and int_events, the chosen
# rows (on DuckDB a view whose pre-hook marks them, decision 64); their seconds are reported together.
CANONICAL_MODELS = ("int_validated_events", "int_event_keys", "int_events")
# The targets of issue 20 (docs/benchmark.md): ratios to the floor measured in the same run.
TARGET_BUILD_OVER_FLOOR = 2.0
TARGET_RUN_OVER_FLOOR = 1.5
TARGET_INCREMENTAL_RATIO = 1.2
TARGET_MARTS_SPEEDUP = 10.0
TARGET_PEAK_RSS_MIB = 2000 * 1000 ** 2 / 1024 ** 2   # 2 GB (10^9 bytes, as DuckDB counts)
TARGET_SCALE_GROWTH = 1.15                          # seconds per million events, largest size / 1M size
WEEK_HOURS = 168

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
    os.sync()   # the previous step's writes (generated files, a dropped folder) are not flushed on this one's clock
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
    # dbt saves its parse in the target folder and reuses it while the vars stay the same: a command with
    # other vars gets a folder of its own, so the next command of this history still finds its parse
    target_name: str = "dbt_target"

    def command(self, *args: str) -> list[str]:
        exe = Path(sys.executable).with_name("dbt")
        dbt = str(exe) if exe.exists() else (shutil.which("dbt") or "dbt")
        all_vars = {"events_path": str(self.events), **absent_native_folders(self.work), **self.extra_vars}
        return [dbt, *dbt_args(*args, project_dir=PROJECT["dir"], target_path=self.target,
                               log_path=self.work / "dbt_logs", dbt_vars=all_vars)]

    @property
    def target(self) -> Path:
        return self.work / self.target_name

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
                           canonical_seconds=round(sum(model_seconds.get(name, 0.0) for name in CANONICAL_MODELS), 3),
                           slowest_models=dict(slowest))
        if not outcome["ok"]:
            progress(f"  dbt {args[0]} exited with {measured.returncode}; see {measured.log}")
        return outcome


# --- data ----------------------------------------------------------------------------------------------

def generate(out: Path, events: int, seed: int, start: datetime, hours: int, files_per_hour: int | None = None) -> float:
    started = time.monotonic()
    layout = [] if files_per_hour is None else ["--files-per-hour", str(files_per_hour)]
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--events", str(events), "--seed", str(seed),
                    "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ"), "--hours", str(hours), "--quiet", "--overwrite",
                    *layout], check=True)
    return time.monotonic() - started


def generate_native(out: Path, events: int, seed: int, start: datetime, hours: int, files_per_hour: int) -> float:
    """SES and SMS JSON lines only: the cut-over at the window's start, no switch-over overlap."""
    started = time.monotonic()
    stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    subprocess.run([sys.executable, str(GENERATOR), "--format", "mixed", "--out", str(out / "events"),
                    "--ses-out", str(out / "ses"), "--sms-out", str(out / "sms"), "--events", str(events),
                    "--seed", str(seed), "--start", stamp, "--hours", str(hours), "--cutover", stamp,
                    "--overlap-minutes", "0", "--files-per-hour", str(files_per_hour), "--quiet", "--overwrite"],
                   check=True)
    return time.monotonic() - started


def json_scan(folder: Path) -> str:
    return (f"read_json('{folder}/**/{RAW_FILE_GLOB}', format = 'newline_delimited', filename = true, union_by_name = true, "
            "hive_partitioning = false)")


def measure_native_floor(ses: Path, sms: Path, work: Path, repeat: int) -> dict[str, Any]:
    """The JSON floor: every line of each stream read as JSON, its fields as DuckDB infers them plus the file
    name, copied into a table of a DuckDB file (CREATE TABLE AS, then CHECKPOINT)."""
    floor_db = work / "native_floor.duckdb"
    floor_db.unlink(missing_ok=True)
    con = connect(str(floor_db))
    try:
        def copy() -> None:
            for name, folder in (("ses_copy", ses), ("sms_copy", sms)):
                con.execute(f"create or replace table {name} as select * from {json_scan(folder)}")
            con.execute("checkpoint")
        floor_seconds, _ = best_of(repeat, copy)
        counts = {name: int((con.execute(f"select count(*) from {name}_copy").fetchone() or (0,))[0])
                  for name in ("ses", "sms")}
    finally:
        con.close()
        floor_db.unlink(missing_ok=True)
    return {"ses_records": counts["ses"], "sms_records": counts["sms"], "floor_seconds": floor_seconds,
            "files": sum(1 for folder in (ses, sms) for p in folder.rglob("*") if p.is_file())}


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
    for name, value in PROFILE_SETTINGS.items():
        con.execute(f"set {name} = ?", [str(value).lower() if isinstance(value, bool) else value])
    con.execute(f"set memory_limit = '{memory_limit}'")
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
    """The plain read of every Pinpoint file: by the first file's schema when all the files share one (what
    any reader of uniform files would write, and what the project does, decision 61), else united by name."""
    files = f"'{events}/**/{RAW_FILE_GLOB}'"
    con = connect()
    try:
        schemas = con.execute(
            "select count(distinct schema_text) from (select string_agg(concat_ws(' ', name, type, type_length, "
            "repetition_type, num_children, converted_type, logical_type), ' | ' order by column_id) as schema_text "
            f"from parquet_schema({files}) group by file_name)").fetchone()
    finally:
        con.close()
    united = "false" if schemas and schemas[0] == 1 else "true"
    return f"read_parquet({files}, union_by_name = {united}, filename = true, hive_partitioning = false)"


def measure_floor(events: Path, work: Path, repeat: int) -> dict[str, Any]:
    """The floor: every raw column and the file name copied into a DuckDB table (CREATE TABLE AS), the least
    any warehouse over these files must do; and, for scale, COUNT(*) by event type."""
    floor_db = work / "floor.duckdb"
    scan = parquet_scan(events)
    by_type_sql = f"select event_type, count(*) from {scan} group by event_type"
    ctas_sql = f"create or replace table raw_copy as select * from {scan}"
    con = connect()
    try:
        count_seconds, rows = best_of(repeat, lambda: con.execute(by_type_sql).fetchall())
    finally:
        con.close()
    floor_db.unlink(missing_ok=True)
    con = connect(str(floor_db))
    try:
        def copy() -> None:
            con.execute(ctas_sql)
            con.execute("checkpoint")
        floor_seconds, _ = best_of(repeat, copy)
        copied = con.execute("select count(*) from raw_copy").fetchone()
    finally:
        con.close()
        floor_db.unlink(missing_ok=True)
    return {"raw_rows": sum(int(r[1]) for r in rows), "event_types": len(rows),
            "count_by_type_seconds": count_seconds, "floor_seconds": floor_seconds,
            "floor_rows": int(copied[0]) if copied else 0}


def measure_history(name: str, work: Path, events: Path, repeat: int, memory_limit: str = DEFAULT_MEMORY,
                    run_alone: bool = False) -> dict[str, Any]:
    """Floor, then `dbt build` on a fresh DuckDB file (and `dbt run` alone on another): wall times and ratios."""
    floor = measure_floor(events, work, repeat)
    dbt = Dbt(work / name, events, work / name / "warehouse.duckdb", memory_limit)
    build = dbt.run(f"{name}_build", *BUILD)
    out: dict[str, Any] = {"floor": floor, "build": build, "memory_limit": memory_limit,
                           "build_over_floor": build["wall_seconds"] / floor["floor_seconds"],
                           "seconds_per_million_events": build["wall_seconds"] / (floor["raw_rows"] / 1e6)}
    dbt.duckdb_path.unlink(missing_ok=True)
    if run_alone:
        run_dbt = Dbt(work / f"{name}_run", events, work / f"{name}_run" / "warehouse.duckdb", memory_limit)
        run_dbt.run(f"{name}_seed", "seed")
        run = run_dbt.run(f"{name}_run", "run")
        out.update(run=run, run_over_floor=run["wall_seconds"] / floor["floor_seconds"])
        run_dbt.duckdb_path.unlink(missing_ok=True)
    return out


# --- the Appendix B questions ------------------------------------------------------------------------

def question_vars(duckdb_path: Path, as_of: datetime) -> dict[str, Any]:
    """Values that make every question find rows: an address with opens and a customer id that exists."""
    chosen = question_var_defaults(as_of)
    con = connect(str(duckdb_path), read_only=True)
    try:
        for key, sql in (("analysis_email_address", ADDRESS_PICK_SQL),
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
    # the question vars in a target folder of their own: in the build's folder they would make the next
    # `dbt run` of this history (the incremental try) parse the project again, where the other side does not
    compiler = replace(dbt, extra_vars=qvars, target_name="analyses_target")
    compiled = compiler.run("compile_analyses", "compile", "--select", "path:analyses")
    folder = compiler.target / "compiled" / "engagement_events" / "analyses"
    marts_sql = {p.stem: p.read_text() for p in folder.glob("*.sql")} if compiled["ok"] else {}
    views, questions = original_sql_sections(ORIGINAL_SQL)
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


def trino_build_times(path: Path) -> dict[str, Any]:
    """The Trino and DuckDB build times of scripts/athena_bill.py's report (`make bench-athena`), if any."""
    try:
        bill = json.loads(path.read_text())
        return {"report": str(path), "measured_at": bill["machine"]["date"], "raw_events": bill["history"]["raw_events"],
                "trino_build_seconds": bill["builds"]["trino_build_seconds"],
                "duckdb_build_seconds": bill["builds"]["duckdb_build_seconds"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {"report": str(path), "missing": "run `make bench-athena` (scripts/athena_bill.py) to measure it"}


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

    def at_most(name: str, limit: float, measured: float | None, ok: bool = True, unit: str = "x") -> None:
        add(name, f"<= {limit:g}{unit}", measured, None if measured is None else ok and measured <= limit)

    fb, week = report["full_build"], report["week"]
    at_most("full build / floor, 30 days", TARGET_BUILD_OVER_FLOOR, fb.get("ratio_to_floor"), fb["ok"])
    at_most("full build / floor, one week", TARGET_BUILD_OVER_FLOOR, week.get("build_over_floor"), week["build"]["ok"])
    many = report.get("many_files_week")
    if many:
        at_most(f"full build / floor, one week in {many['files']:,} files", TARGET_BUILD_OVER_FLOOR,
                many["build_over_floor"], many["build"]["ok"])
        at_most("peak RSS of the many-files build, default profile (MiB)", TARGET_PEAK_RSS_MIB,
                many["build"]["peak_rss_mib"], many["build"]["ok"], " MiB")
    native = report.get("native_week")
    if native:
        at_most("full build / JSON floor, one week of SES and SMS JSON", TARGET_BUILD_OVER_FLOOR,
                native["build_over_floor"], native["build"]["ok"])
        at_most("peak RSS of the native build, default profile (MiB)", TARGET_PEAK_RSS_MIB,
                native["build"]["peak_rss_mib"], native["build"]["ok"], " MiB")
    if "run" in week:
        at_most("dbt run alone / floor, one week", TARGET_RUN_OVER_FLOOR, week.get("run_over_floor"), week["run"]["ok"])
    at_most("incremental run, long / short history", TARGET_INCREMENTAL_RATIO, report["incremental"].get("ratio"), unit="")
    at_most("peak RSS of the full build, default profile (MiB)", TARGET_PEAK_RSS_MIB, fb["peak_rss_mib"], fb["ok"], " MiB")
    scale = report["scale"]
    for entry in scale.get("sizes", []):
        if entry["events"] > report["parameters"]["events"]:
            at_most(f"peak RSS at {entry['events']:,} events, memory_limit {entry['memory_limit']} (MiB)",
                    TARGET_PEAK_RSS_MIB, entry["build"]["peak_rss_mib"], entry["build"]["ok"], " MiB")
    at_most("growth: seconds per million events, largest size / 1M", TARGET_SCALE_GROWTH, scale.get("growth"), unit="")
    ratios = [q["ratio"] for q in report["questions"] if "ratio" in q]
    complete = ratios and len(ratios) == len(report["questions"])
    add("marts vs original way, slowest question", f">= {TARGET_MARTS_SPEEDUP:g}x faster",
        min(ratios) if ratios else None, None if not complete else min(ratios) >= TARGET_MARTS_SPEEDUP)
    for q in report["questions"]:
        add(f"  {q['name']}", f">= {TARGET_MARTS_SPEEDUP:g}x faster", q.get("ratio"),
            None if "ratio" not in q else q["ratio"] >= TARGET_MARTS_SPEEDUP)
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
    fb, fl, inc, week = report["full_build"], report["floor"], report["incremental"], report["week"]

    def build_detail(build: dict[str, Any], floor_seconds: float) -> str:
        return (f"{build['wall_seconds'] / floor_seconds:.2f}x floor; peak RSS {build['peak_rss_mib']:.0f} MiB; "
                f"models {_fmt(build.get('node_seconds_by_type', {}).get('model'))}, "
                f"tests {_fmt(build.get('node_seconds_by_type', {}).get('test'))}{'' if build['ok'] else '; FAILED'}")

    lines = [
        ("30 days: floor COUNT(*) by event type", _fmt(fl["count_by_type_seconds"]), ""),
        ("30 days: floor CREATE TABLE AS (every raw column)", _fmt(fl["floor_seconds"]), ""),
        (f"30 days: {fb['command']}", _fmt(fb["wall_seconds"]), build_detail(fb, fl["floor_seconds"])),
        ("one week: floor CREATE TABLE AS", _fmt(week["floor"]["floor_seconds"]), ""),
        ("one week: dbt build", _fmt(week["build"]["wall_seconds"]), build_detail(week["build"], week["floor"]["floor_seconds"])),
    ]
    if "run" in week:
        lines.append(("one week: dbt run alone", _fmt(week["run"]["wall_seconds"]),
                      f"{week['run_over_floor']:.2f}x floor; peak RSS {week['run']['peak_rss_mib']:.0f} MiB"))
    for entry in report["scale"].get("sizes", []):
        lines.append((f"scale: {entry['events']:,} events, one week (memory_limit {entry['memory_limit']})",
                      _fmt(entry["build"]["wall_seconds"]),
                      f"{entry['seconds_per_million_events']:.1f} s per million events; {entry['build_over_floor']:.2f}x "
                      f"floor; peak RSS {entry['build']['peak_rss_mib']:.0f} MiB"))
    many = report.get("many_files_week")
    if many:
        lines += [
            (f"many files: floor CREATE TABLE AS ({many['files']:,} files, {many['files_per_hour']}/h)",
             _fmt(many["floor"]["floor_seconds"]), ""),
            ("many files: dbt build", _fmt(many["build"]["wall_seconds"]),
             build_detail(many["build"], many["floor"]["floor_seconds"])),
        ]
    native = report.get("native_week")
    if native:
        nf = native["floor"]
        lines += [
            (f"native week: JSON floor ({nf['ses_records']:,} SES + {nf['sms_records']:,} SMS records)",
             _fmt(nf["floor_seconds"]), f"{nf['files']:,} gzip objects"),
            ("native week: dbt build", _fmt(native["build"]["wall_seconds"]), build_detail(native["build"], nf["floor_seconds"])),
        ]
    fixed = report.get("fixed_cost")
    if fixed:
        lines.append((f"fixed cost: dbt build, {fixed['events']:,} events over one week", _fmt(fixed["build"]["wall_seconds"]),
                      f"the one-week build less this: {fixed['data_dependent_over_floor']:.2f}x the week's floor"))
    trino = report.get("trino", {})
    if "trino_build_seconds" in trino:
        lines.append((f"Trino build, {trino['raw_events']:,} events (make bench-athena, {trino['measured_at']})",
                      _fmt(trino["trino_build_seconds"]), f"DuckDB {_fmt(trino['duckdb_build_seconds'])} on the same files"))
    elif trino:
        lines.append(("Trino build time", "-", trino["missing"]))
    for key in ("short", "long"):
        side = inc.get(key, {})
        lines.append((f"incremental dbt run, +1h on {side.get('history_hours')}h history",
                      _fmt(side.get("incremental_seconds")), f"canonical stage {_fmt(side.get('canonical_seconds'))}"))
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
          f"{report['machine']['cores']} cores, {report['machine']['cpu_model']}; {report['generated_at']}")
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
    parser.add_argument("--scale-events", default="250000,4000000",
                        help="comma-separated sizes of the extra one-week builds beside --events (default 250000,4000000); "
                             "empty for none")
    parser.add_argument("--memory-limit", default=DEFAULT_MEMORY,
                        help=f"DuckDB memory_limit of the largest scale build (default {DEFAULT_MEMORY}, the profile's default; "
                             "docs/benchmark.md)")
    parser.add_argument("--many-files-per-hour", type=int, default=60,
                        help="files per hour folder of the one-week history of --events events in many files (default 60, "
                             "what Firehose's 60-second buffer writes; the other histories have 3); 0: skip")
    parser.add_argument("--native-events", type=int, default=None,
                        help="events of the one-week SES/SMS JSON history (default: --events; 0: skip)")
    parser.add_argument("--native-files-per-hour", type=int, default=60,
                        help="objects per stream and hour folder of the native week (default 60: Firehose's 60-second "
                             "buffer, as the many-files history)")
    parser.add_argument("--fixed-cost-events", type=int, default=2000,
                        help="events of the one-week history whose build measures dbt's fixed cost (default 2000; 0: skip)")
    parser.add_argument("--athena-report", type=Path, default=TARGET_DIR / "benchmark" / "athena_bill.json",
                        help="report of scripts/athena_bill.py whose Trino build time is printed (default: make bench-athena's)")
    parser.add_argument("--incremental-repeat", type=int, default=2,
                        help="tries of each incremental run, from the same warehouse; the fastest counts (default 2)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work-dir", type=Path, default=TARGET_DIR / "benchmark" / "work",
                        help="folder for events, DuckDB files and dbt output (emptied first)")
    parser.add_argument("--output", type=Path, default=TARGET_DIR / "benchmark" / "latest.json")
    parser.add_argument("--project-dir", type=Path, default=REPO_ROOT,
                        help="dbt project to benchmark (default: this repository; a copy keeps others' edits out)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (events, DuckDB files) afterwards")
    args = parser.parse_args(argv)
    if args.events < 10 or args.long_hours < 2 or not 0 < args.short_hours < args.long_hours or args.repeat < 1 \
            or args.incremental_repeat < 1 or args.native_files_per_hour < 1:
        parser.error("need --events >= 10, --long-hours >= 2, 0 < --short-hours < --long-hours, --repeat >= 1, "
                     "--incremental-repeat >= 1, --native-files-per-hour >= 1")

    if args.native_events is None:
        args.native_events = args.events
    PROJECT["dir"] = args.project_dir.resolve()
    work: Path = args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    per_hour = max(1, round(args.events / args.long_hours))
    long_events, short_events = work / "long" / "events", work / "short" / "events"
    report: dict[str, Any] = {
        "generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
        "parameters": {"events": args.events, "long_hours": args.long_hours, "short_hours": args.short_hours,
                       "events_per_hour": per_hour, "repeat": args.repeat,
                       "incremental_repeat": args.incremental_repeat, "native_events": args.native_events,
                       "native_files_per_hour": args.native_files_per_hour,
                       "many_files_per_hour": args.many_files_per_hour, "seed": args.seed, "threads": THREADS,
                       "memory_limit": DEFAULT_MEMORY, "work_dir": str(work), "project_dir": str(PROJECT["dir"])},
    }

    progress(f"generating {args.events:,} events over {args.long_hours} h and "
             f"{per_hour * args.short_hours:,} over {args.short_hours} h ({per_hour:,}/h) ...")
    report["data"] = {"generate_seconds": generate(long_events, args.events, args.seed, START, args.long_hours)
                      + generate(short_events, per_hour * args.short_hours, args.seed + 1, START, args.short_hours),
                      "files": sum(1 for _ in long_events.rglob("*.parquet")),
                      "bytes": sum(p.stat().st_size for p in long_events.rglob("*.parquet"))}

    progress("floor: plain DuckDB over the raw Parquet (COUNT(*), CREATE TABLE AS) ...")
    report["floor"] = measure_floor(long_events, work, args.repeat)

    progress("full dbt build (models and data tests), 30 days ...")
    long_dbt = Dbt(work / "long", long_events, work / "long" / "warehouse.duckdb")
    build = long_dbt.run("full_build", *BUILD)
    raw = report["floor"]["raw_rows"]
    build.update(events_per_second=raw / build["wall_seconds"],
                 ratio_to_floor=build["wall_seconds"] / report["floor"]["floor_seconds"],
                 ratio_to_count=build["wall_seconds"] / report["floor"]["count_by_type_seconds"])
    report["full_build"] = build

    progress("Appendix B questions: marts (analyses/) versus the original views over raw Parquet ...")
    as_of = START + timedelta(hours=args.long_hours)
    report["questions"] = measure_questions(long_dbt, long_events, as_of, args.repeat)

    week_hours = min(WEEK_HOURS, args.long_hours)
    progress(f"the same {args.events:,} events over {week_hours} h: floor, dbt build, dbt run alone ...")
    week_events = work / "week" / "events"
    generate(week_events, args.events, args.seed + 3, START, week_hours)
    report["week"] = {"events": args.events, "hours": week_hours,
                      **measure_history("week", work, week_events, args.repeat, run_alone=True)}

    sizes = sorted(int(x) for x in args.scale_events.split(",") if x.strip())
    scale: list[dict[str, Any]] = [{"events": args.events, "memory_limit": DEFAULT_MEMORY,
                                    "build": report["week"]["build"], "floor": report["week"]["floor"],
                                    "build_over_floor": report["week"]["build_over_floor"],
                                    "seconds_per_million_events": report["week"]["seconds_per_million_events"]}]
    for size in sizes:
        limited = size == max(sizes) and size > args.events
        limit = args.memory_limit if limited else DEFAULT_MEMORY
        progress(f"scale: {size:,} events over {week_hours} h, memory_limit {limit} ...")
        events = work / f"scale_{size}" / "events"
        generate(events, size, args.seed + 4, START, week_hours)
        scale.append({"events": size, **measure_history(f"scale_{size}", work, events, 1, limit)})
        shutil.rmtree(events, ignore_errors=True)
    scale.sort(key=lambda entry: entry["events"])
    middle = scale[[e["events"] for e in scale].index(args.events)]["seconds_per_million_events"]
    report["scale"] = {"sizes": scale, "growth": scale[-1]["seconds_per_million_events"] / middle
                       if len(scale) > 1 and scale[-1]["events"] > args.events else None}

    if args.many_files_per_hour > 0:
        progress(f"many files: {args.events:,} events over {week_hours} h in {args.many_files_per_hour} files per hour: "
                 "floor, dbt build ...")
        events = work / "many_files" / "events"
        generate(events, args.events, args.seed + 7, START, week_hours, args.many_files_per_hour)
        report["many_files_week"] = {"events": args.events, "hours": week_hours,
                                     "files_per_hour": args.many_files_per_hour,
                                     "files": sum(1 for _ in events.rglob("*.parquet")),
                                     **measure_history("many_files", work, events, args.repeat)}
        shutil.rmtree(events, ignore_errors=True)

    if args.native_events > 0:
        progress(f"native: {args.native_events:,} events as SES and SMS JSON lines over {week_hours} h: "
                 "JSON floor, dbt build ...")
        native = work / "native"
        native_start = START + timedelta(hours=args.long_hours + 24)   # after the other histories, as real data is
        native_generate = generate_native(native, args.native_events, args.seed + 6, native_start, week_hours,
                                          args.native_files_per_hour)
        floor = measure_native_floor(native / "ses", native / "sms", work, args.repeat)
        dbt = Dbt(work / "native_dbt", native / "events", work / "native_dbt" / "warehouse.duckdb",
                  extra_vars={"ses_events_path": str(native / "ses"), "sms_events_path": str(native / "sms")})
        native_build = dbt.run("native_build", *BUILD)
        report["native_week"] = {"events": args.native_events, "hours": week_hours,
                                 "generate_seconds": native_generate, "floor": floor, "build": native_build,
                                 "build_over_floor": native_build["wall_seconds"] / floor["floor_seconds"]}
        dbt.duckdb_path.unlink(missing_ok=True)
        shutil.rmtree(native, ignore_errors=True)

    if args.fixed_cost_events > 0:
        progress(f"fixed cost: dbt build of {args.fixed_cost_events:,} events over {week_hours} h ...")
        events = work / "fixed" / "events"
        generate(events, args.fixed_cost_events, args.seed + 5, START, week_hours)
        fixed = measure_history("fixed", work, events, 1)
        week_floor = report["week"]["floor"]["floor_seconds"]
        fixed.update(data_dependent_over_floor=(report["week"]["build"]["wall_seconds"] - fixed["build"]["wall_seconds"])
                     / week_floor)
        report["fixed_cost"] = {"events": args.fixed_cost_events, **fixed}
        shutil.rmtree(events, ignore_errors=True)
    report["trino"] = trino_build_times(args.athena_report)

    progress(f"incremental: full run of the short history, then one more hour on each history "
             f"(best of {args.incremental_repeat}) ...")
    short_dbt = Dbt(work / "short", short_events, work / "short" / "warehouse.duckdb")
    short_dbt.run("short_seed", "seed")   # the marts read seeds; `dbt run` does not load them
    short_full = short_dbt.run("short_full_run", "run")
    sides = (("short", short_dbt, short_events, args.short_hours, short_full),
             ("long", long_dbt, long_events, args.long_hours, build))
    incremental: dict[str, Any] = {}
    for key, dbt, events, hours, full in sides:
        incremental[key] = {"history_hours": hours, "added_folder": add_hour(events, work / "staging", per_hour,
                                                                             args.seed + 2),
                            "full_seconds": full["wall_seconds"], "tries_seconds": []}
        shutil.copyfile(dbt.duckdb_path, dbt.duckdb_path.with_suffix(".before.duckdb"))
    for attempt in range(args.incremental_repeat):
        # the two sides take turns, so a disturbance of the machine falls on both alike; each try starts
        # from the warehouse as the full build left it
        for key, dbt, _events, _hours, full in sides:
            if attempt:
                shutil.copyfile(dbt.duckdb_path.with_suffix(".before.duckdb"), dbt.duckdb_path)
            run = dbt.run(f"{key}_incremental_run_{attempt + 1}", "run")
            side = incremental[key]
            side["tries_seconds"].append(run["wall_seconds"])
            if "incremental_seconds" not in side or run["wall_seconds"] < side["incremental_seconds"]:
                side.update(incremental_seconds=run["wall_seconds"], canonical_seconds=run.get("canonical_seconds"),
                            peak_rss_mib=run["peak_rss_mib"], slowest_models=run.get("slowest_models", {}))
            side["ok"] = side.get("ok", True) and run["ok"] and full["ok"]
    for _key, dbt, *_rest in sides:
        dbt.duckdb_path.with_suffix(".before.duckdb").unlink(missing_ok=True)
    if incremental["short"]["incremental_seconds"]:
        incremental["ratio"] = incremental["long"]["incremental_seconds"] / incremental["short"]["incremental_seconds"]
    short_int, long_int = incremental["short"]["canonical_seconds"], incremental["long"]["canonical_seconds"]
    if short_int and long_int:
        incremental["canonical_ratio"] = long_int / short_int
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
