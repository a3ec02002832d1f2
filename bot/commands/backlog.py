"""积案: the backlog cases I lead (包案)."""

from __future__ import annotations

from bot.context import Ctx
from core.enums import CaseStatus
from core.models import Case


async def show(ctx: Ctx) -> None:
    cases = await Case.filter(backlog=True, backlog_leader_id=ctx.staff.id, backlog_struck_at=None).order_by("id")
    if not cases:
        ctx.reply("您目前没有包案的积案")
        return
    ctx.reply("我包案的积案:\n" + "\n".join(f"· {c.number} {CaseStatus(c.status).label}" for c in cases))
