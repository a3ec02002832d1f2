"""A fake DingTalk on loopback, the real dingtalk-stream SDK connected to it, our channel, and users."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestServer

from bot.channel import ChannelRegistry
from bot.engine import Bot
from core.enums import Platform
from core.services.base import Domain
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import load_dingtalk
from integrations.dingtalk.stream import StreamRunner
from integrations.registry import plugin
from integrations.sandbox.dingtalk import FakeDingTalk, UserSim
from scheduler.delivery import deliver_due

CLIENT_ID, SECRET, ROBOT, TEMPLATE = "dingclient01", "dingsecret", "dingrobot01", "tpl.generic"


class DingTalkRig:
    def __init__(self, domain: Domain, fake: FakeDingTalk, runner: StreamRunner, registry: ChannelRegistry) -> None:
        self.domain, self.fake, self.runner, self.registry = domain, fake, runner, registry
        self.user = UserSim(fake)

    async def settle(self, limit: float = 10.0) -> None:
        """Wait for every frame to be ACKed and handled, then drain the outbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while any(not f.acked for f in self.fake.frames.values()):
            assert loop.time() < deadline, "frames not ACKed in time"
            await asyncio.sleep(0.02)
        await self.runner.drain()
        for _ in range(20):
            if not await deliver_due(self.registry, self.domain.clock):
                break

    async def say(self, staff_id: str, text: str) -> None:
        await self.user.text(staff_id, text)
        await self.settle()

    def card(self, staff_id: str, label: str) -> tuple[str, dict[str, str]]:
        import json

        for out_track, params in reversed(self.fake.user_cards(staff_id)):
            if any(b["text"] == label for b in json.loads(params["buttons"])):
                return out_track, params
        raise AssertionError(f"{staff_id} has no card with {label}")

    async def click(self, staff_id: str, label: str) -> None:
        out_track, _ = self.card(staff_id, label)
        await self.user.click(staff_id, out_track, label)
        await self.settle()


@asynccontextmanager
async def dingtalk_rig(domain: Domain, registry: ChannelRegistry | None = None, watchdog: float = 90.0,
                       **fake_options: object) -> AsyncIterator[DingTalkRig]:
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    fake = FakeDingTalk(CLIENT_ID, SECRET, ROBOT, **fake_options)  # type: ignore[arg-type]
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        fake.base_url = str(server.make_url("")).rstrip("/")
        fake.template(TEMPLATE)
        settings = load_dingtalk(client_id=CLIENT_ID, client_secret=SECRET, robot_code=ROBOT,
                                 card_template_id=TEMPLATE, api_base=fake.base_url, oapi_base=fake.base_url,
                                 watchdog_seconds=watchdog)
        api = DingTalkAPI(settings)
        registry = registry or ChannelRegistry()
        registry.register(DingTalkChannel(api), label=plugin(Platform.DINGTALK).label)
        runner = StreamRunner(settings, Bot(domain))
        runner.start()
        try:
            assert await asyncio.to_thread(runner.connected.wait, 15), "the SDK did not connect"
            yield DingTalkRig(domain, fake, runner, registry)
        finally:
            await runner.stop()
            await api.aclose()
