"""Issue 21: machine engagement, recipient lifecycles, the suppression list, providers and attribution.

Every case is a tiny lifecycle written by hand here, as raw SES event-publishing and End User Messaging
SMS records (JSON lines) plus a few Pinpoint events (Parquet), built with dbt once. The expected rows
are written out by hand next to the events, never read back from a model.
"""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import DbtProject, make_project
from raw_events import write_events

T0 = datetime(2026, 11, 2, 10, 0, 0)
SENDER = "news@example.com"
MAC_SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.4 Safari/605.1.15")
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 "
          "Safari/537.36")
HOUR = timedelta(hours=1)
SEC = timedelta(seconds=1)


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def epoch_ms(when: datetime) -> int:
    return int(when.replace(tzinfo=timezone.utc).timestamp() * 1000)


class SesHistory:
    """Builds SES records for single-recipient messages, sent at T0 and delivered 2 s later."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def mail(self, message_id: str, to: str, subject: str) -> dict[str, Any]:
        return {"timestamp": iso(T0), "messageId": message_id, "source": SENDER, "sendingAccountId": "123456789012",
                "destination": [to], "commonHeaders": {"from": [SENDER], "to": [to], "subject": subject},
                "tags": {"ses:configuration-set": ["marketing"]}}

    def message(self, message_id: str, to: str, subject: str = "Autumn sale", delivered: bool = True) -> None:
        self.records.append({"eventType": "Send", "send": {}, "mail": self.mail(message_id, to, subject)})
        if delivered:
            self.add(message_id, to, "Delivery", "delivery", T0 + 2 * SEC, processingTimeMillis=2000,
                     recipients=[to], smtpResponse="250 ok", reportingMTA="a8-1.smtp-out.amazonses.com")

    def add(self, message_id: str, to: str, event_type: str, key: str, when: datetime, subject: str = "Autumn sale",
            **detail: Any) -> None:
        self.records.append({"eventType": event_type, "mail": self.mail(message_id, to, subject),
                             key: {"timestamp": iso(when), **detail}})

    def open(self, message_id: str, to: str, after_delivery: timedelta, ua: str, ip: str = "198.51.100.7") -> None:
        self.add(message_id, to, "Open", "open", T0 + 2 * SEC + after_delivery, ipAddress=ip, userAgent=ua)

    def click(self, message_id: str, to: str, after_delivery: timedelta, ua: str, link: str,
              ip: str = "198.51.100.7", tags: dict[str, list[str]] | None = None) -> None:
        detail: dict[str, Any] = {"ipAddress": ip, "userAgent": ua, "link": link}
        if tags:
            detail["linkTags"] = tags
        self.add(message_id, to, "Click", "click", T0 + 2 * SEC + after_delivery, **detail)


DELIVERED = T0 + 2 * SEC

# ------------------------------------------------------------------ the lifecycles and what they must give
ses = SesHistory()
# (message, recipient, engagement type, seconds after delivery, user agent, ip, link, expected machine_reason)
ENGAGEMENTS: list[tuple[str, str, str, float, str, str, str | None, str | None]] = [
    # Apple MPP: the bare user agent one second after delivery (clear-cut machine) ...
    ("m-mpp", "mpp@example.org", "open", 1, "Mozilla/5.0", "203.0.113.9", None, "apple_mpp_user_agent"),
    # ... and the same person three hours later in desktop Safari: human (full UA only starts like it)
    ("m-mpp", "mpp@example.org", "open", 3 * 3600, MAC_SAFARI, "198.51.100.7", None, None),
    # an HTTP library half a second after delivery (clear-cut machine), then the person two hours later
    ("m-scan", "scan@example.org", "click", 0.5, "python-requests/2.31", "192.0.2.10", "https://shop.example.com/a",
     "scanner_user_agent"),
    ("m-scan", "scan@example.org", "click", 2 * 3600, CHROME, "198.51.100.8", "https://shop.example.com/a", None),
    # a security gateway, by user agent, an hour later (its timing alone would look human)
    ("m-gateway", "gw@example.org", "click", 3600, "Mozilla/5.0 (compatible; Barracuda Sentinel)", "192.0.2.11",
     "https://shop.example.com/b", "scanner_user_agent"),
    # Apple's proxy block with a full user agent, two hours later: machine by IP; 171.x is not Apple's 17/8
    ("m-proxy", "proxy@icloud.com", "open", 2 * 3600, MAC_SAFARI, "17.58.1.2", None, "apple_mpp_ip_range"),
    ("m-proxy", "proxy@icloud.com", "open", 3 * 3600, MAC_SAFARI, "171.58.1.2", None, None),
    # prefetch at delivery: an ordinary browser 3 s after delivery; the same browser 30 s after is a person
    ("m-prefetch", "prefetch@gmail.com", "open", 3, CHROME, "198.51.100.9", None, "open_at_delivery"),
    ("m-prefetch", "prefetch@gmail.com", "open", 30, CHROME, "198.51.100.9", None, None),
    # a link scanner: a click 4 s after delivery with a browser user agent
    ("m-fastclick", "fast@example.org", "click", 4, CHROME, "198.51.100.10", "https://shop.example.com/c",
     "click_at_delivery"),
    # every link clicked within one second (10 minutes after delivery), then the person again 2 h later
    ("m-burst", "burst@yahoo.com", "click", 600, CHROME, "192.0.2.12", "https://shop.example.com/1",
     "all_links_clicked_at_once"),
    ("m-burst", "burst@yahoo.com", "click", 600.3, CHROME, "192.0.2.12", "https://shop.example.com/2",
     "all_links_clicked_at_once"),
    ("m-burst", "burst@yahoo.com", "click", 600.8, CHROME, "192.0.2.12", "https://shop.example.com/3",
     "all_links_clicked_at_once"),
    ("m-burst", "burst@yahoo.com", "click", 2 * 3600, CHROME, "198.51.100.11", "https://shop.example.com/1", None),
    # two links two seconds apart: a person reading
    ("m-twolinks", "two@hotmail.com", "click", 600, CHROME, "198.51.100.12", "https://shop.example.com/1", None),
    ("m-twolinks", "two@hotmail.com", "click", 602, CHROME, "198.51.100.12", "https://shop.example.com/2", None),
    # attribution: a person clicks one message, then opens a later one
    ("m-pref-click", "pref@example.org", "click", 3600, CHROME, "198.51.100.13", "https://shop.example.com/p", None),
    ("m-pref-open", "pref@example.org", "open", 2 * 3600, CHROME, "198.51.100.13", None, None),
]
for message_id, to in dict.fromkeys((e[0], e[1]) for e in ENGAGEMENTS):
    subject = "Winter preview" if message_id == "m-pref-open" else "Autumn sale"
    ses.message(message_id, to, subject)
for message_id, to, kind, seconds, ua, ip, link, _ in ENGAGEMENTS:
    if kind == "open":
        ses.open(message_id, to, timedelta(seconds=seconds), ua, ip)
    else:
        assert link is not None
        ses.click(message_id, to, timedelta(seconds=seconds), ua, link, ip)

# suppression reasons (each its own address), and look-alikes that must stay off the list
ses.message("m-hb", "hb@example.org", delivered=False)
ses.add("m-hb", "hb@example.org", "Bounce", "bounce", T0 + 5 * SEC, bounceType="Permanent", bounceSubType="NoEmail",
        bouncedRecipients=[{"emailAddress": "hb@example.org", "action": "failed", "status": "5.1.1",
                            "diagnosticCode": "smtp; 550 5.1.1 user unknown"}], feedbackId="fb-hb")
ses.message("m-soft", "soft@example.org", delivered=False)
ses.add("m-soft", "soft@example.org", "Bounce", "bounce", T0 + 5 * SEC, bounceType="Transient",
        bounceSubType="MailboxFull", bouncedRecipients=[{"emailAddress": "soft@example.org", "action": "failed",
                                                         "status": "4.2.2", "diagnosticCode": "smtp; 452"}],
        feedbackId="fb-soft")
ses.message("m-cmp", "Cmp@Example.org")   # addresses are compared lower-cased
ses.add("m-cmp", "Cmp@Example.org", "Complaint", "complaint", T0 + 2 * HOUR,
        complainedRecipients=[{"emailAddress": "Cmp@Example.org"}], feedbackId="fb-cmp",
        userAgent="Yahoo!-Mail-Feedback/2.0", complaintFeedbackType="abuse")
ses.message("m-unsub", "unsub@example.org")
ses.click("m-unsub", "unsub@example.org", HOUR, CHROME, "https://www.example.com/unsubscribe?e=1",
          tags={"unsubscribeLinkTag": ["true"]})
SUBSCRIPTIONS: list[tuple[str, str, datetime, bool]] = [   # message, address, time, unsubscribeAll
    ("m-subout", "subout@example.org", T0 + HOUR, True),
    # unsubscribed by link, re-subscribed the next day: leaves the list once the direction is known
    ("m-resub-in", "resub@example.org", T0 + 24 * HOUR, False),
    # re-subscribed first, unsubscribed later: stays
    ("m-late-in", "late@example.org", T0 + HOUR, False),
    # a hard bounce is not lifted by a re-subscription
    ("m-hb-in", "hb@example.org", T0 + 24 * HOUR, False),
]
ses.message("m-resub", "resub@example.org")
ses.click("m-resub", "resub@example.org", HOUR, CHROME, "https://www.example.com/unsubscribe?e=2",
          tags={"unsubscribeLinkTag": ["true"]})
ses.message("m-late", "late@example.org")
ses.click("m-late", "late@example.org", 5 * HOUR, CHROME, "https://www.example.com/unsubscribe?e=3",
          tags={"unsubscribeLinkTag": ["true"]})
for message_id, to, when, unsubscribe_all in SUBSCRIPTIONS:
    ses.message(message_id, to, "Your preferences")
    ses.add(message_id, to, "Subscription", "subscription", when, "Your preferences", contactList="news",
            source="UnsubscribeHeader", newTopicPreferences={"unsubscribeAll": unsubscribe_all})

SMS_DELIVERED_PHONE, SMS_OPTOUT_PHONE = "+15555550199", "+15555550123"
SMS_DELIVERED_AT = T0 + 3 * HOUR
SMS_RECORDS = [
    {"eventType": "TEXT_SUCCESSFUL", "eventVersion": "1.0", "eventTimestamp": epoch_ms(SMS_DELIVERED_AT - 5 * SEC),
     "isFinal": False, "messageId": "sms-1", "messageStatus": "SUCCESSFUL",
     "destinationPhoneNumber": SMS_DELIVERED_PHONE, "isoCountryCode": "US", "messageType": "PROMOTIONAL",
     "context": {"campaign": "sms-autumn"}, "totalMessageParts": 2, "totalMessagePrice": 0.0129,
     "totalCarrierFee": 0.003, "mcc": "310", "mnc": "410"},
    {"eventType": "TEXT_DELIVERED", "eventVersion": "1.0", "eventTimestamp": epoch_ms(SMS_DELIVERED_AT),
     "isFinal": True, "messageId": "sms-1", "messageStatus": "DELIVERED",
     "destinationPhoneNumber": SMS_DELIVERED_PHONE, "isoCountryCode": "US", "messageType": "PROMOTIONAL",
     "context": {"campaign": "sms-autumn"}, "totalMessageParts": 2, "totalMessagePrice": 0.0129,
     "totalCarrierFee": 0.003, "mcc": "310", "mnc": "410"},
    {"eventType": "TEXT_BLOCKED", "eventVersion": "1.0", "eventTimestamp": epoch_ms(T0 + 4 * HOUR), "isFinal": True,
     "messageId": "sms-2", "messageStatus": "OPTED_OUT", "destinationPhoneNumber": SMS_OPTOUT_PHONE,
     "isoCountryCode": "US", "messageType": "PROMOTIONAL", "context": {}, "totalMessageParts": 1,
     "totalMessagePrice": 0.0, "totalCarrierFee": 0.0},
]

# Pinpoint (every stream): a campaign email to an endpoint, opened by a person an hour after delivery, and
# the app's purchase from that endpoint two hours later (a custom_purchase conversion, identified by endpoint).
PP_SEND = T0 - 24 * HOUR
PP_OPEN = PP_SEND + 2 * SEC + HOUR
PP_PURCHASE = PP_SEND + 3 * HOUR


def pinpoint_events() -> list[dict[str, Any]]:
    mail = {"message_id": "pp-1", "message_send_timestamp": epoch_ms(PP_SEND), "from_address": SENDER,
            "destination": ["ann@example.org"], "headers_truncated": False, "headers": [],
            "common_headers": {"from": SENDER, "to": ["ann@example.org"], "subject": "October news"}}
    common = {"_folder": "2026/11/01/10", "event_timestamp": epoch_ms(PP_SEND), "event_version": "3.1",
              "application": {"app_id": "app-1", "sdk": {}}, "client": {"client_id": "ep-pp-1"},
              "device": {"platform": {}}, "session": {}, "client_context": {"custom": {}},
              "awsaccountid": "123456789012"}
    attributes = {"campaign_id": "camp-pp", "treatment_id": "0", "campaign_activity_id": "act-pp"}
    return [
        {**common, "event_type": "_email.send", "arrival_timestamp": epoch_ms(PP_SEND),
         "attributes": {**attributes, "feedback": "send"}, "facets": {"email_channel": {"mail_event": {"mail": mail}}}},
        {**common, "event_type": "_email.delivered", "arrival_timestamp": epoch_ms(PP_SEND + 2 * SEC),
         "attributes": {**attributes, "feedback": "delivered"}, "facets": {"email_channel": {"mail_event": {
             "mail": mail, "delivery": {"smtp_response": "250 ok", "reporting_mta": "a8-1.smtp-out.amazonses.com",
                                        "recipients": ["ann@example.org"], "processing_time_millis": 2000}}}}},
        {**common, "event_type": "_email.open", "arrival_timestamp": epoch_ms(PP_OPEN),
         "attributes": {**attributes, "feedback": "opened"}, "facets": {"email_channel": {"mail_event": {
             "mail": mail, "open": {"ip_address": "198.51.100.20", "user_agent": "Thunderbird/115.0"}}}}},
        {**common, "event_type": "purchase", "event_timestamp": epoch_ms(PP_PURCHASE),
         "arrival_timestamp": epoch_ms(PP_PURCHASE) + 500, "attributes": {"item_id": "sku-1", "price": "25.5"}},
    ]


# Orders from a shop database, named by var conversion_relation: (id, email or phone, time, value, touch)
ORDERS: list[tuple[str, str, str, datetime, float, tuple[str, str] | None]] = [
    # expected touch: (message_id, touch_type), None = unattributed
    ("o-open", "email", "MPP@example.org", DELIVERED + 4 * HOUR, 50.0, ("m-mpp", "email_open")),
    ("o-click", "email", "scan@example.org", DELIVERED + 24 * HOUR, 30.0, ("m-scan", "email_click")),
    ("o-too-late", "email", "scan@example.org", DELIVERED + 2 * HOUR + 169 * HOUR, 20.0, None),
    # only a machine click before it: nothing to attribute
    ("o-machine-only", "email", "fast@example.org", DELIVERED + HOUR, 10.0, None),
    # before the only touch: nothing to attribute
    ("o-before", "email", "two@hotmail.com", DELIVERED + 60 * SEC, 5.0, None),
    # a click beats a later open
    ("o-pref", "email", "pref@example.org", DELIVERED + 3 * HOUR, 40.0, ("m-pref-click", "email_click")),
    ("o-sms", "phone", SMS_DELIVERED_PHONE, SMS_DELIVERED_AT + HOUR, 15.0, ("sms-1", "sms_delivered")),
]


def write_ndjson(folder: Path, name: str, records: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtProject:
    root = tmp_path_factory.mktemp("deliverability")
    write_ndjson(root / "ses" / "2026/11/02/10", "ses-1", ses.records)
    write_ndjson(root / "sms" / "2026/11/02/10", "sms-1", SMS_RECORDS)
    write_events(pinpoint_events(), root / "events")
    # the shop's orders, named by var conversion_relation (one identifier kind per relation)
    conversion_relation = {"relation": "main.shop_orders", "id_column": "order_id", "identifier_column": "email",
                           "identifier_type": "email", "time_column": "ordered_at", "value_column": "amount"}
    project = make_project(root, root / "events", ses_events_path=str(root / "ses"),
                           sms_events_path=str(root / "sms"), conversion_relation=conversion_relation)
    con = duckdb.connect(str(project.duckdb_path))
    con.execute("create table shop_orders (order_id varchar, email varchar, ordered_at timestamp, amount double)")
    con.execute("create table sms_orders (order_id varchar, phone varchar, ordered_at timestamp, amount double)")
    for order_id, kind, who, when, value, _ in ORDERS:
        table = "shop_orders" if kind == "email" else "sms_orders"
        con.execute(f"insert into {table} values (?, ?, ?, ?)", [order_id, who, when, value])
    con.close()
    project.invoke("build", "--select", "+path:models/marts", "path:seeds", "--indirect-selection", "cautious",
                   "--exclude-resource-type", "unit_test")
    return project


# ------------------------------------------------------------------------------ machine engagement
def test_every_engagement_is_classified_as_written(built: DbtProject) -> None:
    # Clicks on unsubscribe-tagged links are also `_email.click` rows once the base layer emits both (issue 17):
    # they are people's clicks here (an hour and more after delivery), checked apart.
    rows = built.query(
        "select message_id, recipient_address, engagement_type, round(seconds_after_delivery, 3), user_agent, "
        "is_machine, machine_reason from fct_email_engagements where source_system = 'ses' "
        "and coalesce(link, '') not like '%/unsubscribe?%' order by all")
    expected = sorted(
        (m, to, kind, round(float(seconds), 3), ua, reason is not None, reason)
        for m, to, kind, seconds, ua, _, _, reason in ENGAGEMENTS)
    assert rows == expected
    unsubscribe_clicks = built.query("select distinct is_machine from fct_email_engagements "
                                     "where link like '%/unsubscribe?%'")
    assert unsubscribe_clicks in ([], [(False,)])


def test_clear_cut_cases(built: DbtProject) -> None:
    """The three cases the issue names, looked up by their own attributes."""
    def reason(where: str) -> list[tuple[Any, ...]]:
        return built.query(f"select is_machine, machine_reason from fct_email_engagements where {where}")

    assert reason("user_agent = 'Mozilla/5.0' and seconds_after_delivery = 1 and source_system = 'ses'") == [
        (True, "apple_mpp_user_agent")]
    assert reason("user_agent like 'python-requests%' and seconds_after_delivery = 0.5") == [
        (True, "scanner_user_agent")]
    assert reason(f"user_agent = '{MAC_SAFARI}' and seconds_after_delivery = 10800 and message_id = 'm-mpp'") == [
        (False, None)]


def test_pinpoint_opens_are_classified_too(built: DbtProject) -> None:
    rows = built.query("select message_id, recipient_address, round(seconds_after_delivery, 3), is_machine "
                       "from fct_email_engagements where source_system = 'pinpoint'")
    assert rows == [("pp-1", "ann@example.org", 3600.0, False)]


def test_engagement_marts_show_human_beside_raw(built: DbtProject) -> None:
    rows = built.query("select message_id, open_events, human_open_events, machine_open_events, click_events, "
                       "human_click_events, machine_click_events, is_human_opened, is_human_clicked "
                       "from fct_email_messages where message_id in ('m-mpp', 'm-burst', 'm-fastclick') order by 1")
    assert rows == [("m-burst", 0, 0, 0, 4, 1, 3, False, True),
                    ("m-fastclick", 0, 0, 0, 1, 0, 1, False, False),
                    ("m-mpp", 2, 1, 1, 0, 0, 0, True, False)]
    # by subject: "Autumn sale" holds every engagement message but m-pref-open (Winter preview) and the
    # suppression messages; count by hand from the lists above
    autumn = {e[0] for e in ENGAGEMENTS} - {"m-pref-open"}
    autumn |= {"m-hb", "m-soft", "m-cmp", "m-unsub", "m-resub", "m-late"}
    opened = {e[0] for e in ENGAGEMENTS if e[2] == "open" and e[0] != "m-pref-open"}
    human_opened = {e[0] for e in ENGAGEMENTS if e[2] == "open" and e[7] is None and e[0] != "m-pref-open"}
    row = built.query("select sent_messages, opened_messages, human_opened_messages, open_rate, human_open_rate "
                      "from agg_email_engagement_by_subject where subject = 'Autumn sale'")
    assert row == [(len(autumn), len(opened), len(human_opened), len(opened) / len(autumn),
                    len(human_opened) / len(autumn))]


# ------------------------------------------------------------------------------ recipient lifecycle
def test_recipient_lifecycles(built: DbtProject) -> None:
    # An unsubscribe link click is an `_email.unsubscribe` event; whether the same SES click also yields an
    # `_email.click` row is the base layer's business (issue 17), so its first_human_click_at is left out here.
    rows = built.query(
        "select message_id, recipient_address, seconds_to_deliver, first_human_open_at, "
        "case when message_id = 'm-unsub' then null else first_human_click_at end, "
        "bounce_type, bounce_sub_type, complained_at, unsubscribed_at, final_status from fct_email_recipients "
        "where message_id in ('m-mpp', 'm-scan', 'm-hb', 'm-soft', 'm-cmp', 'm-unsub', 'm-prefetch', 'm-fastclick') "
        "order by 1")
    assert rows == [
        ("m-cmp", "cmp@example.org", 2.0, None, None, None, None, T0 + 2 * HOUR, None, "complained"),
        ("m-fastclick", "fast@example.org", 2.0, None, None, None, None, None, None, "delivered"),
        ("m-hb", "hb@example.org", None, None, None, "Permanent", "NoEmail", None, None, "hard_bounced"),
        ("m-mpp", "mpp@example.org", 2.0, DELIVERED + 3 * HOUR, None, None, None, None, None, "opened"),
        ("m-prefetch", "prefetch@gmail.com", 2.0, DELIVERED + 30 * SEC, None, None, None, None, None, "opened"),
        ("m-scan", "scan@example.org", 2.0, None, DELIVERED + 2 * HOUR, None, None, None, None, "clicked"),
        ("m-soft", "soft@example.org", None, None, None, "Transient", "MailboxFull", None, None, "soft_bounced"),
        ("m-unsub", "unsub@example.org", 2.0, None, None, None, None, None, DELIVERED + HOUR,
         "unsubscribed"),
    ]


def test_sms_messages_final_status(built: DbtProject) -> None:
    rows = built.query("select message_id, final_status, has_final_status, message_parts, cost_usd, iso_country_code "
                       "from fct_sms_messages order by 1")
    assert rows == [("sms-1", "DELIVERED", True, 2, 0.0129, "US"), ("sms-2", "OPTED_OUT", True, 1, None, "US")]
    # the carrier's fee (USD 0.003 = 300 thousandths of a cent) and network codes of the record
    carrier = built.query("select carrier_fee_in_millicents_usd, mcc, mnc from fct_sms_messages "
                          "where message_id = 'sms-1'")
    assert carrier == [(300.0, "310", "410")]


# ------------------------------------------------------------------------------ suppression list
EXPECTED_SUPPRESSION = {
    # address: (type, reason, since, causing message)
    "hb@example.org": ("email", "hard_bounce", T0 + 5 * SEC, "m-hb"),
    "cmp@example.org": ("email", "complaint", T0 + 2 * HOUR, "m-cmp"),
    "unsub@example.org": ("email", "unsubscribe", DELIVERED + HOUR, "m-unsub"),
    "subout@example.org": ("email", "ses_subscription_opt_out", T0 + HOUR, "m-subout"),
    # resub@example.org unsubscribed by link, then re-subscribed the next day: not on the list
    # late@example.org re-subscribed first (T0+1h) and unsubscribed by link later (5 h after delivery)
    "late@example.org": ("email", "unsubscribe", DELIVERED + 5 * HOUR, "m-late"),
    SMS_OPTOUT_PHONE: ("phone", "sms_opt_out", T0 + 4 * HOUR, "sms-2"),
}


def copy_warehouse(built: DbtProject, root: Path) -> DbtProject:
    """A private copy of the built warehouse (checkpointed first, so the file holds every table)."""
    con = duckdb.connect(str(built.duckdb_path))
    con.execute("checkpoint")
    con.close()
    copy = DbtProject(root / "warehouse.duckdb", root / "target", built.events_path, dict(built.extra_vars))
    shutil.copy(built.duckdb_path, copy.duckdb_path)
    return copy


def _suppression(project: DbtProject) -> dict[str, tuple[Any, ...]]:
    rows = project.query("select address, address_type, reason, suppressed_since, causing_message_id "
                         "from suppression_list")
    return {r[0]: tuple(r[1:]) for r in rows}


def test_suppression_list_every_reason(built: DbtProject) -> None:
    assert _suppression(built) == EXPECTED_SUPPRESSION
    events = built.query("select count(*) from suppression_list s join int_events e "
                         "on s.causing_event_id = e.event_id")
    assert events == [(len(EXPECTED_SUPPRESSION),)]


def test_resubscription_leaves_the_list(built: DbtProject) -> None:
    """The SES Subscription record's newTopicPreferences.unsubscribeAll reaches int_events, and a
    re-subscription (false) lifts the earlier opt-outs of its address, but not a hard bounce."""
    directions = dict(built.query(
        "select message_id, subscription_unsubscribe_all from int_events where event_type = '_email.subscription'"))
    assert directions == {m: flag for m, _, _, flag in SUBSCRIPTIONS}
    listed = _suppression(built)
    assert "resub@example.org" not in listed
    assert listed["hb@example.org"][1] == "hard_bounce"


# ------------------------------------------------------------------------------ providers
def test_provider_rollup(built: DbtProject) -> None:
    rows = built.query("select provider_group, sum(sent_recipients), sum(human_opened_recipients), "
                       "sum(complained_recipients) from agg_email_deliverability_by_provider_daily "
                       "where from_address = 'news@example.com' and configuration_set = 'marketing' "
                       "group by 1 order by 1")
    # by hand: gmail = prefetch@gmail.com; yahoo = burst@yahoo.com; outlook = two@hotmail.com;
    # apple = proxy@icloud.com (its 171.x open is human); every other SES recipient is example.org
    ses_messages = {r["mail"]["messageId"] for r in ses.records}
    # human opens in "other": m-mpp (3 h later) and m-pref-open
    assert rows == [("apple", 1, 1, 0), ("gmail", 1, 1, 0), ("other", len(ses_messages) - 4, 2, 1),
                    ("outlook", 1, 0, 0), ("yahoo", 1, 0, 0)]
    flags = built.query("select complaint_rate, is_complaint_rate_above_mailbox_target, "
                        "is_complaint_rate_at_mailbox_max, is_complaint_rate_at_review_level, "
                        "is_complaint_rate_at_pause_level from agg_email_deliverability_by_provider_daily "
                        "where provider_group = 'other' and configuration_set = 'marketing'")
    rate = 1 / (len(ses_messages) - 4)
    assert flags == [(rate, True, True, True, True)]


# ------------------------------------------------------------------------------ attribution
def test_conversions_attributed_inside_the_window_only(built: DbtProject) -> None:
    rows = built.query("select conversion_id, is_attributed, message_id, touch_type, conversion_value "
                       "from fct_conversions where conversion_source = 'main.shop_orders' order by 1")
    expected = sorted((o[0], o[5] is not None, o[5][0] if o[5] else None, o[5][1] if o[5] else None, o[4])
                      for o in ORDERS if o[1] == "email")
    assert rows == expected


def test_custom_event_conversions_by_endpoint(built: DbtProject) -> None:
    rows = built.query("select conversion_source, identifier_type, identifier, conversion_value, message_id, "
                       "touch_type, channel, pinpoint_campaign_id, seconds_after_touch from fct_conversions "
                       "where conversion_source = 'custom_purchase'")
    assert rows == [("custom_purchase", "endpoint", "ep-pp-1", 25.5, "pp-1", "email_open", "email", "camp-pp",
                     (PP_PURCHASE - PP_OPEN).total_seconds())]
    revenue = built.query("select pinpoint_campaign_id, attributed_conversions, attributed_revenue "
                          "from agg_email_engagement_by_campaign")
    assert revenue == [("camp-pp", 1, 25.5)]


def test_revenue_per_subject(built: DbtProject) -> None:
    rows = dict(built.query("select subject, attributed_revenue from agg_email_engagement_by_subject"))
    by_hand = {"Autumn sale": 50.0 + 30.0 + 40.0, "October news": 25.5, "Your preferences": 0.0,
               "Winter preview": 0.0}
    assert rows == by_hand


def test_sms_touch_from_a_phone_relation(built: DbtProject, tmp_path: Path) -> None:
    copy = copy_warehouse(built, tmp_path)
    copy.invoke("run", "--select", "fct_conversions", vars={"conversion_relation": {
        "relation": "main.sms_orders", "id_column": "order_id", "identifier_column": "phone",
        "identifier_type": "phone", "time_column": "ordered_at", "value_column": "amount"},
        "conversion_event_models": []})
    rows = copy.query("select conversion_id, is_attributed, message_id, touch_type, channel, conversion_value "
                      "from fct_conversions")
    assert rows == [("o-sms", True, "sms-1", "sms_delivered", "sms", 15.0)]


# ------------------------------------------------------------------------------ the report
def test_report_shows_human_rates_providers_suppression_and_revenue(built: DbtProject, tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import SCRIPTS

    copy = copy_warehouse(built, tmp_path)
    done = subprocess.run([sys.executable, str(SCRIPTS / "report.py"), "--duckdb", str(copy.duckdb_path),
                           "--out", str(tmp_path / "report")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "report" / "report.json").read_text())
    got = summary["headlines"]
    # by hand: every message of the lists above is sent (SES) plus the Pinpoint one
    sent = len({r["mail"]["messageId"] for r in ses.records}) + 1
    human_opened = {e[0] for e in ENGAGEMENTS if e[2] == "open" and e[7] is None} | {"pp-1"}
    human_clicked = {e[0] for e in ENGAGEMENTS if e[2] == "click" and e[7] is None}
    # the unsubscribe link click also counts as a click once the base layer emits both rows (issue 17)
    # unsubscribe-link clicks are clicks too once the base layer emits both rows (issue 17)
    human_clicked |= {r[0] for r in built.query(
        "select message_id from int_events where event_type = '_email.click' and link like '%/unsubscribe?%'")}
    assert (got["human_open_rate"]["numerator"], got["human_open_rate"]["denominator"]) == (len(human_opened), sent)
    assert got["human_click_rate"]["numerator"] == len(human_clicked)
    assert got["suppressed_addresses"]["value"] == len(EXPECTED_SUPPRESSION)
    attributed = [o[4] for o in ORDERS if o[1] == "email" and o[5] is not None] + [25.5]
    assert got["attributed_revenue"]["value"] == pytest.approx(sum(attributed))
    assert got["attributed_revenue"]["conversions"] == len(attributed)
    rendered = {c["id"] for c in summary["charts"] if c["rendered"]}
    assert {"chart-human-machine", "chart-providers", "chart-suppression", "chart-revenue"} <= rendered


# ------------------------------------------------------------------------------ the cross-engine macros
IPS: list[tuple[str, int | None]] = [
    ("17.0.0.0", 17 * 2**24), ("17.255.255.255", 18 * 2**24 - 1), ("198.51.100.7", 3325256711),
    ("0.0.0.0", 0), ("255.255.255.255", 2**32 - 1),
    ("1.2.3", None), ("1.2.3.4.5", None), ("256.1.1.1", None), ("a.b.c.d", None), ("2001:db8::1", None), ("", None),
]


def test_ip_and_time_macros(tmp_path: Path) -> None:
    """The portable default__ bodies (DuckDB runs them too: there is no duckdb__ for ipv4_to_bigint)."""
    project = make_project(tmp_path, tmp_path / "no-events-needed")
    columns = [f"{{{{ ipv4_to_bigint(\"'{ip}'\") }}}} as ip_{i}" for i, (ip, _) in enumerate(IPS)]
    columns += ["{{ ipv4_cidr_last_bigint(\"'17.0.0.0/8'\") }} as last_17",
                "{{ milliseconds_between(\"timestamp '2026-11-02 10:00:00.250'\", "
                "\"timestamp '2026-11-02 10:00:02'\") }} as ms"]
    result = project.invoke("show", "--inline", "select " + ", ".join(columns), "--limit", "1")
    table = result.result.results[0].agate_table
    row = dict(zip(table.column_names, table.rows[0]))
    assert [row[f"ip_{i}"] for i in range(len(IPS))] == [expected for _, expected in IPS]
    assert (row["last_17"], row["ms"]) == (18 * 2**24 - 1, 1750)
