"""Files whose schema drifted from the Glue table still build, and no file's rows or fields are lost."""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
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


def _compiled_base_reads(project: DbtProject) -> list[str]:
    """How base_pinpoint_events read the files in the last build: the union_by_name option of each read_parquet
    call it compiled to, in order."""
    compiled = (project.target_path / "run" / "engagement_events" / "models" / "staging" / "base"
                / "base_pinpoint_events.sql").read_text()
    return re.findall(r"read_parquet\(.*?(union_by_name = (?:true|false))", compiled, flags=re.DOTALL)


def _expected_rows(events: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """The email sends and the distinct clicked links of the fixture events, counted here from the events."""
    sends = sum(e["event_type"] == "_email.send" for e in events)
    links = sorted({e["facets"]["email_channel"]["mail_event"]["click"]["link"] for e in events
                    if e["event_type"] == "_email.click"})
    return sends, links


def _assert_rows(project: DbtProject, events: list[dict[str, Any]]) -> None:
    sends, links = _expected_rows(events)
    assert project.query("select count(*) from email_send") == [(sends,)]
    assert [row[0] for row in project.query("select distinct link from email_click order by 1")] == links
    assert project.query("select count(*) from audit_schema_drift") == [(0,)]


def test_files_are_read_by_schema_group(tmp_path: Path) -> None:
    """Decisions 60 and 61: uniform files are one read by the first file's schema (no union_by_name, which
    opens every file while binding); files of a few schemas (here, columns in another order) are one such read
    per schema, united by name, up to the var pinpoint_schema_groups_max (decision 65); more schemas than it are
    read with a leader file (decision 70); when another dbt invocation built the schema table, the footers are
    read again rather than trusted (decision 73). Every build keeps every row, and audit_pinpoint_file_schemas
    counts the schemas written."""
    events = [e for e in load_fixture() if not e["event_type"].startswith("_SMS.")]

    # One schema: every fixture folder's file as write_events writes it.
    root = tmp_path / "uniform_events"
    files = write_events(events, root)
    assert len(files) > 1
    project = make_project(tmp_path / "uniform", root)
    project.invoke("build", "--select", CORE_SELECTOR, "--exclude", "resource_type:test", "resource_type:unit_test")
    assert _compiled_base_reads(project) == ["union_by_name = false"]
    assert project.query("select count(distinct parquet_schema_id) from audit_pinpoint_file_schemas") == [(1,)]
    _assert_rows(project, events)

    # Two schemas: the same columns in another order in one file.
    _rewrite(files[0], "select event_version, * exclude (event_version) from f")
    project = make_project(tmp_path / "two", root)
    project.invoke("build", "--select", CORE_SELECTOR, "--exclude", "resource_type:test", "resource_type:unit_test")
    assert _compiled_base_reads(project) == ["union_by_name = false", "union_by_name = false"]
    assert project.query("select count(distinct parquet_schema_id) from audit_pinpoint_file_schemas") == [(2,)]
    _assert_rows(project, events)
    # A run that leaves the schema table out does not trust the table of an earlier invocation: it reads the
    # footers itself (a third schema since that build) and still reads each schema apart.
    _rewrite(files[1], "select event_type, * exclude (event_type) from f")
    project.invoke("run", "--select", "base_pinpoint_events")
    assert _compiled_base_reads(project) == ["union_by_name = false"] * 3
    assert project.query("select count(*) from base_pinpoint_events where event_type = '_email.send'") == [
        (sum(e["event_type"] == "_email.send" for e in events),)]

    # 33 schemas: one event per file, each file's first five columns in an order of its own. The 16 events
    # are written two or three times each (re-deliveries, kept once).
    root = tmp_path / "many_events"
    orders = itertools.permutations(["event_type", "event_timestamp", "arrival_timestamp", "event_version", "application"])
    for index, event, order in zip(range(33), itertools.cycle(events), orders):
        for path in write_events([event], root, file_name=f"part-{index:04d}.parquet"):
            _rewrite(path, f"select {', '.join(order)}, * exclude ({', '.join(order)}) from f")
    project = make_project(tmp_path / "many", root)
    project.invoke("build", "--select", CORE_SELECTOR, "--exclude", "resource_type:test", "resource_type:unit_test")
    assert _compiled_base_reads(project) == ["union_by_name = false"] * 33
    assert project.query("select count(distinct parquet_schema_id) from audit_pinpoint_file_schemas") == [(33,)]
    _assert_rows(project, events)
    # The same files past a lower cap: one read of every file (they all have the same columns), led by the
    # empty file of their united schema (decision 70).
    project = make_project(tmp_path / "many_capped", root, pinpoint_schema_groups_max=32)
    project.invoke("build", "--select", CORE_SELECTOR, "--exclude", "resource_type:test", "resource_type:unit_test")
    assert _compiled_base_reads(project) == ["union_by_name = false"]
    assert project.query("select count(distinct parquet_schema_id), count(distinct leader_file), count(leader_file) "
                         "from audit_pinpoint_file_schemas") == [(33, 1, 33)]
    _assert_rows(project, events)


def _without_empty_objects(value: Any) -> Any:
    """What a writer that infers its schema must do with an empty JSON object: a Parquet struct needs a field."""
    if isinstance(value, dict):
        kept = {key: _without_empty_objects(item) for key, item in value.items()}
        return kept or None
    if isinstance(value, list):
        return [_without_empty_objects(item) for item in value]
    return value


def _write_inferred(events: list[dict[str, Any]], root: Path) -> None:
    """The events as a writer with no schema of its own writes them (pyarrow from Python objects): each file's
    maps become structs of the keys its rows use (NULL in the rows without them), its integers int64, and a
    field no row fills the Parquet null type."""
    by_folder: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        row = {key: _without_empty_objects(value) for key, value in event.items() if key != "_folder"}
        by_folder.setdefault(event["_folder"], []).append(row)
    for folder, rows in by_folder.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        columns = list(dict.fromkeys(key for row in rows for key in row))
        table = pa.table({column: pa.array([row.get(column) for row in rows]) for column in columns})
        pq.write_table(table, root / folder / "inferred.parquet")


def _as_bytes(value: Any) -> Any:
    """Every text as its UTF-8 bytes (field names kept): a writer that stores strings as Parquet binary with no
    UTF8 annotation, which Athena reads as the Glue table's string."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict):
        return {key: _as_bytes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_bytes(item) for item in value]
    return value


def _view_rows(project: DbtProject, view: str) -> list[tuple[Any, ...]]:
    """A view's rows without source_file, maps as their sorted entries (a map's key order is the writer's)."""
    columns = project.query(f"select column_name, data_type from duckdb_columns() where table_name = '{view}' "
                            "and column_name != 'source_file' order by column_index")
    select = ", ".join(f"list_sort(map_entries({name}))" if kind.startswith("MAP") else name
                       for name, kind in columns)
    return sorted(project.query(f"select {select} from {view}"), key=repr)


def test_maps_written_as_structs_read_as_the_maps(tmp_path: Path) -> None:
    """Decision 68: a writer that infers its schema (maps as structs with every key of the file, int64 for
    Glue's int, null-typed fields), and one that also stores its texts as unannotated binary, give the same
    warehouse as Firehose's Glue-typed files of the same events: every public view equal row for row, message
    tags without the keys a row did not have, non-ASCII subjects intact, and each type the contracts name."""
    events = load_fixture()
    for event in events:   # text that a wrong decoding would not keep byte for byte
        mail = event.get("facets", {}).get("email_channel", {}).get("mail_event", {}).get("mail")
        if mail and mail.get("common_headers", {}).get("subject"):
            mail["common_headers"]["subject"] += " \u2013 Gr\u00fc\u00dfe \U0001f389"
    glue_root, inferred_root, binary_root = (tmp_path / f"{name}_events" for name in ("glue", "inferred", "binary"))
    write_events(events, glue_root)
    _write_inferred(events, inferred_root)
    _write_inferred([{**_as_bytes(e), "_folder": e["_folder"]} for e in events], binary_root)
    attributes_type = duckdb.sql(f"describe select attributes from read_parquet('{inferred_root}/**/*.parquet')")
    assert attributes_type.fetchall()[0][1].startswith("STRUCT")
    event_type = duckdb.sql(f"describe select event_type from read_parquet('{binary_root}/**/*.parquet')")
    assert event_type.fetchall()[0][1] == "BLOB"

    built = {}
    for name, root in (("glue", glue_root), ("inferred", inferred_root), ("binary", binary_root)):
        built[name] = make_project(tmp_path / name, root)
        built[name].invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                           "--exclude", "resource_type:unit_test")
    glue, inferred, binary = built["glue"], built["inferred"], built["binary"]
    assert glue.query("select sum(maps_as_structs) from audit_pinpoint_file_schemas") == [(0,)]
    assert inferred.query("select min(maps_as_structs) from audit_pinpoint_file_schemas")[0][0] > 0

    # The tags of each send, computed here from the events: the context's custom values and the attributes.
    expected_tags = sorted(
        sorted({**e["client_context"]["custom"], **e["attributes"]}.items())
        for e in events if e["event_type"] == "_campaign.send")
    tags = inferred.query("select list_sort(map_entries(message_tags)) from campaign_send")
    assert sorted([(entry["key"], entry["value"]) for entry in row[0]] for row in tags) == expected_tags
    delays = inferred.query("select processing_time_millis from email_delivered where processing_time_millis is not null")
    assert sorted(row[0] for row in delays) == sorted(
        e["facets"]["email_channel"]["mail_event"]["delivery"]["processing_time_millis"]
        for e in events if e["event_type"] == "_email.delivered")

    views = [row[0] for row in glue.query("select view_name from duckdb_views() where schema_name = 'main' "
                                          "and not internal and view_name not like '%base%' order by 1")]
    assert len(views) >= 15
    for view in views:
        assert _view_rows(inferred, view) == _view_rows(glue, view), view
        assert _view_rows(binary, view) == _view_rows(glue, view), view
    event_ids = "select event_id from int_validated_events order by 1"
    assert inferred.query(event_ids) == glue.query(event_ids) == binary.query(event_ids)
    subjects = {e["facets"]["email_channel"]["mail_event"]["mail"]["common_headers"]["subject"]
                for e in events if e["event_type"] == "_email.send"}
    assert {row[0] for row in binary.query("select subject from email_send")} == subjects


