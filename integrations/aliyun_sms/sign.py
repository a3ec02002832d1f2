"""The RPC signature (v1, HMAC-SHA1) Alibaba Cloud's dysmsapi checks: parameters sorted by name, each name and
value percent-encoded per RFC 3986 (space as %20, * as %2A, ~ kept), joined with & into the canonical query;
StringToSign = METHOD & %2F & percent-encoded canonical query; the key is the AccessKey secret followed by "&".
(help.aliyun.com, 签名机制 / signature mechanism of RPC APIs.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote


def percent(value: str) -> str:
    return quote(value, safe="~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()) if k != "Signature")


def signature(secret: str, method: str, params: dict[str, str]) -> str:
    to_sign = f"{method.upper()}&{percent('/')}&{percent(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify(secret: str, method: str, params: dict[str, str]) -> bool:
    """What the fake (and a test) checks: the request's Signature is the one its other parameters give."""
    given = params.get("Signature", "")
    return hmac.compare_digest(given, signature(secret, method, params))
