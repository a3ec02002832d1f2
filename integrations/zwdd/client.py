"""The signing client: every call to the 浙政钉 gateway goes through `GatewayClient.call`, which signs it
(sign.py), sends GET parameters in the query and POST parameters as a UTF-8 form body (as the SDK's
GetRequest / PostRequest do), and turns the answer into the JSON body or a classified ZwddError.

Answers (README.md): `{"success": true, "content": {...}}`. A gateway refusal is `success: false` with
`errorCode`/`errorMsg` (or `Code`/`Message`, as the SDK's OapiResponse names them); a business failure is
`content.success: false` with `content.responseCode`/`responseMessage`. Like the SDK's response handler,
any HTTP status >= 300, and 203, is a failure whatever the body says."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from integrations.zwdd import sign
from integrations.zwdd.config import ZwddSettings
from integrations.zwdd.errors import ZwddError

CONNECT_RETRIES = 2  # a request that never connected cannot have arrived: retrying it is always safe


def never_arrived(exc: httpx.HTTPError) -> bool:
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _first(data: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def check_envelope(status: int, data: Any) -> dict[str, Any]:
    """The JSON body of a successful answer, or ZwddError."""
    if not isinstance(data, dict):
        raise ZwddError(status, "NotJSON", f"HTTP {status}, not a JSON object", ambiguous=status >= 500)
    request_id = _first(data, "_RequestId", "requestId")
    content = data.get("content")
    if data.get("success") is False or status == 203 or status >= 300:
        code = _first(data, "errorCode", "Code", "bizErrorCode") or (f"HTTP{status}" if status >= 300 else "")
        message = _first(data, "errorMsg", "Message", "message") or "gateway refused the request"
        raise ZwddError(status, code, message, ambiguous=status >= 500, request_id=request_id)
    if isinstance(content, dict) and content.get("success") is False:
        code = _first(content, "responseCode", "bizErrorCode", "errorCode")
        message = _first(content, "responseMessage", "errorMsg")
        raise ZwddError(status, code, message, request_id=request_id or _first(content, "requestId"))
    return data


class GatewayClient:
    def __init__(self, settings: ZwddSettings, client: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_seconds, connect=min(5.0, settings.timeout_seconds)))
        self._clock = clock

    async def aclose(self) -> None:
        await self._client.aclose()

    def headers(self, method: str, url: str, pairs: list[tuple[str, str]]) -> dict[str, str]:
        now = datetime.fromtimestamp(self._clock(), UTC)
        return sign.signed_headers(
            api_key=self.settings.app_key, secret=self.settings.app_secret, method=method,
            path=urlsplit(url).path, pairs=pairs, timestamp=sign.format_timestamp(now), nonce=sign.new_nonce(),
            ip=self.settings.host_ip, mac=self.settings.host_mac)

    async def call(self, method: str, path: str, params: Mapping[str, sign.ParamValue]) -> dict[str, Any]:
        url = self.settings.api_base + path
        pairs = sign.form_pairs(params)
        for attempt in range(CONNECT_RETRIES + 1):
            headers = self.headers(method, url, pairs)  # a fresh timestamp and nonce on every try
            try:
                if method == "GET":
                    resp = await self._client.get(url, params=tuple(pairs), headers=headers)
                else:
                    resp = await self._client.post(url, data=_grouped(pairs), headers=headers)
            except httpx.HTTPError as exc:
                if never_arrived(exc) and attempt < CONNECT_RETRIES:
                    continue
                raise ZwddError(0, type(exc).__name__, str(exc) or type(exc).__name__,
                                ambiguous=not never_arrived(exc)) from None
            return self._decode(resp)
        raise AssertionError("unreachable")

    @staticmethod
    def _decode(resp: httpx.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if data is None and resp.status_code >= 500:
            raise ZwddError(resp.status_code, f"HTTP{resp.status_code}", resp.reason_phrase, ambiguous=True)
        return check_envelope(resp.status_code, data)


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """httpx's form encoder takes repeated names as lists (order kept within a name)."""
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out
