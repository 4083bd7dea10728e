"""The Athena production path, proven without AWS: a moto server stands in for STS/Glue/Athena,
dbt compiles the project for the athena target, and Trino's own grammar parses every compiled model,
data test and analysis (scripts/check_athena_sql.py). Also: the DDL printer for all_events, the
example profile, and Glue's comment limits as dbt-athena persists descriptions."""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import athena_ddl
import check_athena_sql as check
from check_athena_sql import Finding

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_ITEMS = ("dbt_project.yml", "packages.yml", "models", "macros", "analyses", "seeds", "snapshots",
                 "tests/dbt", "docs")


def _lint(sql: str) -> list[Finding]:
    return check.check_tree("t.sql", check.parse_trino(sql), check.load_functions())


# ---------------------------------------------------------------------------------- the parser
@pytest.mark.parametrize("sql", [
    "select 1::int as x",                                   # DuckDB cast shorthand
    "select * exclude (a) from t",                          # DuckDB star modifier
    "select {'a': 1} as s",                                 # DuckDB struct literal
    "select [1, 2] as l",                                   # DuckDB list literal
    "select list_transform(l, lambda x: x + 1) from t",     # DuckDB lambda
    "select 7 // 2",                                        # DuckDB integer division
    "select a from t where a ilike 'x%'",                   # no ILIKE in Trino
])
def test_parser_rejects_duckdb_only_syntax(sql: str) -> None:
    with pytest.raises(check.TrinoSyntaxError):
        check.parse_trino(sql)


@pytest.mark.parametrize("sql", [
    "select transform(a, x -> x + 1), element_at(m, 'k'), try(cast(json_parse(j) as map(varchar, json))) from t",
    "select a from t left join unnest(arr) as u (c) on true",
    "select date_add('millisecond', 5, timestamp '1970-01-01 00:00:00.000'), \"$path\" from db.t",
    "select max(ts) - interval '6' hour, e[1] from t cross join unnest(map_entries(m)) as x (e)",
])
def test_parser_accepts_trino_syntax(sql: str) -> None:
    assert _lint(sql) == []


@pytest.mark.parametrize(("sql", "kind"), [
    ("select m['k'] from t", "map-subscript"),
    ("select count(*) / count(distinct a) from t", "integer-division"),
    ("select sum(clicks) / count(*) from t", "integer-division"),
    ("select 7 / 2", "integer-division"),
    ("select (count_if(ok) + 0) / nullif(count(*), 0) from t", "integer-division"),
    ("select list_transform(array[1], x -> x + 1) from t", "unknown-function"),
    ("select epoch_ms(ts), strftime(ts, '%Y') from t", "unknown-function"),
    ("select md5(name) from t", "varbinary-arg"),
    ('with s as (select * from db.t) select "$path" from s', "hidden-column"),
])
def test_pitfalls_are_flagged(sql: str, kind: str) -> None:
    assert kind in {finding.kind for finding in _lint(sql)}


@pytest.mark.parametrize("sql", [
    "select cast(count(*) as double) / nullif(count(a), 0) from t",
    "select count(*) / 2.0, sum(x) * 1.0 / count(*) from t",
    "select a / b, avg(x) / count(*), sum(price) / 100000 from t",  # unknown types: not flagged (documented)
    "select lower(to_hex(md5(to_utf8(name)))) from t",
    "select element_at(m, 'k'), arr[1] from t",
    'with s as (select *, "$path" as source_file from db.t) select source_file from s',
    'with s as (select *, "$path" from db.t) select "$path" as source_file from s',
])
def test_safe_forms_are_not_flagged(sql: str) -> None:
    assert _lint(sql) == []


# --------------------------------------------------------------------- the project, compiled
@pytest.fixture(scope="session")
def athena_compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, list[Finding], list[str]]:
    """The real project compiled for Athena against moto, parsed and checked (shared)."""
    target = tmp_path_factory.mktemp("athena_target")
    count, findings, truncated = check.run_check(REPO_ROOT, target)
    return target, count, findings, truncated


