"""Async DingTalk OpenAPI on httpx (never the SDK's blocking helpers): token cache, robot messages,
interactive cards (createAndDeliver with callbackType STREAM, PUT updates), DING."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from integrations.dingtalk.config import DingTalkSettings
from integrations.dingtalk.errors import DingTalkError

TOKEN_MARGIN_SECONDS = 300
MAX_USERS_PER_BATCH = 20


class DingTalkAPI:
    def __init__(self, settings: DingTalkSettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def token(self, *, force: bool = False) -> str:
        async with self._lock:
            if not force and self._token and time.monotonic() < self._expires:
                return self._token
            data = await self._call("POST", "/v1.0/oauth2/accessToken", {
                "appKey": self.settings.client_id, "appSecret": self.settings.client_secret}, token=None)
            self._token = str(data["accessToken"])
            self._expires = time.monotonic() + int(data.get("expireIn", 7200)) - TOKEN_MARGIN_SECONDS
            return self._token

    async def _call(self, method: str, path: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        headers = {"x-acs-dingtalk-access-token": token} if token else {}
        try:
            resp = await self._client.request(method, self.settings.api_base + path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DingTalkError(0, type(exc).__name__, str(exc)) from None
        try:
            data = resp.json() if resp.content else {}
        except ValueError:
            data = {}
        if resp.status_code >= 400:
            raise DingTalkError(resp.status_code, str(data.get("code", "")), str(data.get("message", resp.text[:200])))
        return data if isinstance(data, dict) else {}

    async def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in (0, 1):
            token = await self.token(force=attempt == 1)
            try:
                return await self._call(method, path, body, token)
            except DingTalkError as exc:
                if exc.token_expired and attempt == 0:
                    continue
                raise
        raise AssertionError("unreachable")

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

    async def upload_image(self, data: bytes, filename: str = "chart.png") -> str:
        return await self.upload(data, filename, "image", "image/png")

    async def upload(self, data: bytes, filename: str, kind: str = "image", mime: str = "image/png") -> str:
        """The older media/upload API (its own token): the media_id serves as photoURL in sampleImageMsg
        and as mediaId in sampleFile."""
        base = self.settings.oapi_base
        try:
            tok = await self._client.get(base + "/gettoken", params={"appkey": self.settings.client_id,
                                                                     "appsecret": self.settings.client_secret})
            token = str(tok.json()["access_token"])
            resp = await self._client.post(base + "/media/upload", params={"access_token": token, "type": kind},
                                           files={"media": (filename, data, mime)})
            body = resp.json()
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise DingTalkError(0, type(exc).__name__, str(exc)) from None
        if int(body.get("errcode", 0)) != 0 or "media_id" not in body:
            raise DingTalkError(resp.status_code, str(body.get("errcode")), str(body.get("errmsg")))
        return str(body["media_id"])

    async def ding(self, user_id: str, content: str) -> dict[str, Any]:
        return await self.call("POST", "/v1.0/robot/ding/send", {
            "robotCode": self.settings.robot_code, "receiverUserIdList": [user_id], "content": content,
            "remindType": 1})
