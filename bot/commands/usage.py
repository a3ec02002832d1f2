"""用量: the metered platform API calls this deployment made this month against each platform's quota, for the
center's staff (past a quota, that platform's messages wait or go by another platform)."""

from __future__ import annotations

from bot.context import Ctx
from core.enums import Role
from core.usage import usage_lines

CENTER_ROLES = (Role.DISPATCHER.value, Role.LEADER.value, Role.ADMIN.value)


async def show(ctx: Ctx) -> None:
    if not any(role in ctx.staff.roles for role in CENTER_ROLES):
        ctx.reply("「用量」仅供中心值班、调度和管理人员查看")
        return
    lines = await usage_lines(ctx.now)
    ctx.reply("本月接口用量:\n" + "\n".join(lines) if lines else "本月还没有按量计费的平台接口调用")
