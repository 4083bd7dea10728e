"""The project on a real Trino (476, the local server of `make trino`), equal to the DuckDB build.

One generated history (Pinpoint before a cut-over, SES and SMS JSON lines after it, an overlap in both) is
built on DuckDB and on Trino. The Trino side is built in two runs, the second incremental over late hours,
re-deliveries included, and over one late file of the first hour; the DuckDB side is one full build of
everything. Every public view, mart, audit and custom-event model must then hold the same rows on both
engines, as multisets: timestamps to the millisecond, maps compared sorted, doubles to a relative tolerance
of 1e-9. The only columns left out are listed with their reason in LEGITIMATE_DIFFERENCES.

The server is started through scripts/trino_server.py, the same script as `make trino` (reused when it
already runs). Outside CI the module is skipped, saying why, only when Java 24+ or Maven is missing; in CI
(CI=true) a missing prerequisite fails.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import REPO_ROOT, SCRIPTS, make_project
from dbt.cli.main import dbtRunner, dbtRunnerResult

SERVER = SCRIPTS / "trino_server.py"
SEED, EVENTS, HOURS = 5, 3000, 6
START, CUTOVER = "2026-10-01T00:00:00Z", "2026-10-01T03:00:00Z"
# Hours (folders) the first Trino run sees; the rest arrive before the second, incremental run.
FIRST_RUN_HOURS = 4
DOUBLE_TOLERANCE = 1e-9
# (relation, column) -> why the engines legitimately differ there. Nothing else may differ.
LEGITIMATE_DIFFERENCES: dict[tuple[str, str], str] = {}
# Models that describe what DuckDB itself reads, empty on Trino by design: there they must be empty.
DUCKDB_ONLY_MODELS: dict[str, str] = {
    "audit_pinpoint_file_schemas": "the Parquet footers of the files DuckDB reads; Trino's Hive table declares the columns",
}
COMPARED_FOLDERS = ("staging/", "marts/", "audit/", "custom_events/")


# ------------------------------------------------------------------------------------------ server
def _run_server(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SERVER), command], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def trino_port() -> Iterator[int]:
    check = _run_server("check")
    if check.returncode != 0:
        reason = f"local Trino cannot run here: {check.stdout.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    was_running = _run_server("status").returncode == 0
    started = _run_server("start")
    assert started.returncode == 0, f"scripts/trino_server.py start failed:\n{started.stdout}\n{started.stderr}"
    yield int(os.environ.get("ENGAGEMENT_TRINO_PORT", "8089"))
    if not was_running:
        _run_server("stop")


# ------------------------------------------------------------------------------------------ builds
@dataclass
class TrinoBuild:
    schema: str
    raw_schema: str
    target_path: Path
    port: int

    def invoke(self, *args: str, vars: dict[str, Any]) -> dbtRunnerResult:
        all_vars = {"pinpoint_glue_database": self.raw_schema, "raw_history_start": "2026/10/01/00", **vars}
        cli = [*args, "--target", "trino", "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT),
               "--target-path", str(self.target_path), "--log-path", str(self.target_path / "logs"),
               "--vars", json.dumps(all_vars)]
        saved = {key: os.environ.get(key) for key in ("ENGAGEMENT_TRINO_SCHEMA", "ENGAGEMENT_TRINO_PORT")}
        os.environ["ENGAGEMENT_TRINO_SCHEMA"] = self.schema
        os.environ["ENGAGEMENT_TRINO_PORT"] = str(self.port)
        try:
            result = dbtRunner().invoke(cli)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        if not result.success:
            rows = getattr(result.result, "results", None) or []
            bad = [f"{r.node.name}: {r.message}" for r in rows if str(r.status) not in ("success", "pass", "warn")]
            raise AssertionError(f"dbt {' '.join(args)} --target trino failed: {result.exception or '; '.join(bad)}")
        return result

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        import trino

        con = trino.dbapi.connect(host="127.0.0.1", port=self.port, user="engagement", catalog="iceberg",
                                  schema=self.schema)
        try:
            cur = con.cursor()
            cur.execute(sql)
            rows = cur.fetchall()
            return [d[0].lower() for d in cur.description or []], [tuple(r) for r in rows]
        finally:
            con.close()

    def drop(self) -> None:
        for catalog, schema in (("iceberg", self.schema), ("hive", self.raw_schema)):
            try:
                _, tables = self.query(f"show tables from {catalog}.{schema}")
                for (name,) in tables:
                    kind = self.query(f"select table_type from {catalog}.information_schema.tables where "
                                      f"table_schema = '{schema}' and table_name = '{name}'")[1][0][0]
                    self.query(f"drop {'view' if kind == 'VIEW' else 'table'} {catalog}.{schema}.\"{name}\"")
                self.query(f"drop schema {catalog}.{schema}")
            except Exception:  # noqa: BLE001 - best-effort clean-up of a test schema
                pass


def _generate(out: Path) -> tuple[Path, Path, Path]:
    events, ses, sms = out / "events", out / "ses_events", out / "sms_events"
    subprocess.run([sys.executable, str(SCRIPTS / "generate_events.py"), "--format", "mixed", "--out", str(events),
                    "--ses-out", str(ses), "--sms-out", str(sms), "--events", str(EVENTS), "--seed", str(SEED),
                    "--hours", str(HOURS), "--start", START, "--cutover", CUTOVER, "--quiet"], check=True)
    return events, ses, sms


def _copy_hours(source: Path, target: Path, hours: set[str] | None) -> None:
    """Copy the hour folders (YYYY/MM/DD/HH) of `source` into `target`; all when `hours` is None."""
    for file in sorted(source.rglob("*")):
        if file.is_file():
            hour = "/".join(file.relative_to(source).parts[:4])
            if hours is None or hour in hours:
                (target / file.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target / file.relative_to(source))


@dataclass
class Builds:
    duckdb_path: Path
    duckdb_manifest: dict[str, Any]
    trino: TrinoBuild
    trino_manifest: dict[str, Any]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory, trino_port: int) -> Iterator[Builds]:
    root = tmp_path_factory.mktemp("trino_equivalence")
    events, ses, sms = _generate(root / "generated")
    all_hours = sorted({"/".join(f.relative_to(d).parts[:4]) for d in (events, ses, sms) for f in d.rglob("*")
                        if f.is_file()})
    first_hours = set(all_hours[:FIRST_RUN_HOURS])

    duck = make_project(root / "duckdb", events, ses_events_path=str(ses), sms_events_path=str(sms))
    duck.invoke("build")

    suffix = uuid.uuid4().hex[:8]
    trino_build = TrinoBuild(f"eq_{suffix}", f"eq_raw_{suffix}", root / "trino_target", trino_port)
    landing = {name: root / "landing" / name for name in ("events", "ses_events", "sms_events")}
    for name, source in zip(landing, (events, ses, sms)):
        landing[name].mkdir(parents=True)
        _copy_hours(source, landing[name], first_hours)
    # One file of the first hour arrives late, with the second run: its events are new in the oldest hour
    # that run re-reads, the edge of every incremental window (int_events' own window included).
    late_file = sorted(f for f in landing["events"].rglob("*.parquet") if f.is_file())[0]
    late_copy = root / "late" / late_file.name
    late_copy.parent.mkdir(parents=True)
    shutil.move(late_file, late_copy)
    paths = {"events_path": str(landing["events"]), "ses_events_path": str(landing["ses_events"]),
             "sms_events_path": str(landing["sms_events"])}
    try:
        trino_build.invoke("build", vars=paths)
        # The late hours land (and with them the re-deliveries the generator writes into later folders).
        for name, source in zip(landing, (events, ses, sms)):
            _copy_hours(source, landing[name], set(all_hours) - first_hours)
        shutil.move(late_copy, late_file)
        trino_build.invoke("build", vars=paths)
        yield Builds(
            duck.duckdb_path,
            json.loads((duck.target_path / "manifest.json").read_text()),
            trino_build,
            json.loads((trino_build.target_path / "manifest.json").read_text()),
        )
    finally:
        trino_build.drop()


# ------------------------------------------------------------------------------------------ comparison
def _normal(value: Any) -> Any:
    """One engine-neutral form of a value: timestamps to the ms (UTC), maps sorted, doubles rounded."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000).isoformat()
    if isinstance(value, (float, Decimal)):
        number = float(value)
        return float(f"{number:.9g}") if number == number else "NaN"
    if isinstance(value, dict):
        return tuple(sorted((str(k), _normal(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        names = getattr(value, "_names", None)
        if names:  # a Trino row: compare as a struct (name -> value), like DuckDB's dict
            return tuple(sorted((str(n), _normal(v)) for n, v in zip(names, value)))
        return tuple(_normal(v) for v in value)
    return value


def _relations(manifest: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Compared model name -> (schema, relation name), from one engine's manifest."""
    out = {}
    for node in manifest["nodes"].values():
        path = node.get("path", "")
        if (node["resource_type"] == "model" and node["config"].get("enabled", True)
                and path.startswith(COMPARED_FOLDERS) and not path.startswith("staging/base/")):
            out[node["name"]] = (node["schema"], node.get("alias") or node["name"])
    return out


def _multiset(columns: list[str], rows: list[tuple[Any, ...]], relation: str) -> tuple[list[str], Counter[Any]]:
    keep = [i for i, c in enumerate(columns) if (relation, c) not in LEGITIMATE_DIFFERENCES]
    order = sorted(keep, key=lambda i: columns[i])
    return [columns[i] for i in order], Counter(tuple(_normal(row[i]) for i in order) for row in rows)


def test_every_view_mart_and_audit_model_equals_the_duckdb_build(builds: Builds) -> None:
    duck_relations = _relations(builds.duckdb_manifest)
    trino_relations = _relations(builds.trino_manifest)
    assert set(duck_relations) == set(trino_relations)
    assert len(duck_relations) >= 30, sorted(duck_relations)
    con = duckdb.connect(str(builds.duckdb_path))
    con.execute("set TimeZone = 'UTC'")
    problems = []
    nonempty = 0
    try:
        for name in sorted(duck_relations):
            schema, alias = duck_relations[name]
            if name in DUCKDB_ONLY_MODELS:
                t_schema, t_alias = trino_relations[name]
                _, trino_raw = builds.trino.query(f'select * from iceberg."{t_schema}"."{t_alias}"')
                if trino_raw:
                    problems.append(f"{name}: {len(trino_raw)} rows on Trino, where it is empty by design")
                continue
            cursor = con.execute(f'select * from "{schema}"."{alias}"')
            duck_columns = [d[0].lower() for d in cursor.description]
            duck_cols, duck_rows = _multiset(duck_columns, cursor.fetchall(), name)
            t_schema, t_alias = trino_relations[name]
            trino_columns, trino_raw = builds.trino.query(f'select * from iceberg."{t_schema}"."{t_alias}"')
            trino_cols, trino_rows = _multiset(trino_columns, trino_raw, name)
            if duck_cols != trino_cols:
                problems.append(f"{name}: columns differ: duckdb {duck_cols} vs trino {trino_cols}")
                continue
            nonempty += bool(duck_rows)
            if duck_rows != trino_rows:
                only_duck = list((duck_rows - trino_rows).elements())[:2]
                only_trino = list((trino_rows - duck_rows).elements())[:2]
                problems.append(
                    f"{name}: {sum(duck_rows.values())} rows on DuckDB, {sum(trino_rows.values())} on Trino; "
                    f"only on DuckDB e.g. {dict(zip(duck_cols, only_duck[0])) if only_duck else None}; "
                    f"only on Trino e.g. {dict(zip(trino_cols, only_trino[0])) if only_trino else None}")
    finally:
        con.close()
    assert not problems, "\n".join(problems)
    # The comparison means something only if the history reaches most relations.
    assert nonempty >= 0.8 * len(duck_relations), nonempty


def test_report_from_trino_equals_the_duckdb_report(builds: Builds, tmp_path: Path) -> None:
    """scripts/report.py --from-trino reads the same marts with the same SQL: same headline figures."""
    # A copy of the DuckDB file: this process may still hold the build's connection to it. Same file
    # name: DuckDB names the catalog after the file, and the views (the event views among them) name theirs.
    copy = tmp_path / builds.duckdb_path.name
    shutil.copy2(builds.duckdb_path, copy)
    wal = builds.duckdb_path.with_name(builds.duckdb_path.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, tmp_path / wal.name)
    outputs = {}
    for label, args in (("duckdb", ["--duckdb", str(copy)]),
                        ("trino", ["--from-trino", "--trino-schema", builds.trino.schema])):
        env = {**os.environ, "ENGAGEMENT_TRINO_PORT": str(builds.trino.port)}
        subprocess.run([sys.executable, str(SCRIPTS / "report.py"), *args, "--out", str(tmp_path / label)],
                       check=True, env=env, capture_output=True, text=True)
        outputs[label] = json.loads((tmp_path / label / "report.json").read_text())["headlines"]
    assert outputs["duckdb"], "the report has no headline figures"
    assert _normal(outputs["trino"]) == _normal(outputs["duckdb"])


def test_doubles_are_compared_with_a_tolerance_not_exactly() -> None:
    assert _normal(0.1 + 0.2) == _normal(0.3)
    assert _normal(1.0) != _normal(1.000001)
    assert _normal(dt.datetime(2026, 10, 1, 0, 0, 1, 123456)) == "2026-10-01T00:00:01.123000"
    assert _normal({"b": 1, "a": 2}) == _normal({"a": 2, "b": 1})


# The Trino raw-table DDL that dbt registers is compared with scripts/athena_ddl.py's in
# tests/python/test_native_sources.py (test_trino_raw_table_ddl_is_the_scripts_ddl): both are rendered
# from models/sources/*.yml, and the comparison needs no Trino server.


def test_trino_ddl_declares_every_glue_column_with_its_nested_type() -> None:
    from athena_ddl import LAYOUTS, glue_columns, trino_create_table_ddl, trino_type

    assert trino_type("struct<from:string,to:array<string>,n:int>") == 'row("from" varchar,"to" array(varchar),"n" integer)'
    for layout, (schema, _) in LAYOUTS.items():
        ddl = trino_create_table_ddl("hive.raw.t", "s3://bucket/prefix/", "2026/01/01/00", layout)
        for name, hive_type in glue_columns(schema):
            assert f'"{name}" {trino_type(hive_type)},' in ddl, (layout, name)
        assert "partition_projection_location_template = 's3://bucket/prefix/${ingest_timestamp}/'" in ddl
        assert ("format = 'PARQUET'" in ddl) == (layout == "all_events")
