"""WeCom (企业微信) as a plug-in: settings from WECOM_*, its channel, its callback route, its sandbox fake."""

from __future__ import annotations

from typing import Any

from bot.channel import Channel
from integrations.checklist import Check
from integrations.pacing import RateStore
from integrations.plugin import (
    DoctorContext,
    FakePlatform,
    GroupMaker,
    PlatformAPI,
    PlatformPlugin,
    Runner,
    Serve,
    Wiring,
)
from integrations.wecom import WECOM
from integrations.wecom.api import WeComAPI
from integrations.wecom.channel import WeComChannel
from integrations.wecom.config import WeComSettings, load_wecom
from integrations.wecom.signin import WeComSignIn


def connect(settings: WeComSettings, rates: RateStore | None) -> tuple[Channel, PlatformAPI]:
    api = WeComAPI(settings)
    return WeComChannel(api, rates), api


def secrets(settings: WeComSettings) -> list[str | None]:
    return [settings.secret, settings.token, settings.aes_key]


def attach(settings: WeComSettings, wiring: Wiring) -> Runner | None:
    """WeCom calls us: its callback route on serve's app (GET verifies the URL, POST delivers)."""
    from integrations.wecom.callback import PATH, WeComCallback

    WeComCallback(settings, wiring.bot, on_handled=wiring.on_handled, handoff=wiring.handoff).setup(wiring.app)
    wiring.log.info("WeCom connected: callback at %s, API %s", PATH, settings.api_base)
    return None


async def sandbox(serve: Serve) -> FakePlatform:
    from integrations.wecom.sandbox import start

    return await start(serve)


async def doctor(settings: WeComSettings, ctx: DoctorContext) -> list[Check]:
    from integrations.wecom.doctor import check_wecom

    return await check_wecom(settings, ctx.groups, ctx.public_url)


def groups(settings: WeComSettings) -> GroupMaker:
    """appchat/send reaches only chats this app created: `maotiao groups create` makes them."""
    from integrations.wecom.groups import WeComGroups

    return WeComGroups(settings)


def sign_in(settings: WeComSettings, api: Any) -> WeComSignIn:
    return WeComSignIn(settings, api)


PLUGIN = PlatformPlugin(platform=WECOM, label="企业微信", name="WeCom", env_prefix="WECOM_",
                        org_staff_key="wecom", org_group_key="wecom_chatid", load=load_wecom, connect=connect,
                        secrets=secrets, attach=attach, sandbox=sandbox, doctor=doctor, groups=groups,
                        sign_in=sign_in)
