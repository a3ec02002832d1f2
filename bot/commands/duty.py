"""值班: who is on duty at the center today (or, asked in plain words, 昨天/明天/后天)."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Ctx
from core.clock import local
from core.models import RosterEntry

DAY_WORDS = {"昨天": -1, "明天": 1, "后天": 2}


async def show(ctx: Ctx, asked: str = "") -> None:
    offset = next((n for word, n in DAY_WORDS.items() if word in asked), 0)
    day = local(ctx.now).date() + timedelta(days=offset)
    entries = await RosterEntry.filter(day=day).prefetch_related("staff").order_by("duty", "id")
    if not entries:
        ctx.reply(f"{day:%m月%d日} 暂无值班安排")
        return
    leaders = "、".join(e.staff.name for e in entries if e.duty == "leader") or "-"
    staff = "、".join(e.staff.name for e in entries if e.duty != "leader") or "-"
    ctx.reply(f"{day:%m月%d日} 值班领导:{leaders};值班人员:{staff}")
