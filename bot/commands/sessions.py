"""预约 and 调解结果 in chat, and the invitation buttons."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time

from bot.commands.args import case_and_match
from bot.commands.people import people
from bot.context import ActionHandler, Ctx
from bot.outbox import refresh
from bot.types import Act, ButtonAct
from core.clock import DISPLAY_TZ, local
from core.enums import Platform
from core.models import CardLink
from core.services import sessions
from core.services.lookup import case_by_number

BOOK = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2})\s+(\d{1,2}:\d{2})\s*[-—~至]\s*(\d{1,2}:\d{2})"
                  r"\s+(\S+)\s*(.*)$")  # after the case number
_OUTCOME = {label: outcome for outcome, label in sessions.OUTCOMES.items()}  # 达成协议 → agreement
RESULT = re.compile(rf"^({'|'.join(_OUTCOME)})\s*(.*)$", re.S)  # after the case number
USAGE = "格式:预约 0042 11-25 14:00-16:00 第一调解室 赵敏、王律师(可加:当事人:双方到场)"


def _when(day_text: str, hhmm: str, today: date) -> datetime:
    parts = [int(p) for p in day_text.split("-")]
    day = date(*parts) if len(parts) == 3 else date(today.year, parts[0], parts[1])
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=DISPLAY_TZ)


async def book(ctx: Ctx, rest: str) -> None:
    found = case_and_match(rest, ctx.now, BOOK)
    if found is None:
        ctx.reply(USAGE)
        return
    number, m = found
    case = await case_by_number(number)
    try:
        today = local(ctx.now).date()
        starts, ends = _when(m.group(1), m.group(2), today), _when(m.group(1), m.group(3), today)
    except ValueError:
        ctx.reply(f"时间无法识别。{USAGE}")
        return
    names_part, _, parties = m.group(5).partition("当事人")
    invited = await people(ctx, names_part, "参与人")
    if invited is None:
        return
    outcome = await sessions.book(ctx.domain, ctx.actor, case.id, starts, ends, m.group(4), invited,
                                  source=Platform(ctx.inbound.platform), parties_note=re.sub(r"^[\s::]+", "", parties).strip())
    ctx.took(outcome)


async def result(ctx: Ctx, rest: str) -> None:
    found = case_and_match(rest, ctx.now, RESULT)
    if found is None:
        ctx.reply("格式:调解结果 0042 达成协议 / 未达成 / 改期 [说明]")
        return
    number, m = found
    case = await case_by_number(number)
    ctx.took(await sessions.record_outcome(ctx.domain, ctx.actor, case.id, _OUTCOME[m.group(1)], m.group(2),
                                           source=Platform(ctx.inbound.platform)))


async def _respond(attend: bool, ctx: Ctx, link: CardLink) -> None:
    assert link.session_id is not None
    ctx.took(await sessions.respond(ctx.domain, ctx.actor, link.session_id, attend,
                                    source=Platform(ctx.inbound.platform)))
    ctx.out += await refresh([link])


ACTIONS: dict[ButtonAct, ActionHandler] = {
    Act.ATTEND: functools.partial(_respond, True),
    Act.LEAVE: functools.partial(_respond, False),
}
