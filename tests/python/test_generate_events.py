# mypy: disable-error-code="import-untyped,import-not-found"
"""Tests for scripts/generate_events.py: schema contract, determinism, Firehose layout, realism, CLI."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_events.py"
REFERENCE = ROOT.parent / "shared" / "reference" / "all_events_glue_schema.txt"
sys.path.insert(0, str(ROOT / "scripts"))

import generate_events as ge  # noqa: E402

START = datetime(2026, 10, 1, tzinfo=timezone.utc)
START_MS = int(START.timestamp() * 1000)
HOUR_MS = 3_600_000
DOCUMENTED_TYPES = {
    "_email.send", "_email.delivered", "_email.open", "_email.click", "_email.unsubscribe",
    "_email.hardbounce", "_email.softbounce", "_email.complaint", "_email.rejected",
    "_SMS.BUFFERED", "_SMS.SUCCESS", "_SMS.FAILURE", "_SMS.OPTOUT", "_campaign.send", "_journey.send",
}
FILE_RE = re.compile(
    r"^(\d{4})/(\d{2})/(\d{2})/(\d{2})/engagement-events-1-(\d{4})-(\d{2})-(\d{2})-(\d{2})-\d{2}-\d{2}-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.parquet$")


# --- an independent Hive type parser (tokenizing, unlike the module's comma splitter)
def _tokens(text: str) -> Iterator[str]:
    yield from (t for t in re.split(r"([<>,:])", text.replace(" ", "")) if t)


def _parse(tokens: list[str], pos: int) -> tuple[pa.DataType, int]:
    word = tokens[pos].lower()
    simple = {"string": pa.string(), "bigint": pa.int64(), "int": pa.int32(),
              "boolean": pa.bool_(), "double": pa.float64()}
    if word in simple:
        return simple[word], pos + 1
    assert tokens[pos + 1] == "<", f"expected < after {word}"
    if word == "array":
        item, pos = _parse(tokens, pos + 2)
        assert tokens[pos] == ">"
        return pa.list_(item), pos + 1
    if word == "map":
        key, pos = _parse(tokens, pos + 2)
        assert tokens[pos] == ","
        value, pos = _parse(tokens, pos + 1)
        assert tokens[pos] == ">"
        return pa.map_(key, value), pos + 1
    assert word == "struct", word
    fields, pos = [], pos + 2
    while True:
        name = tokens[pos]
        assert tokens[pos + 1] == ":"
        typ, pos = _parse(tokens, pos + 2)
        fields.append(pa.field(name, typ))
        if tokens[pos] == ">":
            return pa.struct(fields), pos + 1
        assert tokens[pos] == ","
        pos += 1


def parse_hive(text: str) -> pa.DataType:
    tokens = list(_tokens(text))
    typ, end = _parse(tokens, 0)
    assert end == len(tokens)
    return typ


def reference_section2() -> list[tuple[str, str]]:
    """(name, hive type) of the 13 stored columns in Section 2 of the Glue reference file."""
    if not REFERENCE.exists():
        pytest.skip(f"Glue reference file not found at {REFERENCE}")
    lines = REFERENCE.read_text().splitlines()
    begin = next(i for i, line in enumerate(lines) if line.startswith("# Section 2"))
    cols = []
    for line in lines[begin + 1:]:
        if line.startswith("# Section 3"):
            break
        if line.startswith("#") or not line.strip():
            continue
        pos, name, typ = line.split(None, 2)
        if pos != "partition":
            cols.append((name, typ.strip()))
    return cols


# --- fixtures
def parquet_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.parquet"))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("events")
    summary = ge.generate(out, 20_000, seed=7, start=START, hours=24, progress=False)
    return out, summary


@pytest.fixture(scope="module")
def con(dataset: tuple[Path, Any]) -> duckdb.DuckDBPyConnection:
    out, _ = dataset
    c = duckdb.connect()
    c.execute(f"create view e as select * from read_parquet('{out}/**/*.parquet', filename = true)")
    return c


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


# --- (1) schema
def test_schema_parser_basics() -> None:
    assert ge.hive_to_arrow("map<string,array<bigint>>") == pa.map_(pa.string(), pa.list_(pa.int64()))
    assert ge.hive_to_arrow("struct<a:int,b:struct<c:boolean,d:double>>") == pa.struct(
        [("a", pa.int32()), ("b", pa.struct([("c", pa.bool_()), ("d", pa.float64())]))])
    with pytest.raises(ValueError):
        ge.hive_to_arrow("varchar(10)")


def test_glue_schema_shape() -> None:
    schema = ge.glue_arrow_schema()
    assert len(schema) == 13
    assert schema.names[:3] == ["event_type", "event_timestamp", "arrival_timestamp"]
    assert "awsaccountid" in schema.names and "ingest_timestamp" not in schema.names
    assert all(name == name.lower() for name in schema.names)


def test_glue_schema_matches_reference_file() -> None:
    cols = reference_section2()
    assert len(cols) == 13
    expected = pa.schema([pa.field(name, parse_hive(typ)) for name, typ in cols])
    assert ge.glue_arrow_schema().equals(expected), (ge.glue_arrow_schema(), expected)
    module_lines = [line.split(None, 2) for line in ge.GLUE_SCHEMA.splitlines() if line.strip()]
    assert [(n, t) for _, n, t in module_lines] == cols


def test_every_file_has_glue_schema_and_snappy(dataset: tuple[Path, Any]) -> None:
    out, _ = dataset
    expected = ge.glue_arrow_schema()
    files = parquet_files(out)
    assert files
    for path in files:
        assert pq.read_schema(path).equals(expected), path
        meta = pq.ParquetFile(path).metadata
        assert meta.num_rows > 0
        for rg in range(meta.num_row_groups):
            for col in range(meta.num_columns):
                assert meta.row_group(rg).column(col).compression == "SNAPPY", path


# --- (2) determinism
def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in parquet_files(out)}


def test_same_seed_is_byte_identical_and_other_seed_differs(tmp_path: Path) -> None:
    runs = {}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        ge.generate(tmp_path / name, 2_000, seed=seed, start=START, hours=6, progress=False)
        runs[name] = _snapshot(tmp_path / name)
    assert runs["a"] and list(runs["a"]) == list(runs["b"])
    assert runs["a"] == runs["b"]
    assert set(runs["a"]) != set(runs["c"])
    assert sorted(runs["a"].values()) != sorted(runs["c"].values())


# --- (3) folder layout
def test_folder_layout_and_arrival_hours(dataset: tuple[Path, Any]) -> None:
    out, summary = dataset
    per_folder: dict[str, int] = {}
    behind = late_like = rows = 0
    for path in parquet_files(out):
        rel = path.relative_to(out).as_posix()
        m = FILE_RE.match(rel)
        assert m, rel
        assert m.group(1, 2, 3, 4) == m.group(5, 6, 7, 8), f"file name time not in its folder hour: {rel}"
        folder = rel.rsplit("/", 1)[0]
        per_folder[folder] = per_folder.get(folder, 0) + 1
        hour_start = int(datetime.strptime(folder, "%Y/%m/%d/%H").replace(tzinfo=timezone.utc).timestamp()) * 1000
        arrivals = pq.read_table(path, columns=["arrival_timestamp"]).column(0).to_pylist()
        rows += len(arrivals)
        assert max(arrivals) < hour_start + HOUR_MS, f"event arrived after its folder hour: {rel}"
        behind += sum(a < hour_start for a in arrivals)
        late_like += sum(a < hour_start - HOUR_MS for a in arrivals)   # only late events lag >1 h
    assert rows == summary.events
    assert max(per_folder.values()) <= 3 and sum(n == 3 for n in per_folder.values()) >= 20
    assert behind > 0 and late_like > 0
    assert summary.files == sum(per_folder.values()) and summary.hours == len(per_folder)


def test_time_window_and_milliseconds(con: duckdb.DuckDBPyConnection) -> None:
    lo, hi = con.execute("select min(arrival_timestamp), max(arrival_timestamp) from e").fetchone() or (0, 0)
    assert START_MS <= lo and hi < START_MS + 24 * HOUR_MS
    assert scalar(con, "select count(*) from e where event_timestamp < " + str(START_MS)) == 0
    assert scalar(con, "select count(*) from e where event_timestamp % 1000 = 0 or arrival_timestamp % 1000 = 0") == 0
    assert scalar(con, "select count(*) from e where arrival_timestamp < event_timestamp") == 0


# --- (4) realism
def test_event_mix(con: duckdb.DuckDBPyConnection, dataset: tuple[Path, Any]) -> None:
    _, summary = dataset
    types = {r[0] for r in con.execute("select distinct event_type from e").fetchall()}
    assert DOCUMENTED_TYPES <= types, DOCUMENTED_TYPES - types
    assert {"purchase", "signup", "_session.start"} <= types
    share = dict(con.execute("select split_part(event_type, '.', 1), count(*) / sum(count(*)) over () "
                             "from e group by 1").fetchall())
    assert 0.60 < share["_email"] < 0.75 and 0.15 < share["_SMS"] < 0.25
    assert 0.95 * 20_000 <= summary.unique_events <= 1.05 * 20_000


def test_duplicates_are_exact_and_spread(con: duckdb.DuckDBPyConnection, dataset: tuple[Path, Any]) -> None:
    _, summary = dataset
    total = scalar(con, "select count(*) from e")
    distinct = scalar(con, "select count(*) from (select distinct * exclude (filename) from e)")
    assert total - distinct == summary.duplicates > 0
    assert summary.unique_events == distinct and summary.late_events > 0
    placements = con.execute("""
        with d as (select event_type, event_timestamp, arrival_timestamp, client.client_id as cid,
                          attributes::varchar as a, list(filename order by filename) as files
                   from e group by all having count(*) > 1)
        select count(*) filter (where files[1] = files[2]),
               count(*) filter (where files[1] <> files[2] and regexp_extract(files[1], '(\\d{4}/\\d{2}/\\d{2}/\\d{2})/', 1)
                                                     = regexp_extract(files[2], '(\\d{4}/\\d{2}/\\d{2}/\\d{2})/', 1)),
               count(*) filter (where regexp_extract(files[1], '(\\d{4}/\\d{2}/\\d{2}/\\d{2})/', 1)
                                   <> regexp_extract(files[2], '(\\d{4}/\\d{2}/\\d{2}/\\d{2})/', 1))
        from d""").fetchone()
    assert placements is not None and all(n > 0 for n in placements), placements


def test_email_lifecycle(con: duckdb.DuckDBPyConnection) -> None:
    mail = "facets.email_channel.mail_event"
    assert scalar(con, f"select count(*) from e where event_type like '_email.%' and ({mail}.mail.message_id is null "
                       f"or {mail}.mail.message_send_timestamp <> event_timestamp)") == 0
    assert scalar(con, "select count(*) from e where event_type not like '_email.%' and facets is not null") == 0
    opened_twice = scalar(con, f"""select count(*) from (select {mail}.mail.message_id from e
        where event_type = '_email.open' group by 1 having count(distinct arrival_timestamp) > 1)""")
    assert opened_twice > 0
    out_of_order = scalar(con, f"""select count(*) from (select {mail}.mail.message_id m,
            min(arrival_timestamp) filter (where event_type = '_email.send') s,
            min(arrival_timestamp) filter (where event_type = '_email.delivered') d,
            min(arrival_timestamp) filter (where event_type = '_email.open') o
        from e where event_type like '_email.%' group by 1) where d <= s or o <= d""")
    assert out_of_order == 0
    assert scalar(con, "select count(*) from e where event_type like '_email.%' and attributes is null") > 0
    assert scalar(con, "select count(*) from e where client_context is null") > 0
    assert scalar(con, "select count(*) from e where client_context is not null and client_context.custom is null") > 0
    bounce_sizes = {r[0] for r in con.execute(
        f"select len({mail}.bounce.bounced_recipients) from e where event_type like '_email.%bounce'").fetchall()}
    assert 0 in bounce_sizes and max(bounce_sizes) > 1
    unsub_tags = con.execute(f"select {mail}.click.link_tags.unsubscribelinktag from e "
                             "where event_type = '_email.unsubscribe'").fetchall()
    assert unsub_tags and all(1 <= len(r[0]) <= 2 for r in unsub_tags)
    assert scalar(con, f"select count(*) from e where event_type = '_email.click' and {mail}.click.link_tags is not null") == 0


def test_sms_attributes(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, """select count(*) from e where event_type like '_SMS.%' and
        attributes['customer_context'] is not null and not json_valid(attributes['customer_context'])""") > 0
    prefixes = {"US": "+1", "GB": "+44", "DE": "+49", "FR": "+33", "IN": "+91"}
    rows = con.execute("select attributes['iso_country_code'], attributes['destination_phone_number'] "
                       "from e where event_type like '_SMS.%'").fetchall()
    assert rows and all(phone.startswith(prefixes[iso]) for iso, phone in rows)
    assert scalar(con, "select count(*) from e where event_type in ('_SMS.BUFFERED', '_SMS.SUCCESS', '_SMS.FAILURE') "
                       "and metrics.price_in_millicents_usd is null") == 0
    assert scalar(con, "select count(*) from e where event_type not in ('_SMS.BUFFERED', '_SMS.SUCCESS', "
                       "'_SMS.FAILURE') and metrics is not null") == 0
    statuses = dict(con.execute("select event_type, list(distinct attributes['record_status']) from e "
                                "where event_type like '_SMS.%' group by 1").fetchall())
    assert set(statuses["_SMS.SUCCESS"]) == {"DELIVERED"} and set(statuses["_SMS.OPTOUT"]) == {"OPTED_OUT"}
    assert set(statuses["_SMS.FAILURE"]) <= {"UNREACHABLE", "BLOCKED", "CARRIER_UNREACHABLE", "INVALID", "TTL_EXPIRED"}


def test_custom_events(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("""select cardinality(device.platform), cardinality(session), cardinality(application.sdk),
                                 attributes['price'] from e where event_type = 'purchase'""").fetchall()
    assert rows and all(p == 2 and s == 2 and k == 2 for p, s, k, _ in rows)
    prices = [r[3] for r in rows]
    assert any(re.fullmatch(r"\d+\.\d{2}", p) for p in prices)
    assert scalar(con, "select count(*) from e where event_type like '_email.%' and "
                       "(cardinality(device.platform) > 0 or cardinality(session) > 0)") == 0


# --- (5) CLI
def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_cli_refuses_non_empty_output_and_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "events"
    args = ("--out", str(out), "--events", "500", "--hours", "2", "--seed", "3")
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("wrote ") and str(out) in first.stdout and "duplicates" in first.stdout
    before = _snapshot(out)
    keep = out / "notes.txt"
    keep.write_text("not parquet")
    second = run_cli(*args)
    assert second.returncode == 2
    assert str(out) in second.stderr and "--overwrite" in second.stderr
    assert _snapshot(out) == before
    third = run_cli(*args, "--overwrite", "--quiet")
    assert third.returncode == 0, third.stderr
    assert third.stdout == "" and _snapshot(out) == before and keep.exists()


@pytest.mark.parametrize("args, word", [
    (("--events", "0"), "--events"), (("--events", "-3"), "--events"), (("--hours", "0"), "--hours"),
    (("--files-per-hour", "0"), "--files-per-hour"), (("--start", "yesterday"), "--start"),
])
def test_cli_validates_arguments(tmp_path: Path, args: tuple[str, ...], word: str) -> None:
    result = run_cli("--out", str(tmp_path / "x"), *args)
    assert result.returncode == 2
    assert word in result.stderr
    assert not (tmp_path / "x").exists()


def test_generate_validates_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ge.generate(tmp_path, 0, seed=1, start=START, hours=1)
    ge.generate(tmp_path, 200, seed=1, start=START, hours=1, progress=False)
    with pytest.raises(FileExistsError):
        ge.generate(tmp_path, 200, seed=1, start=START, hours=1, progress=False)


# --- native formats (after Pinpoint): the same lifecycles as SES and End User Messaging SMS records
def _native_lines(folder: Path) -> list[dict[str, Any]]:
    import gzip
    import json

    records: list[Any] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        records.extend(json.loads(line) for line in data.decode().splitlines())
    return records


def test_native_formats_render_the_same_lifecycles(tmp_path: Path) -> None:
    _, _, table = ge._simulate(2_000, 5, START, 6, False)
    kinds = [t.as_py() for t in table.column("event_type")]
    ses = ge.generate_formats(tmp_path / "p", 2_000, 5, START, 6, "ses", ses_out=tmp_path / "ses", progress=False)
    sms = ge.generate_formats(tmp_path / "p", 2_000, 5, START, 6, "sms", sms_out=tmp_path / "sms", progress=False,
                              gzip_files=False)
    assert not (tmp_path / "p").exists(), "a native-only format writes no Pinpoint files"
    assert ses.ses is not None and sms.sms is not None
    assert ses.ses.unique_records == sum(k in ge.SES_TYPES for k in kinds)
    assert sms.sms.unique_records == sum(k.startswith("_SMS.") for k in kinds)
    ses_records, sms_records = _native_lines(tmp_path / "ses"), _native_lines(tmp_path / "sms")
    assert len(ses_records) == ses.ses.records and len(sms_records) == sms.sms.records
    assert all(p.suffix == ".gz" for p in (tmp_path / "ses").rglob("*") if p.is_file())
    assert not any(p.suffix == ".gz" for p in (tmp_path / "sms").rglob("*") if p.is_file())
    assert {r["eventType"] for r in ses_records} <= set(ge.SES_TYPES.values())
    bounce_types = {r["bounce"]["bounceType"] for r in ses_records if r["eventType"] == "Bounce"}
    assert bounce_types == {"Permanent", "Transient"}
    assert {r["isFinal"] for r in sms_records} == {True, False}
    folders = {p.parent.relative_to(tmp_path / "ses").as_posix() for p in (tmp_path / "ses").rglob("*.gz")}
    assert all(re.fullmatch(r"\d{4}/\d{2}/\d{2}/\d{2}", f) for f in folders)


def test_native_formats_are_deterministic(tmp_path: Path) -> None:
    for run in ("a", "b"):
        ge.generate_formats(tmp_path / run / "events", 800, 3, START, 4, "mixed", ses_out=tmp_path / run / "ses",
                            sms_out=tmp_path / run / "sms", progress=False)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and files_a
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_mixed_splits_at_the_cutover_with_an_overlap(tmp_path: Path) -> None:
    cutover = datetime(2026, 10, 1, 3, tzinfo=timezone.utc)
    cut_ms = int(cutover.timestamp() * 1000)
    s = ge.generate_formats(tmp_path / "events", 3_000, 9, START, 6, "mixed", cutover, tmp_path / "ses",
                            tmp_path / "sms", overlap_minutes=20, progress=False)
    assert s.straddling_messages > 0 and s.both_formats > 0
    c = duckdb.connect()
    latest = scalar(c, f"select max(arrival_timestamp) from read_parquet('{tmp_path}/events/**/*.parquet')")
    assert latest < cut_ms
    own_times = [r[k]["timestamp"] for r in _native_lines(tmp_path / "ses")
                 for k in ("delivery", "open", "click", "bounce", "complaint") if k in r]
    earliest = min(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in own_times)
    assert int(earliest.timestamp() * 1000) >= cut_ms - 20 * 60_000
    sms_times = [r["eventTimestamp"] for r in _native_lines(tmp_path / "sms")]
    assert min(sms_times) >= cut_ms - 20 * 60_000


def test_cli_native_formats_refuse_non_empty_output(tmp_path: Path) -> None:
    args = [sys.executable, str(SCRIPT), "--events", "300", "--hours", "2", "--quiet", "--format", "sms",
            "--sms-out", str(tmp_path / "sms")]
    assert subprocess.run(args, capture_output=True, text=True).returncode == 0
    again = subprocess.run(args, capture_output=True, text=True)
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert subprocess.run([*args, "--overwrite"], capture_output=True, text=True).returncode == 0
