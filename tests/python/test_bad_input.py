"""Bad input gives a clear error naming the path or setting, a failed exit, and nothing half-written."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CORE_SELECTOR, REPO_ROOT, DbtProject, make_project
from engagement_tools import RAW_FILE_GLOB
from raw_events import load_fixture, write_events
from world_events import encode, ses_send, write_lines


def _build_output(project: DbtProject, capfd: pytest.CaptureFixture[str]) -> tuple[bool, str]:
    result = project.invoke("build", "--exclude", "resource_type:unit_test", expect_ok=False)
    return result.success, capfd.readouterr().out


def test_missing_events_folder_is_named(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """No stream at all (make_project's native folders do not exist): one error naming the three paths."""
    missing = tmp_path / "no-such-folder"
    ok, out = _build_output(make_project(tmp_path, missing), capfd)
    assert not ok
    assert "no event files in any stream" in out
    assert f"events_path '{missing}'" in out
    assert f"ses_events_path '{tmp_path / 'no_ses_events'}'" in out


def test_empty_events_folder_is_named(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "events"
    (empty / "2026/10/01/00").mkdir(parents=True)
    ok, out = _build_output(make_project(tmp_path, empty), capfd)
    assert not ok
    assert f"events_path '{empty}'" in out


CORRUPT = {
    "not-parquet.parquet": b"PAR1 this is not a parquet file PAR1",
    "empty.parquet": b"",
    "foreign.parquet": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
}


def test_corrupt_parquet_files_are_skipped_and_audited(
    tmp_path: Path, sample_events: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events"
    shutil.copytree(sample_events, events)
    project = make_project(tmp_path, events)
    project.invoke("run", "--select", "+int_events")
    before = project.query("select count(*), max(ingest_timestamp) from int_events")
    folder = events / "2026/10/01/23"
    folder.mkdir(parents=True)
    for name, body in CORRUPT.items():
        (folder / name).write_bytes(body)
    # a real file, truncated as an interrupted upload leaves it
    whole = next(events.rglob("*.parquet")).read_bytes()
    (folder / "truncated.parquet").write_bytes(whole[: len(whole) // 2])
    expected = sorted(str(folder / name) for name in [*CORRUPT, "truncated.parquet"])
    project.invoke("run", "--select", "+int_events")
    out = capfd.readouterr().out
    assert "skipping 4 unreadable pinpoint file(s)" in out
    audited = project.query("select source_file, problem from audit_unreadable_files order by 1")
    assert [row[0] for row in audited] == expected
    assert all(row[1] for row in audited)
    # the readable files are all still read, nothing else changed
    assert project.query("select count(*), max(ingest_timestamp) from int_events") == before


def test_unreadable_files_can_be_made_fatal(tmp_path: Path, sample_events: Path,
                                            capfd: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events"
    shutil.copytree(sample_events, events)
    corrupt = events / "2026/10/01/23/broken.parquet"
    corrupt.parent.mkdir(parents=True)
    corrupt.write_bytes(CORRUPT["not-parquet.parquet"])
    project = make_project(tmp_path, events, fail_on_unreadable_files=True)
    result = project.invoke("run", "--select", "+int_events", expect_ok=False)
    assert not result.success
    assert str(corrupt) in capfd.readouterr().out


def test_a_gzip_object_that_is_not_gzip_is_skipped(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from world_events import encode, ses_send, write_lines

    ses = tmp_path / "ses" / "2026/11/02/10"
    write_lines(ses, "good.gz", [encode(ses_send("m-1", "Hello", "2026-11-02T10:00:00.000Z"))], gzipped=True)
    (ses / "bad.gz").write_bytes(b"\x1f\x8b garbage, not a deflate stream")
    project = make_project(tmp_path, tmp_path / "no_events", ses_events_path=str(tmp_path / "ses"))
    project.invoke("run", "--select", "+int_events")
    assert project.query("select source_file from audit_unreadable_files") == [(str(ses / "bad.gz"),)]
    assert project.query("select message_id from int_events") == [("m-1",)]


def test_unknown_target_is_named(tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "debug", "--target", "no_such_target",
         "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert completed.returncode != 0
    assert "no_such_target" in completed.stdout + completed.stderr


def test_raw_objects_are_read_by_name_as_athena_reads_them(tmp_path: Path) -> None:
    """Decision 69: every object in a stream folder is read whatever its extension (Firehose names a Parquet
    object .parquet, or a JSON one .gz, only when so configured), and names starting with '.' or '_' are
    skipped as Athena skips them (_SUCCESS markers, .crc checksums, .DS_Store), not read nor audited."""
    events = [e for e in load_fixture() if not e["event_type"].startswith("_SMS.")]
    root = tmp_path / "events"
    files = write_events(events, root)
    extensionless = files[0].with_name("engagement-events-1-2026-10-01-09-00-00-6f1c")
    files[0].rename(extensionless)
    for hidden in ("_SUCCESS", ".DS_Store", ".part-0001.parquet.crc"):
        (files[-1].parent / hidden).write_bytes(b"\x00\x01 not data")
    ses_folder = tmp_path / "ses_events" / "2026" / "11" / "02" / "10"
    write_lines(ses_folder, "ses-stream-1-2026-11-02-10-00-00-b7e2",
                [encode(ses_send("ses-no-extension", "Hello", "2026-11-02T10:00:00.000Z"))])
    (ses_folder / ".DS_Store").write_bytes(b"\x00\x05\x16\x07 Bud1")

    project = make_project(tmp_path, root, ses_events_path=str(tmp_path / "ses_events"))
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    sends = sum(e["event_type"] == "_email.send" for e in events)
    assert project.query("select count(*) from email_send where source_system = 'pinpoint'") == [(sends,)]
    assert project.query("select count(*) from email_send where message_id = 'ses-no-extension'") == [(1,)]
    read = {row[0] for row in project.query("select distinct source_file from int_validated_events")}
    assert str(extensionless) in read
    assert not [name for name in read if Path(name).name.startswith((".", "_"))]
    assert project.query("select count(*) from audit_unreadable_files") == [(0,)]
    assert project.query("select count(*) from audit_rejected_events") == [(0,)]


def test_sources_read_the_raw_file_glob() -> None:
    """The three sources' external_location read `<path>/**/<glob>` with the glob of macro raw_file_glob (and
    scripts' RAW_FILE_GLOB): skip_unreadable_files swaps exactly that text for a list of files, so a source
    spelling another glob would be read whole on every incremental run and past its unreadable files."""
    macro = (REPO_ROOT / "macros" / "cross_engine" / "source_reading.sql").read_text()
    assert f"{{{{- return('{RAW_FILE_GLOB}') -}}}}" in macro
    for stream, table in (("pinpoint", "all_events"), ("ses", "ses_events"), ("sms", "sms_events")):
        spec = yaml.safe_load((REPO_ROOT / "models" / "sources" / f"src_{stream}.yml").read_text())
        tables = {t["name"]: t for source in spec["sources"] for t in source["tables"]}
        location = tables[table]["meta"]["external_location"]
        assert f"/**/{RAW_FILE_GLOB}'," in location, stream


def test_files_in_hidden_folders_are_not_read_as_athena_does_not(tmp_path: Path,
                                                                 capfd: pytest.CaptureFixture[str]) -> None:
    """Decision 71: Athena and Trino skip every object within a folder whose name starts with '.' or '_' (a job's
    _temporary folder, a .staging copy), not only such names. Copies of a Pinpoint file and an SES object put
    there are not read, are listed in audit_unreadable_files for that reason, and do not stop a build that
    makes unreadable files fatal; a folder above the stream path with such a name changes nothing. A stream
    whose only object sits in such a folder is an empty stream, and the build's first lines say so."""
    events = [e for e in load_fixture() if not e["event_type"].startswith("_SMS.")]
    root = tmp_path / ".data" / "events"   # a hidden folder above the stream path is not inside the stream
    files = write_events(events, root)
    hidden = [files[0].parent / "_temporary" / "0" / files[0].name, root / ".staging" / files[1].name]
    for copy, original in zip(hidden, files):
        copy.parent.mkdir(parents=True)
        shutil.copyfile(original, copy)
    ses_folder = tmp_path / "ses_events" / "2026" / "11" / "02" / "10"
    write_lines(ses_folder, "ses-1", [encode(ses_send("ses-visible", "Hello", "2026-11-02T10:00:00.000Z"))])
    write_lines(ses_folder / ".tmp", "ses-2", [encode(ses_send("ses-hidden", "Hello", "2026-11-02T10:00:00.000Z"))])

    sms_folder = tmp_path / "sms_events" / "2026" / "11" / "02" / "10" / "_temporary"
    write_lines(sms_folder, "sms-1", [b"{}"])

    project = make_project(tmp_path, root, ses_events_path=str(tmp_path / "ses_events"),
                           sms_events_path=str(tmp_path / "sms_events"), fail_on_unreadable_files=True)
    capfd.readouterr()
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    out = capfd.readouterr().out
    assert f"{len(files)} files in '{root}', ingest hours" in out
    assert "(and 2 within folders whose names start with . or _, not read)" in out
    assert (f"sms (sms_events_path): no files in '{tmp_path / 'sms_events'}' (and 1 within folders whose names "
            "start with . or _, not read): an empty stream") in out
    read = {row[0] for row in project.query("select distinct source_file from int_validated_events")}
    assert read == {str(path) for path in files} | {str(ses_folder / "ses-1")}
    assert project.query("select count(*) from int_validated_events where message_id = 'ses-hidden'") == [(0,)]
    audited = project.query("select source_system, source_file, problem from audit_unreadable_files order by 2")
    assert [(row[0], row[1]) for row in audited] == sorted(
        [("pinpoint", str(path)) for path in hidden] + [("ses", str(ses_folder / ".tmp" / "ses-2")),
                                                         ("sms", str(sms_folder / "sms-1"))], key=lambda r: r[1])
    assert all("folder whose name starts with . or _" in row[2] for row in audited)


def _stored_failures(project: DbtProject, test_name: str) -> str:
    """The table dbt stored a warn test's rows in (store_failures), schema-qualified; exactly one."""
    schema = project.query(f"select table_schema from information_schema.tables where table_name = '{test_name}'")
    assert len(schema) == 1, schema
    return f"{schema[0][0]}.{test_name}"


def test_message_events_without_a_message_id_warn_and_are_kept(tmp_path: Path) -> None:
    """A producer that leaves out the mail object's message_id of an email open and the message_id attribute of
    an SMS opt-out: the build warns instead of stopping (the source controls it), the events stay in their
    views, the opt-out still suppresses its number, and dbt stores the events for the warning."""
    events = load_fixture()
    stripped = []
    for event in events:
        if event["event_type"] in ("_email.open", "_SMS.OPTOUT"):
            (event.get("attributes") or {}).pop("message_id", None)
            mail = ((event.get("facets") or {}).get("email_channel") or {}).get("mail_event", {}).get("mail")
            if mail:
                mail.pop("message_id", None)
            stripped.append(event)
    opt_outs = [e["attributes"]["destination_phone_number"] for e in stripped if e["event_type"] == "_SMS.OPTOUT"]
    opens = [e for e in stripped if e["event_type"] == "_email.open"]
    assert opt_outs and opens
    root = tmp_path / "events"
    write_events(events, root)
    project = make_project(tmp_path, root)
    project.invoke("build", "--exclude", "resource_type:unit_test")
    assert project.query("select message_id, destination_phone_number from sms_optout") == [(None, p) for p in opt_outs]
    assert project.query("select count(*), count(message_id) from email_open") == [(len(opens), 0)]
    suppressed = {row[0] for row in project.query("select address from suppression_list where reason = 'sms_opt_out'")}
    assert suppressed == set(opt_outs)
    stored = _stored_failures(project, "assert_message_events_have_message_id")
    assert project.query(f"select count(*) from {stored}") == [(len(stripped),)]


def test_a_pinpoint_bounce_whose_kind_disagrees_with_the_seed_warns(tmp_path: Path) -> None:
    """Pinpoint wrote its own event type: a soft bounce whose pair the seed counts as hard is the source's
    business (a warning, the pair stored for it), not a failed build; the event stays a soft bounce."""
    events = load_fixture()
    soft = [e for e in events if e["event_type"] == "_email.softbounce"]
    assert soft
    for event in soft:
        bounce = event["facets"]["email_channel"]["mail_event"]["bounce"]
        bounce["bounce_type"], bounce["bounce_sub_type"] = "Permanent", "General"
    root = tmp_path / "events"
    write_events(events, root)
    project = make_project(tmp_path, root)
    project.invoke("build", "--exclude", "resource_type:unit_test")
    assert project.query("select count(*) from email_softbounce where bounce_type = 'Permanent'") == [(len(soft),)]
    stored = _stored_failures(project, "assert_bounce_types_known")
    assert project.query(f"select bounce_type, source_system, event_type, bounce_events, problem from {stored}") == [
        ("Permanent", "pinpoint", "_email.softbounce", len(soft), "the seed counts the pair as hard bounce")]
