"""请假 <日期>[至<日期>] (AB岗): the sender is away; their backup is told, and takes their new tasks and reminders.
销假: back early."""

from __future__ import annotations

import re

from bot.commands.args import DAY, day_of
from bot.context import Ctx
from bot.types import Outbound, Target
from core.clock import local
from core.enums import Platform
from core.services import absence

ARGS = re.compile(rf"^({DAY})(?:\s*(?:至|到|-|~|—)\s*({DAY}))?$")
USAGE = "格式:请假 12月8日至12月10日(一天可只写一个日期)"


async def mark(ctx: Ctx, rest: str) -> None:
    m = ARGS.match(rest.strip())
    if m is None:
        ctx.reply(USAGE)
        return
    today = local(ctx.now).date()
    try:
        first = day_of(m.group(1), today)
        last = day_of(m.group(2), today) if m.group(2) else first
    except ValueError:
        ctx.reply("日期无法识别。" + USAGE)
        return
    away = await absence.mark_away(ctx.domain, ctx.actor, first, last, source=Platform(ctx.inbound.platform))
    span = f"{first:%m月%d日}至{last:%m月%d日}" if last != first else f"{first:%m月%d日}"
    if away.backup is None:
        ctx.reply(f"已登记请假:{span}。您没有设置AB岗(B岗),期间的任务和提醒仍发给您;请联系管理员在组织名单中设置")
        return
    ctx.reply(f"已登记请假:{span}。期间新交办的任务和提醒由AB岗 {away.backup.name} 代为接收")
    ctx.out.append(Outbound(target=Target(staff_id=away.backup.id),
                            text=f"【AB岗】{ctx.staff.name} {span}请假,期间新交办给其的任务和提醒将由您代为接收办理"))


async def end(ctx: Ctx, _: str) -> None:
    await absence.end_absence(ctx.domain, ctx.actor, source=Platform(ctx.inbound.platform))
    ctx.reply("已销假,新交办的任务和提醒将重新发给您")
