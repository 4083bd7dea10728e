"""Custom-event models from custom_events.yml: scaffold, generation, validation, typing, safety.

The end-to-end tests work on a copy of the project in a temporary folder (the scaffold writes files), built
on generated events plus one crafted file of events whose attribute values exercise every type and
hostile attribute names. The expected rows are computed here, from the raw Parquet files and in Python.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from conftest import REPO_ROOT, DbtProject, generate_events, make_project

import add_custom_event as ace  # noqa: E402  (scripts/ is on sys.path, see conftest)
import custom_events_config as cfg  # noqa: E402

COPY_IGNORE = shutil.ignore_patterns(".venv", "target", "data", "logs", ".git", "__pycache__", ".pytest_cache",
                                     "dbt_packages", "*.duckdb", "*.duckdb.wal")
HOSTILE_1 = "x'] || (select 1) || ['"
HOSTILE_2 = 'a"; drop table int_events; --'
ODD_EVENT_TYPE = "it's\"odd\";drop/**/table/**/int_events;--"  # no whitespace: event types are one word
# Attribute values of the crafted `checkout` events, cycled over the rows: valid and invalid ones per type.
CHECKOUT_VALUES: dict[str, list[str | None]] = {
    "quantity": ["3", "+4", "007", "1.5", "0x10", " 2", "99999999999", None],
    "price": ["19.99", ".5", "1e2", "-3", "N/A", "", "19,99", "nan", "Infinity"],
    "paid_at": ["2026-10-01T10:00:00Z", "2026-10-01 10:00:00.123", "2026-10-01T12:00:00.5+02:00", "2026-10-01",
                "2026-10-01T10:00", "yesterday", "2026-10-01T10:00:00.123456Z", "2026-02-30 10:00:00"],
    "ship_date": ["2026-10-02", "2026-02-30", "2026/10/02", "2026-10-02T00:00:00Z", None],
    "gift": ["true", "F", "1", "0", "TRUE", "yes", "n"],
    "order_no": ["9007199254740993", "-42", "12345678901234567890", "1e3"],
}


# --- helpers -----------------------------------------------------------------------------------
def copy_project(dest: Path) -> Path:
    shutil.copytree(REPO_ROOT, dest, ignore=COPY_IGNORE)
    return dest


def run_dbt(project: DbtProject, project_dir: Path, *args: str, profiles_dir: Path | None = None) -> dbtRunnerResult:
    """dbt in-process on a copy of the project (conftest's DbtProject.invoke always uses the repository)."""
    cli = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir or project_dir),
           "--target-path", str(project.target_path), "--log-path", str(project.target_path / "logs"),
           "--vars", json.dumps({"events_path": str(project.events_path)})]
    previous = os.environ.get("ENGAGEMENT_DUCKDB_PATH")
    os.environ["ENGAGEMENT_DUCKDB_PATH"] = str(project.duckdb_path)
    try:
        result = dbtRunner().invoke(cli)
    finally:
        if previous is None:
            os.environ.pop("ENGAGEMENT_DUCKDB_PATH", None)
        else:
            os.environ["ENGAGEMENT_DUCKDB_PATH"] = previous
    return result


