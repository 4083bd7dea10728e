#!/usr/bin/env python3
"""What Athena would bill: bytes read by the Appendix B questions and by one hourly run, on a local Trino.

Athena bills the bytes a query scans ($5 per TB, rounded up to the megabyte, at least 10 MB a query; DDL
and failed queries are free). Trino (476, the local server of `make trino`) runs the same engine family
and reports the bytes each query read from storage (physical input). On one generated history this script:
  builds      `dbt build --target trino` (timed: the Trino build time) and `dbt build` on DuckDB of the
              same files (timed, for comparison);
  questions   each Appendix B question twice on Trino: from the marts (analyses/, compiled by dbt) and the
              original way (plain views over the raw Hive table, scripts/benchmark_original_views_trino.sql),
              recording each query's physical input bytes (the client's final `physicalInputBytes`);
  hourly run  adds one hour folder, runs `dbt run --target trino` as a user of its own, and sums the
              physical input of every query that user issued (REST /v1/query), split into raw (hive) and
              warehouse (iceberg) bytes by the catalog each stage of a query scans;
then scales the bytes to the scenario of the original solution's guide (1,000,000 emails a day, 5 queries a
day over a month of data, an hourly run for the warehouse) and prices them (docs/athena_cost.md).

    python scripts/athena_bill.py [--events 60000] [--hours 24] [--files-per-hour 1] [--output target/benchmark/athena_bill.json]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from string import Template
from typing import Any

from engagement_tools import (ADDRESS_PICK_SQL, REPO_ROOT, SCRIPTS_DIR, TARGET_DIR, absent_native_folders, dbt_args,
                              original_sql_sections, question_var_defaults, trino_port)

SERVER = SCRIPTS_DIR / "trino_server.py"
GENERATOR = SCRIPTS_DIR / "generate_events.py"
ORIGINAL_SQL = SCRIPTS_DIR / "benchmark_original_views_trino.sql"
START = datetime(2026, 10, 1, tzinfo=timezone.utc)
BUILD = ("build", "--exclude-resource-type", "unit_test")   # as scripts/benchmark.py: unit tests left to make test
# Athena's price list (engine v3, SQL queries): dollars per TB scanned, bytes rounded up to the MB, 10 MB minimum.
DOLLARS_PER_TB = 5.0
TB = 10**12
MB = 10**6
MIN_BILLED_MB = 10
# Trino's statement kinds that Athena does not bill (DDL); see billable() for the rest.
FREE_QUERY_TYPES = ("DATA_DEFINITION", "DESCRIBE", "EXPLAIN")

_T0 = time.monotonic()


def progress(message: str) -> None:
    print(f"[athena-bill {time.monotonic() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# --- the extrapolation (pure) -------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """The original solution's guide: 1M emails a day, 5 questions a day over a month of data."""

    emails_per_day: float = 1_000_000
    queries_per_day: float = 5
    days: float = 30
    runs_per_day: float = 24


@dataclass(frozen=True)
class Measured:
    """What one run measured. question_bytes: name -> (marts bytes, original bytes); run_queries: the
    hourly run's billable queries, each (bytes read from the raw tables, bytes read from the warehouse)."""

    raw_events: int
    email_sends: int
    history_hours: float
    hour_events: int
    question_bytes: dict[str, tuple[int, int]]
    run_queries: list[tuple[int, int]]


def billed_bytes(scanned: float) -> int:
    """Athena's billed bytes for one query: rounded up to the MB, at least 10 MB."""
    return max(math.ceil(scanned / MB), MIN_BILLED_MB) * MB


def dollars(billed: float) -> float:
    return billed / TB * DOLLARS_PER_TB


def billable(q: dict[str, Any]) -> bool:
    """Whether Athena would bill this query of dbt's (a summarise() row): not DDL, not failed, and not a
    SELECT that read no table data (dbt-trino's catalog look-ups in information_schema; dbt-athena asks
    Glue's API for those instead of running queries). Writes (INSERT, MERGE, DELETE) always are."""
    if q["state"] != "FINISHED" or q["type"] in FREE_QUERY_TYPES:
        return False
    return not (q["type"] == "SELECT" and not q["physical_input_bytes"])