def test_a_map_written_as_a_struct_in_one_file_among_glue_files(tmp_path: Path) -> None:
    """Decision 68: one file stores attributes as a struct of every key its rows use, the others as Firehose
    writes them. United by name they have the Glue types, so the read looks as if nothing drifted; the NULL
    fields of that file's struct must still not become message tags."""
    events = [e for e in load_fixture() if not e["event_type"].startswith("_SMS.")]
    glue_root, mixed_root = tmp_path / "glue_events", tmp_path / "mixed_events"
    write_events(events, glue_root)
    files = write_events(events, mixed_root)
    keys = sorted({key for e in events if e["_folder"] == files[0].parent.relative_to(mixed_root).as_posix()
                   for key in e["attributes"]})
    struct = ", ".join(f"\"{key}\" := element_at(attributes, '{key}')[1]" for key in keys)
    _rewrite(files[0], f"select * replace (struct_pack({struct}) as attributes) from f")
    assert duckdb.sql(f"describe select attributes from '{files[0]}'").fetchall()[0][1].startswith("STRUCT")

    built = {}
    for name, root in (("glue", glue_root), ("mixed", mixed_root)):
        built[name] = make_project(tmp_path / name, root)
        built[name].invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                           "--exclude", "resource_type:unit_test")
    assert built["mixed"].query("select count(*) from audit_pinpoint_file_schemas where maps_as_structs > 0") == [(1,)]
    for view in ("campaign_send", "email_send", "email_click", "journey_send"):
        assert _view_rows(built["mixed"], view) == _view_rows(built["glue"], view), view
    event_ids = "select event_id from int_validated_events order by 1"
    assert built["mixed"].query(event_ids) == built["glue"].query(event_ids)


