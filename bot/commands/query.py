"""查询/进度 <编号> (or "0042现在咋样了"): a case's progress, for those allowed to see it: where it stands, who
handles it now, whether it is overdue, escalated or under 书记督办, then each task and the evidence."""

from __future__ import annotations

from datetime import datetime

from bot.commands.args import case_number
from bot.commands.receptions import case_lines
from bot.context import Ctx
from core import evidence, org_memo
from core.clock import fmt_local, local
from core.enums import LIVE_TASK_STATUSES, OPEN_TASK_STATUSES, CaseStatus, Level, TaskStatus
from core.masking import mask_keeping_case_numbers
from core.models import Case, EscalationRecord, Staff, Task
from core.permissions import can_view
from core.services import referrals

_WHY_UP = {"manual": "本级无法化解", "timeout": "本级时限已过", "major": "重大纠纷", "leader": "领导提级"}


async def _escalations(case: Case) -> list[str]:
    lines = []
    for r in await EscalationRecord.filter(case_id=case.id).order_by("id").prefetch_related("from_region", "to_region"):
        why = _WHY_UP.get(r.reason, r.reason)
        lines.append(f"已上报:{r.from_region.name}→{r.to_region.name}({why},{fmt_local(r.at)})")
    return lines


def _overdue(task: Task, now: datetime) -> str:
    if TaskStatus(task.status) not in OPEN_TASK_STATUSES or task.deadline >= now:
        return ""
    days = (local(now).date() - local(task.deadline).date()).days
    return f",已逾期{days}天" if days > 0 else ",已逾期"


async def _handling_now(case: Case, tasks: list[Task], now: datetime) -> list[str]:
    """Who has the case in hand now, and what is late or watched over."""
    region = await org_memo.region(case.handling_region_id)
    where = f"当前处理层级:{region.name}({Level(case.step).label}级)"
    open_tasks = [t for t in tasks if TaskStatus(t.status) in OPEN_TASK_STATUSES]
    if open_tasks:
        who = ";".join(f"{t.department.name + ' ' if t.department else ''}{t.assignee.name}"
                       f"{'(牵头)' if t.is_lead and len(open_tasks) > 1 else ''}{_overdue(t, now)}" for t in open_tasks)
        lines = [where, f"正在办理:{who}"]
    elif CaseStatus(case.status) in (CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.ESCALATED,
                                     CaseStatus.AWAITING_APPROVAL):
        lines = [where, f"正在办理:{region.name}矛调中心(待交办)"]
    else:
        lines = [where]
    if any(_overdue(t, now) for t in open_tasks):
        lines.append("提示:已超过办理期限")
    if case.supervised_at:
        by = await Staff.get_or_none(id=case.supervisor_id) if case.supervisor_id else None
        lines.append(f"已列入书记督办({fmt_local(case.supervised_at)}{',督办人 ' + by.name if by else ''})")
    if case.meeting_date:
        lines.append(f"已列入 {case.meeting_date:%m月%d日} 党政联席周会商")
    if case.backlog and case.backlog_struck_at is None:
        lines.append("已列入积案库")
    return lines + await _escalations(case)


async def show(ctx: Ctx, rest: str) -> None:
    number = case_number(rest, ctx.now)
    if number is None:
        ctx.reply("请在「查询」后写案件编号,如:查询 0042")
        return
    case = await Case.get_or_none(number=number)
    tasks = await Task.filter(case_id=case.id).order_by("id").prefetch_related("assignee", "department") if case else []
    live = [t for t in tasks if TaskStatus(t.status) in LIVE_TASK_STATUSES]  # 退回/撤回: no longer theirs
    mine = any(t.assignee_id == ctx.staff.id or ctx.staff.id in t.cc for t in live)
    if case is None or not (mine or await can_view(ctx.actor, case)):
        ctx.reply(f"找不到案件 {number},或您无权查看")
        return
    lines = [f"案件 {case.number}:{CaseStatus(case.status).label}", f"上报时间:{fmt_local(case.created_at)}"]
    if CaseStatus(case.status) not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        lines += await _handling_now(case, tasks, ctx.now)
    lines += [f"· {t.assignee.name}:{TaskStatus(t.status).label},截止 {fmt_local(t.deadline)}{_overdue(t, ctx.now)}"
              for t in tasks]
    lines += [mask_keeping_case_numbers(line) for line in await referrals.case_lines(case.id)]  # 诉调对接, 司法确认
    lines += await case_lines(case.id)
    if case.result_note:
        lines.append(f"办结情况:{mask_keeping_case_numbers(case.result_note)}")  # numbers: on the case page
    if items := await evidence.for_case(case.id):  # the files open from the case's cards, not from here
        lines.append(f"证据({len(items)} 项):")
        lines += [f"· {fmt_local(e.received_at)} {e.sender or '—'} {e.kind}({e.state})" for e in items]
    ctx.reply("\n".join(lines))
