"""The chat platforms this code base knows, as plug-ins, and which of them this deployment talks to.

A platform is a package under integrations/ plus one entry in PLUGINS (and its value in core.enums.Platform).
Everything that needs to know the platforms iterates PLUGINS: building channels from the settings, the
Chinese name chat users read, and the org-file keys. core/, bot/ and scheduler/ never name a platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.channel import Channel, ChannelRegistry
from core.config import load_settings
from core.enums import CHAT_PLATFORMS, Platform
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.pacing import RateStore, rate_store
from integrations.wecom.api import WeComAPI
from integrations.wecom.channel import WeComChannel
from integrations.wecom.config import WeComSettings, load_wecom


class PlatformSettings(Protocol):
    @property
    def enabled(self) -> bool: ...


class PlatformAPI(Protocol):
    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class PlatformPlugin:
    platform: Platform
    label: str  # the platform's name as chat users read it (notices such as 【平台额度】)
    org_staff_key: str  # org file: a person's account on the platform (core/org_schema.py reads `<value>`)
    org_group_key: str  # org file: a group's chat id on the platform (read as `<value>_…`)
    load: Callable[[], Any]  # its settings from the environment (…_* variables)
    connect: Callable[[Any, RateStore | None], tuple[Channel, PlatformAPI]]  # settings → channel and its API


def _wecom(settings: WeComSettings, rates: RateStore | None) -> tuple[Channel, PlatformAPI]:
    api = WeComAPI(settings)
    return WeComChannel(api, rates), api


def _dingtalk(settings: DingTalkSettings, rates: RateStore | None) -> tuple[Channel, PlatformAPI]:
    api = DingTalkAPI(settings, rates=rates)
    return DingTalkChannel(api), api


PLUGINS: tuple[PlatformPlugin, ...] = (
    PlatformPlugin(Platform.WECOM, "企业微信", "wecom", "wecom_chatid", load_wecom, _wecom),
    PlatformPlugin(Platform.DINGTALK, "钉钉", "dingtalk", "dingtalk_conversation", load_dingtalk, _dingtalk),
)


def plugin(platform: Platform) -> PlatformPlugin:
    return next(p for p in PLUGINS if p.platform is platform)


def missing_plugins() -> list[Platform]:
    """Chat platforms declared in core.enums without a registered plug-in (a test keeps this empty)."""
    return [p for p in CHAT_PLATFORMS if p not in {x.platform for x in PLUGINS}]


@dataclass
class Platforms:
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    settings: dict[Platform, Any] = field(default_factory=dict)  # the enabled platforms' settings
    apis: list[PlatformAPI] = field(default_factory=list)
    rates: RateStore | None = None

    @property
    def wecom(self) -> WeComSettings | None:
        return self.settings.get(Platform.WECOM)

    @property
    def dingtalk(self) -> DingTalkSettings | None:
        return self.settings.get(Platform.DINGTALK)

    async def aclose(self) -> None:
        for api in self.apis:
            await api.aclose()
        if self.rates is not None:
            await self.rates.aclose()


def build_platforms(wecom: WeComSettings | None = None, dingtalk: DingTalkSettings | None = None,
                    **given: Any) -> Platforms:
    """Channels for every plug-in whose settings are enabled; settings given by platform value (the
    sandbox's) are used instead of the environment's."""
    given = {Platform.WECOM.value: wecom, Platform.DINGTALK.value: dingtalk, **given}
    # Rate limits shared by every serve and worker process when Redis is configured (integrations/pacing.py).
    out = Platforms(rates=rate_store(load_settings().redis_url))
    for p in PLUGINS:
        settings = given.get(p.platform.value) or p.load()
        if not settings.enabled:
            continue
        channel, api = p.connect(settings, out.rates)
        out.registry.register(channel, label=p.label)
        out.apis.append(api)
        out.settings[p.platform] = settings
    return out
