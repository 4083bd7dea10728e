"""After Pinpoint: SES event publishing and End User Messaging SMS records land in the same views and marts.

The generator renders the same message lifecycles in the Pinpoint format, in the native formats, and as a
mixed history (Pinpoint before a cut-over, native after, an overlap written in both). The oracle is the
Pinpoint build of the same lifecycles: the native and the mixed builds must give the same view rows on
the columns both formats carry, the same marts, and the same event counts (no gap, no double count).
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import CORE_SELECTOR, REPO_ROOT, SCRIPTS, DbtProject, make_project
from raw_events import load_fixture, write_events

SEED, EVENTS, HOURS, START = 11, 1500, 4, "2026-10-01T00:00:00Z"
CUTOVER = "2026-10-01T02:00:00Z"
HAS_MARTS = (REPO_ROOT / "models" / "marts").is_dir()
# with their seeds and the custom-event models the conversions read
SELECT = [CORE_SELECTOR, "+path:models/marts"] if HAS_MARTS else [CORE_SELECTOR]

LEAD = ["event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
        "pinpoint_campaign_id", "pinpoint_treatment_id", "aws_account_id"]
EMAIL_VIEWS = ["email_send", "email_delivered", "email_open", "email_click", "email_unsubscribe",
               "email_hardbounce", "email_softbounce", "email_complaint", "email_rejected", "email_rendering_failure"]
SMS_VIEWS = ["sms_buffered", "sms_success", "sms_failure", "sms_optout"]
# Columns a stream has no counterpart for (NULL in its rows), or carries with another meaning, per
# docs/native_sources.md; plus where each copy was filed (ingest hour) and which stream it came from.
NOT_CARRIED = {
    "ses": {"application_id", "endpoint_id", "pinpoint_campaign_id", "pinpoint_treatment_id", "message_tags",
            "ingest_timestamp", "source_system"},
    "sms": {"application_id", "endpoint_id", "pinpoint_campaign_id", "pinpoint_treatment_id", "aws_account_id",
            "sender_request_id", "arrival_timestamp", "ingest_timestamp", "source_system"},
}
# SES Send, Reject and Rendering Failure records carry no time of their own: arrival = send time.
NO_OWN_TIME = {"email_send", "email_rejected", "email_rendering_failure"}
MART_COLUMNS = {
    "fct_email_messages": ["message_id", "sent_at", "from_address", "destination", "subject", "is_sent",
                           "is_delivered", "is_opened", "is_clicked", "is_unsubscribed", "is_hard_bounced",
                           "is_soft_bounced", "is_complained", "is_rejected", "is_rendering_failed",
                           "first_delivered_at", "first_open_at", "last_open_at", "first_click_at", "last_click_at",
                           "hard_bounce_sub_type", "soft_bounce_sub_type", "send_events", "delivery_events",
                           "open_events", "click_events", "hard_bounce_events", "soft_bounce_events",
                           "complaint_events", "reject_events"],
    "fct_sms_messages": ["message_id", "sent_at", "iso_country_code", "message_type", "origination_phone_number",
                         "destination_phone_number", "message_parts", "outcome", "is_opted_out",
                         "price_in_millicents_usd", "message_tags", "buffered_events", "success_events",
                         "failure_events", "optout_events"],
}


def _generate(*args: str) -> None:
    subprocess.run([sys.executable, str(SCRIPTS / "generate_events.py"), "--events", str(EVENTS), "--seed", str(SEED),
                    "--hours", str(HOURS), "--start", START, "--quiet", *args], check=True)


def _build(root: Path, events: Path, ses: Path, sms: Path) -> DbtProject:
    project = make_project(root, events, ses_events_path=str(ses), sms_events_path=str(sms))
    project.invoke("build", "--select", *SELECT, "--indirect-selection", "cautious", "--exclude", "resource_type:unit_test")
    return project


def _rows(project: DbtProject, relation: str, columns: list[str]) -> list[str]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    return sorted(json.dumps(list(r), default=str) for r in project.query(f"select {quoted} from {relation}"))


def _columns(project: DbtProject, relation: str) -> list[str]:
    return [r[0] for r in project.query(f"describe {relation}")]


def _one_custom_event(folder: Path) -> None:
    """A Pinpoint folder holding a single app event: the native-only build still has a Pinpoint source."""
    custom = next(e for e in load_fixture() if not e["event_type"].startswith("_"))
    write_events([{**custom, "_folder": "2026/10/01/00"}], folder)


@pytest.fixture(scope="module")
def pinpoint_build(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    root = tmp_path_factory.mktemp("native_pinpoint")
    _generate("--out", str(root / "events"))
    # the native folders do not exist: a Pinpoint-only warehouse must build unchanged
    return _build(root, root / "events", root / "no_ses", root / "no_sms")


@pytest.fixture(scope="module")
def native_build(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    root = tmp_path_factory.mktemp("native_only")
    _generate("--format", "ses", "--ses-out", str(root / "ses"))
    _generate("--format", "sms", "--sms-out", str(root / "sms"), "--no-gzip")
    _one_custom_event(root / "events")
    return _build(root, root / "events", root / "ses", root / "sms")


@pytest.fixture(scope="module")
def mixed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("native_mixed_files")
    _generate("--format", "mixed", "--cutover", CUTOVER, "--out", str(root / "events"),
              "--ses-out", str(root / "ses"), "--sms-out", str(root / "sms"))
    return root


@pytest.fixture(scope="module")
def mixed_build(tmp_path_factory: pytest.TempPathFactory, mixed_root: Path) -> DbtProject:
    root = tmp_path_factory.mktemp("native_mixed")
    return _build(root, mixed_root / "events", mixed_root / "ses", mixed_root / "sms")


def test_missing_native_folders_give_empty_sources(pinpoint_build: DbtProject) -> None:
    assert pinpoint_build.query("select count(*) from base_ses_events") == [(0,)]
    assert pinpoint_build.query("select count(*) from base_sms_events") == [(0,)]
    assert pinpoint_build.query("select distinct source_system from int_events") == [("pinpoint",)]


@pytest.mark.parametrize("view", EMAIL_VIEWS + SMS_VIEWS)
def test_native_rows_equal_pinpoint_rows(pinpoint_build: DbtProject, native_build: DbtProject, view: str) -> None:
    stream = "sms" if view.startswith("sms_") else "ses"
    columns = _columns(pinpoint_build, view)
    assert columns == _columns(native_build, view), f"{view}: both builds must have the same columns"
    assert columns[-1] == "source_system", f"{view}: source_system must be the last column"
    skip = NOT_CARRIED[stream] | ({"arrival_timestamp"} if view in NO_OWN_TIME else set())
    shared = [c for c in columns if c not in skip]
    expected = _rows(pinpoint_build, view, shared)
    if view not in ("email_rendering_failure", "email_unsubscribe", "email_complaint", "sms_optout"):
        assert expected, f"the generated lifecycles have no {view} row: the comparison would prove nothing"
    assert _rows(native_build, view, shared) == expected
    sources = {r[0] for r in native_build.query(f"select distinct source_system from {view}")}
    assert sources <= {stream}


@pytest.mark.skipif(not HAS_MARTS, reason="no marts yet")
@pytest.mark.parametrize("mart", sorted(MART_COLUMNS))
def test_native_marts_equal_pinpoint_marts(pinpoint_build: DbtProject, native_build: DbtProject, mart: str) -> None:
    expected = _rows(pinpoint_build, mart, MART_COLUMNS[mart])
    assert expected
    assert _rows(native_build, mart, MART_COLUMNS[mart]) == expected


def test_native_sms_rows_are_marked(native_build: DbtProject) -> None:
    rows = dict(native_build.query("select is_final, count(*) from int_events where source_system = 'sms' group by 1"))
    assert rows.get(False) and rows.get(True), "intermediate (isFinal false) events are kept and marked"
    assert native_build.query(
        "select count(*) from int_events where source_system = 'sms' and not is_final "
        "and event_type != '_SMS.BUFFERED'") == [(0,)]


def test_mixed_history_has_no_gap_and_no_double_count(pinpoint_build: DbtProject, mixed_build: DbtProject) -> None:
    message_types = ("select event_type, {group} count(*) from int_events "
                     "where substr(event_type, 1, 7) = '_email.' or substr(event_type, 1, 5) = '_SMS.' "
                     "group by all order by all")
    assert mixed_build.query(message_types.format(group="")) == pinpoint_build.query(message_types.format(group=""))
    per_hour = message_types.format(group="date_trunc('hour', event_timestamp) as event_hour,")
    assert mixed_build.query(per_hour) == pinpoint_build.query(per_hour), "an hour gained or lost events"
    sources = dict(mixed_build.query("select source_system, count(*) from int_events group by 1"))
    assert set(sources) == {"pinpoint", "ses", "sms"}
    # the switch-over overlap really put some events in both formats, and they were kept once
    base = mixed_build.query(
        "select count(*) from (select message_event_key from int_events where message_event_key is not null) k "
        "join (select message_event_key from base_ses_events union all select message_event_key from base_sms_events) n "
        "using (message_event_key) join (select message_event_key from base_pinpoint_events) p using (message_event_key)")
    assert base[0][0] > 0, "the generator wrote no event in both formats"


@pytest.mark.skipif(not HAS_MARTS, reason="no marts yet")
def test_mixed_history_marts_match(pinpoint_build: DbtProject, mixed_build: DbtProject) -> None:
    for mart, columns in MART_COLUMNS.items():
        assert _rows(mixed_build, mart, columns) == _rows(pinpoint_build, mart, columns), mart


def test_mixed_history_loaded_incrementally_matches_full_build(tmp_path: Path, mixed_root: Path,
                                                               mixed_build: DbtProject) -> None:
    """Hours arrive one run at a time (the overlap copies in different runs): still each event once."""
    folders = {"events": tmp_path / "events", "ses": tmp_path / "ses", "sms": tmp_path / "sms"}
    project = make_project(tmp_path, folders["events"], ses_events_path=str(folders["ses"]),
                           sms_events_path=str(folders["sms"]))
    hours = sorted({p.relative_to(mixed_root / name).parent.as_posix()
                    for name in folders for p in (mixed_root / name).rglob("*") if p.is_file()})
    for batch in ([hour] for hour in hours):
        for name, target in folders.items():
            for hour in batch:
                if (mixed_root / name / hour).is_dir():
                    shutil.copytree(mixed_root / name / hour, target / hour)
        project.invoke("run", "--select", "+int_events", vars={"incremental_lookback_hours": 1})
    query = "select source_system, event_type, count(*) from int_events group by all order by all"
    assert project.query(query) == mixed_build.query(query)


def test_corrupt_lines_are_audited_not_fatal(tmp_path: Path) -> None:
    send = {"eventType": "Send", "send": {}, "mail": {
        "timestamp": "2026-10-01T00:10:00.123Z", "messageId": "0100-abc-000000", "source": "news@example.com",
        "sendingAccountId": "123456789012", "destination": ["a@example.net"],
        "commonHeaders": {"from": ["news@example.com"], "to": ["a@example.net"], "subject": "Hi"},
        "tags": {"campaign": ["autumn"], "ses:configuration-set": ["engagement"]}}}
    sms = {"eventType": "TEXT_DELIVERED", "eventVersion": "1.0", "eventTimestamp": 1790813400456, "isFinal": True,
           "messageId": "sms-1", "messageStatus": "DELIVERED", "destinationPhoneNumber": "+15555550100",
           "isoCountryCode": "US", "messageType": "TRANSACTIONAL", "context": {"k": "v"}, "totalMessageParts": 1,
           "totalMessagePrice": 0.00645, "totalCarrierFee": 0.0}
    bad = [b"this is not json", b'{"unexpected": "shape"}', b"[1, 2, 3]", b'{"eventType": "NoSuchType"}',
           b"\xff\xfe not utf-8 \x01"]
    for stream, record in (("ses", send), ("sms", sms)):
        folder = tmp_path / stream / "2026/10/01/00"
        folder.mkdir(parents=True)
        lines = [json.dumps(record).encode(), *bad, b""]
        (folder / f"{stream}-events-1-plain").write_bytes(b"\n".join(lines))
        # the same good record again, gzip-compressed, in another object: read, and a re-delivery
        (folder / f"{stream}-events-1-compressed.gz").write_bytes(gzip.compress(json.dumps(record).encode() + b"\n"))
    events = tmp_path / "events"
    _one_custom_event(events)
    project = make_project(tmp_path, events, ses_events_path=str(tmp_path / "ses"),
                           sms_events_path=str(tmp_path / "sms"))
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    for stream in ("ses", "sms"):
        rejected = project.query(
            f"select count(*), count(distinct source_file) from base_{stream}_events where event_type is null")
        assert rejected == [(len(bad), 1)], stream
        assert project.query(f"select count(*) from base_{stream}_events where event_type is not null") == [(2,)]
        assert project.query(f"select count(*) from int_events where source_system = '{stream}'") == [(1,)]
    tags = project.query("select message_tags from email_send")
    assert tags == [({"campaign": "autumn", "ses:configuration-set": "engagement"},)]
    assert project.query("select price_in_millicents_usd, message_tags from sms_success") == [(645.0, {"k": "v"})]
    audited = project.query("select source_system, count(*) from audit_rejected_events group by 1 order by 1")
    assert audited == [("ses", len(bad)), ("sms", len(bad))]
    assert project.query("select count(*) from audit_rejected_events where source_file like '%-plain'") == [
        (2 * len(bad),)]


def test_athena_ddl_columns_match_the_record_layout(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import athena_ddl

    capfd.readouterr()
    make_project(tmp_path, tmp_path / "events").invoke("run-operation", "print_native_glue_columns")
    printed = [line.split("|") for line in capfd.readouterr().out.splitlines() if line.count("|") == 2]
    for stream, schema in (("ses", athena_ddl.SES_SCHEMA), ("sms", athena_ddl.SMS_SCHEMA)):
        assert [(name, typ) for s, name, typ in printed if s == stream] == athena_ddl.glue_columns(schema), stream
    ddl = athena_ddl.create_table_ddl("bucket", "ses_events", "due_eventdb", "ses_events", "2026/10/01/00",
                                      "ses_events")
    assert "org.openx.data.jsonserde.JsonSerDe" in ddl and "'ignore.malformed.json' = 'true'" in ddl
    assert "projection.ingest_timestamp.format' = 'yyyy/MM/dd/HH'" in ddl


def test_trino_raw_table_ddl_is_the_scripts_ddl(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The Trino DDL register_trino_raw_tables runs (macro trino_raw_table_ddl, with its placeholders) is
    what `scripts/athena_ddl.py --engine trino` prints: both rendered from models/sources/*.yml."""
    import athena_ddl

    capfd.readouterr()
    make_project(tmp_path, tmp_path / "events").invoke("run-operation", "print_trino_raw_table_ddl")
    out = capfd.readouterr().out
    printed = {}
    for block in out.split("-- layout ")[1:]:
        layout, _, ddl = block.partition("\n")
        printed[layout] = ddl[:ddl.rindex(")") + 1]
    relation, location, start = athena_ddl.TRINO_PLACEHOLDERS
    assert printed == {layout: athena_ddl.trino_create_table_ddl(relation, location, start, layout)
                       for layout in athena_ddl.LAYOUTS}