def scaffold(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The scaffold command as a user runs it, from the project copy."""
    return subprocess.run([sys.executable, str(project_dir / "scripts" / "add_custom_event.py"), *args],
                          capture_output=True, text=True, cwd=project_dir)


def write_crafted_events(events_dir: Path) -> None:
    """`checkout` events (copies of generated purchases with chosen attribute values) and events of an oddly
    named type with hostile attribute names, in their own files; two checkout rows also delivered twice."""
    con = duckdb.connect()
    rows = con.execute(
        f"select distinct on (event_timestamp, client.client_id) * "
        f"from read_parquet('{events_dir}/**/*.parquet', union_by_name = true) "
        f"where event_type = 'purchase' order by event_timestamp, client.client_id").to_arrow_table()
    con.close()
    n = rows.num_rows
    assert n >= 20, "too few generated purchases to craft from"
    checkout_attrs = []
    for k in range(n):
        attrs = [("item_id", f"SKU-{k:05d}"), ("currency", "USD")]
        attrs += [(key, values[k % len(values)]) for key, values in CHECKOUT_VALUES.items()
                  if values[k % len(values)] is not None]
        checkout_attrs.append(attrs)
    odd_attrs = [[(HOSTILE_1, f"one-{k}"), (HOSTILE_2, str(k))] for k in range(n)]
    map_type = rows.schema.field("attributes").type

    def variant(event_type: str, shift_ms: int, attributes: list[list[tuple[str, str | None]]]) -> pa.Table:
        table = rows.set_column(rows.schema.get_field_index("event_type"), "event_type",
                                pa.array([event_type] * n, pa.string()))
        shifted = pa.array([v + shift_ms for v in rows.column("event_timestamp").to_pylist()], pa.int64())
        table = table.set_column(table.schema.get_field_index("event_timestamp"), "event_timestamp", shifted)
        return table.set_column(table.schema.get_field_index("attributes"), "attributes",
                                pa.array(attributes, map_type))

    checkout = variant("checkout", 1, checkout_attrs)
    hour_dir = events_dir / "2026" / "10" / "01" / "01"
    hour_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(checkout, hour_dir / "crafted-checkout.parquet")
    pq.write_table(variant(ODD_EVENT_TYPE, 2, odd_attrs), hour_dir / "crafted-odd.parquet")
    late_dir = events_dir / "2026" / "10" / "01" / "03"
    late_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(checkout.slice(0, 2), late_dir / "crafted-checkout-redelivered.parquet")


def raw_events(events_dir: Path, event_type: str, keys: list[str]) -> list[tuple[Any, ...]]:
    """Distinct raw rows of one event type, straight from the Parquet files: (event ms, arrival ms, app, endpoint,
    session, account, *attribute texts); an exact re-delivery is one row."""
    con = duckdb.connect()
    try:
        lookups = ", ".join(f"attributes[${i + 2}]" for i in range(len(keys)))
        return con.execute(
            f"select distinct event_timestamp, arrival_timestamp, application.app_id, client.client_id, "
            f"session['session_id'], awsaccountid, {lookups} "
            f"from read_parquet('{events_dir}/**/*.parquet', union_by_name = true) "
            f"where event_type = $1 and event_timestamp is not null and arrival_timestamp is not null",
            [event_type, *keys]).fetchall()
    finally:
        con.close()


# The typing contract (docs/custom_events.md), written again in Python as the oracle.
INT = re.compile(r"[+-]?[0-9]+")
DOUBLE = re.compile(r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?")
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TIME = r"[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,3})?"
LOCAL_TS = re.compile(f"{DATE}({TIME})?")
ZONED_TS = re.compile(f"{DATE}{TIME}(Z|[+-][0-9]{{2}}:[0-9]{{2}})")


def expected_value(text: str | None, type_: str) -> Any:
    if text is None or type_ == "string":
        return text
    try:
        if type_ in ("int", "bigint"):
            value = int(text) if INT.fullmatch(text) else None
            bits = 31 if type_ == "int" else 63
            return value if value is not None and -2**bits <= value < 2**bits else None
        if type_ == "double":
            return float(text) if DOUBLE.fullmatch(text) else None
        if type_ == "boolean":
            return {"true": True, "t": True, "1": True, "false": False, "f": False, "0": False}.get(text.lower())
        if type_ == "date":
            return date.fromisoformat(text) if re.fullmatch(DATE, text) else None
        if type_ == "timestamp":
            if LOCAL_TS.fullmatch(text):
                return datetime.fromisoformat(text.replace("T", " "))
            if ZONED_TS.fullmatch(text):
                parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
                return parsed.astimezone(timezone.utc).replace(tzinfo=None)
            return None
    except ValueError:
        return None
    raise AssertionError(type_)


def ms(epoch_ms: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(milliseconds=epoch_ms)


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtProject]:
    """A copy of the project, int_events built on generated + crafted events (no custom model yet built)."""
    root = tmp_path_factory.mktemp("custom_events")
    project_dir = copy_project(root / "project")
    events = root / "events"
    generate_events(events, events=4000, seed=11, hours=4)
    write_crafted_events(events)
    project = make_project(root / "run", events)
    result = run_dbt(project, project_dir, "run", "-s", "+int_events")
    assert result.success, result.exception
    return project_dir, project


# --- the valid path, end to end ----------------------------------------------------------------
def test_scaffold_then_build_matches_raw_files(copied: tuple[Path, DbtProject]) -> None:
    project_dir, project = copied
    specs = "item_id,quantity:int,price:double,currency,paid_at:timestamp,ship_date:date,gift:boolean,order_no:bigint"
    done = scaffold(project_dir, "checkout", "--attributes", specs, "--description", "A finished checkout.")
    assert done.returncode == 0, done.stderr
    assert "dbt build -s custom_checkout" in done.stdout
    assert "event_type: checkout" in (project_dir / "custom_events.yml").read_text()
    assert "event_type: purchase" in (project_dir / "custom_events.yml").read_text(), "existing entries kept"
    assert (project_dir / "models/custom_events/custom_checkout.sql").exists()

    result = run_dbt(project, project_dir, "build", "-s", "custom_checkout")
    assert result.success, result.exception
    statuses = Counter(str(r.status) for r in result.result.results)  # type: ignore[union-attr]
    assert statuses["warn"] == 1, statuses  # the cast-failure test warns; nothing fails

    types = dict(item.split(":") if ":" in item else (item, "string") for item in specs.split(","))
    keys = list(types)
    expected = Counter()
    for row in raw_events(project.events_path, "checkout", keys):
        texts = dict(zip(keys, row[6:]))
        values = [expected_value(texts[k], types[k]) for k in keys]
        invalid = sum(1 for k, v in zip(keys, values) if texts[k] is not None and v is None and types[k] != "string")
        expected[(ms(row[0]), ms(row[1]), *row[2:6], *values, invalid)] += 1
    columns = ", ".join(keys)
    actual = Counter(project.query(
        f"select event_timestamp, arrival_timestamp, application_id, endpoint_id, session_id, aws_account_id, "
        f"{columns}, invalid_attribute_count from custom_checkout"))
    assert sum(expected.values()) >= 20
    assert actual == expected

    # bad prices are NULL and counted, per row and in the audit
    bad_prices = sum(n for key, n in expected.items() if key[6 + keys.index("price")] is None)
    assert bad_prices > 0
    assert run_dbt(project, project_dir, "run", "-s", "audit_custom_event_cast_failures").success
    audit = dict(((name, attr), (present, failed)) for name, attr, present, failed in project.query(
        "select model_name, attribute_name, values_present, failed_casts from audit_custom_event_cast_failures"))
    raw_prices = [r[6] for r in raw_events(project.events_path, "checkout", ["price"])]
    assert audit[("custom_checkout", "price")] == (
        sum(p is not None for p in raw_prices), sum(p is not None and expected_value(p, "double") is None for p in raw_prices))
    assert audit[("custom_checkout", "price")][1] == bad_prices
    assert ("custom_purchase", "price") in audit and ("custom_checkout", "item_id") not in audit


def test_shipped_events_build_against_raw_files(copied: tuple[Path, DbtProject]) -> None:
    """purchase and signup, as shipped in custom_events.yml (what `make run` builds)."""
    project_dir, project = copied
    result = run_dbt(project, project_dir, "build", "-s", "custom_purchase", "custom_signup")
    assert result.success, result.exception
    raw = raw_events(project.events_path, "purchase", ["price"])
    assert Counter(r[0] for r in project.query("select price from custom_purchase")) == Counter(
        expected_value(r[6], "double") for r in raw)
    raw_trial = raw_events(project.events_path, "signup", ["trial"])
    assert sorted(project.query("select trial, count(*) from custom_signup group by 1")) == sorted(
        Counter(expected_value(r[6], "boolean") for r in raw_trial).items())


def test_hostile_attribute_names_and_event_type_are_quoted(copied: tuple[Path, DbtProject]) -> None:
    project_dir, project = copied
    done = scaffold(project_dir, ODD_EVENT_TYPE, "--attributes", f"{HOSTILE_1},{HOSTILE_2}:int", "--name", "custom_odd")
    assert done.returncode == 0, done.stderr
    result = run_dbt(project, project_dir, "build", "-s", "custom_odd")
    assert result.success, result.exception
    rows = project.query("select x_select_1, a_drop_table_int_events, invalid_attribute_count from custom_odd")
    assert len(rows) >= 20
    assert all(text.startswith("one-") and isinstance(number, int) and bad == 0 for text, number, bad in rows)
    assert project.query("select count(*) from int_events")[0][0] > 0  # still there
    compiled = next(project.target_path.rglob("custom_odd.sql")).read_text()
    assert "'x''] || (select 1) || ['''" in compiled
    assert "'it''s\"odd\";drop/**/table/**/int_events;--'" in compiled


def test_models_compile_and_parse_for_athena(copied: tuple[Path, DbtProject], tmp_path: Path) -> None:
    """The Athena branch renders to SQL that Trino's parser accepts (no Athena needed to compile)."""
    trino = pytest.importorskip("trino_query_parser")
    project_dir, project = copied
    (tmp_path / "profiles.yml").write_text(
        "engagement_events:\n  target: athena\n  outputs:\n    athena:\n      type: athena\n"
        "      s3_staging_dir: s3://example-bucket/staging/\n      region_name: us-east-1\n"
        "      database: awsdatacatalog\n      schema: analytics\n      threads: 1\n")
    athena = make_project(tmp_path / "athena", project.events_path)
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = run_dbt(athena, project_dir, "compile", "-s", "tag:custom_events", "--no-populate-cache",
                         profiles_dir=tmp_path)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    assert result.success, result.exception
    compiled = sorted((athena.target_path / "compiled").rglob("models/custom_events/*.sql"))
    assert {p.stem for p in compiled} >= {"custom_purchase", "custom_signup", "audit_custom_event_cast_failures"}
    for path in compiled:
        sql = path.read_text()
        trino.parse_statement(sql)
        assert "regexp_full_match" not in sql and "element_at(" in sql


# --- validation: one test per kind of invalid input --------------------------------------------
VALID_FIRST = "- event_type: purchase\n  attributes: [item_id, {name: price, type: double}]\n"
INVALID_CASES: dict[str, tuple[str, list[str]]] = {
    # kind: (second entry or whole file, fragments the message must contain)
    "bad_yaml": ("- event_type: [unclosed\n", ["custom_events.yml", "not valid YAML", "line"]),
    "top_level_not_list": ("events:\n  - event_type: x\n", ["custom_events.yml", "top level must be a list"]),
    "unknown_entry_key": ("- event_type: signup\n  atributes: [plan]\n",
                          ["entry #2", "event_type 'signup'", "key 'atributes'", "unknown key"]),
    "unknown_attribute_key": ("- event_type: signup\n  attributes: [{name: plan, kind: string}]\n",
                              ["entry #2", "event_type 'signup'", "key 'attributes[0].kind'", "unknown key"]),
    "missing_event_type": ("- name: custom_x\n  attributes: [plan]\n", ["entry #2", "no event_type", "key 'event_type'", "required"]),
    "duplicate_event_type": ("- event_type: purchase\n  name: custom_purchase_2\n  attributes: [x]\n",
                             ["entry #2", "event_type 'purchase'", "key 'event_type'", "already configured by custom_events.yml entry #1 (line 1)"]),
    "duplicate_model_name": ("- event_type: Purchase\n  attributes: [x]\n", ["entry #2", "event_type 'Purchase'", "key 'name'",
                                                         "'custom_purchase' is already used by custom_events.yml entry #1 (line 1)"]),
    "unsafe_model_name": ("- event_type: signup\n  name: Custom-Signup\n  attributes: [x]\n",
                          ["entry #2", "event_type 'signup'", "key 'name'", "not a safe identifier"]),
    "unsafe_alias": ("- event_type: signup\n  attributes: [{name: plan, alias: 'a\"; drop table x; --'}]\n",
                     ["entry #2", "key 'attributes[0].alias'", "not a safe identifier"]),
    "underivable_alias": ("- event_type: signup\n  attributes: ['123']\n",
                          ["entry #2", "key 'attributes[0].alias'", "derived from the attribute name '123'"]),
    "reserved_word_alias": ("- event_type: signup\n  attributes: [{name: plan, alias: select}]\n",
                            ["entry #2", "key 'attributes[0].alias'", "reserved SQL word"]),
    "reserved_word_name": ("- event_type: signup\n  name: order\n  attributes: [x]\n", ["entry #2", "key 'name'", "reserved SQL word"]),
    "common_column_alias": ("- event_type: signup\n  attributes: [{name: when, alias: event_timestamp}]\n",
                            ["entry #2", "key 'attributes[0].alias'", "collides with a common column"]),
    "duplicate_alias": ("- event_type: signup\n  attributes: [planName, plan_name]\n",
                        ["entry #2", "key 'attributes[1].alias'", "'plan_name' is already used by attributes[0].alias"]),
    "duplicate_attribute": ("- event_type: signup\n  attributes: [plan, {name: plan, alias: plan_2}]\n",
                            ["entry #2", "key 'attributes[1].name'", "listed twice"]),
    "unknown_type": ("- event_type: signup\n  attributes: [{name: plan, type: float}]\n",
                     ["entry #2", "event_type 'signup'", "key 'attributes[0].type'", "unknown type 'float'", "double"]),
    "unknown_metric": ("- event_type: signup\n  metrics: [revenue]\n",
                       ["entry #2", "key 'metrics[0].name'", "unknown metric 'revenue'", "price_in_millicents_usd"]),
    "jinja_in_description": ("- event_type: signup\n  description: \"{{ run_query('drop table int_events') }}\"\n",
                             ["entry #2", "key 'description'", "Jinja delimiter"]),
    "jinja_in_attribute_name": ("- event_type: signup\n  attributes: [{name: '{% do x %}', alias: x}]\n",
                                ["entry #2", "key 'attributes[0].name'", "Jinja delimiter"]),
    "attributes_not_a_list": ("- event_type: signup\n  attributes: plan\n", ["entry #2", "key 'attributes'", "must be a list"]),
    "duplicate_yaml_key": ("- event_type: signup\n  description: a\n  description: b\n",
                           ["custom_events.yml", "line 5", "key 'description' appears twice"]),
    "name_without_prefix": ("- event_type: signup\n  name: int_events\n  attributes: [x]\n",
                            ["entry #2", "key 'name'", "'int_events' does not start with custom_"]),
    "name_of_existing_model": ("- event_type: signup\n  name: custom_rates\n  attributes: [x]\n",
                               ["entry #2", "key 'name'", "'custom_rates' is already a model or seed of the project"]),
    "builtin_event_type": ("- event_type: _email.send\n  attributes: [x]\n",
                           ["entry #2", "event_type '_email.send'", "key 'event_type'", "built-in event type"]),
    "event_type_with_space": ("- event_type: add to cart\n  attributes: [x]\n",
                              ["entry #2", "key 'event_type'", "'add to cart' contains whitespace"]),
    "padded_event_type": ("- event_type: ' signup'\n  attributes: [x]\n",
                          ["entry #2", "key 'event_type'", "leading or trailing whitespace"]),
    "blank_event_type": ("- event_type: '   '\n  attributes: [x]\n", ["entry #2", "key 'event_type'", "must not be blank"]),
    "padded_attribute_name": ("- event_type: signup\n  attributes: ['plan ']\n",
                              ["entry #2", "key 'attributes[0].name'", "'plan ' has leading or trailing whitespace"]),
    "blank_attribute_name": ("- event_type: signup\n  attributes: [{name: '', type: int, alias: x}]\n",
                             ["entry #2", "key 'attributes[0].name'", "must not be blank"]),
    "empty_attribute_list": ("- event_type: signup\n  attributes: []\n",
                             ["entry #2", "key 'attributes'", "is an empty list"]),
    "no_attributes": ("- event_type: signup\n", ["entry #2", "key 'attributes'", "no attributes and no metrics"]),
    "description_not_text": ("- event_type: signup\n  attributes: [x]\n  description: 5\n",
                             ["entry #2", "key 'description'", "must be a string, got 5"]),
}


@pytest.mark.parametrize("kind", sorted(INVALID_CASES))
def test_invalid_input_is_reported_and_nothing_written(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, fragments = INVALID_CASES[kind]
    whole = kind in ("bad_yaml", "top_level_not_list")
    (tmp_path / "models" / "intermediate").mkdir(parents=True)
    (tmp_path / "models" / "intermediate" / "int_events.sql").write_text("select 1 as x\n")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "custom_rates.csv").write_text("x\n1\n")
    (tmp_path / "custom_events.yml").write_text(text if whole else VALID_FIRST + text)
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 2
    message = capsys.readouterr().err
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert not (tmp_path / "models" / "custom_events").exists()
    assert not (tmp_path / "macros").exists()


def test_adding_an_existing_event_fails_and_keeps_the_file(tmp_path: Path) -> None:
    (tmp_path / "custom_events.yml").write_text("# ours\n" + VALID_FIRST)
    done = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "add_custom_event.py"), "purchase",
                           "--attributes", "item_id", "--project-dir", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert ("command line (new entry, event_type 'purchase'): event type 'purchase': key 'event_type': event type "
            "'purchase' is already configured by custom_events.yml entry #1 (line 2)") in done.stderr
    assert "line 4" not in done.stderr, "the new entry is not in the file: no line of the file to cite"
    assert (tmp_path / "custom_events.yml").read_text() == "# ours\n" + VALID_FIRST
    assert not (tmp_path / "models").exists()