def _holds_null_type(kind: pa.DataType) -> bool:
    """Whether an Arrow type is, or holds at any depth, the null type (a field no row filled)."""
    if pa.types.is_null(kind):
        return True
    if pa.types.is_struct(kind):
        return any(_holds_null_type(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_map(kind):
        return _holds_null_type(kind.key_type) or _holds_null_type(kind.item_type)
    if pa.types.is_list(kind):
        return _holds_null_type(kind.value_type)
    return False


def test_files_of_more_schemas_than_the_cap_are_read_with_leader_files(tmp_path: Path) -> None:
    """Decision 70: past pinpoint_schema_groups_max schemas, the files are read without union_by_name, one read
    per set of top-level columns, each led by an empty file of the type their schemas unite to. Here every
    event is a file of its own from a writer that infers its schema and leaves out the fields it has no value
    for, so files lack top-level columns (a plain read would stop) and struct fields (a plain read would drop
    those of the files after the first). Every fifth event is written by Firehose's writer instead, so maps
    and structs of the same name meet; one inferred file has every Glue column, NULL where the event has
    none (null-typed fields where those files hold maps: it is led apart), and one Firehose file has a
    null-typed field (a map and a null type in one file: read with union_by_name). The views must still
    equal those of Firehose's files."""
    events = load_fixture()
    glue_root, own_root = tmp_path / "glue_events", tmp_path / "own_events"
    glue_columns = pq.read_schema(write_events(events, glue_root)[0]).names
    for index, event in enumerate(events):
        if index % 5 == 0 or index == 2:
            written = write_events([event], own_root, file_name=f"part-{index:04d}.parquet")[0]
            if index == 2:   # Firehose's maps, but client.cognito_id of the null type: left to union_by_name
                table = pq.read_table(written)
                client = table.column("client").combine_chunks()
                retyped = pa.StructArray.from_arrays([client.field("client_id"), pa.nulls(len(table))],
                                                     names=["client_id", "cognito_id"])
                pq.write_table(table.set_column(table.schema.get_field_index("client"), "client", retyped), written)
            continue
        row = {key: _without_empty_objects(value) for key, value in event.items() if key != "_folder"}
        row = ({column: row.get(column) for column in glue_columns} if index == 1
               else {key: value for key, value in row.items() if value is not None})
        (own_root / event["_folder"]).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist([row]), own_root / event["_folder"] / f"part-{index:04d}.parquet")
    schemas = [pq.read_schema(path) for path in own_root.rglob("*.parquet")]
    # the files are led by set of top-level columns, those with a field of the null type apart
    led_sets = {(tuple(sorted(schema.names)), any(_holds_null_type(field.type) for field in schema)) for schema in schemas}
    assert 1 < len(led_sets) < len({str(schema) for schema in schemas})

    glue = make_project(tmp_path / "glue", glue_root)
    # the cap lets each set be a read of its own, not each schema
    own = make_project(tmp_path / "own", own_root, pinpoint_schema_groups_max=len(led_sets))
    for project in (glue, own):
        project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                       "--exclude", "resource_type:unit_test")
    assert own.query("select count(distinct leader_file), count(leader_file), count(*) "
                     "from audit_pinpoint_file_schemas") == [(len(led_sets), len(events) - 1, len(events))]
    assert _compiled_base_reads(own) == ["union_by_name = false"] * len(led_sets) + ["union_by_name = true"]
    assert glue.query("select count(leader_file) from audit_pinpoint_file_schemas") == [(0,)]

    views = [row[0] for row in glue.query("select view_name from duckdb_views() where schema_name = 'main' "
                                          "and not internal and view_name not like '%base%' order by 1")]
    assert len(views) >= 15
    for view in views:
        assert _view_rows(own, view) == _view_rows(glue, view), view
    event_ids = "select event_id from int_validated_events order by 1"
    assert own.query(event_ids) == glue.query(event_ids)