def measured_from(report: dict[str, Any]) -> Measured:
    """The inputs of extrapolate() from a report of this script (a fresh run or --reprice FILE)."""
    both = [q for q in report["questions"] if "marts_physical_input_bytes" in q and "original_physical_input_bytes" in q]
    run_queries = [q for q in report["hourly_run"]["detail"] if billable(q)]
    return Measured(
        raw_events=report["history"]["raw_events"], email_sends=report["history"]["email_sends"],
        history_hours=report["history"]["hours"], hour_events=report["hourly_run"]["events"],
        question_bytes={q["name"]: (q["marts_physical_input_bytes"], q["original_physical_input_bytes"]) for q in both},
        run_queries=[(int(q["bytes_by_catalog"].get("hive", 0)),
                      int(q["physical_input_bytes"] - q["bytes_by_catalog"].get("hive", 0))) for q in run_queries])


def extrapolate(m: Measured, s: Scenario = Scenario()) -> dict[str, Any]:
    """Scale the measured bytes to the scenario and price them for one month.

    events/email = raw events / email sends; the scenario's month holds emails/day x events/email x days
    events. A question reads all the history it is given (every window is >= 30 days), so its bytes scale
    by month events / measured events (history factor). An hourly run's bytes are scaled two ways: "low"
    by the hour factor (scenario events per hour / measured events in the added hour), as if a run read
    only what the hours it re-reads hold; "high" by the history factor, as if everything it read grew with
    the history (a second run on twice the history found both its raw and its warehouse reads nearly
    doubled: docs/athena_cost.md). Each query is then billed max(ceil(bytes / MB), 10) MB. A month:
    queries/day x days asks of the average question; runs/day x days hourly runs. The raw / warehouse
    split of a run's bytes is reported, not used."""
    events_per_email = m.raw_events / m.email_sends
    events_per_day = s.emails_per_day * events_per_email
    history_factor = events_per_day * s.days / m.raw_events
    hour_factor = events_per_day / 24 / m.hour_events
    asks = s.queries_per_day * s.days
    questions: dict[str, dict[str, float]] = {}
    for name, (marts, original) in sorted(m.question_bytes.items()):
        questions[name] = {
            "marts_bytes": marts, "original_bytes": original,
            "marts_scenario_bytes": marts * history_factor, "original_scenario_bytes": original * history_factor,
            "marts_billed_bytes": billed_bytes(marts * history_factor),
            "original_billed_bytes": billed_bytes(original * history_factor),
        }
    month: dict[str, float] = {}
    for way in ("marts", "original"):
        mean_billed = sum(q[f"{way}_billed_bytes"] for q in questions.values()) / len(questions)
        month[f"{way}_questions_bytes"] = mean_billed * asks
        month[f"{way}_questions_dollars"] = dollars(mean_billed * asks)
    runs = s.runs_per_day * s.days
    hourly: dict[str, dict[str, float]] = {}
    for bound, factor in (("low", hour_factor), ("high", history_factor)):
        scaled = [(raw + warehouse) * factor for raw, warehouse in m.run_queries]
        billed = sum(billed_bytes(b) for b in scaled)
        hourly[bound] = {"scanned_bytes": sum(scaled), "billed_bytes": billed, "month_bytes": billed * runs,
                         "month_dollars": dollars(billed * runs)}
        month[f"warehouse_total_dollars_{bound}"] = month["marts_questions_dollars"] + hourly[bound]["month_dollars"]
    month["original_total_dollars"] = month["original_questions_dollars"]
    return {
        "scenario": vars(s) | {"dollars_per_tb": DOLLARS_PER_TB, "tb_bytes": TB, "min_billed_mb": MIN_BILLED_MB},
        "events_per_email": events_per_email, "scenario_events_per_day": events_per_day,
        "history_factor": history_factor, "hour_factor": hour_factor,
        "questions": questions,
        "hourly_run": {"billable_queries": len(m.run_queries), **hourly},
        "month": month,
    }


# --- Trino ----------------------------------------------------------------------------------------------

def server(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SERVER), command], capture_output=True, text=True, check=False)


