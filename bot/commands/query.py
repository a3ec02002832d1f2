"""查询/进度 <编号>: a case's progress, for those allowed to see it."""

from __future__ import annotations

from bot.commands.args import case_number
from bot.context import Ctx
from core import evidence
from core.clock import fmt_local
from core.enums import LIVE_TASK_STATUSES, CaseStatus, TaskStatus
from core.masking import mask_keeping_case_numbers
from core.models import Case, Task
from core.permissions import can_view


async def show(ctx: Ctx, rest: str) -> None:
    number = case_number(rest, ctx.now)
    if number is None:
        ctx.reply("请在「查询」后写案件编号,如:查询 0042")
        return
    case = await Case.get_or_none(number=number)
    tasks = await Task.filter(case_id=case.id).order_by("id").prefetch_related("assignee") if case else []
    live = [t for t in tasks if TaskStatus(t.status) in LIVE_TASK_STATUSES]  # 退回/撤回: no longer theirs
    mine = any(t.assignee_id == ctx.staff.id or ctx.staff.id in t.cc for t in live)
    if case is None or not (mine or await can_view(ctx.actor, case)):
        ctx.reply(f"找不到案件 {number},或您无权查看")
        return
    lines = [f"案件 {case.number}:{CaseStatus(case.status).label}", f"上报时间:{fmt_local(case.created_at)}"]
    lines += [f"· {t.assignee.name}:{TaskStatus(t.status).label},截止 {fmt_local(t.deadline)}" for t in tasks]
    if case.result_note:
        lines.append(f"办结情况:{mask_keeping_case_numbers(case.result_note)}")  # numbers: on the case page
    if items := await evidence.for_case(case.id):  # the files open from the case's cards, not from here
        lines.append(f"证据({len(items)} 项):")
        lines += [f"· {fmt_local(e.received_at)} {e.sender or '—'} {e.kind}({e.state})" for e in items]
    ctx.reply("\n".join(lines))
