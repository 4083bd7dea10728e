"""Event sets written by hand, not by the generator: what a real account sends on its first day.

UTF-8 end to end (emoji, CJK, right-to-left text in subjects, display names and SMS context), a line
that is not valid UTF-8 (audited with its file and line), both spellings of documented enumerations,
undocumented fields, every subset of the three streams, SES clicks on unsubscribe-tagged links, campaign
ids carried in SES tags and the SMS context, and the guard that keeps sample folders away from real ones.
Expected values are the literals written below, never read back from a model.
"""
from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from conftest import CORE_SELECTOR, DbtProject, make_project
from generate_events import mark_sample
from raw_events import load_fixture, write_events
from world_events import (FROM_ADDRESS, SUBJECTS, encode, ses_click, ses_mail, ses_send, sms_record,
                          write_lines)

HOUR = "2026/11/02/10"
SELECT = [CORE_SELECTOR, "+path:models/marts"]  # with what the marts read: seeds, custom-event models
UNDECODABLE = b'{"eventType": "Send", "mail": {"messageId": "bad-bytes", "commonHeaders": {"subject": "\xff\xfe\x80"}}}'
PINPOINT_SUBJECT = "Pinpoint \u00e9t\u00e9 \U0001f31e \u65e5\u672c\u8a9e"


def _write_ses(folder: Path) -> dict[str, Path]:
    sent = "2026-11-02T10:00:00.125Z"
    records = [ses_send(mid, subject, sent) for mid, subject in SUBJECTS.items()]
    plain = [
        # escaped (\\uXXXX, surrogate pairs) and raw UTF-8 must give the same text
        encode(records[0], ascii_only=True),
        encode(records[1]),
        UNDECODABLE,  # line 3: not valid UTF-8
        encode(records[2]),
        b"",
        # a campaign sent after the cut-over: its ids travel in the message tags
        encode(ses_send("ses-campaign", "Autumn sale", sent, tags={
            "campaign_id": ["camp-native"], "treatment_id": ["2"], "journey_id": ["journey-9"],
            "journey_activity_id": ["act-3"], "ses:configuration-set": ["marketing"]})),
        # a bounce with the type in another case, and no bouncedRecipients (optional object missing)
        encode({"eventType": "Bounce", "mail": ses_mail("ses-utf8-1", SUBJECTS["ses-utf8-1"], sent),
                "bounce": {"bounceType": "permanent", "bounceSubType": "General",
                           "timestamp": "2026-11-02T10:00:03.000Z", "feedbackId": "fb-1"}}),
    ]
    clicks = [
        encode(ses_click("ses-utf8-2", SUBJECTS["ses-utf8-2"], sent, "2026-11-02T10:05:00.500Z",
                         "https://example.com/unsubscribe?u=1", {"unsubscribeLinkTag": ["true"]})),
        encode(ses_click("ses-utf8-2", SUBJECTS["ses-utf8-2"], sent, "2026-11-02T10:06:00.750Z",
                         "https://example.com/caf\u00e9", None)),
        encode({"eventType": "open", "mail": ses_mail("ses-utf8-3", SUBJECTS["ses-utf8-3"], sent),
                "open": {"ipAddress": "198.51.100.7", "timestamp": "2026-11-02T11:00:00.000Z",
                         "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"}}),
    ]
    return {
        "plain": write_lines(folder / HOUR, "ses-stream-1-2026-11-02-10-00-00-plain", plain),
        "clicks": write_lines(folder / HOUR, "ses-stream-1-2026-11-02-10-05-00-clicks.gz", clicks, gzipped=True),
    }


def _write_sms(folder: Path) -> None:
    at = 1793613600000  # 2026-11-02T10:40:00Z
    lines = [
        encode(sms_record("eum-sms-1", "TEXT_DELIVERED", "DELIVERED", at, message_type="Transactional",
                          context={"campaign_id": "camp-sms", "journey_id": "journey-s", "note": "\U0001f680 \u00fc"})),
        encode(sms_record("eum-sms-2", "text_successful", "SUCCESSFUL", at + 1000, message_type="PROMOTIONAL")),
    ]
    write_lines(folder / HOUR, "sms-stream-1-2026-11-02-10-40-00", lines)


def _write_pinpoint_with_new_column(folder: Path) -> None:
    """One more Pinpoint file whose writer added a column the Glue schema does not have."""
    import pyarrow.parquet as pq

    source = next(folder.rglob("*.parquet"))
    table = pq.read_table(source)
    widened = table.append_column("vendor_score", pa.array([0.5] * table.num_rows, pa.float64()))
    pq.write_table(widened, source.with_name("part-0002-widened.parquet"), compression="snappy")


