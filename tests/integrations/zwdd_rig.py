"""A fake 浙政钉 gateway on loopback, our real channel and signing client, serve's action page and 免登 entry
on a loopback app, and people who open their notifications' links and press the page's buttons."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channel import ChannelRegistry
from bot.engine import Bot
from core import evidence_links
from core.services.base import Domain
from integrations.registry import plugin
from integrations.sandbox.zwdd import FakeZwdd
from integrations.sandbox.zwdd_person import ZwddPerson
from integrations.zwdd import ZWDD, login
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.channel import ZwddChannel
from integrations.zwdd.config import load_zwdd
from integrations.zwdd.sandbox import AnyAccount
from maotiao import action_page
from scheduler.delivery import deliver_due
from scheduler.mirror import sync_mirrors_due

APP_KEY, TENANT, SENDER = "zwdd-test", "196729", "10001"


class ZwddRig:
    def __init__(self, domain: Domain, fake: FakeZwdd, person: ZwddPerson, registry: ChannelRegistry,
                 base: str) -> None:
        self.domain, self.fake, self.person, self.registry, self.base = domain, fake, person, registry, base

    async def settle(self) -> None:
        for _ in range(20):
            sent = await deliver_due(self.registry, self.domain.clock)
            if not (sent or await sync_mirrors_due(self.registry, self.domain.clock)):
                break

    def card(self, account: str, label: str) -> str:
        """The bizMsgId of the latest notification offering `label`."""
        for entry in reversed(self.fake.inbox.get(account, [])):
            msg = entry["msg"]
            if msg["msgtype"] == "oa" and label in msg["oa"]["body"].get("content", ""):
                return str(entry["bizMsgId"])
        raise AssertionError(f"{account} has no notification offering {label}")

    def url(self, account: str, label: str) -> str:
        msg = self.person.notification(account, self.card(account, label))
        assert msg is not None
        return str(msg["oa"]["message_url"])

    async def click(self, account: str, label: str) -> httpx.Response:
        resp = await self.person.click(account, self.card(account, label), label)
        assert resp is not None and resp.status_code == 200, f"{label} not on the page"
        await self.settle()
        return resp

    async def say(self, account: str, text: str) -> httpx.Response:
        resp = await self.person.say(account, text)
        await self.settle()
        return resp


@asynccontextmanager
async def zwdd_rig(domain: Domain, registry: ChannelRegistry | None = None) -> AsyncIterator[ZwddRig]:
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    secret = secrets.token_hex(16)
    fake = FakeZwdd(APP_KEY, secret, TENANT, users=AnyAccount())
    async with TestServer(fake.app(), host="127.0.0.1") as gateway:
        settings = load_zwdd(app_key=APP_KEY, app_secret=secret, tenant_id=TENANT, sender_id=SENDER,
                             api_base=str(gateway.make_url("")).rstrip("/"))
        api = ZwddAPI(settings)
        registry = registry or ChannelRegistry()
        registry.register(ZwddChannel(api), label=plugin(ZWDD).label)
        app = web.Application()
        action_page.setup(app, Bot(domain), lambda: None)
        login_api = ZwddAPI(settings)
        login.setup(app, login_api)
        async with TestServer(app, host="127.0.0.1") as server, httpx.AsyncClient(timeout=20) as client:
            base = str(server.make_url("")).rstrip("/")
            evidence_links.use(evidence_links.LinkSigner(secrets.token_urlsafe(32), base, timedelta(hours=24)))
            try:
                yield ZwddRig(domain, fake, ZwddPerson(fake, base, client), registry, base)
            finally:
                evidence_links.reset()
                await api.aclose()
                await login_api.aclose()
