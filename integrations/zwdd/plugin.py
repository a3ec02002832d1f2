"""浙政钉 (专有钉钉) as a plug-in: settings from ZWDD_*, its channel (work notifications that open the action
page), its 免登 entry route, its sandbox fake. Nothing calls us on 浙政钉 (no public event subscription for
messages to an app was found, README.md): people act and report on the action page."""

from __future__ import annotations

from bot.channel import Channel
from integrations.checklist import Check
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
from integrations.zwdd import ZWDD
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.channel import ZwddChannel
from integrations.zwdd.config import ZwddSettings, load_zwdd


def connect(settings: ZwddSettings, rates: RateStore | None) -> tuple[Channel, PlatformAPI]:
    api = ZwddAPI(settings)
    return ZwddChannel(api), api


def secrets(settings: ZwddSettings) -> list[str | None]:
    return [settings.app_secret]


def attach(settings: ZwddSettings, wiring: Wiring) -> Runner | None:
    """The 免登 entry on serve's app; the action page itself is serve's own (maotiao/action_page.py)."""
    from integrations.zwdd.login import PATH, setup

    setup(wiring.app, ZwddAPI(settings))
    wiring.log.info("浙政钉 connected: work notifications via %s, 免登 entry at %s", settings.api_base, PATH)
    return None


async def sandbox(serve: Serve) -> FakePlatform:
    from integrations.zwdd.sandbox import start

    return await start(serve)


async def doctor(settings: ZwddSettings, ctx: DoctorContext) -> list[Check]:
    from integrations.zwdd.doctor import check_zwdd

    return await check_zwdd(settings)


PLUGIN = PlatformPlugin(platform=ZWDD, label="浙政钉", name="浙政钉", env_prefix="ZWDD_", org_staff_key="zwdd",
                        org_group_key="zwdd_chatid", load=load_zwdd, connect=connect, secrets=secrets,
                        attach=attach, sandbox=sandbox, doctor=doctor, needs_links=True)
