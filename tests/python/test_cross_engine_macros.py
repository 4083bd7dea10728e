"""The cross-engine macros, rendered and run on DuckDB, and their portable (Trino) default__ branch."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, DbtProject, make_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    root = tmp_path_factory.mktemp("macros")
    return make_project(root, root / "no-events-needed")


def show(project: DbtProject, select_list: str) -> dict[str, Any]:
    """Run `select <select_list>` through `dbt show --inline`; return the single row as a dict."""
    prefix, _, columns = select_list.rpartition("{% endset %}")
    sql = f"{prefix}{'{% endset %}' if prefix else ''}select {columns}"
    result = project.invoke("show", "--inline", sql, "--limit", "1")
    table = result.result.results[0].agate_table
    return dict(zip(table.column_names, table.rows[0]))


def test_epoch_ms_to_timestamp_keeps_milliseconds(project: DbtProject) -> None:
    row = show(project, "{{ epoch_ms_to_timestamp('1759309201123') }} as ts, "
                        "{{ epoch_ms_to_timestamp('cast(null as bigint)') }} as missing")
    assert row["ts"] == datetime(2025, 10, 1, 9, 0, 1, 123000)
    assert row["missing"] is None


def test_map_get_missing_key_is_null(project: DbtProject) -> None:
    row = show(project, "{{ map_get(\"map(['a'], ['1'])\", \"'a'\") }} as hit, "
                        "{{ map_get(\"map(['a'], ['1'])\", \"'zz'\") }} as miss, "
                        "{{ map_get('cast(null as map(varchar, varchar))', \"'a'\") }} as null_map")
    assert (row["hit"], row["miss"], row["null_map"]) == ("1", None, None)


@pytest.mark.parametrize(
    ("text", "expected", "malformed"),
    [
        ("'{\"mycustomerid\":\"4\",\"n\":5}'", {"mycustomerid": "4", "n": "5"}, False),
        ("'{\"mycustomerid\": '", {}, True),
        ("'[1, 2]'", {}, True),
        ("'not json'", {}, True),
        ("cast(null as varchar)", {}, False),
    ],
)
def test_json_to_string_map(project: DbtProject, text: str, expected: dict[str, str], malformed: bool) -> None:
    set_text = "{% set t %}" + text + "{% endset %}"
    row = show(project, set_text + "cast({{ json_to_string_map(t) }} as varchar) as m, "
                                   "{{ is_malformed_json_object(t) }} as bad, "
                                   "cardinality({{ json_to_string_map(t) }}) as n")
    assert row["n"] == len(expected)
    for key, value in expected.items():
        assert f"{key}={value}" in row["m"]
    assert bool(row["bad"]) is malformed


def test_merge_string_maps_treats_null_as_empty(project: DbtProject) -> None:
    row = show(project, "cardinality({{ merge_string_maps('cast(null as map(varchar, varchar))', "
                        "'cast(null as map(varchar, varchar))') }}) as both_null, "
                        "{{ map_get(merge_string_maps(\"map(['k'], ['left'])\", \"map(['k'], ['right'])\"), \"'k'\") }}"
                        " as winner")
    assert row["both_null"] == 0
    assert row["winner"] == "right"


def test_safe_divide_is_double_and_null_on_zero(project: DbtProject) -> None:
    row = show(project, "{{ safe_divide('cast(1 as bigint)', 'cast(3 as bigint)') }} as third, "
                        "{{ safe_divide('5', '0') }} as by_zero, "
                        "typeof({{ safe_divide('cast(1 as bigint)', 'cast(3 as bigint)') }}) as result_type")
    assert row["result_type"] == "DOUBLE"
    assert float(row["third"]) == pytest.approx(1 / 3)
    assert row["by_zero"] is None


def test_hash_text_is_lower_hex_md5(project: DbtProject) -> None:
    assert show(project, "{{ hash_text(\"'abc'\") }} as h")["h"] == "900150983cd24fb0d6963f7d28e17f72"


def test_map_to_sorted_string_is_order_independent(project: DbtProject) -> None:
    row = show(project, "{{ map_to_sorted_string(\"map(['b', 'a'], ['2', '1'])\") }} as s, "
                        "{{ map_to_sorted_string('cast(null as map(varchar, varchar))') }} as empty")
    assert (row["s"], row["empty"]) == ("a=1&b=2", "")


def test_unnest_keep_empty_keeps_a_row_for_empty_arrays(project: DbtProject) -> None:
    result = project.invoke(
        "show", "--inline",
        "select t.id, u.r from (select 1 as id, [10, 20] as arr union all select 2, cast([] as integer[]) "
        "union all select 3, cast(null as integer[])) as t {{ unnest_keep_empty('t.arr', 'u', 'r') }} order by 1, 2",
        "--limit", "10",
    )
    rows = [tuple(r) for r in result.result.results[0].agate_table.rows]
    assert rows == [(1, 10), (1, 20), (2, None), (3, None)]


def test_portable_default_is_trino_sql(tmp_path: Path) -> None:
    """The default__ branch is the Trino / Athena engine v3 SQL (dbt-athena and dbt-trino both fall back
    to it): rendered on DuckDB it is element_at, not DuckDB's subscript."""
    project = make_project(tmp_path, tmp_path)
    result = project.invoke("compile", "--inline", "select {{ default__map_get('m', \"'k'\") }}")
    compiled = result.result.results[0].node.compiled_code
    assert "element_at(m, 'k')" in compiled


