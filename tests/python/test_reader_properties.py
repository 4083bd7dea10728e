"""Property-based tests of the native line reader and parser: any valid UTF-8, any JSON shape, any bytes.

The SQL under test is the project's own: `base_ses_events` and `base_sms_events` compiled once by dbt
against a folder, then run directly on DuckDB after each example rewrites that folder. The oracle is
Python's own UTF-8 decoder and JSON encoder.
"""
from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import make_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HOUR = "2026/11/02/10"
# any Unicode scalar value (surrogates cannot be encoded as UTF-8)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats(allow_nan=False)
    | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
RAW_LINE = st.binary(min_size=1, max_size=60).filter(
    lambda b: b"\n" not in b and b"\r" not in b and b"\x1e\x1f" not in b and b.strip(b" ") != b"")
SNS_NOTIFICATION = "an SES notification (notificationType), not an event publishing record (eventType)"
RUN_TOGETHER = "several JSON objects run together on one line (a Firehose stream without its newline delimiter)"
PROPERTY_SETTINGS = settings(max_examples=40, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class CompiledReader:
    """The compiled SELECT of one native base model, over a folder each example rewrites."""

    def __init__(self, sql: str, folder: Path) -> None:
        self.sql = sql
        self.folder = folder

    def read(self, lines: list[bytes], gzipped: bool) -> tuple[list[tuple[Any, ...]], int]:
        for old in self.folder.rglob("*"):
            if old.is_file():
                old.unlink()
        body = b"\n".join(lines) + b"\n"
        target = self.folder / HOUR / ("object.gz" if gzipped else "object")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(body) if gzipped else body)
        con = duckdb.connect()
        try:
            con.execute("set TimeZone = 'UTC'")
            rows = con.execute(f"select event_type, subject, rejection_detail from ({self.sql})").fetchall()
            rejected = con.execute("select count(*) from temp.main.engagement_ses_rejects").fetchone()
            return rows, int(rejected[0]) if rejected else 0
        finally:
            con.close()


@pytest.fixture(scope="module")
def ses_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompiledReader]:
    root = tmp_path_factory.mktemp("reader_properties")
    folder = root / "ses"
    (folder / HOUR).mkdir(parents=True)
    (folder / HOUR / "object").write_bytes(b"{}\n")  # the stream must have a file when compiled
    project = make_project(root, root / "no_events", ses_events_path=str(folder))
    project.invoke("compile", "--select", "base_ses_events")
    compiled = next((project.target_path / "compiled").rglob("base_ses_events.sql")).read_text()
    # the compiled model is a plain select (config and comments are gone); drop a trailing semicolon
    yield CompiledReader(re.sub(r";\s*$", "", compiled.strip()), folder)


def _send(subject: str) -> dict[str, Any]:
    return {"eventType": "Send", "send": {}, "mail": {
        "timestamp": "2026-11-02T10:00:00.000Z", "messageId": "m", "source": "a@example.com",
        "destination": ["b@example.org"], "commonHeaders": {"subject": subject}}}


@PROPERTY_SETTINGS
@given(subjects=st.lists(TEXT, min_size=1, max_size=8), ascii_only=st.booleans(), gzipped=st.booleans())
def test_any_valid_utf8_reaches_the_base_model_unchanged(ses_reader: CompiledReader, subjects: list[str],
                                                         ascii_only: bool, gzipped: bool) -> None:
    lines = [json.dumps(_send(s), ensure_ascii=ascii_only).encode("utf-8") for s in subjects]
    rows, rejected = ses_reader.read(lines, gzipped)
    assert rejected == 0
    assert sorted(r[1] for r in rows) == sorted(subjects)
    assert {r[0] for r in rows} == {"_email.send"}


@PROPERTY_SETTINGS
@given(values=st.lists(JSON_VALUES, min_size=1, max_size=6))
def test_any_json_shape_is_a_row_never_an_error(ses_reader: CompiledReader, values: list[Any]) -> None:
    lines = [json.dumps(v, ensure_ascii=False).encode("utf-8") for v in values]
    lines = [line for line in lines if line.strip(b" ")]
    rows, rejected = ses_reader.read(lines, gzipped=False)
    assert rejected == 0
    assert len(rows) == len(lines)
    for event_type, _, detail in rows:
        # none of these is an SES record: each is rejected with a reason, none is guessed
        assert event_type is None and detail


def test_each_kind_of_non_record_line_is_named(ses_reader: CompiledReader) -> None:
    """The reason a line is not a record, by what the line is: not JSON, objects run together, JSON that is
    no object, an SES notification, an object without the stream's first field (eventType). Decision 66
    checks that field before the JSON type."""
    lines = {b"{oops": "not JSON", b"[1, 2]": "JSON, but not an object", b'"text"': "JSON, but not an object",
             b"42": "JSON, but not an object", b'{"foo": 1}': "JSON object without a eventType text",
             b'{"eventType": "Send"}{"eventType": "Open"}': RUN_TOGETHER, b"{} \t{}": RUN_TOGETHER,
             b'{"eventType": "Send"}{oops': "not JSON", b'{"a": "}{"}}{': "not JSON",
             b'{"notificationType": "Bounce", "mail": {}}': SNS_NOTIFICATION}
    rows, rejected = ses_reader.read(list(lines), gzipped=False)
    assert rejected == 0
    assert sorted(detail for _, _, detail in rows) == sorted(lines.values())


@PROPERTY_SETTINGS
@given(objects=st.lists(st.dictionaries(TEXT, JSON_VALUES, max_size=4), min_size=2, max_size=4),
       gaps=st.lists(st.sampled_from(["", " ", "\t", "  "]), min_size=3, max_size=3), ascii_only=st.booleans())
def test_objects_run_together_on_one_line_are_named_so(ses_reader: CompiledReader, objects: list[dict[str, Any]],
                                                      gaps: list[str], ascii_only: bool) -> None:
    """Firehose writes records back to back unless its newline delimiter is on: any two or more JSON
    objects on one line, with or without spaces between them, are one rejected line that says so."""
    pieces = [json.dumps(o, ensure_ascii=ascii_only) for o in objects]
    line = pieces[0] + "".join(gap + piece for gap, piece in zip(gaps, pieces[1:]))
    rows, rejected = ses_reader.read([line.encode("utf-8")], gzipped=False)
    assert rejected == 0
    assert rows == [(None, None, RUN_TOGETHER)]


@PROPERTY_SETTINGS
@given(lines=st.lists(RAW_LINE, min_size=1, max_size=8), gzipped=st.booleans())
def test_any_bytes_are_read_or_counted_as_undecodable(ses_reader: CompiledReader, lines: list[bytes],
                                                      gzipped: bool) -> None:
    rows, rejected = ses_reader.read(lines, gzipped)

    def decodes(line: bytes) -> bool:
        try:
            line.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    # a line that decodes is a row (unless it is only spaces: the base model skips those, as DuckDB's
    # trim() removes spaces only); one that does not decode is in the reject table
    readable = [line for line in lines if decodes(line) and line.decode("utf-8").strip(" ") != ""]
    undecodable = [line for line in lines if not decodes(line)]
    assert len(rows) == len(readable)
    assert rejected == len(undecodable)
