"""值班: who is on duty at the center today."""

from __future__ import annotations

from bot.context import Ctx
from core.clock import local
from core.models import RosterEntry


async def show(ctx: Ctx) -> None:
    today = local(ctx.now).date()
    entries = await RosterEntry.filter(day=today).prefetch_related("staff").order_by("duty", "id")
    if not entries:
        ctx.reply(f"{today:%m月%d日} 暂无值班安排")
        return
    leaders = "、".join(e.staff.name for e in entries if e.duty == "leader") or "-"
    staff = "、".join(e.staff.name for e in entries if e.duty != "leader") or "-"
    ctx.reply(f"{today:%m月%d日} 值班领导:{leaders};值班人员:{staff}")
