"""Webhook signatures: is this event really from Zalo, and recent?

Zalo signs each webhook event with the header
``X-ZEvent-Signature: mac=<sha256 hex of app_id + raw body + timestamp + OA secret key>``,
where the timestamp is the event's own ``timestamp`` field (milliseconds, in the JSON body).
The body must be hashed exactly as it arrived, before any JSON parsing.

An event older than MAX_AGE (or dated that far in the future) is refused even when signed:
a captured request replayed later must not count as a new message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from enum import Enum

HEADER = "X-ZEvent-Signature"
MAX_AGE_SECONDS = 10 * 60


class Check(Enum):
    OK = "ok"
    MISSING = "missing"  # no signature header at all
    BAD = "bad"  # a signature that does not match, or a body without a usable timestamp
    STALE = "stale"  # signed, but too old (or too far in the future)

    @property
    def ok(self) -> bool:
        return self is Check.OK


def expected_mac(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret.encode())
    return digest.hexdigest()


def header_value(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    return "mac=" + expected_mac(app_id, body, timestamp, oa_secret)


def _timestamp(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    value = data.get("timestamp") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    # ASCII digits only, and no more than milliseconds need ("²" is a digit to isdigit()).
    return text if text.isascii() and text.isdigit() and len(text) <= 16 else None


def verify(header: str | None, body: bytes, *, app_id: str, oa_secret: str,
           now: float | None = None) -> Check:
    """Check an event's signature (constant time), then its age."""
    if not header:
        return Check.MISSING
    given = header.strip()
    if given[:4].lower() == "mac=":
        given = given[4:]
    stamp = _timestamp(body)
    if stamp is None:
        return Check.BAD
    expected = expected_mac(app_id, body, stamp, oa_secret)
    # compare_digest needs ASCII on both sides; a non-ASCII header is simply wrong.
    if not given.isascii() or not hmac.compare_digest(given.lower(), expected):
        return Check.BAD
    moment = time.time() if now is None else now
    if abs(moment - int(stamp) / 1000) > MAX_AGE_SECONDS:
        return Check.STALE
    return Check.OK
