"""The sandbox: a fake WeCom and a fake DingTalk on loopback ports of this process, and settings that
point our real integrations at them, so `serve` works end to end before any real app exists."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.sandbox.dingtalk import FakeDingTalk, UserSim
from integrations.sandbox.wecom import FakeWeCom
from integrations.sandbox.wecom_member import WeComMember
from integrations.wecom.config import WeComSettings, load_wecom

CORP_ID, AGENT_ID = "wwsandbox", 1000001
AES_KEY = "sandboxsandboxsandboxsandboxsandboxsandbox1"  # 43 characters


@dataclass
class Sandbox:
    wecom: FakeWeCom
    dingtalk: FakeDingTalk
    wecom_settings: WeComSettings
    dingtalk_settings: DingTalkSettings
    member: WeComMember | None = None
    user: UserSim | None = None
    typed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # what each persona typed
    _runners: list[web.AppRunner] = field(default_factory=list)
    _client: httpx.AsyncClient | None = None

    def connect_callback(self, callback_url: str) -> None:
        self._client = httpx.AsyncClient(timeout=10)
        self.member = WeComMember(CORP_ID, AGENT_ID, self.wecom_settings.token, AES_KEY, callback_url, self._client)
        self.user = UserSim(self.dingtalk)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        for runner in self._runners:
            await runner.cleanup()


async def _serve(app: web.Application, runners: list[web.AppRunner]) -> str:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    runners.append(runner)
    port = runner.addresses[0][1]
    return f"http://127.0.0.1:{port}"


async def start_sandbox() -> Sandbox:
    runners: list[web.AppRunner] = []
    wecom_secret, ding_secret = secrets.token_hex(8), secrets.token_hex(8)
    fake_wecom = FakeWeCom(CORP_ID, wecom_secret, AGENT_ID)
    # The standard edition's limits: 20 calls a second per API (PLATFORMS.md); WeCom's per-member limits are
    # FakeWeCom's defaults. The monthly quota is left off so a long sandbox session keeps working.
    fake_ding = FakeDingTalk("dingsandbox", ding_secret, "robotsandbox", redeliver_after=60.0, qps_limit=20.0)
    wecom_base = await _serve(fake_wecom.app(), runners)
    ding_base = await _serve(fake_ding.app(), runners)
    fake_ding.base_url = ding_base
    fake_ding.template("sandbox.generic")  # as if the org had imported card_template.json under this id
    wecom_settings = load_wecom(corp_id=CORP_ID, agent_id=AGENT_ID, secret=wecom_secret, token=secrets.token_hex(6),
                                aes_key=AES_KEY, api_base=f"{wecom_base}/cgi-bin/")
    ding_settings = load_dingtalk(client_id="dingsandbox", client_secret=ding_secret, robot_code="robotsandbox",
                                  card_template_id="sandbox.generic", api_base=ding_base, oapi_base=ding_base)
    return Sandbox(fake_wecom, fake_ding, wecom_settings, ding_settings, _runners=runners)
