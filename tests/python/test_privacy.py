"""Privacy (docs/privacy.md): with the var pseudonymize_pii on, no raw email address, phone number or IP
address is left in any relation of the warehouse.

The input is a mixed history from the generator (Pinpoint Parquet before a cut-over, SES and End User
Messaging SMS NDJSON after it, an overlap written in both), plus a few hand-made records that hide
addresses where a column-by-column rule would miss them: inside a bounce diagnostic code, an SMTP
response, a reject reason, a subject, a link, the attributes / client-context / message-tag maps and a
customer_context JSON text.

The oracle does not use the models: every address is collected from the raw files themselves (Parquet
through pyarrow, NDJSON through json), by pattern over every string of every record plus the fields that
hold an address whole. Then every column of every table and view of the built DuckDB file is cast to
text and searched for each of them as a substring. The same scan over a build with the var left at its
default must find them (so the scan proves something), the two builds must count the same rows, and the
Athena compilation with the var on must still be valid Trino SQL.
"""
from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import REPO_ROOT, SCRIPTS, DbtProject, make_project
from raw_events import load_fixture, write_events

import check_athena_sql as check

SALT = "privacy-test-salt-7f3a"
SALT_ENV = "ENGAGEMENT_PII_SALT"
SEED, EVENTS, HOURS, START, CUTOVER = 23, 1500, 4, "2026-10-01T00:00:00Z", "2026-10-01T02:00:00Z"
# Every model and data test, no unit tests.
BUILD = ("build", "--exclude", "resource_type:unit_test")

# -- what an address looks like in the raw files (the oracle's own patterns, not the models') ---------
EMAIL = re.compile(r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
IPV4 = re.compile(r"(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?![0-9.])")
IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
                  r"|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*::[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*")
PHONE = re.compile(r"\+[0-9]{7,15}")
PATTERNS = {"email": EMAIL, "ip": IPV4, "ipv6": IPV6, "phone": PHONE}
# Raw fields whose whole value is an address (Pinpoint, SES and SMS spellings).
WHOLE_VALUE_FIELDS = {
    "email": {"from_address", "email_address", "emailaddress"},
    "ip": {"ip_address", "ipaddress"},
    "phone": {"destination_phone_number", "origination_phone_number", "destinationphonenumber",
              "originationphonenumber"},
}

# -- the hand-made records ------------------------------------------------------------------------------
DIAGNOSTIC = "smtp; 550 5.1.1 <leak.bounce@example.net>... user unknown"
REJECT_REASON = "Rejected: sending host 192.0.2.44 is listed"
SMTP_RESPONSE = "250 2.0.0 OK <leak.smtp@example.com> via 2001:db8::25"
LINK = "https://www.example.com/p?email=leak.link@example.com&ip=203.0.113.77"
SES_SOURCE_IP = "198.51.100.200"
SES_SOURCE = "Leak Sender <leak.sender@example.com>"