def test_cli_attribute_type_error_names_the_new_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "custom_events.yml").write_text(VALID_FIRST)
    assert ace.main(["signup", "--attributes", "plan:text", "--project-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert ("command line (new entry, event_type 'signup'): --attributes item 'plan:text': key 'attributes[0].type': "
            "unknown type 'text'") in err
    assert "line 3" not in err and "entry #2" not in err
    assert (tmp_path / "custom_events.yml").read_text() == VALID_FIRST


# --- generated files and --check ---------------------------------------------------------------
def test_check_detects_out_of_date_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "custom_events.yml"
    config.write_text(VALID_FIRST)
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 1  # nothing generated yet
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 0
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 0

    config.write_text(VALID_FIRST + "- event_type: signup\n  attributes: [plan]\n")  # added by hand, not synced
    capsys.readouterr()
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "models/custom_events/custom_signup.sql" in err and "--sync" in err
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 0

    model = tmp_path / "models/custom_events/custom_purchase.sql"
    model.write_text(model.read_text() + "-- edited by hand\n")  # a generated file edited
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 1

    keep = tmp_path / "models/custom_events/audit_custom_event_cast_failures.sql"
    keep.write_text("select 1\n")  # not generated: never touched
    config.write_text(VALID_FIRST)  # signup removed: its files are stale
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 1
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 0
    assert not (tmp_path / "models/custom_events/custom_signup.yml").exists()
    assert keep.exists() and model.read_text() == ace.render_model_sql(cfg.parse_config(VALID_FIRST, "x")[0])
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 0


def test_repository_generated_files_are_up_to_date() -> None:
    assert ace.main(["--check", "--project-dir", str(REPO_ROOT)]) == 0


def test_appending_keeps_comments_and_entries() -> None:
    current = "# header\n\n- event_type: a  # inline\n  attributes: [x]   # flow style, odd spacing\n"
    text = ace.appended_text(current, {"event_type": "b", "attributes": [{"name": "p", "type": "int"}, "q"]})
    # the file as it was, a blank line, then the new entry in the file's block style
    assert text == current + "\n- event_type: b\n  attributes:\n    - name: p\n      type: int\n    - q\n"
    assert [e.event_type for e in cfg.parse_config(text, "f")] == ["a", "b"]
    assert ace.appended_text("# only a comment\n[]\n", {"event_type": "b"}) == "# only a comment\n- event_type: b\n"


@pytest.mark.parametrize("text", [HOSTILE_1, HOSTILE_2, ODD_EVENT_TYPE, "back\\slash '}}' {% x %} \u00e9\U0001f600"])
def test_jinja_literal_round_trips(text: str) -> None:
    template = "{% set v = " + ace.jinja_literal({"k": [text]}) + " %}{{ v | tojson }}"
    assert json.loads(jinja2.Environment().from_string(template).render()) == {"k": [text]}


def test_derived_names() -> None:
    assert cfg.default_model_name("_session.start") == "custom_session_start"
    assert cfg.snake_case("itemId") == "item_id" and cfg.snake_case("Plan Name") == "plan_name"


# --- --remove, and the relations it leaves behind ------------------------------------------------
COMMENTED = """# header comment
# (two lines)

# about purchase
- event_type: purchase   # inline comment, kept
  attributes: [item_id, {name: price, type: double}]

# about signup
# (second line)
- event_type: signup
  attributes:
    - plan
  # a comment inside the entry

- event_type: refund
  attributes: [amount]
"""


def test_add_then_remove_gives_the_file_back_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "custom_events.yml").write_text(COMMENTED)
    assert ace.main(["checkout", "--attributes", "price:double,item_id", "--project-dir", str(tmp_path)]) == 0
    added = (tmp_path / "custom_events.yml").read_text()
    assert added.startswith(COMMENTED) and "event_type: checkout" in added
    assert (tmp_path / "models/custom_events/custom_checkout.sql").exists()
    assert ace.main(["--remove", "custom_checkout", "--project-dir", str(tmp_path)]) == 0
    assert (tmp_path / "custom_events.yml").read_text() == COMMENTED
    assert not (tmp_path / "models/custom_events/custom_checkout.sql").exists()
    assert not (tmp_path / "models/custom_events/custom_checkout.yml").exists()
    assert ace.main(["--check", "--project-dir", str(tmp_path)]) == 0