def test_project_compiles_to_valid_athena_sql(athena_compiled: tuple[Path, int, list[Finding], list[str]]) -> None:
    target, count, findings, _ = athena_compiled
    assert not findings, "Athena SQL problems:\n" + "\n".join(map(str, findings))
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "test", "analysis")]
    assert count >= len(nodes) > 0
    # The incremental models were compiled a second time with their table present: the
    # is_incremental() branch was parsed too (int_event_keys and int_events read {{ this }} in that branch;
    # int_validated_events reads the window start from int_event_keys, and deletes its own rows in a pre-hook).
    incremental = [n for n in manifest["nodes"].values() if n["config"].get("materialized") == "incremental"]
    relations = {n["name"]: n["relation_name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    read_in_branch = {"int_validated_events": "int_event_keys"}
    for node in incremental:
        compiled = target / "incremental" / "compiled" / node["package_name"] / node["original_file_path"]
        assert compiled.is_file(), compiled
        relation = relations[read_in_branch.get(node["name"], node["name"])]
        assert relation in compiled.read_text(), f"{node['name']}: incremental branch not compiled"


def test_descriptions_fit_glue_limits(athena_compiled: tuple[Path, int, list[Finding], list[str]]) -> None:
    """Glue: column comment <= 255 chars, table description <= 2048. dbt-athena folds whitespace
    and cuts longer text to 252 chars + '...' (dbt/adapters/athena/utils.py ellipsis_comment):
    the persisted text always fits; long doc blocks are shortened in Glue, not rejected."""
    target, _, findings, truncated = athena_compiled
    assert not [f for f in findings if f.kind.startswith("glue-")]
    manifest = json.loads((target / "manifest.json").read_text())
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            for column in node["columns"].values():
                assert len(check.glue_comment(column["description"], 255)) <= 255
    long_text = "word " * 100
    stored = check.glue_comment(long_text + "\n\n  more", 255)
    assert len(stored) == 255 and stored.endswith("...")
    print(f"{len(truncated)} column comment(s) shortened in Glue: {truncated}")


def _copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for item in PROJECT_ITEMS:
        source = REPO_ROOT / item
        if source.is_dir():
            shutil.copytree(source, dest / item, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, dest / item)
    return dest


def test_duckdb_only_model_fails_the_check(tmp_path: Path) -> None:
    """Acceptance: a model using DuckDB-only syntax or functions fails the Athena check, by name."""
    project = _copy_project(tmp_path / "project")
    (project / "models" / "zz_broken_cast.sql").write_text("select 1::int as x\n")
    (project / "models" / "zz_broken_function.sql").write_text(
        "select list_transform(array[1, 2], x -> x + 1) as doubled\n")
    _, findings, _ = check.run_check(project, tmp_path / "target")
    by_file = {(Path(f.path).name, f.kind) for f in findings}
    assert ("zz_broken_cast.sql", "parse") in by_file, findings
    assert ("zz_broken_function.sql", "unknown-function") in by_file, findings


# ------------------------------------------------------------------------------ DDL printer
def _ddl(start: str = "2026/10/01/00") -> str:
    return athena_ddl.create_table_ddl("my-bucket", "/events/", "due_eventdb", "all_events", start)


def test_ddl_schema_matches_the_generator() -> None:
    import generate_events

    assert athena_ddl.GLUE_SCHEMA == generate_events.GLUE_SCHEMA


def test_ddl_has_every_glue_column_with_its_type() -> None:
    ddl = _ddl()
    body = ddl.split("(", 1)[1].split("\n)\nPARTITIONED BY", 1)[0]
    printed = [line.strip().rstrip(",").split(" ", 1) for line in body.strip().splitlines()]
    assert [(name.strip("`"), typ.replace("`", "")) for name, typ in printed] == athena_ddl.glue_columns()
    for reserved in ("from", "to", "open", "click", "bounce", "action", "status", "send", "delivery", "reject"):
        assert f"`{reserved}`:" in ddl
        assert f",{reserved}:" not in ddl and f"<{reserved}:" not in ddl
    assert "PARTITIONED BY (`ingest_timestamp` timestamp)\nSTORED AS PARQUET\nLOCATION 's3://my-bucket/events/'" in ddl


def test_ddl_partition_projection_is_consistent() -> None:
    ddl = _ddl()
    props = dict(athena_ddl.table_properties("my-bucket", "events", "2026/10/01/00"))
    for key, value in props.items():
        assert f"'{key}' = '{value}'" in ddl
    col = "ingest_timestamp"
    assert props["projection.enabled"] == "true" and props[f"projection.{col}.type"] == "date"
    assert props[f"projection.{col}.interval"] == "1" and props[f"projection.{col}.interval.unit"] == "HOURS"
    start, end = props[f"projection.{col}.range"].split(",")
    assert end == "NOW"
    # The Java pattern yyyy/MM/dd/HH and the strftime pattern describe the same text ...
    java_as_strftime = props[f"projection.{col}.format"].replace("yyyy", "%Y").replace("MM", "%m") \
        .replace("dd", "%d").replace("HH", "%H")
    assert java_as_strftime == athena_ddl.START_FORMAT
    assert datetime.strptime(start, java_as_strftime) == datetime(2026, 10, 1, 0)
    # ... and the template turns an hour into the Firehose folder under LOCATION.
    template = props["storage.location.template"]
    assert template.startswith("s3://my-bucket/events/") and template.endswith("${ingest_timestamp}/")
    hour = datetime(2026, 10, 1, 7).strftime(java_as_strftime)
    assert template.replace("${ingest_timestamp}", hour) == "s3://my-bucket/events/2026/10/01/07/"


def test_ddl_matches_the_generated_folder_layout(sample_events: Path) -> None:
    """The generator writes Firehose's layout; every data folder is a projected partition."""
    folders = {p.parent.relative_to(sample_events).as_posix() for p in sample_events.rglob("*.parquet")}
    assert folders
    for folder in folders:
        datetime.strptime(folder, athena_ddl.START_FORMAT)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026/01/02/03", "2026/01/02/03"), ("2026-01-02", "2026/01/02/00"), ("2026-01-02T03:00:00Z", "2026/01/02/03"),
])
def test_ddl_start_formats(text: str, expected: str) -> None:
    assert athena_ddl.parse_start(text) == expected


