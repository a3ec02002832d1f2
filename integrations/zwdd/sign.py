"""The 浙政钉 / 专有钉钉 gateway's request signature, exactly as the official Java SDK computes it
(zwdd-sdk-java 1.2.0, com.alibaba.xxpt.gateway.shared.client.sign.Signature; see README.md here):

    bytesToSign = METHOD \\n X-Hmac-Auth-Timestamp \\n X-Hmac-Auth-Nonce \\n path [\\n k1=v1&k2=v2…]
    X-Hmac-Auth-Signature = base64(hmac_sha256(app_secret, bytesToSign))

Parameters are sorted by name case-insensitively (a TreeMap with String.CASE_INSENSITIVE_ORDER, so two
names differing only in case are one entry); the values of a repeated name are sorted and each becomes its
own `name=value`; values are NOT url-encoded in the string to sign; empty values are neither sent nor
signed; with no parameters the last line and its newline are left out. Pure functions only: the fake
gateway verifies with the same primitives, and tests check them against a vector built by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERSION = "1.0"
H_API_KEY = "apiKey"
H_SIGNATURE = "X-Hmac-Auth-Signature"
H_TIMESTAMP = "X-Hmac-Auth-Timestamp"
H_NONCE = "X-Hmac-Auth-Nonce"
H_VERSION = "X-Hmac-Auth-Version"
H_IP = "X-Hmac-Auth-IP"
H_MAC = "X-Hmac-Auth-MAC"
REQUIRED_HEADERS = (H_API_KEY, H_SIGNATURE, H_TIMESTAMP, H_NONCE)

ParamValue = str | int | bool | list[str] | tuple[str, ...] | None
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL and friends; \x01 would split a value


def _text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # Java's Boolean.toString, as the SDK's adapter sends it
    return _CONTROL.sub("", str(value))


def form_pairs(params: Mapping[str, ParamValue]) -> list[tuple[str, str]]:
    """The (name, value) pairs to send: lists become repeated names; None, empty and blank values are
    dropped, as the SDK's PostRequest/GetRequest.addParameter drop them (isEmpty after trim)."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values: Sequence[str | int | bool | None] = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            text = _text(item)
            if text.strip():
                pairs.append((name, text))
    return pairs


def _utf16(value: str) -> bytes:
    return value.encode("utf-16-be")  # Java sorts Strings by UTF-16 code unit


def canonical_params(pairs: Iterable[tuple[str, str]]) -> str:
    """`k=v&k=v…` over the pairs, in the SDK's order (see the module docstring)."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for name, value in pairs:
        if not name or not value:
            continue
        key = name.lower()
        if key not in groups:
            groups[key] = (name, [])
        groups[key][1].append(value)
    parts: list[str] = []
    for key in sorted(groups):
        name, values = groups[key]
        values = sorted(values, key=_utf16) if len(values) > 1 else values
        parts.extend(f"{name}={value}" for value in values)
    return "&".join(parts)


def string_to_sign(method: str, timestamp: str, nonce: str, path: str, params: str) -> str:
    head = f"{method.upper()}\n{timestamp}\n{nonce}\n{path}"
    return f"{head}\n{params}" if params else head


def signature(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def format_timestamp(at: datetime) -> str:
    """Joda's ISODateTimeFormat.dateTime() in China time: 2024-05-01T09:30:00.123+08:00."""
    return at.astimezone(SHANGHAI).isoformat(timespec="milliseconds")


def parse_timestamp(text: str) -> datetime | None:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


def new_nonce() -> str:
    """The SDK's shape: System.nanoTime() followed by four random digits."""
    return f"{time.time_ns()}{secrets.randbelow(10_000):04d}"


def signed_headers(*, api_key: str, secret: str, method: str, path: str, pairs: Iterable[tuple[str, str]],
                   timestamp: str, nonce: str, ip: str, mac: str) -> dict[str, str]:
    sig = signature(secret, string_to_sign(method, timestamp, nonce, path, canonical_params(pairs)))
    headers = {H_API_KEY: api_key, H_SIGNATURE: sig, H_TIMESTAMP: timestamp, H_VERSION: VERSION, H_NONCE: nonce}
    if ip:
        headers[H_IP] = ip
    if mac:
        headers[H_MAC] = mac
    return headers


def robot_sign(secret: str, timestamp_ms: int) -> str:
    """A group custom robot's `sign` (DingTalk's public custom-robot scheme, also served on the 浙政钉 host):
    base64(hmac_sha256(secret, f"{timestamp}\\n{secret}")); the caller url-encodes it into the query."""
    return signature(secret, f"{timestamp_ms}\n{secret}")
