"""The sandbox: each platform's fake on a loopback port of this process (started by its plug-in), and
settings that point our real integrations at them, so `serve` works end to end before any real app exists."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from core.enums import Platform
from integrations import registry
from integrations.plugin import FakePlatform
from integrations.sandbox.aliyun_sms import FakeAliyunSms

log = logging.getLogger(__name__)


@dataclass
class Sandbox:
    fakes: dict[Platform, FakePlatform]  # in the registry's order
    typed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # what each persona typed
    _runners: list[web.AppRunner] = field(default_factory=list)
    sms: FakeAliyunSms | None = None  # the SMS provider's fake (提醒方式 短信)
    _client: httpx.AsyncClient | None = None

    @property
    def settings(self) -> dict[Platform, Any]:
        """Each platform's settings, pointing at its fake (for build_platforms)."""
        return {platform: fake.settings for platform, fake in self.fakes.items()}

    def secrets(self) -> list[str | None]:
        sms = [self.sms.access_key_secret] if self.sms is not None else []
        return [s for p in registry.PLUGINS if p.platform in self.fakes
                for s in p.secrets(self.fakes[p.platform].settings)] + sms

    def fake(self, platform: str) -> FakePlatform | None:
        """The fake for a platform value as the sandbox page sends it (None: no such platform)."""
        return next((f for p, f in self.fakes.items() if p.value == platform), None)

    async def create_groups(self) -> None:
        """Make the database's group chats in the fakes as the real app must (`maotiao groups create`, the same
        path): a fake, like the platform, refuses group messages to chats the app did not create."""
        from integrations.groups import make_groups

        for outcome in await make_groups(self.settings):
            if outcome.status == "failed":
                log.warning("sandbox: %s group %s not created: %s", outcome.platform, outcome.group, outcome.reason)

    def connect(self, server: str) -> None:
        """serve listens at `server` (e.g. http://127.0.0.1:8080): the simulated people may reach it now."""
        self._client = httpx.AsyncClient(timeout=10)
        for fake in self.fakes.values():
            fake.connect(server, self._client)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        for runner in self._runners:
            await runner.cleanup()
        if self.sms is not None:
            await self.sms.aclose()


async def start_sandbox() -> Sandbox:
    runners: list[web.AppRunner] = []

    async def serve(app: web.Application) -> str:
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    fakes = {p.platform: await p.sandbox(serve) for p in registry.PLUGINS}
    sms = FakeAliyunSms()
    await sms.start()
    return Sandbox(fakes, _runners=runners, sms=sms)