def _pinpoint_leaks() -> list[dict[str, Any]]:
    """Fixture Pinpoint events re-dressed with addresses in free text and maps (message ids pii-*)."""
    by_type: dict[str, dict[str, Any]] = {}
    for event in load_fixture():
        by_type.setdefault(event["event_type"], event)

    def mail_event(event_type: str, message_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        event = copy.deepcopy(by_type[event_type])
        mail_event = event["facets"]["email_channel"]["mail_event"]
        mail_event["mail"]["message_id"] = message_id
        return event, mail_event

    bounce, part = mail_event("_email.hardbounce", "pii-hardbounce")
    part["mail"]["common_headers"]["subject"] = "Invoice for leak.subject@example.org"
    part["bounce"]["bounced_recipients"] = [
        {"email_address": "leak.bounce@example.net", "action": "failed", "status": "5.1.1", "diagnostic_code": DIAGNOSTIC}]
    rejected, part = mail_event("_email.rejected", "pii-rejected")
    part["reject"]["reason"] = REJECT_REASON
    delivered, part = mail_event("_email.delivered", "pii-delivered")
    part["delivery"]["smtp_response"] = SMTP_RESPONSE
    part["delivery"]["reporting_mta"] = "dsn; 198.18.7.9"
    click, part = mail_event("_email.click", "pii-click")
    part["click"]["link"] = LINK
    part["click"]["ip_address"] = "2001:db8:85a3::8a2e:370:7334"
    click["attributes"]["feedback"] = LINK
    click["attributes"]["email"] = "leak.attribute@example.com"
    click["client_context"] = {"custom": {"legacy_identifier": "a1b2", "note": "call +14155550199 after 6pm"}}
    sms = copy.deepcopy(by_type["_SMS.BUFFERED"])
    sms["attributes"].update({"message_id": "pii-sms", "destination_phone_number": "+14155550123",
                              "customer_context": '{"mycustomerid":"4","contact":"+447700900777"}'})
    return [bounce, rejected, delivered, click, sms]


def _ses_leaks() -> list[dict[str, Any]]:
    mail = {"timestamp": "2026-10-01T03:10:00.123Z", "messageId": "pii-ses-bounce", "source": SES_SOURCE,
            "sendingAccountId": "123456789012", "destination": ["leak.ses@example.net"],
            "commonHeaders": {"from": [SES_SOURCE], "to": ["leak.ses@example.net"], "subject": "Hello"},
            "tags": {"ses:source-ip": [SES_SOURCE_IP], "ses:from-domain": ["example.com"]}}
    bounce = {"eventType": "Bounce", "mail": mail, "bounce": {
        "bounceType": "Permanent", "bounceSubType": "General", "timestamp": "2026-10-01T03:10:02.456Z",
        "feedbackId": "fb-pii-1", "reportingMTA": "dsn; 203.0.113.9",
        "bouncedRecipients": [{"emailAddress": "leak.ses@example.net", "action": "failed", "status": "5.1.1",
                               "diagnosticCode": "smtp; 550 5.1.1 leak.ses@example.net does not exist"}]}}
    reject = {"eventType": "Reject", "mail": {**mail, "messageId": "pii-ses-reject"},
              "reject": {"reason": "Bad content for leak.reject@example.org"}}
    return [bounce, reject]


def _sms_leaks() -> list[dict[str, Any]]:
    return [{"eventType": "TEXT_DELIVERED", "eventVersion": "1.0", "eventTimestamp": 1790824500123, "isFinal": True,
             "originationPhoneNumber": "+18445550100", "destinationPhoneNumber": "+14155550777",
             "isoCountryCode": "US", "messageId": "pii-sms-native", "messageRequestTimestamp": 1790824499000,
             "messageType": "TRANSACTIONAL", "messageStatus": "DELIVERED", "totalMessageParts": 1,
             "totalMessagePrice": 0.00645, "context": {"contact_email": "leak.sms@example.com", "mycustomerid": "7"}}]


def _write_ndjson(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


@pytest.fixture(scope="module")
def raw_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """events/ (Pinpoint Parquet), ses/ and sms/ (NDJSON): generated mixed history + hand-made records."""
    root = tmp_path_factory.mktemp("privacy_raw")
    subprocess.run([sys.executable, str(SCRIPTS / "generate_events.py"), "--format", "mixed", "--events", str(EVENTS),
                    "--seed", str(SEED), "--hours", str(HOURS), "--start", START, "--cutover", CUTOVER,
                    "--out", str(root / "events"), "--ses-out", str(root / "ses"), "--sms-out", str(root / "sms"),
                    "--quiet"], check=True)
    write_events(_pinpoint_leaks(), root / "events", file_name="part-privacy.parquet")
    _write_ndjson(root / "ses" / "2026/10/01/03" / "ses-events-1-privacy", _ses_leaks())
    _write_ndjson(root / "sms" / "2026/10/01/03" / "sms-events-1-privacy", _sms_leaks())
    return root


# -- the oracle: addresses in the raw files ---------------------------------------------------------------
def _raw_records(root: Path) -> Iterator[Any]:
    for path in sorted((root / "events").rglob("*.parquet")):
        yield from pq.read_table(path).to_pylist()
    for stream in ("ses", "sms"):
        for path in sorted(p for p in (root / stream).rglob("*") if p.is_file()):
            data = path.read_bytes()
            text = gzip.decompress(data).decode() if data[:2] == b"\x1f\x8b" else data.decode()
            yield from (json.loads(line) for line in text.splitlines() if line.strip())


def _strings(value: Any, field: str = "") -> Iterator[tuple[str, str]]:
    """(field name, text) of every string in a record; a Parquet map comes as a list of (key, value)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, str(key).lower())
    elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        yield "", value[0]
        yield from _strings(value[1], value[0].lower())
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, field)
    elif isinstance(value, str):
        yield field, value


def raw_addresses(root: Path) -> dict[str, set[str]]:
    """Every email address, phone number and IP address in the raw files, by kind."""
    found: dict[str, set[str]] = {"email": set(), "phone": set(), "ip": set()}
    for record in _raw_records(root):
        for field, text in _strings(record):
            for kind, pattern in PATTERNS.items():
                found["ip" if kind == "ipv6" else kind].update(pattern.findall(text))
            for kind, fields in WHOLE_VALUE_FIELDS.items():
                if field in fields and text:
                    found[kind].add(text)
    return found


@pytest.fixture(scope="module")
def raw(raw_root: Path) -> dict[str, set[str]]:
    found = raw_addresses(raw_root)
    # the hand-made records are in the oracle (else the free-text checks would prove nothing)
    for needle in ("leak.bounce@example.net", "leak.smtp@example.com", "2001:db8::25", "192.0.2.44",
                   "leak.link@example.com", "203.0.113.77", "+14155550199", "+447700900777", SES_SOURCE_IP,
                   "leak.sms@example.com", "leak.reject@example.org", "2001:db8:85a3::8a2e:370:7334"):
        assert any(needle in values for values in found.values()), needle
    assert min(len(v) for v in found.values()) >= 20, {k: len(v) for k, v in found.items()}
    return found


# -- the builds ---------------------------------------------------------------------------------------------
@contextmanager
def salt_env(value: str | None) -> Iterator[None]:
    """ENGAGEMENT_PII_SALT set to `value` (None: unset) for the block."""
    previous = os.environ.get(SALT_ENV)
    if value is None:
        os.environ.pop(SALT_ENV, None)
    else:
        os.environ[SALT_ENV] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(SALT_ENV, None)
        else:
            os.environ[SALT_ENV] = previous


def _project(root: Path, raw_root: Path, **extra_vars: Any) -> DbtProject:
    return make_project(root, raw_root / "events", ses_events_path=str(raw_root / "ses"),
                        sms_events_path=str(raw_root / "sms"), **extra_vars)


@pytest.fixture(scope="module")
def pii_off(tmp_path_factory: pytest.TempPathFactory, raw_root: Path) -> DbtProject:
    """The var left at its default (not passed at all)."""
    project = _project(tmp_path_factory.mktemp("privacy_off"), raw_root)
    project.invoke(*BUILD)
    return project


@pytest.fixture(scope="module")
def pii_on(tmp_path_factory: pytest.TempPathFactory, raw_root: Path) -> DbtProject:
    project = _project(tmp_path_factory.mktemp("privacy_on"), raw_root, pseudonymize_pii=True)
    with salt_env(SALT):
        project.invoke(*BUILD)
    return project


# -- the scan -------------------------------------------------------------------------------------------------
def relations(db: Path) -> list[tuple[str, str, list[str]]]:
    """(schema, name, columns) of every table and view of the DuckDB file."""
    con = duckdb.connect(str(db))  # as DbtProject.query: dbt may still hold the file open
    try:
        rows = con.execute(
            "select t.table_schema, t.table_name, list(c.column_name order by c.ordinal_position) "
            "from information_schema.tables as t join information_schema.columns as c "
            "on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema and c.table_name = t.table_name "
            "where t.table_catalog = current_database() group by 1, 2 order by 1, 2").fetchall()
    finally:
        con.close()
    return [(schema, name, list(columns)) for schema, name, columns in rows]


def scan(db: Path, needles: Iterable[str]) -> dict[str, set[str]]:
    """'schema.relation.column' -> the needles found in it, each column cast to text (nested ones too)."""
    ordered = sorted(set(needles), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, ordered)))
    hits: dict[str, set[str]] = {}
    con = duckdb.connect(str(db))  # as DbtProject.query: dbt may still hold the file open
    try:
        con.execute("set TimeZone = 'UTC'")
        for schema, name, columns in relations(db):
            select = ", ".join(f'cast("{c}" as varchar)' for c in columns)
            for row in con.execute(f'select distinct {select} from "{schema}"."{name}"').fetchall():
                for column, text in zip(columns, row):
                    if text is not None:
                        for match in pattern.findall(text):
                            hits.setdefault(f"{schema}.{name}.{column}", set()).add(match)
    finally:
        con.close()
    return hits


def _all(raw: dict[str, set[str]]) -> set[str]:
    return set().union(*raw.values())


def test_scan_finds_raw_addresses_with_the_default(pii_off: DbtProject, raw: dict[str, set[str]]) -> None:
    """Off (the default): the raw addresses are there, in every layer and in the free text, so the scan
    of the build with the var on is not vacuous."""
    hits = scan(pii_off.duckdb_path, _all(raw))
    found = set().union(*hits.values())
    for kind, values in raw.items():
        assert found & values, f"no raw {kind} found in the build"
    columns = {key.split(".", 1)[1] for key in hits}
    for expected in ("base_pinpoint_events.bounced_recipients", "base_ses_events.from_address",
                     "base_sms_events.destination_phone_number", "int_events.ip_address", "int_events.attributes",
                     "int_events.message_tags", "int_events.client_context_custom", "int_events.smtp_response",
                     "int_events.reject_reason", "int_events.link", "int_events.subject", "email_open.ip_address",
                     "email_hardbounce.bounced_recipient_diagnostic_code", "fct_email_messages.destination",
                     "fct_sms_messages.destination_phone_number", "agg_email_engagement_by_recipient.recipient_address"):
        assert expected in columns, f"{expected}: no raw address there with the var off ({sorted(columns)})"


def test_no_raw_address_survives_with_pii_on(pii_on: DbtProject, raw: dict[str, set[str]]) -> None:
    scanned = relations(pii_on.duckdb_path)
    names = {name for _, name, _ in scanned}
    for layer in ("base_pinpoint_events", "base_ses_events", "base_sms_events", "int_events", "email_send",
                  "sms_success", "fct_email_messages", "agg_sms_cost_by_tag_daily", "custom_purchase",
                  "audit_rejected_events"):
        assert layer in names, f"{layer} was not built: the scan would not cover it"
    hits = scan(pii_on.duckdb_path, _all(raw))
    report = "\n".join(f"  {column}: {sorted(found)[:3]}" for column, found in sorted(hits.items()))
    assert not hits, f"raw addresses left with pseudonymize_pii on:\n{report}"


def _sha(value: str) -> str:
    return hashlib.sha256((SALT + value).encode()).hexdigest()


def test_hashes_are_salted_sha256_of_the_raw_value(pii_on: DbtProject, pii_off: DbtProject) -> None:
    """The same open in both builds (message id + arrival): each address is sha256(salt || raw), lower-case hex."""
    [(message_id, arrival, raw_from, raw_ip)] = pii_off.query(
        "select message_id, arrival_timestamp, from_address, ip_address from email_open "
        "where ip_address is not null order by message_id, arrival_timestamp limit 1")
    assert "@" in raw_from and raw_ip.count(".") == 3
    [(hashed_from, hashed_ip)] = pii_on.query(
        f"select from_address, ip_address from email_open where message_id = '{message_id}' "
        f"and arrival_timestamp = timestamp '{arrival}'")
    assert (hashed_from, hashed_ip) == (_sha(raw_from), _sha(raw_ip))
    assert re.fullmatch(r"[0-9a-f]{64}", hashed_from)
    assert hashed_from != hashlib.sha256(raw_from.encode()).hexdigest(), "the hash must be salted"
    # one person, one hash: in the attributes map and in the column, in the Pinpoint and the native stream
    phone = "+14155550123"
    assert pii_on.query("select destination_phone_number, attributes['destination_phone_number'] "
                        "from base_pinpoint_events where message_id = 'pii-sms'") == [(_sha(phone), _sha(phone))]
    assert pii_on.query("select destination_phone_number, origination_phone_number from base_sms_events "
                        "where message_id = 'pii-sms-native'") == [(_sha("+14155550777"), _sha("+18445550100"))]


def test_free_text_is_redacted_and_the_rest_kept(pii_on: DbtProject) -> None:
    def one(sql: str) -> Any:
        [(value,)] = pii_on.query(sql)
        return value

    assert one("select bounced_recipients[1].diagnostic_code from base_pinpoint_events "
               "where message_id = 'pii-hardbounce'") == "smtp; 550 5.1.1 <[email]>... user unknown"
    assert one("select subject from base_pinpoint_events where message_id = 'pii-hardbounce'") == "Invoice for [email]"
    assert one("select reject_reason from base_pinpoint_events where message_id = 'pii-rejected'") == \
        "Rejected: sending host [ip] is listed"
    assert one("select smtp_response from base_pinpoint_events where message_id = 'pii-delivered'") == \
        "250 2.0.0 OK <[email]> via [ip]"
    assert one("select reporting_mta from base_pinpoint_events where message_id = 'pii-delivered'") == "dsn; [ip]"
    assert one("select link from base_pinpoint_events where message_id = 'pii-click'") == \
        "https://www.example.com/p?email=[email]&ip=[ip]"
    click_maps = pii_on.query("select attributes['feedback'], attributes['email'], attributes['campaign_id'], "
                              "client_context_custom['note'], message_tags['email'] "
                              "from base_pinpoint_events where message_id = 'pii-click'")
    assert click_maps == [("https://www.example.com/p?email=[email]&ip=[ip]", _sha("leak.attribute@example.com"),
                           "camp-1", "call [phone] after 6pm", _sha("leak.attribute@example.com"))]
    assert pii_on.query("select message_tags['contact'], message_tags['mycustomerid'] from base_pinpoint_events "
                        "where message_id = 'pii-sms'") == [("[phone]", "4")]
    assert pii_on.query("select from_address, message_tags['ses:source-ip'], message_tags['ses:from-domain'], "
                        "bounced_recipients[1].diagnostic_code from base_ses_events "
                        "where message_id = 'pii-ses-bounce'") == [
        (_sha(SES_SOURCE), _sha(SES_SOURCE_IP), "example.com", "smtp; 550 5.1.1 [email] does not exist")]
    assert one("select reject_reason from base_ses_events where message_id = 'pii-ses-reject'") == \
        "Bad content for [email]"
    assert pii_on.query("select message_tags['contact_email'], message_tags['mycustomerid'] from base_sms_events "
                        "where message_id = 'pii-sms-native'") == [("[email]", "7")]


COUNTED = ["int_events", "email_send", "email_delivered", "email_open", "email_click", "email_hardbounce",
           "email_softbounce", "email_complaint", "email_rejected", "sms_buffered", "sms_success", "sms_failure",
           "campaign_send", "journey_send", "audit_rejected_events", "fct_email_messages", "fct_sms_messages",
           "custom_purchase", "custom_signup"]


def test_counts_and_cross_stream_deduplication_are_unchanged(pii_on: DbtProject, pii_off: DbtProject) -> None:
    """Hashes still count and join: the same rows everywhere, the same recipients, and a message reported
    by Pinpoint and by SES/SMS during the switch-over still kept once."""
    for relation in COUNTED:
        on, off = (p.query(f"select count(*) from {relation}") for p in (pii_on, pii_off))
        assert on == off, f"{relation}: {on} rows with PII hashed, {off} without"
    for sql in ("select count(*), count(distinct recipient_address), sum(sent_messages) from agg_email_engagement_by_recipient",
                "select count(distinct destination_phone_number), count(distinct from_address) from int_events",
                "select source_system, count(*) from int_events group by 1 order by 1"):
        assert pii_on.query(sql) == pii_off.query(sql), sql
    shared = ("select count(*) from (select distinct message_event_key from base_pinpoint_events) as p "
              "join (select message_event_key from base_ses_events union select message_event_key "
              "from base_sms_events) as n using (message_event_key)")
    [(overlap,)] = pii_off.query(shared)
    assert overlap > 0, "the switch-over wrote no event in both formats: nothing to deduplicate"
    assert pii_on.query(shared) == [(overlap,)]


def test_pii_on_without_a_salt_fails_clearly(tmp_path: Path, raw_root: Path) -> None:
    for salt in (None, "short"):
        project = _project(tmp_path / f"salt_{salt}", raw_root, pseudonymize_pii=True)
        with salt_env(salt):
            result = project.invoke("compile", "--select", "base_sms_events", expect_ok=False)
        assert not result.success
        message = str(result.exception)
        assert "pseudonymize_pii is on but no salt is set" in message and SALT_ENV in message, message


def test_athena_sql_with_pii_on_parses_as_trino(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The whole project compiled for Athena with the var on (scripts/check_athena_sql.py): every model,
    test and analysis parses with Trino's grammar and has none of the Athena pitfalls."""
    target = tmp_path_factory.mktemp("privacy_athena")
    with salt_env(SALT):
        count, findings, _ = check.run_check(REPO_ROOT, target, {"pseudonymize_pii": True})
    assert not findings, "Athena SQL problems with pseudonymize_pii on:\n" + "\n".join(map(str, findings))
    assert count > 0
    base = target / "compiled" / "engagement_events" / "models" / "staging" / "base"
    for model in ("base_pinpoint_events", "base_ses_events", "base_sms_events"):
        sql = (base / f"{model}.sql").read_text()
        assert f"lower(to_hex(sha256(to_utf8('{SALT}' ||" in sql, f"{model}: no salted hash compiled"
    assert "regexp_replace(" in (base / "base_ses_events.sql").read_text()
