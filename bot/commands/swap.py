"""调班 <日期> <原值班人> <接班人>: a leader or dispatcher records a swap."""

from __future__ import annotations

import re

from bot.commands.args import DAY, day_of
from bot.context import Ctx
from core.clock import local
from core.enums import Platform
from core.roster import swap

_ARGS = re.compile(rf"^({DAY})\s+(\S+?)\s*(?:→|->|换成|\s)\s*(\S+)$")


async def run(ctx: Ctx, rest: str) -> None:
    m = _ARGS.match(rest.strip())
    if not m:
        ctx.reply("格式:调班 11-25 韩卫国 唐志刚(原值班人在前,接班人在后)")
        return
    try:
        day = day_of(m.group(1), local(ctx.now).date())
    except ValueError:
        ctx.reply(f"日期「{m.group(1)}」无法识别")
        return
    record = await swap(ctx.actor, day, m.group(2), m.group(3), ctx.now, source=Platform(ctx.inbound.platform))
    ctx.reply(f"已登记调班:{day:%m月%d日} {m.group(2)} → {m.group(3)},审批人 {ctx.staff.name}(记录 #{record.id})")