def test_native_sources_report_freshness(tmp_path: Path, mixed_root: Path) -> None:
    """After Pinpoint's end the native streams are the ones to watch: `dbt source freshness` measures
    each from its newest Firehose hour folder, against the same vars as all_events."""
    project = make_project(tmp_path, mixed_root / "events", ses_events_path=str(mixed_root / "ses"),
                           sms_events_path=str(mixed_root / "sms"))
    newest_hour = {
        f"{stream}_events": max(
            dt.datetime.strptime(p.parent.relative_to(mixed_root / stream).as_posix(), "%Y/%m/%d/%H")
            for p in (mixed_root / stream).rglob("*") if p.is_file())
        for stream in ("ses", "sms")}

    def freshness(vars: dict[str, Any]) -> dict[str, dict[str, Any]]:
        result = project.invoke("source", "freshness", "--select", "source:ses", "source:sms", vars=vars,
                                expect_ok=False)
        assert result.exception is None, result.exception
        rows = json.loads((project.target_path / "sources.json").read_text())["results"]
        return {row["unique_id"].split(".")[-1]: row for row in rows}

    stale = freshness({})
    assert sorted(stale) == ["ses_events", "sms_events"]
    for name, row in stale.items():
        assert row["status"] == "error", name  # the generated hours are weeks old: past the 24 h threshold
        assert row["max_loaded_at"].startswith(newest_hour[name].strftime("%Y-%m-%dT%H:00:00")), (name, row)
    relaxed = freshness({"freshness_warn_after_hours": 10**6, "freshness_error_after_hours": 10**6 + 1})
    assert {name: row["status"] for name, row in relaxed.items()} == {"ses_events": "pass", "sms_events": "pass"}
