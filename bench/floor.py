"""The floors the inbound benchmark compares `serve` with, in the benchmark's own process: what the least
possible server does with the same traffic.

- WeCom: a bare aiohttp handler that decrypts the callback, inserts one row and answers; for the end-to-end
  floor it then sends one card back through the fake platform, as a reply would.
- DingTalk: the real dingtalk-stream SDK with a handler that inserts one row and ACKs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import asyncpg
import dingtalk_stream
import httpx
import xmltodict
from aiohttp import web
from dingtalk_stream.frames import AckMessage, CallbackMessage
from wechatpy.enterprise.crypto import WeChatCrypto

from bench.common import pg


def wecom_floor(dsn: str, token: str, aes_key: str, corp: str, agent: int, api_base: str | None = None,
                secret: str = "") -> web.Application:
    """With api_base, each message is also answered with a card through the (fake) platform, after the 200."""
    crypto = WeChatCrypto(token, aes_key, corp)
    app = web.Application()
    pending: set[asyncio.Task[None]] = set()

    async def start(app: web.Application) -> None:
        app["pool"] = await asyncpg.create_pool(pg(dsn), min_size=2, max_size=10)
        app["http"] = httpx.AsyncClient()
        async with app["pool"].acquire() as c:
            await c.execute("CREATE TABLE IF NOT EXISTS floor_inbound (id bigserial primary key, body text)")

    async def stop(app: web.Application) -> None:
        await app["pool"].close()
        await app["http"].aclose()

    async def reply(user: str) -> None:
        if "token" not in app:
            resp = await app["http"].get(f"{api_base}gettoken", params={"corpid": corp, "corpsecret": secret})
            app["token"] = resp.json()["access_token"]
        token_ = app["token"]
        card = {"card_type": "button_interaction", "main_title": {"title": "floor"}, "task_id": f"floor{time.time_ns()}",
                "button_list": [{"text": "ok", "style": 1, "key": "ok"}]}
        await app["http"].post(f"{api_base}message/send", params={"access_token": token_},
                               json={"touser": user, "msgtype": "template_card", "agentid": agent, "template_card": card})

    async def handle(request: web.Request) -> web.Response:
        q = request.query
        xml = crypto.decrypt_message(await request.text(), q["msg_signature"], q["timestamp"], q["nonce"])
        async with request.app["pool"].acquire() as c:
            await c.execute("INSERT INTO floor_inbound (body) VALUES ($1)", xml)
        if api_base:
            task = asyncio.create_task(reply(xmltodict.parse(xml)["xml"]["FromUserName"]))
            pending.add(task)
            task.add_done_callback(pending.discard)
        return web.Response(text="")

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_post("/wecom/callback", handle)
    return app


class _InsertHandler(dingtalk_stream.CallbackHandler):  # type: ignore[misc]
    def __init__(self, dsn: str) -> None:
        super().__init__()
        self.dsn = dsn
        self.pool: Any = None

    async def process(self, message: CallbackMessage) -> tuple[int, str]:
        if self.pool is None:
            self.pool = await asyncpg.create_pool(pg(self.dsn), min_size=2, max_size=10)
        async with self.pool.acquire() as c:
            await c.execute("INSERT INTO floor_frames (body) VALUES ($1)", str(message.data))
        return AckMessage.STATUS_OK, "OK"


class _FloorClient(dingtalk_stream.DingTalkStreamClient):  # type: ignore[misc]
    def get_host_ip(self) -> str:
        return ""


def dingtalk_floor(dsn: str, gateway: str, client_id: str, secret: str) -> threading.Event:
    """Start the SDK's own client in a daemon thread (its loop cannot be stopped; the process ends it).
    The table floor_frames must exist."""
    dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = gateway + "/v1.0/gateway/connections/open"
    client = _FloorClient(dingtalk_stream.Credential(client_id, secret))
    handler = _InsertHandler(dsn)
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, handler)
    started = threading.Event()

    def run() -> None:
        started.set()
        asyncio.run(client.start())

    threading.Thread(target=run, name="floor-stream", daemon=True).start()
    return started