@pytest.mark.parametrize(("wanted", "expected"), [
    # the middle entry, by event type: its two heading comment lines and its own comment go with it
    ("signup", COMMENTED.replace("# about signup\n# (second line)\n- event_type: signup\n  attributes:\n    - plan\n"
                                 "  # a comment inside the entry\n\n", "")),
    # the first entry, by model name: the file's header stays, the entry's own heading comment goes
    ("custom_purchase", COMMENTED.replace("# about purchase\n- event_type: purchase   # inline comment, kept\n"
                                          "  attributes: [item_id, {name: price, type: double}]\n\n", "")),
    # the last entry: no blank line left at the end
    ("refund", COMMENTED.replace("\n- event_type: refund\n  attributes: [amount]\n", "")),
])
def test_remove_takes_out_one_entry_and_its_heading_comments(tmp_path: Path, wanted: str, expected: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "custom_events.yml").write_text(COMMENTED)
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert ace.main(["--remove", wanted, "--project-dir", str(tmp_path)]) == 0
    assert (tmp_path / "custom_events.yml").read_text() == expected
    out = capsys.readouterr().out
    model = wanted if wanted.startswith("custom_") else f"custom_{wanted}"
    assert f"removed the generated files of {model}" in out
    assert "dbt run-operation drop_custom_event_orphans" in out
    left = {p.name for p in (tmp_path / "models/custom_events").glob("*.sql")}
    assert left == {f"{m}.sql" for m in ("custom_purchase", "custom_signup", "custom_refund")} - {f"{model}.sql"}


