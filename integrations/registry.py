"""Which platforms this deployment talks to, from the WECOM_* and DINGTALK_* settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channel import ChannelRegistry
from core.config import load_settings
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.pacing import RateStore, rate_store
from integrations.wecom.api import WeComAPI
from integrations.wecom.channel import WeComChannel
from integrations.wecom.config import WeComSettings, load_wecom


@dataclass
class Platforms:
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    wecom: WeComSettings | None = None
    dingtalk: DingTalkSettings | None = None
    apis: list[WeComAPI | DingTalkAPI] = field(default_factory=list)
    rates: RateStore | None = None

    async def aclose(self) -> None:
        for api in self.apis:
            await api.aclose()
        if self.rates is not None:
            await self.rates.aclose()


def build_platforms(wecom: WeComSettings | None = None, dingtalk: DingTalkSettings | None = None) -> Platforms:
    wecom = wecom or load_wecom()
    dingtalk = dingtalk or load_dingtalk()
    # Rate limits shared by every serve and worker process when Redis is configured (integrations/pacing.py).
    out = Platforms(rates=rate_store(load_settings().redis_url))
    if wecom.enabled:
        api = WeComAPI(wecom)
        out.registry.register(WeComChannel(api, out.rates))
        out.apis.append(api)
        out.wecom = wecom
    if dingtalk.enabled:
        dapi = DingTalkAPI(dingtalk, rates=out.rates)
        out.registry.register(DingTalkChannel(dapi))
        out.apis.append(dapi)
        out.dingtalk = dingtalk
    return out
