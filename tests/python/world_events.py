"""Hand-written native records, shaped after the AWS documentation's samples (SES event publishing,
End User Messaging SMS events), with what real mail carries: non-ASCII subjects and display names,
emoji, right-to-left and CJK text, case variants of documented enumerations, missing optional
objects and fields nobody documented. Nothing here comes from the project's generator."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

# Texts that must reach the views byte for byte (4-byte emoji, combining marks, RTL, CJK, NUL-free).
SUBJECTS = {
    "ses-utf8-1": "Don't miss out \u2013 20% off \U0001f389",
    "ses-utf8-2": "Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u00c5ngstr\u00f6m caf\u00e9 (e\u0301)",
    "ses-utf8-3": "\u4f60\u597d\uff0c\u4e16\u754c \u2603 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \U0001f468\u200d\U0001f469\u200d\U0001f467",
}
FROM_ADDRESS = "\"Zo\u00eb \u00c5gren \U0001f48c\" <zoe@example.com>"
SES_ACCOUNT = "123456789012"


def ses_mail(message_id: str, subject: str, timestamp: str, to: str = "ann@example.org",
             tags: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The `mail` object every SES event carries (AWS sample shape)."""
    return {
        "timestamp": timestamp,
        "source": FROM_ADDRESS,
        "sourceArn": f"arn:aws:ses:eu-west-1:{SES_ACCOUNT}:identity/example.com",
        "sendingAccountId": SES_ACCOUNT,
        "messageId": message_id,
        "destination": [to],
        "headersTruncated": False,
        "headers": [{"name": "Subject", "value": subject}, {"name": "X-Unknown-Header", "value": "\u2713"}],
        "commonHeaders": {"from": [FROM_ADDRESS], "to": [to], "messageId": message_id, "subject": subject},
        "tags": tags if tags is not None else {"ses:configuration-set": ["marketing"],
                                               "ses:from-domain": ["example.com"]},
    }


def ses_send(message_id: str, subject: str, timestamp: str, **kwargs: Any) -> dict[str, Any]:
    return {"eventType": "Send", "mail": ses_mail(message_id, subject, timestamp, **kwargs), "send": {}}


def ses_click(message_id: str, subject: str, sent: str, clicked: str, link: str,
              link_tags: dict[str, list[str]] | None, **kwargs: Any) -> dict[str, Any]:
    # linkPosition: a field SES does not document (yet), inside a documented object
    click: dict[str, Any] = {"ipAddress": "192.0.2.1", "timestamp": clicked, "link": link,
                             "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
                             "linkPosition": 2}
    if link_tags is not None:
        click["linkTags"] = link_tags
    return {"eventType": "Click", "mail": ses_mail(message_id, subject, sent, **kwargs), "click": click}


def sms_record(message_id: str, event_type: str, status: str, timestamp_ms: int, *, message_type: str = "PROMOTIONAL",
               is_final: bool = True, context: dict[str, str] | None = None) -> dict[str, Any]:
    """An End User Messaging SMS event record (AWS sample shape), with an undocumented field."""
    return {
        "eventType": event_type, "eventVersion": "1.0", "eventTimestamp": timestamp_ms, "isFinal": is_final,
        "originationPhoneNumber": "+18005550199", "destinationPhoneNumber": "+14255550111",
        "isoCountryCode": "US", "isInternationalSend": False, "mcc": "310", "mnc": "800",
        "carrierName": "Example Wireless", "messageId": message_id,
        "messageRequestTimestamp": timestamp_ms - 2000, "messageEncoding": "UCS2",
        "messageType": message_type, "messageStatus": status,
        "messageStatusDescription": "Message has been accepted by phone \U0001f4f1",
        "context": context if context is not None else {"note": "caf\u00e9 \u2615"},
        "totalMessageParts": 1, "totalMessagePrice": 0.00581, "totalCarrierFee": 0.00767,
        "someFieldAwsAddsLater": {"nested": [1, 2, 3]},
    }


def write_lines(folder: Path, name: str, lines: list[bytes], gzipped: bool = False) -> Path:
    """One Firehose object: `lines` joined with newlines (and a final newline), optionally gzip."""
    folder.mkdir(parents=True, exist_ok=True)
    body = b"\n".join(lines) + b"\n"
    path = folder / name
    path.write_bytes(gzip.compress(body) if gzipped else body)
    return path


def encode(record: dict[str, Any], ascii_only: bool = False) -> bytes:
    """A record as one JSON line: raw UTF-8 (as SES writes it), or \\u-escaped when ascii_only."""
    return json.dumps(record, ensure_ascii=ascii_only).encode("utf-8")
