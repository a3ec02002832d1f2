"""Which platforms this deployment talks to, from the WECOM_* and DINGTALK_* settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channel import ChannelRegistry
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.wecom.api import WeComAPI
from integrations.wecom.channel import WeComChannel
from integrations.wecom.config import WeComSettings, load_wecom


@dataclass
class Platforms:
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    wecom: WeComSettings | None = None
    dingtalk: DingTalkSettings | None = None
    apis: list[WeComAPI | DingTalkAPI] = field(default_factory=list)

    async def aclose(self) -> None:
        for api in self.apis:
            await api.aclose()


def build_platforms(wecom: WeComSettings | None = None, dingtalk: DingTalkSettings | None = None) -> Platforms:
    wecom = wecom or load_wecom()
    dingtalk = dingtalk or load_dingtalk()
    out = Platforms()
    if wecom.enabled:
        api = WeComAPI(wecom)
        out.registry.register(WeComChannel(api))
        out.apis.append(api)
        out.wecom = wecom
    if dingtalk.enabled:
        dapi = DingTalkAPI(dingtalk)
        out.registry.register(DingTalkChannel(dapi))
        out.apis.append(dapi)
        out.dingtalk = dingtalk
    return out
