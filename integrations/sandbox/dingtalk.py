"""A fake DingTalk on loopback: connections/open with single-use tickets, the Stream WebSocket gateway
(ping, disconnect, CALLBACK frames, an ACK journal, redelivery of frames not ACKed in time), and the
OpenAPI the bot uses (accessToken, batchSend with per-user throttling, groupMessages, cards, DING).
Its `UserSim` types and clicks as a staff member would. `serve` uses it when no credentials are given."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.web_request import FileField


@dataclass
class Frame:
    message_id: str
    topic: str
    data: dict[str, Any]
    sent_at: float = 0.0
    deliveries: int = 0
    acked: bool = False
    acked_at: float = 0.0  # when the ACK arrived (benchmarks)


@dataclass
class FakeDingTalk:
    client_id: str
    client_secret: str
    robot_code: str
    redeliver_after: float = 60.0  # seconds without ACK before a frame is sent again
    token_ttl: int = 7200
    tokens: dict[str, float] = field(default_factory=dict)
    tickets: set[str] = field(default_factory=set)
    frames: dict[str, Frame] = field(default_factory=dict)
    acks: list[dict[str, Any]] = field(default_factory=list)
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # userId → messages and cards
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # outTrackId → {user, params, updates}
    dings: list[dict[str, Any]] = field(default_factory=list)
    throttle: dict[str, int] = field(default_factory=dict)  # userId → times to answer "flow controlled"
    media: dict[str, bytes] = field(default_factory=dict)
    fail_next: int = 0
    connections: int = 0
    blackhole: bool = False  # new connections answer nothing, not even WebSocket pings (a dead link)
    base_url: str = ""
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/gateway/connections/open", self.open_connection)
        app.router.add_get("/gateway", self.gateway)
        app.router.add_post("/v1.0/oauth2/accessToken", self.access_token)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self.batch_send)
        app.router.add_post("/v1.0/robot/groupMessages/send", self.group_send)
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self.create_card)
        app.router.add_put("/v1.0/card/instances", self.update_card)
        app.router.add_post("/v1.0/robot/ding/send", self.ding)
        app.router.add_get("/gettoken", self.oapi_token)
        app.router.add_post("/media/upload", self.media_upload)
        return app

    # --- Stream gateway -------------------------------------------------------------------------
    async def open_connection(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response({"code": "InvalidClient", "message": "bad credentials"}, status=401)
        ticket = secrets.token_hex(12)
        self.tickets.add(ticket)
        ws_base = self.base_url.replace("http://", "ws://")
        return web.json_response({"endpoint": f"{ws_base}/gateway", "ticket": ticket})

    async def gateway(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.Response(status=401, text="bad ticket")
        self.tickets.discard(ticket)  # one connection per ticket
        ws = web.WebSocketResponse(autoping=not self.blackhole)
        await ws.prepare(request)
        self.connections += 1
        self._sockets.append(ws)
        for frame in self.frames.values():  # what was never ACKed goes out again on the new connection
            if not frame.acked:
                await self._push(ws, frame)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                ack = json.loads(msg.data)
            except ValueError:
                continue
            self.acks.append(ack)
            mid = (ack.get("headers") or {}).get("messageId")
            if mid in self.frames and ack.get("code") == 200 and not self.frames[mid].acked:
                self.frames[mid].acked, self.frames[mid].acked_at = True, time.time()
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    async def _push(self, ws: web.WebSocketResponse, frame: Frame) -> None:
        frame.deliveries += 1
        frame.sent_at = time.time()
        await ws.send_str(json.dumps({
            "specVersion": "1.0", "type": "CALLBACK",
            "headers": {"topic": frame.topic, "messageId": frame.message_id, "contentType": "application/json",
                        "time": str(int(time.time() * 1000)), "appId": self.client_id},
            "data": json.dumps(frame.data, ensure_ascii=False),
        }))

    async def push(self, topic: str, data: dict[str, Any]) -> Frame:
        frame = Frame(f"mid-{next(self._ids)}-{secrets.token_hex(4)}", topic, data)
        self.frames[frame.message_id] = frame
        if self._sockets:
            await self._push(self._sockets[-1], frame)
        return frame

    async def push_raw(self, text: str) -> None:
        """Whatever text the socket carries, as a broken or hostile gateway might send it."""
        if self._sockets:
            await self._sockets[-1].send_str(text)

    async def redeliver_due(self) -> int:
        """Send again what was not ACKed within `redeliver_after` (DingTalk's ~60 s rule)."""
        n = 0
        for frame in self.frames.values():
            if not frame.acked and self._sockets and time.time() - frame.sent_at >= self.redeliver_after:
                await self._push(self._sockets[-1], frame)
                n += 1
        return n

    async def ping(self) -> None:
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"specVersion": "1.0", "type": "SYSTEM", "headers": {
                "topic": "ping", "messageId": f"ping-{next(self._ids)}", "contentType": "application/json"},
                "data": json.dumps({"opaque": secrets.token_hex(4)})}))

    async def disconnect(self, grace: float = 0.5) -> None:
        """SYSTEM disconnect, then close shortly after (DingTalk closes ~10 s later)."""
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"specVersion": "1.0", "type": "SYSTEM", "headers": {
                "topic": "disconnect", "messageId": f"sys-{next(self._ids)}", "contentType": "application/json"},
                "data": json.dumps({"reason": "server maintenance"})}))
        await asyncio.sleep(grace)
        await self.drop()

    async def drop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        self._sockets.clear()

    # --- OpenAPI --------------------------------------------------------------------------------
    def _authorized(self, request: web.Request) -> web.Response | None:
        if self.fail_next:
            self.fail_next -= 1
            return web.json_response({"code": "ServiceUnavailable", "message": "busy"}, status=503)
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        if self.tokens.get(token, 0) < time.time():
            return web.json_response({"code": "InvalidAuthentication", "message": "token invalid"}, status=401)
        return None

    async def access_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response({"code": "InvalidAppKey", "message": "bad app"}, status=400)
        token = secrets.token_hex(16)
        self.tokens[token] = time.time() + self.token_ttl
        return web.json_response({"accessToken": token, "expireIn": self.token_ttl})

    def _known(self, user: str) -> bool:
        return bool(user) and not user.startswith("invalid")

    async def batch_send(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        users = body.get("userIds") or []
        if body.get("robotCode") != self.robot_code or not 0 < len(users) <= 20:
            return web.json_response({"code": "InvalidParameter", "message": "robotCode/userIds"}, status=400)
        invalid, throttled = [], []
        for user in users:
            if not self._known(user):
                invalid.append(user)
            elif self.throttle.get(user, 0) > 0:
                self.throttle[user] -= 1
                throttled.append(user)
            else:
                self.inbox.setdefault(user, []).append({"msgKey": body["msgKey"], "param": json.loads(body["msgParam"]),
                                                        "at": time.time()})
        return web.json_response({"processQueryKey": secrets.token_hex(8), "invalidStaffIdList": invalid,
                                  "flowControlledStaffIdList": throttled})

    async def group_send(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        self.groups.setdefault(body["openConversationId"], []).append(
            {"msgKey": body["msgKey"], "param": json.loads(body["msgParam"]), "at": time.time()})
        return web.json_response({"processQueryKey": secrets.token_hex(8)})

    async def create_card(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        params = body.get("cardData", {}).get("cardParamMap", {})
        if body.get("callbackType") != "STREAM" or any(not isinstance(v, str) for v in params.values()):
            return web.json_response({"code": "InvalidParameter", "message": "cardParamMap values must be strings"},
                                     status=400)
        space = str(body.get("openSpaceId", ""))
        user = space.rsplit(".", 1)[-1] if space.startswith("dtv1.card//IM_ROBOT.") else ""
        out_track = str(body.get("outTrackId", ""))
        if out_track in self.cards:
            return web.json_response({"code": "InvalidParameter", "message": "outTrackId exists"}, status=400)
        ok = self._known(user)
        if ok:
            self.cards[out_track] = {"user": user, "params": params, "updates": 0}
            self.inbox.setdefault(user, []).append({"card": out_track, "at": time.time()})
        return web.json_response({"success": True, "result": {"outTrackId": out_track, "deliverResults": [
            {"spaceType": "IM_ROBOT", "spaceId": user, "success": ok, "errorMsg": "" if ok else "user not found"}]}})

    async def update_card(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        body = await request.json()
        card = self.cards.get(str(body.get("outTrackId", "")))
        if card is None:
            return web.json_response({"code": "CardNotFound", "message": "no such card"}, status=404)
        card["params"] = {**card["params"], **body.get("cardData", {}).get("cardParamMap", {})}
        card["updates"] += 1
        return web.json_response({"success": True, "result": True})

    async def oapi_token(self, request: web.Request) -> web.Response:
        if request.query.get("appkey") != self.client_id or request.query.get("appsecret") != self.client_secret:
            return web.json_response({"errcode": 40089, "errmsg": "invalid appkey or appsecret"})
        token = secrets.token_hex(16)
        self.tokens[token] = time.time() + self.token_ttl
        return web.json_response({"errcode": 0, "access_token": token, "expires_in": self.token_ttl})

    async def media_upload(self, request: web.Request) -> web.Response:
        if self.tokens.get(request.query.get("access_token", ""), 0) < time.time():
            return web.json_response({"errcode": 40014, "errmsg": "invalid token"})
        form = await request.post()
        media = form.get("media")
        data = media.file.read() if isinstance(media, FileField) else b""
        media_id = f"@lA{secrets.token_hex(8)}"
        self.media[media_id] = data
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id})

    async def ding(self, request: web.Request) -> web.Response:
        if (denied := self._authorized(request)) is not None:
            return denied
        self.dings.append(await request.json())
        return web.json_response({"openDingId": secrets.token_hex(8)})

    # --- what a person sees ---------------------------------------------------------------------
    def texts(self, user: str) -> list[str]:
        out = []
        for m in self.inbox.get(user, []):
            param = m.get("param") or {}
            if "content" in param or "text" in param:
                out.append(str(param.get("content") or param.get("text")))
        return out

    def user_cards(self, user: str) -> list[tuple[str, dict[str, str]]]:
        return [(m["card"], self.cards[m["card"]]["params"]) for m in self.inbox.get(user, []) if "card" in m]


@dataclass
class UserSim:
    """A staff member in DingTalk: 1:1 text to the bot, @ in a group, clicking a card button."""

    fake: FakeDingTalk
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    async def text(self, staff_id: str, text: str, *, group: str | None = None, title: str = "") -> Frame:
        data: dict[str, Any] = {
            "conversationId": group or f"cid1to1-{staff_id}", "conversationType": "2" if group else "1",
            "msgId": f"msg{next(self._ids)}{secrets.token_hex(4)}", "senderNick": staff_id,
            "senderStaffId": staff_id, "senderId": f"$:{staff_id}", "robotCode": self.fake.robot_code,
            "chatbotUserId": "$:bot", "createAt": int(time.time() * 1000), "msgtype": "text",
            "text": {"content": (" " + text) if group else text}, "sessionWebhook": "https://example.invalid/wh",
            "sessionWebhookExpiredTime": int(time.time() * 1000) + 5_400_000,
        }
        if group:
            data["conversationTitle"] = title
            data["isInAtList"] = True
        return await self.fake.push("/v1.0/im/bot/messages/get", data)

    async def audio(self, staff_id: str, recognition: str) -> Frame:
        data = {"conversationId": f"cid1to1-{staff_id}", "conversationType": "1",
                "msgId": f"msg{next(self._ids)}{secrets.token_hex(4)}", "senderStaffId": staff_id,
                "createAt": int(time.time() * 1000), "msgtype": "audio",
                "content": {"duration": 4000, "downloadCode": "dl-audio", "recognition": recognition}}
        return await self.fake.push("/v1.0/im/bot/messages/get", data)

    async def click(self, staff_id: str, out_track_id: str, label: str) -> Frame:
        params = self.fake.cards[out_track_id]["params"]
        button = next(b for b in json.loads(params["buttons"]) if b["text"] == label)
        content = {"cardPrivateData": {"actionIds": [f"btn-{label}"], "params": button["params"]}}
        data = {"outTrackId": out_track_id, "userId": staff_id, "corpId": "dingcorp", "spaceType": "IM",
                "spaceId": staff_id, "type": "actionCallback", "content": json.dumps(content, ensure_ascii=False)}
        return await self.fake.push("/v1.0/card/instances/callback", data)