def test_ddl_execute_runs_through_athena(capsys: pytest.CaptureFixture[str]) -> None:
    """--execute submits both statements through boto3 (here to moto) and waits for them."""
    with check.moto_server() as endpoint, check.fake_aws_env(endpoint):
        assert athena_ddl.main(["--bucket", "b", "--execute", "--output-location", "s3://b/results/"]) == 0
    captured = capsys.readouterr()
    assert "CREATE EXTERNAL TABLE IF NOT EXISTS `due_eventdb`.`all_events`" in captured.out
    assert captured.err.count("SUCCEEDED") == 2


# ---------------------------------------------------------------------------------- profiles
def _outputs(path: Path) -> dict[str, Any]:
    profile: dict[str, Any] = yaml.safe_load(path.read_text())["engagement_events"]
    return dict(profile["outputs"])


def test_committed_profile_has_valid_athena_keys() -> None:
    from dbt.adapters.athena.connections import AthenaCredentials

    athena = _outputs(REPO_ROOT / "profiles.yml")["athena"]
    allowed = set(AthenaCredentials.__dataclass_fields__) | {"type", "threads", "catalog"}
    assert set(athena) <= allowed, set(athena) - allowed
    for required in ("s3_staging_dir", "s3_data_dir", "region_name", "database", "schema", "work_group"):
        assert athena.get(required), required
    assert athena["database"] == "awsdatacatalog"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Belt and braces: no test here may find real credentials or a real endpoint."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield
