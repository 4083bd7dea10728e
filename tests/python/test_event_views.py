"""The public event views against an independent reading of the data dictionary (Appendix A).

Input: hand-written events in the documented Pinpoint shapes (tests/python/fixtures), written as
Firehose writes them, plus exact re-deliveries. Expected rows are computed here in plain Python from
the JSON, never from the models.
"""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import CORE_SELECTOR, DbtProject, make_project
from raw_events import load_fixture, write_events

LEAD = ["event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
        "pinpoint_campaign_id", "pinpoint_treatment_id", "aws_account_id"]
EMAIL = LEAD + ["message_id", "message_send_timestamp", "from_address", "destination"]
SMS = LEAD + ["sender_request_id", "destination_phone_number", "record_status", "iso_country_code",
              "number_of_message_parts", "message_id"]
TRAIL = ["message_tags", "ingest_timestamp", "source_system"]
BOUNCE = ["bounce_type", "bounce_sub_type", "feedback_id", "reporting_mta", "bounced_recipient_email_address",
          "bounced_recipient_action", "bounced_recipient_status", "bounced_recipient_diagnostic_code"]

# view -> (event type, columns in the data dictionary's order, recipient list to fan out or None)
VIEWS: dict[str, tuple[str, list[str], str | None]] = {
    "campaign_send": ("_campaign.send", LEAD + TRAIL, None),
    "email_click": ("_email.click", EMAIL + ["subject", "ip_address", "user_agent", "link"] + TRAIL, None),
    "email_complaint": ("_email.complaint", EMAIL + ["complained_email_address", "feedback_id", "user_agent",
                                                     "complaint_feedback_type"] + TRAIL, "complaint"),
    "email_delivered": ("_email.delivered", EMAIL + ["subject", "smtp_response", "reporting_mta", "recipients",
                                                     "processing_time_millis"] + TRAIL, None),
    "email_hardbounce": ("_email.hardbounce", EMAIL + BOUNCE + TRAIL, "bounce"),
    "email_open": ("_email.open", EMAIL + ["subject", "ip_address", "user_agent"] + TRAIL, None),
    "email_rejected": ("_email.rejected", EMAIL + ["subject", "reject_reason"] + TRAIL, None),
    "email_send": ("_email.send", EMAIL + ["subject"] + TRAIL, None),
    "email_softbounce": ("_email.softbounce", EMAIL + BOUNCE + TRAIL, "bounce"),
    "email_unsubscribe": ("_email.unsubscribe", EMAIL + ["subject", "ip_address", "user_agent", "link",
                                                         "unsubscribe_link_tag"] + TRAIL, None),
    "journey_send": ("_journey.send", ["event_timestamp", "arrival_timestamp", "application_id", "endpoint_id",
                                       "journey_run_id", "journey_send_status", "journey_id", "journey_activity_id",
                                       "aws_account_id"] + TRAIL, None),
    "sms_buffered": ("_SMS.BUFFERED", SMS + ["message_type", "price_in_millicents_usd"] + TRAIL, None),
    "sms_failure": ("_SMS.FAILURE", SMS + ["origination_phone_number", "price_in_millicents_usd"] + TRAIL, None),
    "sms_optout": ("_SMS.OPTOUT", SMS + ["message_type", "origination_phone_number", "price_in_millicents_usd"]
                   + TRAIL, None),
    "sms_success": ("_SMS.SUCCESS", SMS + ["message_type", "origination_phone_number", "price_in_millicents_usd"]
                    + TRAIL, None),
}


def _dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _ts(epoch_ms: int | None) -> datetime | None:
    if epoch_ms is None:
        return None
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).replace(tzinfo=None)


def _sms_tags(text: str | None) -> dict[str, str]:
    try:
        parsed = json.loads(text) if text is not None else {}
    except json.JSONDecodeError:
        return {}
    return {k: str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def expected_value(event: dict[str, Any], column: str, recipient: dict[str, Any] | None) -> Any:
    """The data dictionary's meaning of `column` for one JSON event (and one fanned-out recipient)."""
    attrs = event.get("attributes") or {}
    mail_event = _dig(event, "facets", "email_channel", "mail_event") or {}
    mail = mail_event.get("mail") or {}
    kind = next((k for k in ("delivery", "open", "click", "reject", "complaint", "bounce") if mail_event.get(k)), None)
    detail = mail_event.get(kind) or {} if kind else {}
    is_sms = event["event_type"].startswith("_SMS.")
    getters: dict[str, Callable[[], Any]] = {
        "event_timestamp": lambda: _ts(event["event_timestamp"]),
        "arrival_timestamp": lambda: _ts(event["arrival_timestamp"]),
        "application_id": lambda: _dig(event, "application", "app_id"),
        "endpoint_id": lambda: _dig(event, "client", "client_id"),
        "pinpoint_campaign_id": lambda: attrs.get("campaign_id"),
        "pinpoint_treatment_id": lambda: attrs.get("treatment_id"),
        "aws_account_id": lambda: event.get("awsaccountid"),
        "message_id": lambda: attrs.get("message_id") if is_sms else mail.get("message_id"),
        "message_send_timestamp": lambda: _ts(mail.get("message_send_timestamp")),
        "from_address": lambda: mail.get("from_address"),
        "destination": lambda: mail.get("destination"),
        "subject": lambda: _dig(mail, "common_headers", "subject"),
        "smtp_response": lambda: detail.get("smtp_response"),
        "reporting_mta": lambda: detail.get("reporting_mta"),
        "recipients": lambda: detail.get("recipients"),
        "processing_time_millis": lambda: detail.get("processing_time_millis"),
        "ip_address": lambda: detail.get("ip_address"),
        "user_agent": lambda: detail.get("user_agent"),
        "link": lambda: detail.get("link"),
        "unsubscribe_link_tag": lambda: _dig(detail, "link_tags", "unsubscribelinktag"),
        "reject_reason": lambda: detail.get("reason"),
        "feedback_id": lambda: detail.get("feedback_id"),
        "complaint_feedback_type": lambda: detail.get("complaint_feedback_type"),
        "complained_email_address": lambda: (recipient or {}).get("email_address"),
        "bounce_type": lambda: detail.get("bounce_type"),
        "bounce_sub_type": lambda: detail.get("bounce_sub_type"),
        "bounced_recipient_email_address": lambda: (recipient or {}).get("email_address"),
        "bounced_recipient_action": lambda: (recipient or {}).get("action"),
        "bounced_recipient_status": lambda: (recipient or {}).get("status"),
        "bounced_recipient_diagnostic_code": lambda: (recipient or {}).get("diagnostic_code"),
        "journey_run_id": lambda: attrs.get("journey_run_id"),
        "journey_send_status": lambda: attrs.get("journey_send_status"),
        "journey_id": lambda: attrs.get("journey_id"),
        "journey_activity_id": lambda: attrs.get("journey_activity_id"),
        "price_in_millicents_usd": lambda: _dig(event, "metrics", "price_in_millicents_usd"),
        "message_tags": lambda: _sms_tags(attrs.get("customer_context")) if is_sms
        else {**(_dig(event, "client_context", "custom") or {}), **attrs},
        "ingest_timestamp": lambda: datetime.strptime(event["_folder"], "%Y/%m/%d/%H"),
        "source_system": lambda: "pinpoint",
    }
    for sms_field in ("sender_request_id", "destination_phone_number", "record_status", "iso_country_code",
                      "number_of_message_parts", "message_type", "origination_phone_number"):
        getters[sms_field] = (lambda f: lambda: attrs.get(f))(sms_field)
    return getters[column]()


def expected_rows(events: list[dict[str, Any]], view: str) -> list[tuple[Any, ...]]:
    event_type, columns, fan_out = VIEWS[view]
    rows = []
    for event in events:
        if event["event_type"] != event_type:
            continue
        recipients: list[dict[str, Any] | None] = [None]
        if fan_out == "bounce":
            recipients = _dig(event, "facets", "email_channel", "mail_event", "bounce", "bounced_recipients") or [None]
        elif fan_out == "complaint":
            recipients = (_dig(event, "facets", "email_channel", "mail_event", "complaint", "complained_recipients")
                          or [None])
        for recipient in recipients:
            rows.append(tuple(expected_value(event, c, recipient) for c in columns))
    return rows


def _canonical(rows: list[tuple[Any, ...]]) -> list[str]:
    return sorted(json.dumps(row, default=str, sort_keys=True) for row in rows)


@pytest.fixture(scope="module")
def fixture_events() -> list[dict[str, Any]]:
    return load_fixture()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, fixture_events: list[dict[str, Any]]) -> DbtProject:
    root = tmp_path_factory.mktemp("views")
    events_dir = root / "events"
    write_events(fixture_events, events_dir)
    # Firehose re-deliveries: the same event again in another file of the same hour and in a later hour.
    first_open = next(e for e in fixture_events if e["event_type"] == "_email.open")
    write_events([first_open], events_dir, file_name="part-0002-redelivery.parquet")
    late_copy = copy.deepcopy(first_open)
    late_copy["_folder"] = "2026/10/01/14"
    write_events([late_copy], events_dir, file_name="part-0003-redelivery.parquet")
    project = make_project(root, events_dir)
    project.invoke("build", "--select", CORE_SELECTOR, "--indirect-selection", "cautious", "--exclude", "resource_type:unit_test")
    return project


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_view_matches_data_dictionary(built: DbtProject, fixture_events: list[dict[str, Any]], view: str) -> None:
    _, columns, _ = VIEWS[view]
    actual_columns = [row[0] for row in built.query(f"describe {view}")]
    assert actual_columns == columns, f"{view}: columns or their order differ from the data dictionary"
    expected = expected_rows(fixture_events, view)
    assert expected, f"fixture has no {view} event: the test would prove nothing"
    actual = built.query(f"select * from {view}")
    assert _canonical(actual) == _canonical(expected)


def test_timestamps_keep_milliseconds(built: DbtProject) -> None:
    rows = built.query("select arrival_timestamp from email_open order by 1")
    assert [r[0].microsecond for r in rows] == [1000, 999000]


def test_redelivered_event_appears_once(built: DbtProject) -> None:
    assert built.query("select count(*) from email_open") == [(2,)]
    raw = built.query("select count(*) from base_pinpoint_events where event_type = '_email.open'")
    assert raw == [(4,)], "the fixture should hold two opens plus two re-deliveries"


def test_view_types_are_real_timestamps(built: DbtProject) -> None:
    types = dict(built.query("select column_name, data_type from information_schema.columns "
                             "where table_name = 'email_send'"))
    for column in ("event_timestamp", "arrival_timestamp", "message_send_timestamp", "ingest_timestamp"):
        assert types[column] == "TIMESTAMP", column
    assert types["message_tags"] == "MAP(VARCHAR, VARCHAR)"


@pytest.mark.parametrize("target", ["duckdb", "athena"])
def test_every_view_has_an_enforced_contract_in_the_engines_types(tmp_path: Path, target: str) -> None:
    """Each documented view declares every column with a type of the target engine, and dbt enforces it
    (a build fails on a changed name or type: see docs/decisions.md)."""
    import json

    project = make_project(tmp_path, tmp_path / "events")
    project.invoke("parse", "--target", target)
    nodes = json.loads((project.target_path / "manifest.json").read_text())["nodes"]
    views = {n["name"]: n for n in nodes.values() if n["resource_type"] == "model"
             and n["original_file_path"].startswith("models/staging/") and "/base/" not in n["original_file_path"]}
    assert len(views) == 18
    engine_types = {"duckdb": {"varchar", "timestamp", "double", "integer", "varchar[]", "map(varchar, varchar)"},
                    "athena": {"varchar", "timestamp(6)", "double", "integer", "array(varchar)",
                               "map(varchar, varchar)"}}[target]
    for name, node in views.items():
        assert node["config"]["contract"]["enforced"], name
        types = {c["data_type"] for c in node["columns"].values()}
        assert types <= engine_types, (name, types - engine_types)
