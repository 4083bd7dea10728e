#!/usr/bin/env python3
# mypy: disable-error-code="import-untyped"
"""Deterministic generator of raw Amazon Pinpoint events, laid out as Kinesis Firehose writes them to S3.

Output: Snappy Parquet files at OUT/YYYY/MM/DD/HH/engagement-events-1-YYYY-MM-DD-HH-MM-SS-<uuid>.parquet,
where the folder is the UTC hour the event reached Firehose, with exactly the Glue `all_events` schema
(GLUE_SCHEMA below, read from models/sources/src_pinpoint.yml). Same arguments give byte-identical files.

    python scripts/generate_events.py --out data/events --events 50000 --seed 42 \
        --start 2026-10-01T00:00:00Z --hours 72 [--files-per-hour 3] [--overwrite] [--quiet]

After Pinpoint: --format ses|sms writes the same lifecycles as Amazon SES event publishing records
(--ses-out, default data/ses_events) or AWS End User Messaging SMS event records (--sms-out, default
data/sms_events): newline-delimited JSON objects, gzip-compressed unless --no-gzip, in the same
YYYY/MM/DD/HH/ layout. --format mixed writes Pinpoint Parquet for events that reached Firehose before
--cutover (default: the middle of the window) and the native formats from --overlap-minutes (default
30) before it, so messages straddle the cut-over and switch-over events exist in both formats.
"""
from __future__ import annotations

import argparse
import bisect
import gzip
import json
import math
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from engagement_tools import EVENTS_DIR, SES_EVENTS_DIR, SMS_EVENTS_DIR
from raw_schemas import glue_schema_text

# The Glue table as Glue/Athena store it (names lower-cased), one "position name Hive type" a line, read
# from its one owner: the data_type of the columns of source pinpoint.all_events (models/sources/src_pinpoint.yml).
GLUE_SCHEMA = glue_schema_text("all_events")

_PRIMITIVES: dict[str, pa.DataType] = {
    "string": pa.string(), "bigint": pa.int64(), "int": pa.int32(),
    "boolean": pa.bool_(), "double": pa.float64(),
}


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not nested inside <...>."""
    parts: list[str] = []
    depth, begin = 0, 0
    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[begin:i])
            begin = i + 1
    parts.append(text[begin:])
    return [p.strip() for p in parts]


def hive_to_arrow(hive_type: str) -> pa.DataType:
    """Translate a Hive/Glue type string (string, bigint, map<..>, array<..>, struct<..>) to pyarrow."""
    text = hive_type.strip()
    if text.lower() in _PRIMITIVES:
        return _PRIMITIVES[text.lower()]
    head, sep, rest = text.partition("<")
    if not sep or not rest.endswith(">"):
        raise ValueError(f"unsupported Hive type: {hive_type!r}")
    inner, kind = rest[:-1], head.strip().lower()
    if kind == "array":
        return pa.list_(hive_to_arrow(inner))
    if kind == "map":
        key, value = _split_top_level(inner)
        return pa.map_(hive_to_arrow(key), hive_to_arrow(value))
    if kind == "struct":
        fields = []
        for part in _split_top_level(inner):
            name, _, typ = part.partition(":")
            fields.append(pa.field(name.strip().strip("`"), hive_to_arrow(typ)))
        return pa.struct(fields)
    raise ValueError(f"unsupported Hive type: {hive_type!r}")


def glue_arrow_schema() -> pa.Schema:
    """The Arrow schema of the files: GLUE_SCHEMA's 13 columns, in order."""
    rows = [line.split(None, 2) for line in GLUE_SCHEMA.splitlines() if line.strip()]
    return pa.schema([pa.field(name, hive_to_arrow(typ)) for _, name, typ in rows])


# ---------------------------------------------------------------- reference data
HOUR = 3_600_000
ACCOUNT = "123456789012"
SENDERS = ["news@example.com", "offers@example.com", "no-reply@example.com"]
SUBJECTS = ["Your weekly digest", "Welcome aboard!", "20% off this weekend only", "Your order has shipped",
            "Reset your password", "New features in October", "We miss you", "Your invoice is ready",
            "Last chance: sale ends tonight", "Confirm your email address", "Tips to get started",
            "Your account summary"]
FIRST = ["alex", "maria", "li", "sam", "fatima", "jonas", "priya", "noah", "emma", "diego", "yuki", "olga"]
DOMAINS = ["example.com", "example.net", "example.org", "mail.example"]
LINKS = ["https://www.example.com/", "https://www.example.com/sale", "https://www.example.com/blog/october",
         "https://www.example.com/account", "https://shop.example.com/p/12345?utm_source=email"]
USER_AGENTS = ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
               "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"]
IMAGE_PROXY_UA = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
HARD_SUBTYPES = ["General", "NoEmail", "Suppressed", "OnAccountSuppressionList"]
SOFT_SUBTYPES = {"General": "4.4.7", "MailboxFull": "4.2.2", "MessageTooLarge": "4.3.4", "ContentRejected": "4.7.1"}
SMS_FAILURES = ["UNREACHABLE", "BLOCKED", "CARRIER_UNREACHABLE", "INVALID", "TTL_EXPIRED"]
# (mobile number prefix, digits after it, origination number, price per message part in millicents)
COUNTRIES: dict[str, tuple[str, int, str, float]] = {
    "US": ("+1", 10, "+18445550142", 645.0), "GB": ("+447", 9, "+447700900123", 3959.0),
    "DE": ("+4915", 9, "+4915150000123", 7525.0), "FR": ("+336", 8, "+33644630123", 7169.0),
    "IN": ("+919", 9, "+919990000123", 176.0)}
COUNTRY_CUM = [60, 75, 85, 93, 100]
REJECTED, RENDER_FAILED, HARD, SOFT = 0.005, 0.0058, 0.0458, 0.0758   # cumulative email fates
EMPTY: dict[str, str] = {}


