"""Async DingTalk OpenAPI on httpx (never the SDK's blocking helpers): token cache, robot messages,
interactive cards (createAndDeliver with callbackType STREAM, PUT updates), DING, inbound media.

Every call is paced by a token bucket per app per API, shared by every process through Redis when configured
(about 20 calls a second per API on the standard edition; past it DingTalk answers 403 QpsLimit…), and counted
for the monthly quota (integrations/usage.py)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from integrations.dingtalk.config import DingTalkSettings
from integrations.dingtalk.errors import DingTalkError
from integrations.pacing import MemoryRateStore, RateStore, take_bucket
from integrations.usage import UsageMeter

TOKEN_MARGIN_SECONDS = 300
MAX_USERS_PER_BATCH = 20  # oToMessages/batchSend: userIds at most 20
THROTTLE_RETRIES = (0.5, 1.5)  # a 403 QpsLimit is retried at once after these pauses, then left to the outbox
OAPI_TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
PACE = 0.9  # share of the platform's QPS we use


def _maybe_arrived(exc: httpx.HTTPError) -> bool:
    """A request that never connected was not carried out; one cut off while waiting may have been."""
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


LABEL = "钉钉"
QUOTA_ADVICE = "可在钉钉开发者后台 → 资源管理 查看用量明细或购买增购包"


class DingTalkAPI:
    def __init__(self, settings: DingTalkSettings, client: httpx.AsyncClient | None = None,
                 rates: RateStore | None = None, meter: UsageMeter | None = None) -> None:
        self.settings = settings
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_seconds, connect=min(5.0, settings.timeout_seconds)))
        self.rates = rates or MemoryRateStore()
        self.meter = meter or UsageMeter("dingtalk", quota=settings.monthly_quota, label=LABEL, advice=QUOTA_ADVICE)
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self._oapi_token: str | None = None
        self._oapi_expires = 0.0
        self._oapi_lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self.meter.flush()
        await self._client.aclose()

    async def token(self, *, force: bool = False, stale: str | None = None) -> str:
        """The cached token; `force` fetches a new one unless another call already replaced `stale`."""
        async with self._lock:
            fresh = self._token and time.monotonic() < self._expires
            if fresh and (not force or (stale is not None and self._token != stale)):
                assert self._token is not None
                return self._token
            data = await self._call("POST", "/v1.0/oauth2/accessToken", {
                "appKey": self.settings.client_id, "appSecret": self.settings.client_secret}, token=None)
            self._token = str(data["accessToken"])
            self._expires = time.monotonic() + int(data.get("expireIn", 7200)) - TOKEN_MARGIN_SECONDS
            return self._token

    async def _call(self, method: str, path: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        headers = {"x-acs-dingtalk-access-token": token} if token else {}
        if token:  # the token call itself is neither paced nor metered
            # Evenly spaced at 90% of the limit, no burst: no one-second span ever holds more than the limit.
            await take_bucket(self.rates, f"dingtalk:{self.settings.client_id}:{path}", self.settings.qps * PACE, 1)
            await self.meter.count()
        try:
            resp = await self._client.request(method, self.settings.api_base + path,
                                              json=body if method != "GET" else None, headers=headers)
        except httpx.HTTPError as exc:
            raise DingTalkError(0, type(exc).__name__, str(exc), ambiguous=_maybe_arrived(exc)) from None
        try:
            data = resp.json() if resp.content else {}
        except ValueError:
            data = {}
        if resp.status_code >= 400:
            data = data if isinstance(data, dict) else {}
            raise DingTalkError(resp.status_code, str(data.get("code", "")), str(data.get("message", resp.text[:200])),
                                ambiguous=resp.status_code >= 500)
        return data if isinstance(data, dict) else {}

    async def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """With the token (refreshed once when it expired); throttling is retried after a short pause."""
        refreshed, pauses, token = False, list(THROTTLE_RETRIES), ""
        while True:
            token = await self.token(force=refreshed, stale=token)
            try:
                return await self._call(method, path, body, token)
            except DingTalkError as exc:
                if exc.token_expired and not refreshed:
                    refreshed = True
                    continue
                if exc.throttled and pauses:  # refused before it was carried out: safe to repeat
                    await asyncio.sleep(pauses.pop(0))
                    continue
                raise

    async def user_access_token(self, code: str) -> str:
        """A person's token for the one-time authCode the login page gave their browser (the app's own token
        is not used: the code and the app's secret are the credentials)."""
        data = await self._call("POST", "/v1.0/oauth2/userAccessToken", {
            "clientId": self.settings.client_id, "clientSecret": self.settings.client_secret, "code": code,
            "grantType": "authorization_code"}, token=None)
        return str(data["accessToken"])

    async def me(self, user_token: str) -> dict[str, Any]:
        """contact/users/me with the person's token: their unionId (and nick)."""
        return await self._call("GET", "/v1.0/contact/users/me", {}, token=user_token)

    async def send_to_users(self, user_ids: list[str], msg_key: str, param: dict[str, Any]) -> dict[str, Any]:
        assert 0 < len(user_ids) <= MAX_USERS_PER_BATCH
        return await self.call("POST", "/v1.0/robot/oToMessages/batchSend", {
            "robotCode": self.settings.robot_code, "userIds": user_ids, "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False)})

    async def send_to_group(self, conversation: str, msg_key: str, param: dict[str, Any]) -> dict[str, Any]:
        return await self.call("POST", "/v1.0/robot/groupMessages/send", {
            "robotCode": self.settings.robot_code, "openConversationId": conversation, "msgKey": msg_key,
            "msgParam": json.dumps(param, ensure_ascii=False)})

    async def create_card(self, out_track_id: str, user_id: str, params: dict[str, str]) -> dict[str, Any]:
        return await self.call("POST", "/v1.0/card/instances/createAndDeliver", {
            "cardTemplateId": self.settings.card_template_id,
            "outTrackId": out_track_id,
            "cardData": {"cardParamMap": params},
            "callbackType": "STREAM",
            "openSpaceId": f"dtv1.card//IM_ROBOT.{user_id}",
            "imRobotOpenSpaceModel": {"supportForward": False},
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": self.settings.robot_code},
        })

    async def update_card(self, out_track_id: str, params: dict[str, str]) -> dict[str, Any]:
        return await self.call("PUT", "/v1.0/card/instances", {
            "outTrackId": out_track_id, "cardData": {"cardParamMap": params},
            "cardUpdateOptions": {"updateCardDataByKey": True}})

    async def ding(self, user_ids: list[str], content: str, remind_type: int = 1) -> dict[str, Any]:
        """DING; remindType 1 in the app, 2 by SMS, 3 by phone call. The answer's `failedList` names whom it
        did not reach."""
        return await self.call("POST", "/v1.0/robot/ding/send", {
            "robotCode": self.settings.robot_code, "receiverUserIdList": user_ids, "content": content,
            "remindType": remind_type})

    async def download(self, download_code: str) -> tuple[bytes, str]:
        """Inbound media: exchange the message's downloadCode for a short-lived downloadUrl, then fetch it."""
        data = await self.call("POST", "/v1.0/robot/messageFiles/download",
                               {"downloadCode": download_code, "robotCode": self.settings.robot_code})
        url = str(data.get("downloadUrl") or "")
        if not url.startswith(("http://", "https://")):
            raise DingTalkError(200, "NoDownloadUrl", "messageFiles/download gave no downloadUrl")
        try:
            resp = await self._client.get(url)
        except httpx.HTTPError as exc:
            raise DingTalkError(0, type(exc).__name__, str(exc)) from None
        if resp.status_code != 200:
            raise DingTalkError(resp.status_code, "DownloadFailed", resp.text[:200])
        return resp.content, resp.headers.get("content-type", "application/octet-stream").split(";")[0].strip()

    async def upload_image(self, data: bytes, filename: str = "chart.png") -> str:
        return await self.upload(data, filename, "image", "image/png")

    async def _legacy_token(self, force: bool) -> str:
        """The older API's own token, cached like the new one (it lives 7200 s): not one per upload."""
        async with self._oapi_lock:
            if not force and self._oapi_token and time.monotonic() < self._oapi_expires:
                return self._oapi_token
            try:
                tok = await self._client.get(self.settings.oapi_base + "/gettoken", params={
                    "appkey": self.settings.client_id, "appsecret": self.settings.client_secret})
                body = tok.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise DingTalkError(0, type(exc).__name__, str(exc)) from None
            if int(body.get("errcode", 0)) != 0 or "access_token" not in body:
                raise DingTalkError(tok.status_code, str(body.get("errcode")), str(body.get("errmsg")))
            self._oapi_token = str(body["access_token"])
            self._oapi_expires = time.monotonic() + int(body.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
            return self._oapi_token

    async def oapi_post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """A call on the older API host (errors as HTTP 200 with a non-zero errcode); an expired legacy token is
        fetched again once."""
        for force in (False, True):
            token = await self._legacy_token(force)
            await self.meter.count()
            try:
                resp = await self._client.post(self.settings.oapi_base + path, params={"access_token": token},
                                               json=body)
                data = resp.json()
            except (httpx.HTTPError, ValueError) as exc:
                ambiguous = isinstance(exc, httpx.HTTPError) and _maybe_arrived(exc)
                raise DingTalkError(0, type(exc).__name__, str(exc), ambiguous=ambiguous) from None
            code = int(data.get("errcode", 0)) if isinstance(data, dict) else -1
            if code in OAPI_TOKEN_EXPIRED and not force:
                continue
            if code != 0 or not isinstance(data, dict):
                errmsg = data.get("errmsg") if isinstance(data, dict) else ""
                raise DingTalkError(resp.status_code, str(code), str(errmsg))
            return dict(data)
        raise AssertionError("unreachable")

    async def upload(self, data: bytes, filename: str, kind: str = "image", mime: str = "image/png") -> str:
        """The older media/upload API: the media_id serves as photoURL in sampleImageMsg and as mediaId in
        sampleFile. An expired legacy token is fetched again once."""
        for force in (False, True):
            token = await self._legacy_token(force)
            await self.meter.count()
            try:
                resp = await self._client.post(self.settings.oapi_base + "/media/upload",
                                               params={"access_token": token, "type": kind},
                                               files={"media": (filename, data, mime)})
                body = resp.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise DingTalkError(0, type(exc).__name__, str(exc)) from None
            code = int(body.get("errcode", 0))
            if code in OAPI_TOKEN_EXPIRED and not force:
                continue
            if code != 0 or "media_id" not in body:
                raise DingTalkError(resp.status_code, str(body.get("errcode")), str(body.get("errmsg")))
            return str(body["media_id"])
        raise AssertionError("unreachable")
