"""Async 浙政钉 open-platform API on the signing client: the app access_token (cached, one refresh at a
time however many callers need it, refreshed when the platform says it expired), 免登 code exchange, work
notifications, 待办, DING and group messages. Endpoints and fields: README.md, with their sources."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from integrations.zwdd import messages
from integrations.zwdd.client import GatewayClient
from integrations.zwdd.config import ZwddSettings
from integrations.zwdd.errors import Kind, ZwddError
from integrations.zwdd.models import Notification, Todo, ZwddUser, content_data
from integrations.zwdd.sign import ParamValue

DEFAULT_TOKEN_SECONDS = 7200  # documented: "access_token 有效期为7200秒"
MAX_RECEIVERS = 1000  # receiverIds + organizationCodes together (documented)


class ZwddAPI:
    def __init__(self, settings: ZwddSettings, client: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.gateway = GatewayClient(settings, client, clock)
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self.token_fetches = 0  # how often /gettoken.json was called (tests, metrics)

    async def aclose(self) -> None:
        await self.gateway.aclose()

    # --- access token -------------------------------------------------------------------------------
    async def token(self, *, stale: str | None = None) -> str:
        """The cached token; a fresh one when it is about to expire or when `stale` (the token a call was
        just refused with) is still the cached one. Concurrent callers wait for the one refresh."""
        async with self._lock:
            usable = self._token is not None and self._clock() < self._expires
            if usable and self._token != stale:
                assert self._token is not None
                return self._token
            body = await self.gateway.call("GET", "/gettoken.json", {
                "appkey": self.settings.app_key, "appsecret": self.settings.app_secret})
            data = content_data(body)
            if not isinstance(data, dict) or not data.get("accessToken"):
                raise ZwddError(200, "NoToken", "gettoken answered without accessToken", kind=Kind.TRANSIENT)
            self.token_fetches += 1
            lifetime = int(data.get("expiresIn") or DEFAULT_TOKEN_SECONDS)  # documented as the string "7200"
            self._token = str(data["accessToken"])
            self._expires = self._clock() + max(60, lifetime - self.settings.token_margin_seconds)
            return self._token

    async def with_token(self, path: str, params: Mapping[str, ParamValue],
                         token_param: str = "access_token") -> dict[str, Any]:
        """POST with the app token as a parameter; a token the platform calls expired (240133) is
        replaced once and the call repeated."""
        stale: str | None = None
        for attempt in (0, 1):
            token = await self.token(stale=stale)
            try:
                return await self.gateway.call("POST", path, {**params, token_param: token})
            except ZwddError as exc:
                if exc.token_expired and attempt == 0:
                    stale = token
                    continue
                if exc.token_expired:
                    exc.kind = Kind.CONFIGURATION  # a brand-new token refused too: the app itself is wrong
                raise
        raise AssertionError("unreachable")

    # --- 免登 -----------------------------------------------------------------------------------------
    async def user_by_auth_code(self, auth_code: str) -> ZwddUser:
        """A JSAPI 免登 auth code (from the H5 page inside the 浙政钉 app) → the user. Codes are single use;
        a used, expired or forged one raises ZwddError with `auth_code_invalid`."""
        body = await self.with_token("/rpc/oauth2/dingtalk_app_user.json", {"auth_code": auth_code})
        return self._user(body)

    async def user_by_login_code(self, code: str) -> ZwddUser:
        """A scan-login (扫码登录) code from the PC login page's redirect → the user."""
        body = await self.with_token("/rpc/oauth2/getuserinfo_bycode.json", {"code": code})
        return self._user(body)

    @staticmethod
    def _user(body: dict[str, Any]) -> ZwddUser:
        try:
            return ZwddUser.parse(content_data(body))
        except ValueError as exc:
            raise ZwddError(200, "BadUser", str(exc), kind=Kind.PERMANENT) from None

    async def jsapi_ticket(self) -> str:
        """For the H5 page's JSAPI authorisation (/get_jsapi_token.json; the SDK names the field accessToken)."""
        body = await self.with_token("/get_jsapi_token.json", {}, token_param="accessToken")
        data = content_data(body)
        ticket = data.get("accessToken") if isinstance(data, dict) else data
        if not ticket:
            raise ZwddError(200, "NoTicket", "get_jsapi_token answered without a ticket", kind=Kind.TRANSIENT)
        return str(ticket)

    # --- work notifications ---------------------------------------------------------------------------
    async def notify(self, receivers: list[str], msg: dict[str, Any], biz_msg_id: str,
                     organization_codes: list[str] | None = None) -> Notification:
        """Send a work notification. `biz_msg_id` must be stable across retries of one message: the platform
        refuses a repeat as "重复", which here means an earlier try arrived, so it counts as sent."""
        codes = organization_codes or []
        if not (receivers or codes) or len(receivers) + len(codes) > MAX_RECEIVERS:
            raise ZwddError(0, "BadReceivers", f"1..{MAX_RECEIVERS} receivers needed", kind=Kind.PERMANENT)
        params: dict[str, ParamValue] = {
            "receiverIds": ",".join(receivers), "organizationCodes": ",".join(codes),
            "tenantId": self.settings.tenant_id, "bizMsgId": biz_msg_id, "msg": messages.encode(msg)}
        try:
            body = await self.gateway.call("POST", "/message/workNotification", params)
        except ZwddError as exc:
            if exc.duplicate:
                return Notification(biz_msg_id, duplicate=True)
            raise
        data = body.get("content")
        msg_id = data.get("msgId", "") if isinstance(data, dict) else (data or "")
        return Notification(biz_msg_id, str(msg_id))

    async def revoke(self, biz_msg_id: str) -> None:
        await self.gateway.call("POST", "/message/revoke", {"tenantId": self.settings.tenant_id,
                                                           "bizMsgId": biz_msg_id})

    # --- 待办 ----------------------------------------------------------------------------------------
    async def create_todo(self, biz_task_id: str, assignee: str, subject: str, url: str, *,
                          mobile_url: str = "", due: datetime | None = None, remarks: str = "") -> Todo:
        """Create a 待办 for `assignee` whose detail link is the action page. `biz_task_id` is our task id:
        creating it again returns the same 待办 (assumed; README.md), so a retry after a lost answer is safe."""
        params: dict[str, ParamValue] = {
            "subject": subject, "creatorId": self.settings.sender_id, "assigneeId": assignee,
            "tenantId": self.settings.tenant_id, "bizTaskId": biz_task_id, "url": url,
            "mobileUrl": mobile_url or url, "remarks": remarks,
            "dueTime": str(int(due.timestamp() * 1000)) if due else None}
        body = await self.gateway.call("POST", "/tc/v2/openapi/task/create.json", params)
        try:
            return Todo.parse(biz_task_id, content_data(body))
        except ValueError as exc:
            raise ZwddError(200, "BadTodo", str(exc), kind=Kind.TRANSIENT, ambiguous=True) from None

    async def finish_todo(self, todo: Todo, user: str) -> None:
        await self.gateway.call("POST", "/tc/openapi/task/finish.json", {
            "taskUuid": todo.task_uuid, "userId": user, "closePackage": True})

    async def cancel_todo(self, todo: Todo, user: str) -> None:
        await self.gateway.call("POST", "/tc/openapi/task/cancel.json", {  # sic: the SDK's field name
            "taskUuid": todo.task_uuid, "userId": user, "cancelPakcage": True})

    async def update_todo(self, todo: Todo, revision: int, assignee: str, subject: str, url: str, *,
                          previous_assignee: str = "", due: datetime | None = None) -> Todo:
        """No update endpoint exists in public material: cancel the old 待办 and create its successor under
        `<task id>#r<revision>`, which stays traceable to our task and unique on the platform."""
        await self.cancel_todo(todo, previous_assignee or assignee)
        base = todo.biz_task_id.split("#r", 1)[0]
        return await self.create_todo(f"{base}#r{revision}", assignee, subject, url, due=due)

    # --- DING and groups ------------------------------------------------------------------------------
    async def ding(self, receivers: list[str], text: str, *, sms: bool = False) -> str:
        """An urgent DING (in-app, or SMS) from the center's account to each receiver."""
        body = await self.gateway.call("POST", "/gov/ding/isv/send.json", {
            "creator": json.dumps({"accountId": self.settings.sender_id}),
            "receivers": json.dumps([{"accountId": r} for r in receivers]),
            "notifyType": "sms" if sms else "app", "tenantId": self.settings.tenant_id,
            "textType": "plaintext", "bodyType": "text", "body": json.dumps({"text": text}, ensure_ascii=False)})
        data = content_data(body)
        return str(data.get("dingId", "") if isinstance(data, dict) else (data or ""))

    async def send_group(self, chat_id: str, msg: dict[str, Any]) -> str:
        """A message from the app's robot to a group chat it is in (/robot/message/sendgroup)."""
        kind = str(msg["msgtype"])
        body = await self.gateway.call("POST", "/robot/message/sendgroup", {
            "appKey": self.settings.app_key, "tenantId": self.settings.tenant_id, "chatId": chat_id,
            "msgType": kind, "msgBody": messages.encode(msg[kind])})
        data = body.get("content")
        return str(data.get("msgId", "") if isinstance(data, dict) else (data or ""))
