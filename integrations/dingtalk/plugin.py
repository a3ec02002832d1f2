"""DingTalk (钉钉) as a plug-in: settings from DINGTALK_*, its channel, its Stream connection, its sandbox fake."""

from __future__ import annotations

from bot.channel import Channel
from integrations.checklist import Check
from integrations.dingtalk import DINGTALK
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.dingtalk.signin import sign_in
from integrations.pacing import RateStore
from integrations.plugin import (
    DoctorContext,
    FakePlatform,
    PlatformAPI,
    PlatformPlugin,
    Runner,
    Serve,
    Wiring,
)


def connect(settings: DingTalkSettings, rates: RateStore | None) -> tuple[Channel, PlatformAPI]:
    api = DingTalkAPI(settings, rates=rates)
    return DingTalkChannel(api), api


def secrets(settings: DingTalkSettings) -> list[str | None]:
    return [settings.client_secret]


def attach(settings: DingTalkSettings, wiring: Wiring) -> Runner | None:
    """We call DingTalk: a Stream connection serve runs in the background (it routes nothing on the app)."""
    from integrations.dingtalk.stream import StreamRunner, lease_name

    runner = StreamRunner(settings, wiring.bot, on_handled=wiring.on_handled, lease=wiring.lease(lease_name(settings)),
                          handoff=wiring.handoff)
    wiring.log.info("DingTalk connected: Stream via %s", settings.gateway)
    return runner


async def sandbox(serve: Serve) -> FakePlatform:
    from integrations.dingtalk.sandbox import start

    return await start(serve)


async def doctor(settings: DingTalkSettings, ctx: DoctorContext) -> list[Check]:
    from integrations.dingtalk.doctor import check_dingtalk, check_usage

    out = await check_dingtalk(settings, ctx.groups, ctx.clock)
    if ctx.with_db:  # after its own calls, so they are counted
        out.append(await check_usage(settings, ctx.clock.now()))
    return out


PLUGIN = PlatformPlugin(platform=DINGTALK, label="钉钉", name="DingTalk", env_prefix="DINGTALK_",
                        org_staff_key="dingtalk", org_group_key="dingtalk_conversation", load=load_dingtalk,
                        connect=connect, secrets=secrets, attach=attach, sandbox=sandbox,
                        doctor=doctor, sign_in=sign_in)
