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

from integrations.sandbox.dingtalk_api import FakeDingTalkAPI

CARD_TOPIC = "/v1.0/card/instances/callback"


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
class FakeDingTalk(FakeDingTalkAPI):
    redeliver_after: float = 60.0  # seconds without ACK before a frame is sent again
    tickets: set[str] = field(default_factory=set)
    frames: dict[str, Frame] = field(default_factory=dict)
    acks: list[dict[str, Any]] = field(default_factory=list)
    ack_problems: list[str] = field(default_factory=list)  # card callbacks answered with something unusable
    connections: int = 0
    blackhole: bool = False  # new connections answer nothing, not even WebSocket pings (a dead link)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/gateway/connections/open", self.open_connection)
        app.router.add_get("/gateway", self.gateway)
        self.api_routes(app)
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
                if self.frames[mid].topic == CARD_TOPIC:
                    self._card_answer(self.frames[mid], ack)
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    def _card_answer(self, frame: Frame, ack: dict[str, Any]) -> None:
        """A card callback's ACK carries {"response": …}: the official examples answer a JSON object with
        cardUpdateOptions + cardData.cardParamMap, which updates the clicker's card at once."""
        try:
            response = json.loads(ack.get("data") or "{}").get("response")
        except (ValueError, AttributeError):
            response = None
        if not isinstance(response, dict):
            self.ack_problems.append(f"{frame.message_id}: card callback answered {response!r}, not a JSON object")
            return
        params = (response.get("cardData") or {}).get("cardParamMap")
        if params is not None:
            problem = self.apply(str(frame.data.get("outTrackId", "")), params)
            if problem is not None:
                self.ack_problems.append(f"{frame.message_id}: {problem}")

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
        """DingTalk supplies the speech-to-text as content.recognition (PLATFORMS.md)."""
        code = self.fake.incoming_file(b"#!AMR\n" + secrets.token_bytes(32), "audio/amr")
        return await self._media(staff_id, "audio", {"duration": 4000, "downloadCode": code,
                                                     "recognition": recognition})

    async def picture(self, staff_id: str, data: bytes = b"\xff\xd8\xff photo") -> Frame:
        code = self.fake.incoming_file(data, "image/jpeg")
        return await self._media(staff_id, "picture", {"downloadCode": code, "pictureDownloadCode": code})

    async def _media(self, staff_id: str, kind: str, content: dict[str, Any]) -> Frame:
        data = {"conversationId": f"cid1to1-{staff_id}", "conversationType": "1",
                "msgId": f"msg{next(self._ids)}{secrets.token_hex(4)}", "senderStaffId": staff_id,
                "createAt": int(time.time() * 1000), "msgtype": kind, "content": content}
        return await self.fake.push("/v1.0/im/bot/messages/get", data)

    async def click(self, staff_id: str, out_track_id: str, label: str) -> Frame:
        content = {"cardPrivateData": {"actionIds": ["action"], "params": self.fake.click_params(out_track_id, label)}}
        data = {"outTrackId": out_track_id, "userId": staff_id, "corpId": "dingcorp", "spaceType": "IM",
                "spaceId": staff_id, "type": "actionCallback", "content": json.dumps(content, ensure_ascii=False)}
        return await self.fake.push(CARD_TOPIC, data)