@dataclass
class Summary:
    events: int          # rows written, duplicates included
    unique_events: int
    files: int
    hours: int           # hour folders written
    duplicates: int
    late_events: int
    out: Path


@dataclass
class _User:
    app: str
    email: str
    email_ep: str
    sms_ep: str
    phone: str
    country: str
    app_ep: str
    platform: dict[str, str]
    sdk: dict[str, str]
    ip: str
    ua: str
    customer_id: str


class _Generator:
    """Builds events column-wise; `emit` appends one event and flushes to Arrow every BATCH rows."""
    BATCH = 50_000

    def __init__(self, rng: random.Random, start_ms: int, hours: int, events: int) -> None:
        self.rng, self.start, self.end = rng, start_ms, start_ms + hours * HOUR
        self.schema = glue_arrow_schema()
        self.cols: list[list[Any]] = [[] for _ in self.schema]
        self.batches: list[pa.RecordBatch] = []
        self.arrivals: list[int] = []
        self.total = self.email = self.sms = 0
        cum, acc = [], 0.0
        for h in range(hours):   # diurnal traffic: busiest mid-afternoon UTC
            acc += 0.25 + math.exp(-(((start_ms // HOUR + h) % 24 - 15) ** 2) / 30)
            cum.append(acc)
        self.hour_cum = cum
        self.apps = [self.hex32(), self.hex32()]
        self.users: dict[str, list[_User]] = {app: [] for app in self.apps}
        for i in range(max(100, events // 15)):
            user = self._new_user(i)
            self.users[user.app].append(user)
        self.campaigns = [(self.apps[i % 4 == 3], self.hex32(), [self.hex32(), self.hex32()],
                           [start_ms + rng.randrange(hours * HOUR * 9 // 10) for _ in range(rng.randint(1, 2))])
                          for i in range(8)]
        days = (hours + 23) // 24
        self.journeys = [(self.apps[i == 2], self.hex32(), [self.hex32() for _ in range(3)],
                          [self.hex32() for _ in range(days)]) for i in range(3)]

    # -- helpers
    def hex32(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def uuid(self) -> str:
        h = self.hex32()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def ses_id(self) -> str:
        return f"{self.rng.getrandbits(64):016x}-{self.uuid()}-000000"

    def _new_user(self, i: int) -> _User:
        r = self.rng
        iso = list(COUNTRIES)[bisect.bisect_right(COUNTRY_CUM, r.randrange(100))]
        prefix, digits, _, _ = COUNTRIES[iso]
        android = r.random() < 0.55
        return _User(
            app=self.apps[r.random() < 0.25], email=f"{r.choice(FIRST)}.{i}@{r.choice(DOMAINS)}",
            email_ep=self.uuid(), sms_ep=self.uuid(), country=iso, app_ep=self.uuid(),
            phone=prefix + str(r.randrange(2 * 10 ** (digits - 1), 10 ** digits)),
            platform={"name": "android", "version": r.choice(["13", "14", "15"])} if android
            else {"name": "ios", "version": r.choice(["17.5", "18.0", "18.1"])},
            sdk={"name": "aws-amplify-android", "version": "2.16.1"} if android
            else {"name": "aws-sdk-iOS", "version": "2.36.7"},
            ip=f"{r.randint(23, 198)}.{r.randrange(256)}.{r.randrange(256)}.{r.randint(1, 254)}",
            ua=r.choice(USER_AGENTS), customer_id=str(i % 50 + 1))

    def when(self) -> int:
        """A random instant in the window, weighted by hour of day, with a non-zero millisecond part."""
        h = bisect.bisect_left(self.hour_cum, self.rng.random() * self.hour_cum[-1])
        t = self.start + min(h, len(self.hour_cum) - 1) * HOUR + self.rng.randrange(HOUR)
        return t if t % 1000 else t + 1

    def campaign(self) -> tuple[str, int, dict[str, str]]:
        """A campaign message: (app id, send time near one of the campaign's runs, campaign attributes)."""
        r = self.rng
        app, campaign_id, activities, runs = r.choice(self.campaigns)
        t = r.choice(runs) + int(r.expovariate(1 / 1_200_000)) // 1000 * 1000 + r.randint(1, 999)
        treatment = r.randrange(2)
        return app, t, {"campaign_id": campaign_id, "treatment_id": str(treatment),
                        "campaign_activity_id": activities[treatment]}

    def mess_ctx(self, ctx: dict[str, Any]) -> Optional[dict[str, Any]]:
        x = self.rng.random()
        return None if x < 0.015 else {"custom": None} if x < 0.03 else ctx

    def emit(self, etype: str, event_ts: int, arrival: int, app: str, client_id: str,
             attributes: Optional[dict[str, str]], ctx: Optional[dict[str, Any]], facets: Any = None,
             metrics: Optional[dict[str, float]] = None, platform: dict[str, str] = EMPTY,
             session: dict[str, str] = EMPTY, sdk: dict[str, str] = EMPTY) -> bool:
        if arrival >= self.end:
            return False   # would happen after the window: not generated
        event_ts += 0 if event_ts % 1000 else 3      # keep millisecond parts non-zero
        arrival += 0 if arrival % 1000 else 7
        row = (etype, event_ts, arrival, "3.1", {"app_id": app, "sdk": sdk}, {"client_id": client_id, "cognito_id": None},
               {"platform": platform}, session, attributes, ctx, ACCOUNT, facets, metrics)
        for col, value in zip(self.cols, row):
            col.append(value)
        self.arrivals.append(arrival)
        self.total += 1
        if etype.startswith("_email."):
            self.email += 1
        elif etype.startswith("_SMS."):
            self.sms += 1
        if len(self.cols[0]) >= self.BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        if self.cols[0]:
            arrays = [pa.array(col, type=f.type) for col, f in zip(self.cols, self.schema)]
            self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
            self.cols = [[] for _ in self.schema]

    # -- message lifecycles
    def email_message(self) -> None:
        r = self.rng
        roll, base = r.random(), {}  # type: tuple[float, dict[str, str]]
        if roll < 0.25:
            app, t0, base = self.campaign()
        elif roll < 0.35:
            app, journey_id, steps, run_ids = r.choice(self.journeys)
            t0 = self.when()
            base = {"journey_id": journey_id, "journey_run_id": run_ids[(t0 - self.start) // (24 * HOUR)],
                    "journey_activity_id": r.choice(steps)}
        else:
            app, t0 = self.apps[r.random() < 0.3], self.when()
        user = r.choice(self.users[app])
        custom = {"legacy_identifier": app}
        if r.random() < 0.4:
            custom["mycustomerid"] = user.customer_id
        ctx = {"custom": custom}
        if roll < 0.25:
            self.emit("_campaign.send", t0, t0 + r.randint(20, 900), app, user.email_ep,
                      {**base, "delivery_type": "EMAIL", "campaign_send_status": "SUCCESS"}, ctx)
        elif roll < 0.35:
            status = "SUCCESS" if r.random() < 0.95 else r.choice(["FAILURE", "DAILY_CAP", "QUIET_TIME", "TIMEOUT"])
            self.emit("_journey.send", t0, t0 + r.randint(20, 900), app, user.email_ep,
                      {**base, "journey_send_status": status}, ctx)
            if status != "SUCCESS":
                return
        fate = r.random()   # < REJECTED: rejected; < RENDER_FAILED; < HARD: hard bounce; < SOFT: soft bounce
        extra = r.randint(1, 2) if RENDER_FAILED <= fate < SOFT and r.random() < 0.10 else int(r.random() < 0.05)
        dest = [user.email] + [f"{r.choice(FIRST)}.{r.randrange(10**6)}@{r.choice(DOMAINS)}" for _ in range(extra)]
        sender, subject, to = r.choice(SENDERS), r.choice(SUBJECTS), ", ".join(dest)
        mail = {"message_id": self.ses_id(), "message_send_timestamp": t0, "from_address": sender,
                "destination": dest, "headers_truncated": False,
                "headers": [{"name": "From", "value": sender}, {"name": "To", "value": to},
                            {"name": "Subject", "value": subject}],
                "common_headers": {"from": sender, "to": dest, "subject": subject}}

        def ev(etype: str, t: int, feedback: str, **part: Any) -> bool:
            attrs = None if r.random() < 0.03 else {**base, "feedback": feedback}
            return self.emit(etype, t0, t, app, user.email_ep, attrs, self.mess_ctx(ctx),
                             {"email_channel": {"mail_event": {"mail": mail, **part}}})

        t = t0 + r.randint(200, 3000)
        if fate < REJECTED:
            ev("_email.rejected", t, "rejected", reject={"reason": "Bad content"})
            return
        if fate < RENDER_FAILED:
            ev("_email.rendering_failure", t, "rendering_failure")
            return
        if not ev("_email.send", t, "received", send=EMPTY):
            return
        if fate < SOFT:
            hard = fate < HARD
            sub = r.choice(HARD_SUBTYPES) if hard else r.choice(list(SOFT_SUBTYPES))
            status = "5.1.1" if hard else SOFT_SUBTYPES[sub]
            diag = "smtp; 550 5.1.1 user unknown" if hard else f"smtp; 452 {status} temporary failure"
            recipients = [] if r.random() < 0.02 else [
                {"email_address": a, "action": "failed", "status": status, "diagnostic_code": diag}
                for a in (dest if len(dest) > 1 and r.random() < 0.9 else dest[:1])]
            t += r.randint(1_000, 20_000) if hard else r.randint(10_000, 1_800_000)
            bounce = {"bounce_type": "Permanent" if hard else "Transient", "bounce_sub_type": sub,
                      "bounced_recipients": recipients, "feedback_id": self.ses_id(),
                      "reporting_mta": "dsn; a8-55.smtp-out.amazonses.com"}
            ev("_email.hardbounce" if hard else "_email.softbounce", t, "bounced", bounce=bounce)
            if hard or r.random() > 0.4:
                return
            t += r.randint(300_000, 10_800_000)   # the retry gets through
        processing = r.randint(300, 6000)
        t += processing + r.randint(50, 3000)
        delivery = {"smtp_response": "250 2.0.0 OK", "reporting_mta": "a8-55.smtp-out.amazonses.com",
                    "recipients": dest, "processing_time_millis": processing}
        if not ev("_email.delivered", t, "delivered", delivery=delivery):
            return
        if r.random() < 0.003:
            complaint = {"complained_recipients": [] if r.random() < 0.1 else [{"email_address": dest[0]}],
                         "feedback_id": self.ses_id(), "user_agent": "Yahoo!-Mail-Feedback/2.0",
                         "complaint_feedback_type": "abuse"}
            ev("_email.complaint", t + int(r.expovariate(1 / 7_200_000)), "complaint", complaint=complaint)
        if r.random() >= 0.35:
            return
        proxy = user.email.endswith("example.com") and r.random() < 0.5
        ip, ua = ("66.249.84.%d" % r.randint(1, 254), IMAGE_PROXY_UA) if proxy else (user.ip, user.ua)
        opens, to_ = [], t
        for _ in range(r.choices((1, 2, 3, 4), cum_weights=(50, 75, 90, 100))[0]):
            to_ += int(r.lognormvariate(14.8, 1.2)) + 1  # median ~45 min after the previous one
            if ev("_email.open", to_, "opened", open={"ip_address": ip, "user_agent": ua}):
                opens.append(to_)
        if not opens or r.random() >= 0.30:
            return
        links = LINKS[:3] if not base else LINKS
        clicks = []
        for _ in range(r.randint(1, 3)):
            tc = r.choice(opens) + r.randint(3_000, 600_000)
            link = r.choice(links)
            if ev("_email.click", tc, link, click={"ip_address": user.ip, "user_agent": user.ua, "link": link, "link_tags": None}):
                clicks.append(tc)
        if clicks and r.random() < 0.03:
            link = f"https://www.example.com/unsubscribe?e={user.email_ep}"
            tags = r.sample(["optout", "newsletter", "promotions"], r.randint(1, 2))
            ev("_email.unsubscribe", max(clicks) + r.randint(2_000, 120_000), link,
               click={"ip_address": user.ip, "user_agent": user.ua, "link": link,
                      "link_tags": {"unsubscribelinktag": tags}})

    def sms_message(self) -> None:
        r = self.rng
        campaign = r.random() < 0.25
        if campaign:
            app, t, camp = self.campaign()
        else:
            app, t = self.apps[r.random() < 0.3], self.when()
        user = r.choice(self.users[app])
        _, _, origination, price = COUNTRIES[user.country]
        parts = r.choices((1, 2, 3), cum_weights=(75, 95, 100))[0]
        attrs = {"sender_request_id": self.uuid(), "destination_phone_number": user.phone,
                 "iso_country_code": user.country, "number_of_message_parts": str(parts),
                 "message_id": self.uuid(), "message_type": "PROMOTIONAL" if campaign else "TRANSACTIONAL",
                 "origination_phone_number": origination}
        x = r.random()
        if x < 0.01:
            attrs["customer_context"] = '{"mycustomerid":'
        elif x < 0.61:
            attrs["customer_context"] = json.dumps({"mycustomerid": user.customer_id}, separators=(",", ":"))
        ctx = {"custom": {"legacy_identifier": app}}
        if campaign:
            attrs.update(camp)
            self.emit("_campaign.send", t, t + r.randint(20, 900), app, user.sms_ep,
                      {**camp, "delivery_type": "SMS", "campaign_send_status": "SUCCESS"}, ctx)
        metrics = {"price_in_millicents_usd": price * parts}

        def ev(etype: str, t: int, status: str, m: Optional[dict[str, float]]) -> bool:
            return self.emit(etype, t, t + r.randint(100, 3000), app, user.sms_ep,
                             {**attrs, "record_status": status}, self.mess_ctx(ctx), None, m)

        if not ev("_SMS.BUFFERED", t, "SUCCESSFUL" if r.random() < 0.9 else "PENDING", metrics):
            return
        x = r.random()
        if x < 0.85:
            t += r.randint(2_000, 180_000)
            if ev("_SMS.SUCCESS", t, "DELIVERED", metrics) and r.random() < 0.02:
                ev("_SMS.OPTOUT", t + int(r.expovariate(1 / 14_400_000)) + 1, "OPTED_OUT", None)
        elif x < 0.97:
            ev("_SMS.FAILURE", t + r.randint(5_000, 1_800_000), r.choice(SMS_FAILURES), metrics)

    def app_session(self) -> None:
        r = self.rng
        app = self.apps[r.random() < 0.3]
        user, t = r.choice(self.users[app]), self.when()
        session = {"session_id": f"{r.getrandbits(64):016x}-{t // 1000}", "start_timestamp": str(t)}
        ctx = {"custom": {"legacy_identifier": app}}
        if r.random() < 0.04:
            self.emit("_session.start", t, t + r.randint(500, 60_000), app, user.app_ep, {}, ctx,
                      platform=user.platform, session=session, sdk=user.sdk)
        for _ in range(r.randint(1, 3)):
            t += int(r.expovariate(1 / 180_000)) + 1
            if r.random() < 0.6:
                price = f"{r.randint(1, 199)}.{r.choice(['99', '49', '00', '95'])}"
                attrs = {"item_id": f"SKU-{r.randrange(1, 500):05d}", "quantity": str(r.randint(1, 5)),
                         "price": r.choice(["N/A", "", "19,99", "free"]) if r.random() < 0.02 else price,
                         "currency": "USD" if r.random() < 0.7 else "EUR"}
                etype = "purchase"
            else:
                attrs = {"plan": "pro" if r.random() < 0.25 else "free", "trial": r.choice(["true", "false"]),
                         "referrer": r.choice(["google", "facebook", "newsletter", "direct", "partner"])}
                etype = "signup"
            self.emit(etype, t, t + r.randint(500, 120_000), app, user.app_ep, attrs, ctx,
                      platform=user.platform, session=session, sdk=user.sdk)


def _fill(step: Callable[[], None], done: Callable[[], bool], g: _Generator, target: int, progress: bool) -> None:
    mark = g.total // max(1, target // 10) + 1
    while not done():
        step()
        if progress and g.total >= mark * (target // 10):
            print(f"  generated {g.total:,} events", file=sys.stderr)
            mark += 1


class _Arrivals(Protocol):
    """What _layout needs: the Firehose arrival of each event, and the window end."""
    arrivals: list[int]
    end: int


def _layout(g: _Arrivals, rng: random.Random, files_per_hour: int) -> tuple[dict[int, list[list[tuple[int, int, int]]]], int, int]:
    """Assign each event (plus ~1% duplicates) to a file: {folder hour: [[(sort key, seq, row index)]]}."""
    buckets: dict[int, list[tuple[int, int, int]]] = {}
    late = 0
    for i, arrival in enumerate(g.arrivals):
        if rng.random() < 0.01:       # late: lands 1-6 hours after its arrival hour
            late += 1
            key = (arrival // HOUR + rng.randint(1, 6)) * HOUR + rng.randrange(HOUR)
        else:                         # normal Firehose delivery lag, kept inside the window
            key = arrival + rng.randint(0, 120_000)
            key = key if key < g.end else arrival
        buckets.setdefault(key // HOUR, []).append((key, i, i))
    files: dict[int, list[list[tuple[int, int, int]]]] = {}
    where: list[tuple[int, int]] = [(0, 0)] * len(g.arrivals)
    for hour in sorted(buckets):
        rows = sorted(buckets[hour])
        k = min(files_per_hour, len(rows))
        files[hour] = [rows[j * len(rows) // k:(j + 1) * len(rows) // k] for j in range(k)]
        for j, chunk in enumerate(files[hour]):
            for _, _, i in chunk:
                where[i] = (hour, j)
    dups, seq = 0, len(g.arrivals)
    for i in range(len(g.arrivals)):
        if rng.random() >= 0.01:
            continue
        hour, j = where[i]
        mode = rng.randrange(3)       # 0: same file, 1: another file of that hour, 2: next hour's folder
        if mode == 1 and len(files[hour]) > 1:
            j = (j + rng.randrange(1, len(files[hour]))) % len(files[hour])
        elif mode == 2:
            hour += 1
            files.setdefault(hour, [[]])
            j = rng.randrange(len(files[hour]))
        chunk = files[hour][j]
        key = chunk[0][0] + rng.randrange(HOUR // 4) if chunk else hour * HOUR + rng.randrange(HOUR)
        chunk.append((min(key, hour * HOUR + HOUR - 1), seq, i))
        seq += 1
        dups += 1
    return {h: [sorted(c) for c in files[h]] for h in sorted(files)}, dups, late


def _simulate(events: int, seed: int, start: datetime, hours: int,
              progress: bool) -> tuple[_Generator, random.Random, pa.Table]:
    """Run the message lifecycles for [start, start + hours): the generator, its RNG and the events table."""
    if events <= 0 or hours <= 0:
        raise ValueError("events, hours and files_per_hour must be positive")
    start = start.replace(tzinfo=timezone.utc) if start.tzinfo is None else start.astimezone(timezone.utc)
    start_ms = int(start.timestamp() * 1000)
    rng = random.Random(seed)
    g = _Generator(rng, start_ms, hours, events)
    progress = progress and events >= 200_000
    _fill(g.email_message, lambda: g.email >= 0.70 * events, g, events, progress)
    _fill(g.sms_message, lambda: g.sms >= 0.20 * events, g, events, progress)
    custom_until = max(g.total + max(1, events // 100), events)
    _fill(g.app_session, lambda: g.total >= custom_until, g, events, progress)
    g.flush()
    table = pa.Table.from_batches(g.batches, schema=g.schema)
    try:
        table = table.combine_chunks()   # faster takes; keep the chunks if a column outgrows 32-bit offsets
    except pa.ArrowInvalid:
        pass
    return g, rng, table


def _write_parquet(out: Path, g: _Arrivals, rng: random.Random, table: pa.Table, files_per_hour: int,
                   progress: bool) -> Summary:
    """Lay the events of `table` (g.arrivals in the same order) out as Firehose does and write them."""
    files, dups, late = _layout(g, rng, files_per_hour)
    n_files = written = 0
    for n_hours, (hour, chunks) in enumerate(files.items(), 1):
        folder = out / f"{datetime.fromtimestamp(hour * 3600, tz=timezone.utc):%Y/%m/%d/%H}"
        folder.mkdir(parents=True, exist_ok=True)
        for chunk in chunks:   # named after the first record's Firehose arrival, as Firehose does
            first = datetime.fromtimestamp(chunk[0][0] // 1000, tz=timezone.utc)
            h = f"{rng.getrandbits(128):032x}"
            name = f"engagement-events-1-{first:%Y-%m-%d-%H-%M-%S}-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}.parquet"
            pq.write_table(table.take(pa.array([i for _, _, i in chunk], type=pa.int64())),
                           folder / name, compression="snappy")
            n_files += 1
            written += len(chunk)
        if progress and n_hours % max(1, len(files) // 10) == 0:
            print(f"  wrote {n_files:,} files ({n_hours}/{len(files)} hour folders)", file=sys.stderr)
    return Summary(written, len(g.arrivals), n_files, len(files), dups, late, out)


def generate(out: Path, events: int, seed: int, start: datetime, hours: int,
             files_per_hour: int = 3, progress: bool = True) -> Summary:
    """Write about `events` events for [start, start + hours) under `out`; returns what was written."""
    if events <= 0 or hours <= 0 or files_per_hour <= 0:
        raise ValueError("events, hours and files_per_hour must be positive")
    out = Path(out)
    if any(out.rglob("*.parquet")):
        raise FileExistsError(f"{out} already contains .parquet files")
    g, rng, table = _simulate(events, seed, start, hours, progress)
    return _write_parquet(out, g, rng, table, files_per_hour, progress and events >= 200_000)


# ---------------------------------------------------------------- native formats (after Pinpoint)
# The same lifecycles rendered as Amazon SES event publishing records and AWS End User Messaging SMS
# event records (newline-delimited JSON, one object per line, gzip or not), in the same Firehose
# YYYY/MM/DD/HH/ layout. Rendering draws from its own RNG, so the Pinpoint events are the same.
FORMATS = ("pinpoint", "ses", "sms", "mixed")
SES_TYPES = {"_email.send": "Send", "_email.delivered": "Delivery", "_email.open": "Open", "_email.click": "Click",
             "_email.unsubscribe": "Click", "_email.hardbounce": "Bounce", "_email.softbounce": "Bounce",
             "_email.complaint": "Complaint", "_email.rejected": "Reject",
             "_email.rendering_failure": "Rendering Failure"}
SMS_DESCRIPTIONS = {"SUCCESSFUL": "Message has been accepted by phone carrier", "PENDING": "Message is being delivered",
                    "DELIVERED": "Message has been delivered to the handset", "OPTED_OUT": "Destination has opted out",
                    "UNREACHABLE": "Handset unreachable", "BLOCKED": "Blocked by the handset or its carrier",
                    "CARRIER_UNREACHABLE": "Carrier temporarily unreachable", "INVALID": "Invalid destination number",
                    "TTL_EXPIRED": "Time to live expired before delivery"}


@dataclass
class NativeSummary:
    records: int         # lines written, duplicates included
    unique_records: int
    files: int
    hours: int
    duplicates: int
    out: Path


@dataclass
class FormatsSummary:
    pinpoint: Optional[Summary]
    ses: Optional[NativeSummary]
    sms: Optional[NativeSummary]
    straddling_messages: int   # messages with events on both sides of the cut-over
    both_formats: int          # events written in both formats (the switch-over overlap)


def _iso(epoch_ms: int) -> str:
    """Epoch ms as SES writes times: 2026-10-01T00:41:02.669Z."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"


def _as_dict(value: Any) -> dict[str, Any]:
    """A pyarrow map value (a list of pairs) or a struct value (a dict) as a dict; {} for NULL."""
    if value is None:
        return {}
    return dict(value) if isinstance(value, list) else dict(value)


def ses_record(row: dict[str, Any]) -> dict[str, Any]:
    """The SES event publishing record of one Pinpoint email event row (as pyarrow's to_pylist gives it)."""
    etype = row["event_type"]
    mail_event = row["facets"]["email_channel"]["mail_event"]
    mail = mail_event["mail"]
    arrival = row["arrival_timestamp"]
    sender = mail["from_address"]
    custom = _as_dict((row["client_context"] or {}).get("custom"))
    tags: dict[str, list[str]] = {"ses:configuration-set": ["engagement"],
                                  "ses:from-domain": [sender.split("@")[-1]]}
    tags.update({k: [v] for k, v in sorted(custom.items()) if k != "legacy_identifier"})
    record: dict[str, Any] = {"eventType": SES_TYPES[etype], "mail": {
        "timestamp": _iso(mail["message_send_timestamp"]), "source": sender,
        "sourceArn": f"arn:aws:ses:us-east-1:{row['awsaccountid']}:identity/{sender.split('@')[-1]}",
        "sendingAccountId": row["awsaccountid"], "messageId": mail["message_id"],
        "destination": mail["destination"], "headersTruncated": mail["headers_truncated"],
        "headers": [{"name": h.get("name"), "value": h.get("value")} for h in map(_as_dict, mail["headers"] or [])],
        "commonHeaders": {"from": [mail["common_headers"]["from"]], "to": mail["common_headers"]["to"],
                          "messageId": mail["message_id"], "subject": mail["common_headers"]["subject"]},
        "tags": tags}}
    when = _iso(arrival)
    if etype == "_email.send":
        record["send"] = {}
    elif etype == "_email.rejected":
        record["reject"] = {"reason": mail_event["reject"]["reason"]}
    elif etype == "_email.rendering_failure":
        record["failure"] = {"templateName": "welcome",
                             "errorMessage": "Attribute 'name' is not present in the rendering data."}
    elif etype == "_email.delivered":
        d = mail_event["delivery"]
        record["delivery"] = {"timestamp": when, "processingTimeMillis": d["processing_time_millis"],
                              "recipients": d["recipients"], "smtpResponse": d["smtp_response"],
                              "reportingMTA": d["reporting_mta"], "remoteMtaIp": "203.0.113.25"}
    elif etype in ("_email.hardbounce", "_email.softbounce"):
        b = mail_event["bounce"]
        record["bounce"] = {"bounceType": b["bounce_type"], "bounceSubType": b["bounce_sub_type"],
                            "bouncedRecipients": [{"emailAddress": r["email_address"], "action": r["action"],
                                                   "status": r["status"], "diagnosticCode": r["diagnostic_code"]}
                                                  for r in b["bounced_recipients"] or []],
                            "timestamp": when, "feedbackId": b["feedback_id"], "reportingMTA": b["reporting_mta"]}
    elif etype == "_email.complaint":
        c = mail_event["complaint"]
        record["complaint"] = {"complainedRecipients": [{"emailAddress": r["email_address"]}
                                                        for r in c["complained_recipients"] or []],
                               "timestamp": when, "feedbackId": c["feedback_id"], "userAgent": c["user_agent"],
                               "complaintFeedbackType": c["complaint_feedback_type"], "arrivalDate": when}
    elif etype == "_email.open":
        o = mail_event["open"]
        record["open"] = {"ipAddress": o["ip_address"], "timestamp": when, "userAgent": o["user_agent"]}
    else:   # click or unsubscribe (a click on a link tagged unsubscribeLinkTag)
        c = mail_event["click"]
        click: dict[str, Any] = {"ipAddress": c["ip_address"], "timestamp": when, "userAgent": c["user_agent"],
                                 "link": c["link"]}
        unsubscribe = (c["link_tags"] or {}).get("unsubscribelinktag")
        if unsubscribe is not None:
            click["linkTags"] = {"unsubscribeLinkTag": unsubscribe}
        record["click"] = click
    return record


def sms_record(row: dict[str, Any], requested_at: int) -> dict[str, Any]:
    """The End User Messaging SMS event record of one Pinpoint _SMS.* event row."""
    etype = row["event_type"]
    attrs = _as_dict(row["attributes"])
    status = attrs["record_status"]
    if etype == "_SMS.BUFFERED":
        native, final = ("TEXT_SUCCESSFUL" if status == "SUCCESSFUL" else "TEXT_PENDING"), False
    elif etype == "_SMS.SUCCESS":
        native, final = ("TEXT_DELIVERED" if status == "DELIVERED" else "TEXT_SUCCESSFUL"), True
    elif etype == "_SMS.OPTOUT":
        native, final = "TEXT_BLOCKED", True
    else:
        native, final = f"TEXT_{status}", True
    try:
        context = json.loads(attrs["customer_context"]) if "customer_context" in attrs else {}
    except json.JSONDecodeError:
        context = {}   # Pinpoint passed a malformed string; End User Messaging only takes an object
    record: dict[str, Any] = {
        "eventType": native, "eventVersion": "1.0", "eventTimestamp": row["event_timestamp"], "isFinal": final,
        "originationPhoneNumber": attrs["origination_phone_number"],
        "destinationPhoneNumber": attrs["destination_phone_number"], "isoCountryCode": attrs["iso_country_code"],
        "isInternationalSend": False, "messageId": attrs["message_id"], "messageRequestTimestamp": requested_at,
        "messageEncoding": "GSM", "messageType": attrs["message_type"], "messageStatus": status,
        "messageStatusDescription": SMS_DESCRIPTIONS.get(status, status.replace("_", " ").capitalize()),
        "context": context if isinstance(context, dict) else {},
        "totalMessageParts": int(attrs["number_of_message_parts"])}
    price = (row["metrics"] or {}).get("price_in_millicents_usd")
    if price is not None:
        record["totalMessagePrice"] = round(price / 100_000, 8)
        record["totalCarrierFee"] = 0.0
    return record


def _write_native(out: Path, stream: str, records: list[tuple[int, dict[str, Any]]], rng: random.Random,
                  end_ms: int, files_per_hour: int, gzip_files: bool) -> NativeSummary:
    """Write (arrival ms, record) pairs as Firehose does: YYYY/MM/DD/HH/ of the delivery time, a few
    objects per hour, one JSON object per line, ~1% re-delivered, byte-identical for the same input."""
    buckets: dict[int, list[tuple[int, int]]] = {}
    for i, (arrival, _) in enumerate(records):
        key = arrival + rng.randint(0, 120_000)
        key = key if key < end_ms else arrival
        buckets.setdefault(key // HOUR, []).append((key, i))
    files: dict[int, list[list[tuple[int, int]]]] = {}
    for hour in sorted(buckets):
        rows = sorted(buckets[hour])
        k = min(files_per_hour, len(rows))
        files[hour] = [rows[j * len(rows) // k:(j + 1) * len(rows) // k] for j in range(k)]
    dups = 0
    for hour in sorted(files):
        for chunk in files[hour]:
            for key, i in list(chunk):
                if rng.random() < 0.01:    # re-delivered in the same object
                    chunk.append((key, i))
                    dups += 1
    n_files = written = 0
    for hour, chunks in sorted(files.items()):
        folder = out / f"{datetime.fromtimestamp(hour * 3600, tz=timezone.utc):%Y/%m/%d/%H}"
        folder.mkdir(parents=True, exist_ok=True)
        for chunk in chunks:
            chunk.sort()
            first = datetime.fromtimestamp(chunk[0][0] // 1000, tz=timezone.utc)
            h = f"{rng.getrandbits(128):032x}"
            name = (f"{stream}-events-1-{first:%Y-%m-%d-%H-%M-%S}-"
                    f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
            text = "".join(json.dumps(records[i][1], separators=(",", ":")) + "\n" for _, i in chunk).encode()
            if gzip_files:
                (folder / f"{name}.gz").write_bytes(gzip.compress(text, mtime=0))
            else:
                (folder / name).write_bytes(text)
            n_files += 1
            written += len(chunk)
    return NativeSummary(written, len(records), n_files, len(files), dups, out)


class _Subset:
    """The part of a generator's events _layout needs, for a subset of them."""
    def __init__(self, arrivals: list[int], end: int) -> None:
        self.arrivals, self.end = arrivals, end


def generate_formats(out: Path, events: int, seed: int, start: datetime, hours: int, fmt: str = "pinpoint",
                     cutover: Optional[datetime] = None, ses_out: Path = SES_EVENTS_DIR,
                     sms_out: Path = SMS_EVENTS_DIR, overlap_minutes: int = 30,
                     files_per_hour: int = 3, gzip_files: bool = True, progress: bool = True) -> FormatsSummary:
    """The same lifecycles in one format, or `mixed`: Pinpoint for events that reached Firehose before
    `cutover` (default: the middle of the window), SES and SMS from `overlap_minutes` before it (the
    switch-over, when both destinations are on, so those events are written in both formats). Campaign,
    journey and app events have no native format: they end at the cut-over."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "pinpoint":
        return FormatsSummary(generate(out, events, seed, start, hours, files_per_hour, progress), None, None, 0, 0)
    if files_per_hour <= 0 or overlap_minutes < 0:
        raise ValueError("files_per_hour must be positive and overlap_minutes not negative")
    g, rng, table = _simulate(events, seed, start, hours, progress)
    start_ms = g.start
    cut_ms = start_ms + hours * HOUR // 2 if cutover is None else int(cutover.timestamp() * 1000)
    native_from = cut_ms - overlap_minutes * 60_000 if fmt == "mixed" else start_ms
    pinpoint_until = cut_ms if fmt == "mixed" else start_ms
    rows = table.to_pylist()
    native_rng = random.Random(f"native-{seed}")
    requested: dict[str, int] = {}
    for row in rows:
        if row["event_type"].startswith("_SMS."):
            mid = _as_dict(row["attributes"])["message_id"]
            requested[mid] = min(requested.get(mid, row["event_timestamp"]), row["event_timestamp"])
    ses: list[tuple[int, dict[str, Any]]] = []
    sms: list[tuple[int, dict[str, Any]]] = []
    keep: list[int] = []
    sides: dict[str, set[bool]] = {}
    both = 0
    for i, row in enumerate(rows):
        arrival, etype = row["arrival_timestamp"], row["event_type"]
        native_ok = etype in SES_TYPES or etype.startswith("_SMS.")
        in_pinpoint = fmt == "mixed" and arrival < pinpoint_until
        wanted = fmt == "mixed" or fmt == ("sms" if etype.startswith("_SMS.") else "ses")
        in_native = native_ok and wanted and arrival >= native_from
        if in_pinpoint:
            keep.append(i)
        if in_native and etype in SES_TYPES:
            ses.append((arrival, ses_record(row)))
        elif in_native:
            sms.append((arrival, sms_record(row, requested[_as_dict(row["attributes"])["message_id"]])))
        both += in_pinpoint and in_native
        if native_ok and fmt == "mixed":
            mid = row["facets"]["email_channel"]["mail_event"]["mail"]["message_id"] if etype in SES_TYPES \
                else _as_dict(row["attributes"])["message_id"]
            sides.setdefault(mid, set()).add(arrival < cut_ms)
    pinpoint: Optional[Summary] = None
    if fmt == "mixed":
        subset = _Subset([g.arrivals[i] for i in keep], g.end)
        pinpoint = _write_parquet(Path(out), subset, rng, table.take(pa.array(keep, type=pa.int64())),
                                  files_per_hour, False)
    ses_summary = _write_native(Path(ses_out), "ses", ses, native_rng, g.end, files_per_hour, gzip_files) \
        if fmt in ("ses", "mixed") else None
    sms_summary = _write_native(Path(sms_out), "sms", sms, native_rng, g.end, files_per_hour, gzip_files) \
        if fmt in ("sms", "mixed") else None
    straddling = sum(1 for s in sides.values() if len(s) == 2)
    return FormatsSummary(pinpoint, ses_summary, sms_summary, straddling, both)


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _utc(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time like 2026-10-01T00:00:00Z: {text}") from exc
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _native_files(folder: Path, stream: str) -> list[Path]:
    return sorted(folder.rglob(f"{stream}-events-1-*")) if folder.is_dir() else []


SAMPLE_MARKER = "SAMPLE_DATA.md"


def mark_sample(folder: Path) -> None:
    """Leave a marker beside `folder` (in its parent) saying it holds generated events; the dbt
    on-run-start check (macros/check_events_path.sql) reads it to keep samples and real data apart."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    (folder.parent / SAMPLE_MARKER).write_text(
        "# Generated sample events\n\n"
        "The folders beside this file were written by `scripts/generate_events.py` (`make run`): made-up\n"
        "events for trying the warehouse, not data of any account. A dbt build refuses to read them together\n"
        "with folders of real data; delete this folder to get rid of them.\n",
        encoding="utf-8",
    )


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=EVENTS_DIR, help=f"output folder (default {EVENTS_DIR})")
    parser.add_argument("--events", type=_positive, default=50_000, help="approximate number of events (default 50000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--start", type=_utc, default=_utc("2026-10-01T00:00:00Z"), help="window start, UTC")
    parser.add_argument("--hours", type=_positive, default=72, help="window length in hours (default 72)")
    parser.add_argument("--files-per-hour", type=_positive, default=3, help="files per hour folder (default 3)")
    parser.add_argument("--overwrite", action="store_true", help="delete existing *.parquet under --out first")
    parser.add_argument("--quiet", action="store_true", help="no progress or summary output")
    parser.add_argument("--format", choices=FORMATS, default="pinpoint",
                        help="pinpoint (default), ses or sms (the same lifecycles in that format only), or mixed: "
                             "Pinpoint before --cutover, SES and SMS after it")
    parser.add_argument("--cutover", type=_utc, default=None,
                        help="mixed: the switch to the native formats, UTC (default: the middle of the window)")
    parser.add_argument("--overlap-minutes", type=int, default=30,
                        help="mixed: minutes before the cut-over when both formats are written (default 30)")
    parser.add_argument("--ses-out", type=Path, default=SES_EVENTS_DIR,
                        help=f"output folder of SES records (default {SES_EVENTS_DIR})")
    parser.add_argument("--sms-out", type=Path, default=SMS_EVENTS_DIR,
                        help=f"output folder of SMS records (default {SMS_EVENTS_DIR})")
    parser.add_argument("--no-gzip", action="store_true", help="write the SES/SMS objects uncompressed")
    parser.add_argument("--mark-sample", action="store_true",
                        help=f"write a {SAMPLE_MARKER} beside each output folder, so that a build refuses to mix "
                             "these samples with real data (make run does this)")
    args = parser.parse_args(argv)
    existing = sorted(args.out.rglob("*.parquet")) if args.out.is_dir() and args.format in ("pinpoint", "mixed") else []
    native = [*(_native_files(args.ses_out, "ses") if args.format in ("ses", "mixed") else []),
              *(_native_files(args.sms_out, "sms") if args.format in ("sms", "mixed") else [])]
    if (existing or native) and not args.overwrite:
        where = args.out if existing else (args.ses_out if args.format != "sms" else args.sms_out)
        print(f"error: output folder {where} already contains {len(existing) + len(native)} generated file(s); "
              "use --overwrite to replace them", file=sys.stderr)
        return 2
    if args.overlap_minutes < 0:
        print("error: --overlap-minutes must not be negative", file=sys.stderr)
        return 2
    for path in existing + native:
        path.unlink()
    if args.mark_sample:
        outputs = [args.out] if args.format in ("pinpoint", "mixed") else []
        outputs += [args.ses_out] if args.format in ("ses", "mixed") else []
        outputs += [args.sms_out] if args.format in ("sms", "mixed") else []
        for folder in outputs:
            mark_sample(folder)
    if args.format == "pinpoint":
        s = generate(args.out, args.events, args.seed, args.start, args.hours, args.files_per_hour, not args.quiet)
        if not args.quiet:
            print(f"wrote {s.events:,} events ({s.unique_events:,} unique) in {s.files:,} files over {s.hours} hour "
                  f"folders; {s.duplicates:,} duplicates, {s.late_events:,} late events -> {s.out}")
        return 0
    f = generate_formats(args.out, args.events, args.seed, args.start, args.hours, args.format, args.cutover,
                         args.ses_out, args.sms_out, args.overlap_minutes, args.files_per_hour, not args.no_gzip,
                         not args.quiet)
    if not args.quiet:
        if f.pinpoint:
            print(f"pinpoint: {f.pinpoint.events:,} events in {f.pinpoint.files:,} files -> {f.pinpoint.out}")
        for label, n in (("ses", f.ses), ("sms", f.sms)):
            if n:
                print(f"{label}: {n.records:,} records ({n.unique_records:,} unique) in {n.files:,} files -> {n.out}")
        if args.format == "mixed":
            print(f"cut-over: {f.straddling_messages:,} messages straddle it, {f.both_formats:,} events written in "
                  "both formats during the switch-over")
    return 0


if __name__ == "__main__":
    sys.exit(main())
