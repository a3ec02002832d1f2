"""Async WeCom API on httpx: token cached per app and refreshed on expiry codes, errors as WeComError."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from integrations.wecom.config import WeComSettings
from integrations.wecom.errors import TOKEN_EXPIRED, WeComError

TOKEN_MARGIN_SECONDS = 300
MAX_DEDUPE_SECONDS = 4 * 3600  # WeCom's longest duplicate_check_interval


def _maybe_arrived(exc: httpx.HTTPError) -> bool:
    """A request that never connected cannot have been carried out; one that timed out or was cut off
    while waiting for the answer may have been."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


class WeComAPI:
    def __init__(self, settings: WeComSettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_seconds, connect=min(5.0, settings.timeout_seconds)))
        self._token: str | None = None
        self._token_expires = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _url(self, path: str) -> str:
        return self.settings.api_base + path

    async def token(self, *, force: bool = False, stale: str | None = None) -> str:
        """The cached token; `force` fetches a new one unless another call already replaced `stale`."""
        async with self._lock:
            fresh = self._token and time.monotonic() < self._token_expires
            if fresh and (not force or (stale is not None and self._token != stale)):
                assert self._token is not None
                return self._token
            resp = await self._client.get(
                self._url("gettoken"), params={"corpid": self.settings.corp_id, "corpsecret": self.settings.secret}
            )
            data = self._json(resp)
            self._token = str(data["access_token"])
            self._token_expires = time.monotonic() + int(data.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
            return self._token

    @staticmethod
    def _json(resp: httpx.Response) -> dict[str, Any]:
        if resp.status_code >= 500:
            raise WeComError(-1, f"HTTP {resp.status_code}", ambiguous=True)
        try:
            data = resp.json()
        except ValueError:
            raise WeComError(-1, f"HTTP {resp.status_code}, not JSON") from None
        if not isinstance(data, dict):
            raise WeComError(-1, "unexpected response")
        code = int(data.get("errcode", 0))
        if code != 0:
            raise WeComError(code, str(data.get("errmsg", "")))
        return data

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the access token; an expired token is refreshed once and the call repeated."""
        return await self._with_token("POST", path, {}, body)

    async def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """GET with the access token (agent/get, appchat/get); an expired token is refreshed once."""
        return await self._with_token("GET", path, params, None)

    async def _with_token(self, method: str, path: str, params: dict[str, str],
                          body: dict[str, Any] | None) -> dict[str, Any]:
        token = ""
        for attempt in (0, 1):
            token = await self.token(force=attempt == 1, stale=token)
            try:
                resp = await self._client.request(method, self._url(path), params={**params, "access_token": token},
                                                  json=body)
            except httpx.HTTPError as exc:  # a send may have arrived; a read changes nothing
                raise WeComError(-1, f"{type(exc).__name__}: {exc}",
                                 ambiguous=method == "POST" and _maybe_arrived(exc)) from None
            try:
                return self._json(resp)
            except WeComError as exc:
                if exc.errcode in TOKEN_EXPIRED and attempt == 0:
                    continue
                raise
        raise AssertionError("unreachable")

    async def upload_image(self, data: bytes, filename: str = "chart.png") -> str:
        return await self.upload(data, filename, "image", "image/png")

    async def upload(self, data: bytes, filename: str, kind: str, mime: str) -> str:
        """media/upload: temporary media (3 days) to send by media_id; kind is image or file. An expired token
        is refreshed once and the upload repeated, as for every other call."""
        token = ""
        for attempt in (0, 1):
            token = await self.token(force=attempt == 1, stale=token)
            try:
                resp = await self._client.post(self._url("media/upload"), params={"access_token": token, "type": kind},
                                               files={"media": (filename, data, mime)})
            except httpx.HTTPError as exc:
                raise WeComError(-1, f"{type(exc).__name__}: {exc}") from None
            try:
                return str(self._json(resp)["media_id"])
            except WeComError as exc:
                if exc.errcode in TOKEN_EXPIRED and attempt == 0:
                    continue
                raise
        raise AssertionError("unreachable")

    async def get_media(self, media_id: str) -> httpx.Response:
        """media/get: the file itself, or a JSON error (40007: the media_id is unknown or older than 3 days)."""
        token = ""
        for attempt in (0, 1):
            token = await self.token(force=attempt == 1, stale=token)
            try:
                resp = await self._client.get(self._url("media/get"), params={"access_token": token,
                                                                               "media_id": media_id})
            except httpx.HTTPError as exc:
                raise WeComError(-1, f"{type(exc).__name__}: {exc}") from None
            if resp.status_code < 500 and "json" not in resp.headers.get("content-type", ""):
                return resp
            try:
                self._json(resp)
            except WeComError as exc:
                if exc.errcode in TOKEN_EXPIRED and attempt == 0:
                    continue
                raise
            raise WeComError(-1, "media/get answered JSON without an error")
        raise AssertionError("unreachable")

    async def send(self, userid: str, msgtype: str, content: dict[str, Any],
                   dedupe_seconds: int | None = None) -> dict[str, Any]:
        """message/send; with dedupe_seconds WeCom drops it if the same message went to the member within
        that window (enable_duplicate_check), which makes a retry after a lost answer safe."""
        body: dict[str, Any] = {"touser": userid, "msgtype": msgtype, "agentid": self.settings.agent_id,
                                msgtype: content}
        if dedupe_seconds:
            body["enable_duplicate_check"] = 1
            body["duplicate_check_interval"] = max(60, min(MAX_DEDUPE_SECONDS, dedupe_seconds))
        return await self.post("message/send", body)

    async def update_card(self, userid: str, response_code: str, update: dict[str, Any]) -> dict[str, Any]:
        body = {"userids": [userid], "agentid": self.settings.agent_id, "response_code": response_code, **update}
        return await self.post("message/update_template_card", body)

    async def send_group(self, chatid: str, msgtype: str, content: dict[str, Any]) -> dict[str, Any]:
        """appchat/send: only to a chat this app created with create_chat (86003 for any other chatid)."""
        return await self.post("appchat/send", {"chatid": chatid, "msgtype": msgtype, msgtype: content})

    async def create_chat(self, name: str, owner: str, userids: list[str], chatid: str | None = None) -> str:
        """appchat/create (document/path/90245): a group chat of 2-2000 members, `owner` among them, and its
        chatid — the one given (0-9a-zA-Z, at most 32 characters, not yet used) or one WeCom makes up. Only an
        app visible from the root department may do this; the name is cut to 50 characters by WeCom."""
        body: dict[str, Any] = {"name": name, "owner": owner, "userlist": list(userids)}
        if chatid:
            body["chatid"] = chatid
        return str((await self.post("appchat/create", body))["chatid"])

    async def get_chat(self, chatid: str) -> dict[str, Any]:
        """appchat/get (document/path/98914): the chat_info of a chat this app created; WeComError 86003 (or
        86001) for every other chatid."""
        return dict((await self.get("appchat/get", {"chatid": chatid})).get("chat_info") or {})