def query(sql: str, user: str, catalog: str, schema: str) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Run one statement; its rows and the final stats Trino sent (physicalInputBytes, queryId, ...)."""
    import trino

    con = trino.dbapi.connect(  # type: ignore[no-untyped-call]
        host="127.0.0.1", port=trino_port(), user=user, catalog=catalog, schema=schema,
        source="athena_bill")
    try:
        cur = con.cursor()
        cur.execute(sql)
        rows = [tuple(r) for r in cur.fetchall()]
        return rows, dict(cur.stats)
    finally:
        con.close()


def rest(path: str) -> Any:
    request = urllib.request.Request(f"http://127.0.0.1:{trino_port()}{path}", headers={"X-Trino-User": "athena_bill"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode())


_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4, "PB": 1024**5}


def data_size(text: str) -> float:
    """Bytes of an airlift DataSize as the REST API writes it ('123B', '1.50kB'; binary units)."""
    match = re.fullmatch(r"([\d.]+)\s*([kMGTP]?B)", text.strip())
    if not match:
        raise ValueError(f"not a data size: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def summarise(info: dict[str, Any]) -> dict[str, Any]:
    """One finished query: its kind, physical input bytes, and those bytes by catalog. Each stage's input
    goes to the catalog of the tables it scans; a stage scanning both catalogs counts as "mixed", a query
    whose stages Trino already pruned as "unattributed"."""
    total = data_size(info["queryStats"]["physicalInputDataSize"])
    by_catalog: dict[str, float] = {}
    stages = [info["outputStage"]] if info.get("outputStage") else []
    while stages:
        stage = stages.pop()
        stages.extend(stage.get("subStages", []))
        read = data_size(stage["stageStats"]["physicalInputDataSize"])
        catalogs = {str(t["tableName"]).split(".")[0] for t in stage.get("tables", {}).values()}
        if read:
            key = catalogs.pop() if len(catalogs) == 1 else "mixed"
            by_catalog[key] = by_catalog.get(key, 0.0) + read
    if total and not by_catalog:
        by_catalog["unattributed"] = total
    return {"query_id": info["queryId"], "state": info["state"], "type": info.get("queryType"),
            "physical_input_bytes": total, "bytes_by_catalog": by_catalog, "sql": info["query"][:160]}


class QueryRecorder:
    """Records every finished query of `user` while dbt runs. The details (stages) of finished queries are
    pruned once the server holds more than 100, so each is fetched from /v1/query/{id} as it ends."""

    def __init__(self, user: str) -> None:
        self.user = user
        self.queries: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> QueryRecorder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.poll()
            except (OSError, ValueError) as error:  # a busy server: try again next time
                progress(f"  (query list not read: {error})")

    def poll(self) -> None:
        for basic in rest("/v1/query"):
            query_id = basic["queryId"]
            if (basic.get("session", {}).get("user") == self.user and query_id not in self.queries
                    and basic["state"] in ("FINISHED", "FAILED")):
                self.queries[query_id] = summarise(rest(f"/v1/query/{query_id}"))


# --- data and dbt ---------------------------------------------------------------------------------------

def generate(out: Path, events: int, seed: int, start: datetime, hours: int, files_per_hour: int) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--events", str(events), "--seed", str(seed),
                    "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ"), "--hours", str(hours),
                    "--files-per-hour", str(files_per_hour), "--quiet", "--overwrite"], check=True)


def add_hour(events: Path, staging: Path, per_hour: int, seed: int, files_per_hour: int) -> str:
    """One more hour right after the newest folder, at the same events per hour (late files dropped)."""
    folders = sorted(p.parent.relative_to(events).as_posix() for p in events.glob("*/*/*/*/*.parquet"))
    hour = datetime.strptime(folders[-1], "%Y/%m/%d/%H").replace(tzinfo=timezone.utc) + timedelta(hours=1)
    shutil.rmtree(staging, ignore_errors=True)
    generate(staging, per_hour, seed, hour, 1, files_per_hour)
    relative = hour.strftime("%Y/%m/%d/%H")
    (events / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging / relative), str(events / relative))
    shutil.rmtree(staging, ignore_errors=True)
    return relative


@dataclass
class Project:
    work: Path
    events: Path
    schema: str
    raw_schema: str

    def dbt(self, label: str, *args: str, target: str = "trino", user: str = "athena_bill",
            extra_vars: dict[str, Any] | None = None) -> float:
        """Run dbt as a user does (a subprocess); its wall seconds. Raises with the log's tail on failure."""
        exe = Path(sys.executable).with_name("dbt")
        dbt_vars = {"events_path": str(self.events), **absent_native_folders(self.work),
                    "pinpoint_glue_database": self.raw_schema, "raw_history_start": START.strftime("%Y/%m/%d/%H"),
                    **(extra_vars or {})}
        target_path = self.work / f"target_{target}"
        cli = [str(exe) if exe.exists() else "dbt",
               *dbt_args(*args, "--target", target, project_dir=REPO_ROOT, target_path=target_path,
                         log_path=self.work / "dbt_logs", dbt_vars=dbt_vars)]
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "ENGAGEMENT_TRINO_SCHEMA": self.schema,
               "ENGAGEMENT_TRINO_USER": user, "ENGAGEMENT_TRINO_PORT": str(trino_port()),
               "ENGAGEMENT_DUCKDB_PATH": str(self.work / "warehouse.duckdb")}
        log = self.work / "logs" / f"{label}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with log.open("w") as out:
            code = subprocess.run(cli, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
        seconds = time.monotonic() - started
        if code != 0:
            tail = "\n".join(log.read_text().splitlines()[-15:])
            raise SystemExit(f"error: dbt {' '.join(args)} --target {target} failed (exit {code}); {log}:\n{tail}")
        return seconds

    def drop(self) -> None:
        """Drop the schemas this run made (metastore entries and warehouse tables; never the raw files)."""
        for catalog, schema in (("iceberg", self.schema), ("iceberg", self.schema + "_original"),
                                ("iceberg", self.schema + "_dbt_test__audit"), ("hive", self.raw_schema)):
            try:
                present, _ = query(f"select 1 from {catalog}.information_schema.schemata where schema_name = '{schema}'",
                                   "athena_bill", catalog, schema)
                if not present:
                    continue
                rows, _ = query(f"select table_name, table_type from {catalog}.information_schema.tables "
                                f"where table_schema = '{schema}'", "athena_bill", catalog, schema)
                for name, kind in rows:
                    query(f'drop {"view" if kind == "VIEW" else "table"} {catalog}.{schema}."{name}"',
                          "athena_bill", catalog, schema)
                query(f"drop schema {catalog}.{schema}", "athena_bill", catalog, schema)
            except Exception as exc:  # noqa: BLE001 - best-effort clean-up
                progress(f"  could not drop {catalog}.{schema}: {str(exc).splitlines()[0][:120]}")


# --- the questions ---------------------------------------------------------------------------------------

def question_vars(project: Project, as_of: datetime) -> dict[str, Any]:
    """Values that make the questions find rows: an address with opens, a customer id that exists."""
    chosen = question_var_defaults(as_of)
    for key, sql in (("analysis_email_address", ADDRESS_PICK_SQL),
                     ("analysis_tag_value", "select element_at(message_tags, 'mycustomerid') as v from email_send "
                      "where element_at(message_tags, 'mycustomerid') is not null group by 1 order by count(*) desc, 1 limit 1")):
        rows, _ = query(sql, "athena_bill", "iceberg", project.schema)
        if rows and rows[0][0] is not None:
            chosen[key] = rows[0][0]
    return chosen


def measure_questions(project: Project, as_of: datetime) -> list[dict[str, Any]]:
    qvars = question_vars(project, as_of)
    project.dbt("compile_analyses", "compile", "--select", "path:analyses", extra_vars=qvars)
    folder = project.work / "target_trino" / "compiled" / "engagement_events" / "analyses"
    marts_sql = {p.stem: p.read_text() for p in folder.glob("*.sql")}
    views, questions = original_sql_sections(ORIGINAL_SQL)
    fill = {"raw_table": f"hive.{project.raw_schema}.all_events", "as_of": f"timestamp '{qvars['analysis_as_of']}'",
            "address": qvars["analysis_email_address"], "tag_value": qvars["analysis_tag_value"],
            "tenure_months": qvars["analysis_min_tenure_months"], "min_sends": qvars["engagement_min_sends"]}
    views_schema = project.schema + "_original"
    query(f"create schema if not exists iceberg.{views_schema}", "athena_bill", "iceberg", project.schema)
    for view in views:
        query(Template(view).substitute(fill), "athena_bill", "iceberg", views_schema)
    results = []
    for name in sorted(set(questions) | set(marts_sql)):
        entry: dict[str, Any] = {"name": name}
        for way, sql, schema in (("marts", marts_sql.get(name), project.schema),
                                 ("original", Template(questions[name]).substitute(fill) if name in questions else None,
                                  views_schema)):
            if sql is None:
                entry[f"{way}_error"] = "no query"
                continue
            started = time.monotonic()
            rows, stats = query(sql, "athena_bill", "iceberg", schema)
            entry.update({f"{way}_rows": len(rows), f"{way}_seconds": round(time.monotonic() - started, 3),
                          f"{way}_physical_input_bytes": int(stats["physicalInputBytes"]),
                          f"{way}_processed_bytes": int(stats.get("processedBytes", 0)),
                          f"{way}_query_id": stats.get("queryId")})
        progress(f"  {name}: marts {entry.get('marts_physical_input_bytes')} B, "
                 f"original {entry.get('original_physical_input_bytes')} B")
        results.append(entry)
    return results


# --- report -----------------------------------------------------------------------------------------------

def human(n: float) -> str:
    for unit, size in (("TB", TB), ("GB", 10**9), ("MB", MB), ("kB", 10**3)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n:.0f} B"


def table(report: dict[str, Any]) -> str:
    bill = report["extrapolation"]
    lines = [f"Trino build time: {report['builds']['trino_build_seconds']:.1f} s; DuckDB build time: "
             f"{report['builds']['duckdb_build_seconds']:.1f} s ({report['history']['raw_events']:,} events, "
             f"{report['history']['hours']} h)",
             f"events per email: {bill['events_per_email']:.3f}; scenario events/day: {bill['scenario_events_per_day']:,.0f}; "
             f"history factor {bill['history_factor']:,.1f}; hour factor {bill['hour_factor']:,.1f}",
             "",
             f"{'question':34} {'marts read':>11} {'original read':>13} {'marts/query*':>13} {'original/query*':>15}"]
    for name, q in bill["questions"].items():
        lines.append(f"{name:34} {human(q['marts_bytes']):>11} {human(q['original_bytes']):>13} "
                     f"{human(q['marts_billed_bytes']):>13} {human(q['original_billed_bytes']):>15}")
    month = bill["month"]
    run = bill["hourly_run"]
    lines += ["* billed bytes of one query in the scenario (scaled, rounded up to the MB, 10 MB minimum)", "",
              f"one hourly run: {report['hourly_run']['physical_input_bytes']:,.0f} B read by "
              f"{report['hourly_run']['queries']} queries ({run['billable_queries']} billable); scenario: "
              f"{human(run['low']['billed_bytes'])} to {human(run['high']['billed_bytes'])} billed per run",
              f"a month ({bill['scenario']['queries_per_day']:g} questions/day, {bill['scenario']['days']:g} days, "
              f"{bill['scenario']['runs_per_day']:g} runs/day, ${DOLLARS_PER_TB:g}/TB):",
              f"  original views  questions ${month['original_questions_dollars']:,.2f}",
              f"  warehouse       questions ${month['marts_questions_dollars']:,.2f} + hourly runs "
              f"${run['low']['month_dollars']:,.2f} to ${run['high']['month_dollars']:,.2f} = "
              f"${month['warehouse_total_dollars_low']:,.2f} to ${month['warehouse_total_dollars_high']:,.2f}"]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu_model": cpu, "cores": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "trino": "476", "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=60_000, help="events of the generated history (default 60000)")
    parser.add_argument("--hours", type=int, default=24, help="hours of the history (default 24)")
    parser.add_argument("--files-per-hour", type=int, default=1,
                        help="raw files per hour folder (default 1: files large enough that the fixed-size "
                             "footer read Trino makes on each is not most of what a query reads)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, default=TARGET_DIR / "athena_bill_work")
    parser.add_argument("--output", type=Path, default=TARGET_DIR / "benchmark" / "athena_bill.json")
    parser.add_argument("--skip-duckdb", action="store_true", help="no DuckDB build for the comparison")
    parser.add_argument("--keep", action="store_true",
                        help="keep the Trino schemas, the work folder and a Trino this script started")
    parser.add_argument("--reprice", type=Path, metavar="JSON",
                        help="measure nothing: extrapolate the measurements of an earlier report again")
    parser.add_argument("--emails-per-day", type=float, default=Scenario.emails_per_day)
    parser.add_argument("--queries-per-day", type=float, default=Scenario.queries_per_day)
    parser.add_argument("--days", type=float, default=Scenario.days)
    parser.add_argument("--runs-per-day", type=float, default=Scenario.runs_per_day)
    args = parser.parse_args(argv)
    scenario = Scenario(args.emails_per_day, args.queries_per_day, args.days, args.runs_per_day)
    if args.reprice:
        report = json.loads(args.reprice.read_text())
        report["extrapolation"] = extrapolate(measured_from(report), scenario)
        write(report, args.output)
        return 0

    check = server("check")
    if check.returncode != 0:
        print(f"error: a local Trino cannot run here: {check.stdout.strip()} (see scripts/trino_server.py)",
              file=sys.stderr)
        return 2
    was_running = server("status").returncode == 0
    progress("starting the local Trino (downloads Trino 476 through Maven on first use)" if not was_running
             else "reusing the running local Trino")
    started = server("start")
    if started.returncode != 0:
        print(f"error: scripts/trino_server.py start failed:\n{started.stdout}{started.stderr}", file=sys.stderr)
        return 2

    work = args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    events = work / "events"
    suffix = uuid.uuid4().hex[:8]
    project = Project(work, events, f"bill_{suffix}", f"bill_raw_{suffix}")
    progress(f"generating {args.events:,} events over {args.hours} h into {events}")
    generate(events, args.events, args.seed, START, args.hours, args.files_per_hour)
    try:
        report = measure(project, args)
    finally:
        if not args.keep:
            project.drop()
            shutil.rmtree(work, ignore_errors=True)
        if not was_running and not args.keep:
            progress("stopping the local Trino this script started")
            server("stop")
    report["extrapolation"] = extrapolate(measured_from(report), scenario)
    write(report, args.output)
    return 0


def write(report: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(table(report))
    progress(f"wrote {output}")


def measure(project: Project, args: argparse.Namespace) -> dict[str, Any]:
    progress("dbt build --target trino")
    trino_seconds = project.dbt("trino_build", *BUILD)
    progress(f"  Trino build time {trino_seconds:.1f} s")
    duckdb_seconds = float("nan")
    if not args.skip_duckdb:
        progress("dbt build (DuckDB) of the same files")
        duckdb_seconds = project.dbt("duckdb_build", *BUILD, target="duckdb")
        progress(f"  DuckDB build time {duckdb_seconds:.1f} s")
    raw = f"hive.{project.raw_schema}.all_events"
    (counts, _) = query(f"select count(*), count_if(event_type = '_email.send'), max(ingest_timestamp) from {raw}",
                        "athena_bill", "hive", project.raw_schema)
    raw_events, email_sends, newest = int(counts[0][0]), int(counts[0][1]), str(counts[0][2])
    as_of = datetime.strptime(newest, "%Y/%m/%d/%H").replace(tzinfo=timezone.utc) + timedelta(hours=1)
    progress(f"Appendix B questions on Trino (as of {as_of:%Y-%m-%d %H:%M}), marts vs the original views")
    questions = measure_questions(project, as_of)

    per_hour = max(1, round(args.events / args.hours))
    hour = add_hour(project.events, project.work / "staging", per_hour, args.seed + 1, args.files_per_hour)
    (hour_rows, _) = query(f"select count(*) from {raw} where ingest_timestamp = '{hour}'", "athena_bill", "hive",
                           project.raw_schema)
    run_user = f"athena_bill_run_{uuid.uuid4().hex[:8]}"
    progress(f"one hourly run: added {hour} ({hour_rows[0][0]} events), dbt run --target trino as {run_user}")
    with QueryRecorder(run_user) as recorder:
        run_seconds = project.dbt("hourly_run", "run", user=run_user)
    run_queries = sorted(recorder.queries.values(), key=lambda q: str(q["query_id"]))
    by_catalog: dict[str, float] = {}
    for q in run_queries:
        for catalog, read in q["bytes_by_catalog"].items():
            by_catalog[catalog] = by_catalog.get(catalog, 0.0) + read
    progress(f"  {len(run_queries)} queries ({sum(map(billable, run_queries))} billable), "
             f"{sum(q['physical_input_bytes'] for q in run_queries):,.0f} B read {by_catalog}, {run_seconds:.1f} s")
    return {
        "machine": machine(),
        "history": {"events_requested": args.events, "hours": args.hours, "seed": args.seed, "raw_events": raw_events,
                    "email_sends": email_sends, "as_of": as_of.isoformat()},
        "builds": {"trino_build_seconds": trino_seconds, "duckdb_build_seconds": duckdb_seconds, "command": " ".join(BUILD)},
        "bytes_source": "questions: the trino client's final stats physicalInputBytes; hourly run: REST "
                        "/v1/query/{id} queryStats.physicalInputDataSize, split by catalog with each stage's stageStats",
        "questions": questions,
        "hourly_run": {"hour": hour, "events": int(hour_rows[0][0]), "seconds": run_seconds, "user": run_user,
                       "queries": len(run_queries),
                       "physical_input_bytes": sum(q["physical_input_bytes"] for q in run_queries),
                       "bytes_by_catalog": by_catalog,
                       "detail": run_queries},
    }


if __name__ == "__main__":
    sys.exit(main())
