"""应急处置 in chat: a leader starts one on a case (启动应急 0042 [红色|橙色]), the people on site and the center add
a 续报 (续报 0042 现场已控制), a leader closes it with a summary (应急结束 0042 处置情况). Who may do which is
core/services/emergencies.py's business; the notices are bot/notify_emergency.py's."""

from __future__ import annotations

import re

from bot.commands.args import case_args, case_number
from bot.context import Ctx
from core.enums import Platform
from core.reports.warning import Grade
from core.services import emergencies
from core.services.lookup import case_by_number

START_USAGE = "格式:启动应急 0042,可加等级:启动应急 0042 红色(或 橙色)"
REPORT_USAGE = "格式:续报 0042 现场情况,例如:续报 0042 现场已控制,人员已疏散"
CLOSE_USAGE = "格式:应急结束 0042 处置情况总结,例如:应急结束 0042 人员已疏散,双方已达成初步协议"
GRADE_WORDS = {"红": Grade.RED, "红色": Grade.RED, "红色预警": Grade.RED, "一级": Grade.RED,
               "橙": Grade.ORANGE, "橙色": Grade.ORANGE, "橙色预警": Grade.ORANGE, "二级": Grade.ORANGE}
NUMBER_THEN_GRADE = re.compile(r"^(\S+)(?:\s+(\S+))?$")


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


async def start(ctx: Ctx, rest: str) -> None:
    """启动应急 <编号> [红色|橙色]."""
    m = NUMBER_THEN_GRADE.match(rest.strip())
    number = case_number(m.group(1), ctx.now) if m else None
    if m is None or number is None:
        ctx.reply(START_USAGE)
        return
    grade = GRADE_WORDS.get(m.group(2)) if m.group(2) else None
    if m.group(2) and grade is None:
        ctx.reply(f"应急等级「{m.group(2)}」无法识别。{START_USAGE}")
        return
    case = await case_by_number(number)
    ctx.took(await emergencies.open_emergency(ctx.domain, ctx.actor, case.id, grade=grade, source=_src(ctx)))


async def report(ctx: Ctx, rest: str) -> None:
    """续报 <编号> <现场情况>."""
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply(REPORT_USAGE)
        return
    case = await case_by_number(args.number)
    ctx.took(await emergencies.add_report(ctx.domain, ctx.actor, case.id, args.rest, source=_src(ctx)))


async def close(ctx: Ctx, rest: str) -> None:
    """应急结束 <编号> <处置情况总结>."""
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply(CLOSE_USAGE)
        return
    case = await case_by_number(args.number)
    ctx.took(await emergencies.close_emergency(ctx.domain, ctx.actor, case.id, args.rest, source=_src(ctx)))