def test_remove_of_an_unknown_entry_fails_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "custom_events.yml").write_text(COMMENTED)
    assert ace.main(["--remove", "custom_nothing", "--project-dir", str(tmp_path)]) == 2
    assert "no entry with model name or event type 'custom_nothing'" in capsys.readouterr().err
    assert (tmp_path / "custom_events.yml").read_text() == COMMENTED


def test_sync_after_a_hand_removal_lists_the_models_left_in_the_warehouse(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "custom_events.yml").write_text(COMMENTED)
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 0
    (tmp_path / "custom_events.yml").write_text(COMMENTED.split("\n- event_type: refund")[0] + "\n")
    capsys.readouterr()
    assert ace.main(["--sync", "--project-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "removed the generated files of custom_refund" in out and "drop_custom_event_orphans" in out


def test_orphaned_relations_are_listed_then_dropped(copied: tuple[Path, DbtProject]) -> None:
    """A removed entry's view stays in the warehouse; the run-operation lists it (dry run), then drops only it."""
    project_dir, project = copied
    assert scaffold(project_dir, "refund", "--attributes", "amount:double").returncode == 0
    assert run_dbt(project, project_dir, "run", "-s", "custom_refund", "custom_signup").success
    project.query("create or replace view not_custom_decoy as select 1 as x")
    project.query("create or replace view custom_hand_made as select 1 as x")  # a custom_* relation no model makes

    def relations() -> set[str]:
        return {r[0] for r in project.query("select table_name from information_schema.tables")}

    done = scaffold(project_dir, "--remove", "refund")
    assert done.returncode == 0, done.stderr
    assert "custom_refund" in done.stdout and "drop_custom_event_orphans" in done.stdout
    assert "custom_refund" in relations(), "removing the entry does not touch the warehouse"

    listed = run_dbt(project, project_dir, "run-operation", "drop_custom_event_orphans", "--args", "{dry_run: true}")
    assert listed.success, listed.exception
    assert {"custom_refund", "custom_hand_made"} <= relations(), "a dry run drops nothing"

    dropped = run_dbt(project, project_dir, "run-operation", "drop_custom_event_orphans")
    assert dropped.success, dropped.exception
    left = relations()
    assert "custom_refund" not in left and "custom_hand_made" not in left
    assert {"custom_signup", "not_custom_decoy", "int_events"} <= left


def test_remove_refuses_a_list_in_flow_style(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "[{event_type: a, attributes: [x]}, {event_type: b, attributes: [y]}]\n"
    (tmp_path / "custom_events.yml").write_text(text)
    assert ace.main(["--remove", "a", "--project-dir", str(tmp_path)]) == 2
    assert "flow style" in capsys.readouterr().err
    assert (tmp_path / "custom_events.yml").read_text() == text
