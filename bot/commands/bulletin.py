"""通报 [上月|本月|2026年11月|11月]: the month's 考核通报 (.docx) to a leader or the center, by direct message —
the document `maotiao report bulletin` writes and whose group-safe summary the leaders' group gets on the first
working day (scheduler/rhythm.py). It names no party (bot/documents/bulletin.py), and goes to the asker alone."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

from bot.context import Ctx
from bot.types import Outbound, Target
from core.clock import local
from core.enums import Role
from core.reports.periods import Kind

ASKERS = (Role.LEADER, Role.SECRETARY, Role.DISPATCHER, Role.ADMIN)
# What may follow 通报 (router.py matches the whole line, so a report that starts with 通报 is not taken).
WHEN = r"上月|上个月|本月|这个月|\d{4}\s*[年-]\s*\d{1,2}\s*月?|\d{1,2}\s*月"
_MONTH = re.compile(r"^(?:(\d{4})\s*[年-]\s*)?(\d{1,2})\s*月?$")


def month_of(text: str, today: date) -> date | None:
    """The first day of the month asked for: the last one by default; None for a month that has not begun."""
    text = text.strip()
    if text in ("", "上月", "上个月"):
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if text in ("本月", "这个月"):
        return today.replace(day=1)
    m = _MONTH.match(text)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        return None
    first = date(int(m.group(1)) if m.group(1) else today.year, int(m.group(2)), 1)
    return first if first <= today else None


async def send(ctx: Ctx, rest: str) -> None:
    if not ctx.actor.has(*ASKERS):
        ctx.reply("考核通报由中心和领导调阅")
        return
    first = month_of(rest, local(ctx.now).date())
    if first is None:
        ctx.reply("请写要调阅的月份,如「通报 上月」「通报 2026年11月」(尚未开始的月份没有通报)")
        return
    from bot.documents.bulletin import produce  # python-docx on the first document, not at start-up

    made = await produce(Kind.MONTHLY, first, ctx.now)
    ctx.reply(f"{first.year}年{first.month}月考核通报随后以文件发送给您")
    ctx.out.append(Outbound(target=Target(staff_id=ctx.staff.id, platform=ctx.inbound.platform),
                            file_b64=base64.b64encode(made.docx).decode(), file_name=made.filename))
