"""Rows that cannot be interpreted are kept in the audit with their file and reason; nothing is lost."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from conftest import CORE_SELECTOR, make_project
from raw_events import load_fixture, write_events


def _variant(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed.update(changes)
    return changed


def test_uninterpretable_rows_are_audited_not_dropped(tmp_path: Path) -> None:
    events = load_fixture()
    send = next(e for e in events if e["event_type"] == "_email.send")
    bad = [
        _variant(send, event_type=None, arrival_timestamp=send["arrival_timestamp"] + 1),
        _variant(send, event_timestamp=None, arrival_timestamp=send["arrival_timestamp"] + 2),
        _variant(send, arrival_timestamp=0),
    ]
    root = tmp_path / "events"
    write_events(events, root)
    write_events(bad, root, file_name="part-bad.parquet")
    # A file outside the YYYY/MM/DD/HH/ layout: no ingest hour can be derived for its rows.
    stray = write_events([_variant(send, _folder="misc")], root, file_name="stray.parquet")[0]

    project = make_project(tmp_path, root)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")

    audited = sorted(project.query("select rejection_reason, source_file from audit_rejected_events"))
    reasons = [reason for reason, _ in audited]
    assert reasons == sorted([
        "missing event_type",
        "missing event_timestamp",
        "timestamp before 2010-01-01",
        "no ingest hour: the file is outside the YYYY/MM/DD/HH/ folder layout",
    ])
    assert ("no ingest hour: the file is outside the YYYY/MM/DD/HH/ folder layout", str(stray)) in audited
    # The good rows are all modelled; the bad ones are in no view.
    assert project.query("select count(*) from int_events") == [(len(events),)]
    assert project.query("select count(*) from email_send") == [(sum(e["event_type"] == "_email.send" for e in events),)]


def test_unmapped_event_types_are_counted_per_hour(tmp_path: Path) -> None:
    events = load_fixture()
    root = tmp_path / "events"
    write_events(events, root)
    project = make_project(tmp_path, root)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    unmapped = project.query("select event_type, event_count from audit_unmapped_events")
    # `purchase` is a configured custom event; `_session.start` is covered by nothing.
    assert unmapped == [("_session.start", 1)]
