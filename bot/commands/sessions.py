"""预约 and 调解结果 in chat, and the invitation buttons."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from bot.context import Ctx
from bot.outbox import refresh
from bot.types import Act
from core.clock import DISPLAY_TZ, local
from core.enums import Platform
from core.models import CardLink, Staff
from core.numbering import parse_number
from core.services import sessions
from core.services.lookup import case_by_number

BOOK = re.compile(r"^(\S+)\s+(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2})\s+(\d{1,2}:\d{2})\s*[-—~至]\s*(\d{1,2}:\d{2})"
                  r"\s+(\S+)\s*(.*)$")
RESULT = re.compile(r"^(\S+)\s+(达成协议|未达成|改期)\s*(.*)$", re.S)
_OUTCOME = {"达成协议": "agreement", "未达成": "no_agreement", "改期": "rescheduled"}
USAGE = "格式:预约 0042 11-25 14:00-16:00 第一调解室 赵敏、王律师(可加:当事人:双方到场)"


def _when(day_text: str, hhmm: str, today: date) -> datetime:
    parts = [int(p) for p in day_text.split("-")]
    day = date(*parts) if len(parts) == 3 else date(today.year, parts[0], parts[1])
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=DISPLAY_TZ)


async def book(ctx: Ctx, rest: str) -> None:
    m = BOOK.match(rest.strip())
    if not m:
        ctx.reply(USAGE)
        return
    number = parse_number(m.group(1), local(ctx.now).year)
    if number is None:
        ctx.reply(USAGE)
        return
    case = await case_by_number(number)
    try:
        today = local(ctx.now).date()
        starts, ends = _when(m.group(2), m.group(3), today), _when(m.group(2), m.group(4), today)
    except ValueError:
        ctx.reply(f"时间无法识别。{USAGE}")
        return
    tail = m.group(6)
    names_part, _, parties = tail.partition("当事人")
    names = [n for n in re.split(r"[、,,\s]+", names_part) if n]
    people = []
    for name in names:
        found = await Staff.filter(name=name, active=True)
        if len(found) != 1:
            ctx.reply(f"参与人「{name}」{'不在名单中' if not found else '有重名,请联系调度员'}")
            return
        people.append(found[0].id)
    outcome = await sessions.book(ctx.domain, ctx.actor, case.id, starts, ends, m.group(5), people,
                                  source=Platform(ctx.inbound.platform), parties_note=re.sub(r"^[\s::]+", "", parties).strip())
    ctx.took(outcome)


async def result(ctx: Ctx, rest: str) -> None:
    m = RESULT.match(rest.strip())
    number = parse_number(m.group(1), local(ctx.now).year) if m else None
    if m is None or number is None:
        ctx.reply("格式:调解结果 0042 达成协议 / 未达成 / 改期 [说明]")
        return
    case = await case_by_number(number)
    ctx.took(await sessions.record_outcome(ctx.domain, ctx.actor, case.id, _OUTCOME[m.group(2)], m.group(3),
                                           source=Platform(ctx.inbound.platform)))


async def on_action(ctx: Ctx, act: Act, link: CardLink) -> None:
    assert link.session_id is not None
    ctx.took(await sessions.respond(ctx.domain, ctx.actor, link.session_id, act is Act.ATTEND,
                                    source=Platform(ctx.inbound.platform)))
    ctx.out += await refresh([link])
