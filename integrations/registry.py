"""The chat platforms this code base knows, as plug-ins, and which of them this deployment talks to.

A platform is its value in core.enums.Platform, a package under integrations/ whose plugin.py exports PLUGIN
(integrations/plugin.py says what one provides), and its name in REGISTERED below. Everything that needs to
know the platforms iterates PLUGINS: the channels built from the settings, the inbound serve attaches, the
secrets the log hides, the sandbox's fakes, the Chinese name chat users read, the org-file keys. core/, bot/,
scheduler/ and maotiao/ never name a platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from bot.channel import ChannelRegistry
from core.config import ConfigError, load_settings
from core.enums import Platform, chat_platforms
from integrations.aliyun_sms.config import AliyunSmsSettings, load_aliyun_sms
from integrations.aliyun_sms.sender import AliyunSms
from integrations.api.webhook import HttpStatusPoster
from integrations.pacing import RateStore, rate_store
from integrations.plugin import PlatformAPI, PlatformPlugin, Runner, SignIn, Wiring

# The registration: integrations/<name>/plugin.py for each chat platform, in core.enums.chat_platforms() order.
REGISTERED = ("wecom", "dingtalk", "zwdd")


def _load(name: str) -> PlatformPlugin[Any]:
    entry = import_module(f"integrations.{name}.plugin").PLUGIN
    if not isinstance(entry, PlatformPlugin):
        raise TypeError(f"integrations.{name}.plugin.PLUGIN is not a PlatformPlugin")
    return entry


PLUGINS: tuple[PlatformPlugin[Any], ...] = tuple(_load(name) for name in REGISTERED)


def plugin(platform: Platform) -> PlatformPlugin[Any]:
    return next(p for p in PLUGINS if p.platform is platform)


def missing_plugins() -> list[Platform]:
    """Chat platforms declared in core.enums without a registered plug-in (a test keeps this empty)."""
    return [p for p in chat_platforms() if p not in {x.platform for x in PLUGINS}]


def credentials() -> str:
    """The platforms' environment variables as operators read them in messages (`A_*/B_*`)."""
    return "/".join(f"{p.env_prefix}*" for p in PLUGINS)


def names() -> str:
    """The platforms' names as serve's messages give them (`A and B`)."""
    return " and ".join(p.name for p in PLUGINS)


def configured_secrets() -> list[str | None]:
    """Every platform's secrets in the environment, for the log redaction (a platform's bad configuration
    is reported by the command that uses it, not here)."""
    found: list[str | None] = []
    for p in PLUGINS:
        try:
            found += p.secrets(p.load())
        except ConfigError:
            pass
    try:
        found.append(load_aliyun_sms().access_key_secret or None)
    except ConfigError:
        pass
    return found


@dataclass
class Platforms:
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    settings: dict[Platform, Any] = field(default_factory=dict)  # the enabled platforms' settings
    apis: list[PlatformAPI] = field(default_factory=list)
    rates: RateStore | None = None
    webhooks: HttpStatusPoster | None = None  # status back to API senders (MAOTIAO_API_WEBHOOKS)
    sign_ins: dict[Platform, SignIn] = field(default_factory=dict)  # 免登 for the dashboard, where a platform has it

    @property
    def connected(self) -> bool:
        """Whether any platform's credentials are set (serve runs as production then)."""
        return bool(self.settings)

    def need_links(self) -> list[str]:
        """The enabled platforms whose cards open the action page (they cannot run without signed links)."""
        return [p.name for p in PLUGINS if p.needs_links and p.platform in self.settings]

    def attach(self, wiring: Wiring) -> list[Runner]:
        """Each enabled platform's inbound: routes on the app, and the background runners serve must run."""
        runners = [p.attach(self.settings[p.platform], wiring) for p in PLUGINS if p.platform in self.settings]
        return [r for r in runners if r is not None]

    async def aclose(self) -> None:
        for api in self.apis:
            await api.aclose()
        if self.rates is not None:
            await self.rates.aclose()
        if self.webhooks is not None:
            await self.webhooks.aclose()


def build_platforms(given: Mapping[Platform, Any] | None = None, sms: AliyunSmsSettings | None = None) -> Platforms:
    """Channels for every plug-in whose settings are enabled, and the SMS sender when one is configured; settings
    given (the sandbox's) are used instead of the environment's."""
    given = given or {}
    sms = sms or load_aliyun_sms()
    # Rate limits shared by every serve and worker process when Redis is configured (integrations/pacing.py).
    settings_ = load_settings()
    out = Platforms(rates=rate_store(settings_.redis_url))
    if settings_.api_webhook_map:
        out.webhooks = HttpStatusPoster(settings_.api_webhook_map)
    for p in PLUGINS:
        settings = given.get(p.platform) or p.load()
        if not settings.enabled:
            continue
        channel, api = p.connect(settings, out.rates)
        out.registry.register(channel, label=p.label)
        out.apis.append(api)
        out.settings[p.platform] = settings
        if p.sign_in is not None:
            out.sign_ins[p.platform] = p.sign_in(settings, api)
    if sms.enabled:
        sender = AliyunSms(sms)
        out.registry.sms = sender
        out.apis.append(sender)
    return out
