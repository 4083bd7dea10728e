"""Files whose schema drifted from the Glue table still build, and no file's rows or fields are lost."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from conftest import CORE_SELECTOR, DbtProject, make_project
from raw_events import load_fixture, write_events


def _rewrite(path: Path, select_sql: str) -> None:
    """Replace a Parquet file with the result of `select_sql` over it (table name: f)."""
    tmp = path.with_suffix(".tmp")
    con = duckdb.connect()
    con.execute(f"create view f as select * from read_parquet('{path}')")
    con.execute(f"copy ({select_sql}) to '{tmp}' (format parquet, compression snappy)")
    con.close()
    tmp.replace(path)


def test_older_and_newer_files_build_together(tmp_path: Path) -> None:
    events: list[dict[str, Any]] = load_fixture()
    sms = [e for e in events if e["event_type"].startswith("_SMS.")]
    email = [e for e in events if not e["event_type"].startswith("_SMS.")]
    root = tmp_path / "events"
    # An "older" producer: files without the metrics and client_context columns at all.
    old_files = write_events(email, root, file_name="old.parquet")
    for path in old_files:
        _rewrite(path, "select * exclude (metrics, client_context) from f")
    # A "newer" producer: an extra top-level column and an extra struct field.
    new_files = write_events(sms, root, file_name="new.parquet")
    for path in new_files:
        _rewrite(path, "select * replace (struct_insert(application, version_name := 'v9') as application), "
                       "'extra' as producer_note from f")

    project = make_project(tmp_path, root)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious", "--exclude", "resource_type:unit_test")

    assert project.query("select count(*) from email_send") == [(sum(e["event_type"] == "_email.send" for e in email),)]
    prices = project.query("select message_id, price_in_millicents_usd from sms_buffered order by 1")
    assert prices == sorted((e["attributes"]["message_id"], e["metrics"]["price_in_millicents_usd"])
                            for e in sms if e["event_type"] == "_SMS.BUFFERED")
    # Older rows have no client_context: their tags are the attributes alone, not NULL.
    tags = project.query("select message_tags from campaign_send")
    assert tags and all(t[0] is not None for t in tags)


def test_a_history_that_lacks_a_glue_column_everywhere_still_builds(tmp_path: Path) -> None:
    """No file has `metrics` or the click struct's link_tags: the flattening still finds them (NULL)."""
    events = [e for e in load_fixture() if not e["event_type"].startswith("_SMS.")]
    root = tmp_path / "events"
    for path in write_events(events, root):
        _rewrite(path, "select * exclude (metrics) replace (struct_pack(email_channel := struct_pack("
                       "mail_event := struct_pack(mail := facets.email_channel.mail_event.mail, "
                       "click := struct_pack(ip_address := facets.email_channel.mail_event.click.ip_address, "
                       "user_agent := facets.email_channel.mail_event.click.user_agent, "
                       "link := facets.email_channel.mail_event.click.link)))) as facets) from f")
    project = make_project(tmp_path, root)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious", "--exclude", "resource_type:unit_test")
    clicks = project.query("select link, unsubscribe_link_tag from email_unsubscribe")
    assert clicks == [("https://example.com/unsub", None)]
    assert project.query("select count(*) from int_events where price_in_millicents_usd is not null") == [(0,)]


def _compiled_base_read(project: DbtProject) -> str:
    """How base_pinpoint_events read the files in the last build: the union_by_name option it compiled to."""
    compiled = (project.target_path / "run" / "engagement_events" / "models" / "staging" / "base"
                / "base_pinpoint_events.sql").read_text()
    options = {option for option in ("union_by_name = true", "union_by_name = false") if option in compiled}
    assert len(options) == 1, compiled
    return options.pop()


def test_files_of_one_schema_are_bound_without_union_by_name(tmp_path: Path) -> None:
    """Decision 60: uniform files are read by the first file's schema (no union_by_name, which opens every file
    while binding); one file whose columns come in another order makes two schemas, read with union_by_name,
    and both builds keep every row."""
    events = [e for e in load_fixture() if not e["event_type"].startswith("_SMS.")]
    root = tmp_path / "events"
    files = write_events(events, root)
    assert len(files) > 1
    expected_sends = sum(e["event_type"] == "_email.send" for e in events)
    expected_links = sorted({e["facets"]["email_channel"]["mail_event"]["click"]["link"] for e in events
                             if e["event_type"] == "_email.click"})

    project = make_project(tmp_path / "uniform", root)
    project.invoke("build", "--select", CORE_SELECTOR, "--exclude", "resource_type:test", "resource_type:unit_test")
    assert _compiled_base_read(project) == "union_by_name = false"
    assert project.query("select count(*) from email_send") == [(expected_sends,)]
    assert project.query("select count(*) from audit_schema_drift") == [(0,)]

    # The same columns in another order in one file: a second schema.
    _rewrite(files[0], "select event_version, * exclude (event_version) from f")
    project = make_project(tmp_path / "mixed", root)
    project.invoke("build", "--select", CORE_SELECTOR, "--exclude", "resource_type:test", "resource_type:unit_test")
    assert _compiled_base_read(project) == "union_by_name = true"
    assert project.query("select count(*) from email_send") == [(expected_sends,)]
    assert [row[0] for row in project.query("select distinct link from email_click order by 1")] == expected_links
    assert project.query("select count(*) from audit_schema_drift") == [(0,)]