# The End User Messaging record -> Pinpoint SMS event type rule, one case per documented combination (what the
# former seed sms_event_status_mapping listed; the macro sms_pinpoint_event_type owns the rule now).
SMS_EVENT_TYPE_CASES: list[tuple[str, str, bool, str | None]] = [
    ("TEXT_QUEUED", "QUEUED", False, "_SMS.BUFFERED"),
    ("TEXT_PENDING", "PENDING", False, "_SMS.BUFFERED"),
    ("TEXT_SUCCESSFUL", "SUCCESSFUL", False, "_SMS.BUFFERED"),
    ("TEXT_SUCCESSFUL", "SUCCESSFUL", True, "_SMS.SUCCESS"),
    ("TEXT_DELIVERED", "DELIVERED", True, "_SMS.SUCCESS"),
    ("TEXT_BLOCKED", "BLOCKED", True, "_SMS.FAILURE"),
    ("TEXT_BLOCKED", "OPTED_OUT", True, "_SMS.OPTOUT"),
    ("TEXT_TTL_EXPIRED", "TTL_EXPIRED", True, "_SMS.FAILURE"),
    ("TEXT_CARRIER_UNREACHABLE", "CARRIER_UNREACHABLE", True, "_SMS.FAILURE"),
    ("TEXT_INVALID", "INVALID", True, "_SMS.FAILURE"),
    ("TEXT_INVALID_MESSAGE", "INVALID_MESSAGE", True, "_SMS.FAILURE"),
    ("TEXT_CARRIER_BLOCKED", "CARRIER_BLOCKED", True, "_SMS.FAILURE"),
    ("TEXT_UNREACHABLE", "UNREACHABLE", True, "_SMS.FAILURE"),
    ("TEXT_SPAM", "SPAM", True, "_SMS.FAILURE"),
    ("TEXT_UNKNOWN", "UNKNOWN", True, "_SMS.FAILURE"),
    ("TEXT_PROTECT_BLOCKED", "PROTECT_BLOCKED", True, "_SMS.FAILURE"),
    ("text_delivered", "delivered", True, "_SMS.SUCCESS"),
    ("TEXT_NEW_KIND", "NEW_KIND", True, None),
]


def test_sms_pinpoint_event_type(project: DbtProject) -> None:
    columns = ", ".join(
        f"{{{{ sms_pinpoint_event_type(\"'{event_type}'\", \"'{status}'\", '{str(is_final).lower()}') }}}} as c{n}"
        for n, (event_type, status, is_final, _) in enumerate(SMS_EVENT_TYPE_CASES))
    row = show(project, columns)
    assert [row[f"c{n}"] for n in range(len(SMS_EVENT_TYPE_CASES))] == [case[3] for case in SMS_EVENT_TYPE_CASES]