def test_timestamps_written_in_other_types_are_read_as_epoch_milliseconds(tmp_path: Path) -> None:
    """Decision 72: a producer that writes the Glue bigint times (epoch milliseconds) as Parquet timestamps, with
    or without a time zone, or as strings (digits, ISO-8601), and its maps and structs as JSON text, gives the
    same warehouse as Firehose's files: every public view equal row for row. Each file is one schema group,
    converted before the groups are united (a timestamp and a bigint unite to no type a cast reaches); past
    the schema cap, files with a time as a timestamp are led apart from those with the number. A time no
    conversion reads rejects its row into audit_rejected_events, named by file, and the build goes on."""
    events = load_fixture()
    glue_root = tmp_path / "glue_events"
    write_events(events, glue_root)
    glue = make_project(tmp_path / "glue", glue_root)
    glue.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious", "--exclude", "resource_type:unit_test")
    views = [row[0] for row in glue.query("select view_name from duckdb_views() where schema_name = 'main' "
                                          "and not internal and view_name not like '%base%' order by 1")]
    assert len(views) >= 15

    as_timestamp = "make_timestamp({} * 1000)"
    timestamps = [
        f"* replace ({as_timestamp.format('event_timestamp')} as event_timestamp, "
        f"timezone('UTC', {as_timestamp.format('arrival_timestamp')}) as arrival_timestamp)",
        f"* replace ({as_timestamp.format('arrival_timestamp')} as arrival_timestamp)",
    ]
    strings = [
        "* replace (cast(event_timestamp as varchar) as event_timestamp, "
        f"strftime({as_timestamp.format('arrival_timestamp')}, '%Y-%m-%dT%H:%M:%S.%gZ') as arrival_timestamp)",
        # maps, structs and lists stored as their JSON text
        "* replace (cast(to_json(attributes) as varchar) as attributes, cast(to_json(facets) as varchar) as facets, "
        "cast(to_json(client_context) as varchar) as client_context)",
    ]
    # Timestamps beside bigints (no string among them, which every type would unite to), then strings.
    for name, rewrites, kinds in (
        ("timestamps", timestamps, [("TIMESTAMP", "TIMESTAMP WITH TIME ZONE"), ("BIGINT", "TIMESTAMP")]),
        ("strings", strings, [("VARCHAR", "VARCHAR"), ("BIGINT", "BIGINT")]),
    ):
        root = tmp_path / f"{name}_events"
        files = write_events(events, root)
        assert len(files) > len(rewrites)
        for path, rewrite in zip(files, rewrites):
            _rewrite(path, f"select {rewrite} from f")
        assert [tuple(row[1] for row in duckdb.sql(f"describe select event_timestamp, arrival_timestamp "
                                                    f"from read_parquet('{path}')").fetchall())
                for path in files[:len(rewrites)]] == kinds
        project = make_project(tmp_path / name, root)
        project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                       "--exclude", "resource_type:unit_test")
        assert project.query("select count(*) from audit_rejected_events") == [(0,)], name
        for view in views:
            assert _view_rows(project, view) == _view_rows(glue, view), (name, view)

    # Past the schema cap: one file per event, every other one with timestamps, every third with an extra
    # application field. Four schemas, two sets once a time is told from a number: each set is led and its
    # read converted (a leader uniting both would make the reader cast the bigints to timestamps).
    led_root = tmp_path / "led_events"
    for index, event in enumerate(events):
        for path in write_events([event], led_root, file_name=f"part-{index:04d}.parquet"):
            if index % 2:
                _rewrite(path, f"select {timestamps[0]} from f")
            if index % 3 == 0:
                _rewrite(path, "select * replace (struct_insert(application, version_name := 'v9') as application) from f")
    led = make_project(tmp_path / "led", led_root, pinpoint_schema_groups_max=2)
    led.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious", "--exclude", "resource_type:unit_test")
    assert led.query("select count(distinct parquet_schema_id), count(distinct leader_file), count(leader_file) "
                     "from audit_pinpoint_file_schemas") == [(4, 2, len(events))]
    for view in views:
        assert _view_rows(led, view) == _view_rows(glue, view), ("led", view)

    # A time that no conversion reads: that file's rows are rejected, named by file; the others build (the
    # strings history of the loop's last pass).
    bad = files[-1]
    _rewrite(bad, "select * replace ('yesterday' as event_timestamp) from f")
    bad_rows = duckdb.sql(f"select count(*) from read_parquet('{bad}')").fetchall()[0][0]
    project = make_project(tmp_path / "bad", root)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious",
                   "--exclude", "resource_type:unit_test")
    assert project.query("select source_file, rejection_reason, count(*) from audit_rejected_events group by all") == [
        (str(bad), "missing event_timestamp", bad_rows)]
    total = duckdb.sql(f"select count(*) from read_parquet('{root}/**/*.parquet')").fetchall()[0][0]
    assert project.query("select count(*) from int_validated_events where rejection_reason is null") == [(total - bad_rows,)]
