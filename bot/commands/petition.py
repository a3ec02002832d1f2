"""代办 <编号> <代办员> [N天] (the center) and 代办反馈 <编号> <内容> (the agent)."""

from __future__ import annotations

import re

from bot.commands.args import case_and_match, case_args
from bot.context import Ctx
from core.enums import Platform
from core.models import Staff
from core.services import petition
from core.services.lookup import case_by_number

ASSIGN = re.compile(r"^(\S+?)(?:\s+(\d{1,2})\s*(?:个工作日|天|日))?\s*$")  # after the case number


async def assign(ctx: Ctx, rest: str) -> None:
    found = case_and_match(rest, ctx.now, ASSIGN)
    if found is None:
        ctx.reply("格式:代办 0042 宋涛 15天")
        return
    number, m = found
    case = await case_by_number(number)
    agents = await Staff.filter(name=m.group(1), active=True)
    if len(agents) != 1:
        ctx.reply(f"找不到代办员「{m.group(1)}」")
        return
    days = int(m.group(2)) if m.group(2) else petition.DEFAULT_WORKDAYS
    ctx.took(await petition.assign_proxy(ctx.domain, ctx.actor, case.id, agents[0].id, days,
                                         source=Platform(ctx.inbound.platform)))


async def feedback(ctx: Ctx, rest: str) -> None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply("格式:代办反馈 0042 已向群众反馈区信访局的答复意见")
        return
    case = await case_by_number(args.number)
    ctx.took(await petition.record_feedback(ctx.domain, ctx.actor, case.id, args.rest,
                                            source=Platform(ctx.inbound.platform)))
