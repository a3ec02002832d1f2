"""代办 <编号> <代办员> [N天] (the center) and 代办反馈 <编号> <内容> (the agent)."""

from __future__ import annotations

import re

from bot.context import Ctx
from core.clock import local
from core.enums import Platform
from core.models import Staff
from core.numbering import parse_number
from core.services import petition
from core.services.lookup import case_by_number

ASSIGN = re.compile(r"^(\S+)\s+(\S+?)(?:\s+(\d{1,2})\s*(?:个工作日|天|日))?\s*$")
FEEDBACK = re.compile(r"^(\S+)\s+(.+)$", re.S)


async def assign(ctx: Ctx, rest: str) -> None:
    m = ASSIGN.match(rest.strip())
    number = parse_number(m.group(1), local(ctx.now).year) if m else None
    if m is None or number is None:
        ctx.reply("格式:代办 0042 宋涛 15天")
        return
    case = await case_by_number(number)
    agents = await Staff.filter(name=m.group(2), active=True)
    if len(agents) != 1:
        ctx.reply(f"找不到代办员「{m.group(2)}」")
        return
    days = int(m.group(3)) if m.group(3) else petition.DEFAULT_WORKDAYS
    ctx.took(await petition.assign_proxy(ctx.domain, ctx.actor, case.id, agents[0].id, days,
                                         source=Platform(ctx.inbound.platform)))


async def feedback(ctx: Ctx, rest: str) -> None:
    m = FEEDBACK.match(rest.strip())
    number = parse_number(m.group(1), local(ctx.now).year) if m else None
    if m is None or number is None:
        ctx.reply("格式:代办反馈 0042 已向群众反馈区信访局的答复意见")
        return
    case = await case_by_number(number)
    ctx.took(await petition.record_feedback(ctx.domain, ctx.actor, case.id, m.group(2),
                                            source=Platform(ctx.inbound.platform)))