def _write_pinpoint(folder: Path) -> None:
    events = []
    for event in load_fixture():
        if event["event_type"] == "_email.send":
            mail = event["facets"]["email_channel"]["mail_event"]["mail"]
            mail["common_headers"]["subject"] = PINPOINT_SUBJECT
        if event["event_type"].startswith("_SMS.") and "message_type" in event["attributes"]:
            # Appendix A's spelling
            event["attributes"]["message_type"] = event["attributes"]["message_type"].title()
        events.append(event)
    write_events(events, folder)
    _write_pinpoint_with_new_column(folder)


@pytest.fixture(scope="module")
def world_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("world")
    _write_pinpoint(root / "events")
    ses = _write_ses(root / "ses")
    _write_sms(root / "sms")
    return {"root": root, "ses_files": ses}


def _project(root: Path, files: Path, streams: tuple[str, ...]) -> DbtProject:
    """A project reading only `streams` from `files` (the others point at folders that do not exist)."""
    paths = {s: str(files / s) if s in streams else str(root / f"absent_{s}") for s in ("events", "ses", "sms")}
    return make_project(root, Path(paths["events"]), ses_events_path=paths["ses"], sms_events_path=paths["sms"])


@pytest.fixture(scope="module")
def world_build(tmp_path_factory: pytest.TempPathFactory, world_files: dict[str, Any]) -> DbtProject:
    project = _project(tmp_path_factory.mktemp("world_build"), world_files["root"], ("events", "ses", "sms"))
    project.invoke("build", "--select", *SELECT, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    return project


def test_utf8_reaches_the_views_byte_for_byte(world_build: DbtProject) -> None:
    rows = dict(world_build.query(
        "select message_id, subject from email_send where source_system = 'ses' and message_id like 'ses-utf8-%'"))
    assert rows == SUBJECTS
    assert {r[0] for r in world_build.query("select from_address from email_send where source_system = 'ses'")} == {
        FROM_ADDRESS}
    pinpoint = world_build.query("select distinct subject from email_send where source_system = 'pinpoint'")
    assert pinpoint == [(PINPOINT_SUBJECT,)]
    tags = world_build.query("select message_tags['note'] from sms_success where message_id = 'eum-sms-1'")
    assert tags == [("\U0001f680 \u00fc",)]
    links = {r[0] for r in world_build.query("select link from email_click where source_system = 'ses'")}
    assert "https://example.com/caf\u00e9" in links


def test_an_undecodable_line_is_audited_with_file_and_line(world_build: DbtProject,
                                                           world_files: dict[str, Any]) -> None:
    rows = world_build.query(
        "select source_file, rejection_detail from audit_rejected_events where source_system = 'ses'")
    assert len(rows) == 1, rows
    source_file, detail = rows[0]
    assert source_file == str(world_files["ses_files"]["plain"])
    assert detail.startswith("line 3: not valid UTF-8"), detail
    # every other line of that object was read
    assert world_build.query(
        f"select count(*) from base_ses_events where source_file = '{source_file}' and event_type is not null"
    ) == [(5,)]


def test_fields_the_schemas_lack_are_reported(world_build: DbtProject) -> None:
    drift = world_build.query("select source_system, field_path, record_count from audit_schema_drift order by 1, 2")
    assert ("pinpoint", "vendor_score", None) in drift
    assert ("sms", "someFieldAwsAddsLater", 2) in drift
    # an undocumented field inside a documented object, in records whose top-level keys are all documented
    assert ("ses", "click.linkPosition") in {(row[0], row[1]) for row in drift}
    # the documented fields, present in every record, are not drift
    assert not [row for row in drift if row[1] in ("eventType", "mail", "mail.commonHeaders", "context")]


def test_enumerations_keep_the_source_spelling(world_build: DbtProject) -> None:
    # views are drop-in: the spelling of the source
    assert world_build.query("select message_type from sms_success where message_id = 'eum-sms-1'") == [
        ("Transactional",)]
    assert world_build.query("select bounce_type from email_hardbounce where message_id = 'ses-utf8-1'") == [
        ("permanent",)]
    # case variants of event types are still mapped
    assert world_build.query("select count(*) from email_open where message_id = 'ses-utf8-3'") == [(1,)]
    assert world_build.query("select count(*) from sms_success where message_id = 'eum-sms-2'") == [(1,)]
    # marts group on one spelling
    types = {r[0] for r in world_build.query("select distinct message_type from fct_sms_messages")}
    assert types <= {"TRANSACTIONAL", "PROMOTIONAL"}, types
    assert "TRANSACTIONAL" in types


def test_source_controlled_values_warn_and_land_in_an_audit(world_build: DbtProject) -> None:
    import json

    results = json.loads((world_build.target_path / "run_results.json").read_text())["results"]
    by_name = {r["unique_id"].split(".")[2]: r for r in results if r["unique_id"].startswith("test.")}
    bounce = next(r for name, r in by_name.items() if name.startswith("accepted_values_email_hardbounce_bounce_type"))
    assert bounce["status"] == "warn" and bounce["failures"] == 1
    audit_tables = {r[0] for r in world_build.query(
        "select table_name from information_schema.tables where table_schema like '%dbt_test__audit'")}
    assert any(t.startswith("accepted_values_email_hardbounce") for t in audit_tables), audit_tables


def test_unsubscribe_click_is_a_click_and_an_unsubscribe(world_build: DbtProject) -> None:
    clicks = sorted(r[0] for r in world_build.query("select link from email_click where message_id = 'ses-utf8-2'"))
    assert clicks == ["https://example.com/caf\u00e9", "https://example.com/unsubscribe?u=1"]
    unsubscribes = world_build.query("select link from email_unsubscribe where message_id = 'ses-utf8-2'")
    assert unsubscribes == [("https://example.com/unsubscribe?u=1",)]
    assert world_build.query(
        "select count(*), count(distinct event_id) from int_events where message_id = 'ses-utf8-2' "
        "and event_type in ('_email.click', '_email.unsubscribe')") == [(3, 3)]


def test_campaign_ids_come_from_ses_tags_and_sms_context(world_build: DbtProject) -> None:
    assert world_build.query(
        "select pinpoint_campaign_id, pinpoint_treatment_id from email_send where message_id = 'ses-campaign'") == [
        ("camp-native", "2")]
    assert world_build.query(
        "select journey_id, journey_activity_id, campaign_activity_id from int_events "
        "where message_id = 'ses-campaign'") == [("journey-9", "act-3", None)]
    assert world_build.query("select pinpoint_campaign_id from sms_success where message_id = 'eum-sms-1'") == [
        ("camp-sms",)]
    assert world_build.query("select journey_id from int_events where message_id = 'eum-sms-1'") == [("journey-s",)]
    # messages without such tags have no campaign, rather than a wrong one
    assert world_build.query(
        "select count(*) from email_send where source_system = 'ses' and pinpoint_campaign_id is not null") == [(1,)]


SUBSETS = [s for n in (1, 2, 3) for s in itertools.combinations(("events", "ses", "sms"), n)]


@pytest.mark.parametrize("streams", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_any_subset_of_streams_builds(tmp_path: Path, world_files: dict[str, Any], streams: tuple[str, ...],
                                      capfd: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, world_files["root"], streams)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    expected = {"events": "pinpoint", "ses": "ses", "sms": "sms"}
    systems = {r[0] for r in project.query("select distinct source_system from int_events")}
    assert systems == {expected[s] for s in streams}
    out = capfd.readouterr().out
    for stream in ("events", "ses", "sms"):
        folder = world_files["root"] / stream
        said = f"files in '{folder}'" in out
        assert said == (stream in streams), (stream, out[-2000:])


def test_no_stream_at_all_names_the_three_paths(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, tmp_path, ())
    result = project.invoke("build", "--select", "int_events", expect_ok=False)
    assert not result.success
    out = capfd.readouterr().out
    for name in ("events", "ses", "sms"):
        assert str(tmp_path / f"absent_{name}") in out


def test_sample_folders_never_mix_with_real_ones(tmp_path: Path, world_files: dict[str, Any],
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    samples = tmp_path / "sample"
    shutil.copytree(world_files["root"] / "ses", samples / "ses_events")
    shutil.copytree(world_files["root"] / "sms", samples / "sms_events")
    mark_sample(samples / "ses_events")
    # the user overrides only events_path; the others still point at the samples
    project = make_project(tmp_path, world_files["root"] / "events", ses_events_path=str(samples / "ses_events"),
                           sms_events_path=str(samples / "sms_events"))
    result = project.invoke("build", "--select", "int_events", expect_ok=False)
    assert not result.success
    out = capfd.readouterr().out
    assert "mix generated sample events" in out and str(samples / "ses_events") in out
    # samples alone are fine (that is what make run builds)
    alone = make_project(tmp_path / "alone", tmp_path / "no_events", ses_events_path=str(samples / "ses_events"),
                         sms_events_path=str(samples / "sms_events"))
    alone.invoke("run", "--select", "+int_events")
    assert alone.query("select count(*) > 0 from int_events") == [(True,)]
