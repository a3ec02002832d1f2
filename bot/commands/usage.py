"""用量: the platform API calls this deployment made this month, for the center's staff (DingTalk's standard
edition allows 10,000 metered calls a natural month; past that its messages wait or go by another platform)."""

from __future__ import annotations

from bot.context import Ctx
from core.config import ConfigError
from core.enums import Role
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.usage import calls_this_month, usage_text

CENTER_ROLES = (Role.DISPATCHER.value, Role.LEADER.value, Role.ADMIN.value)


def _quota() -> int:
    try:
        return load_dingtalk().monthly_quota
    except ConfigError:
        return int(DingTalkSettings.model_fields["monthly_quota"].default)


async def show(ctx: Ctx) -> None:
    if not any(role in ctx.staff.roles for role in CENTER_ROLES):
        ctx.reply("「用量」仅供中心值班、调度和管理人员查看")
        return
    used = await calls_this_month("dingtalk", ctx.now)
    ctx.reply("本月接口用量:\n" + usage_text(used, _quota(), ctx.now))
