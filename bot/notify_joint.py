"""The notices of 联合调处 and the 积案库, for bot/notify.py's handler table: a partner joins (the lead hears it and
how to release it), the lead releases a partner, the center changes the lead; a case enters the 积案库 (the
包案领导 is told what to answer), is assessed monthly (the center hears it) and struck off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cards import snapshot
from core import org_memo
from core.enums import OPEN_TASK_STATUSES, Category
from core.events import (
    BacklogAdded,
    BacklogAssessed,
    BacklogStruck,
    LeadChanged,
    TaskDispatched,
    TaskReleased,
)
from core.models import BacklogAssessment, Case, Region, Staff, Task

if TYPE_CHECKING:
    from bot.notify import Batch


async def _open_lead(case: Case) -> Task | None:
    return next((t for t in await snapshot.tasks_with(case.id, *OPEN_TASK_STATUSES) if t.is_lead), None)


async def _name(staff_id: int) -> str:
    return (await Staff.get(id=staff_id)).name


async def partner_joined(b: Batch, ev: TaskDispatched, case: Case) -> None:
    """A task joined a lead already on the case: the lead hears who, and how to let them go."""
    lead = await _open_lead(case)
    if lead is None or lead.id == ev.task_id:
        return
    task = await snapshot.task(ev.task_id, case.id)
    dep = await org_memo.department_or_none(task.department_id)
    who = (dep.name if dep else "") + await _name(task.assignee_id)
    b.tell(lead.assignee_id, f"【联合调处】案件 {case.number} 追加 {who} 协办,由您牵头,各协办单位办结或撤回后由您办结。"
                             f"如无需其协办,回复「撤回 {case.number[-4:]} {dep.name if dep else who}」")


async def released_by_lead(b: Batch, ev: TaskReleased, case: Case, holder: Region) -> bool:
    """The lead let a partner go: the partner and the center hear it from the lead. False: not the lead's doing."""
    lead = await _open_lead(case)
    if lead is None or ev.actor_id is None or lead.assignee_id != ev.actor_id or lead.id == ev.task_id:
        return False
    task = await snapshot.task(ev.task_id, case.id)
    lead_name, partner = await _name(lead.assignee_id), await _name(task.assignee_id)
    b.tell(task.assignee_id, f"案件 {case.number} 的协办任务已由牵头人{lead_name}撤回,无需继续办理")
    await b.tell_center(holder, f"【联合调处】案件 {case.number} 的牵头人{lead_name}撤回了{partner}的协办任务")
    return True


async def lead_changed(b: Batch, ev: LeadChanged, case: Case, holder: Region) -> None:
    task = await snapshot.task(ev.task_id, case.id)
    b.tell(task.assignee_id, f"【联合调处】案件 {case.number} 改由您牵头:请协调各协办单位,待其办结或撤回后由您办结")
    if ev.previous_task_id is not None:
        before = await snapshot.task(ev.previous_task_id, case.id)
        b.tell(before.assignee_id, f"【联合调处】案件 {case.number} 改由 {await _name(task.assignee_id)} 牵头,"
                                   "您继续协办,办结后请及时反馈")


async def backlog_added(b: Batch, ev: BacklogAdded, case: Case, holder: Region) -> None:
    short = case.number[-4:]
    b.tell(ev.leader_id, f"【积案包案】案件 {case.number}({Category(case.category).label})已列入积案库,由您包案。"
                         f"请每月评估一次,回复「评估 {short} 进展… 下一步…」;化解后回复「销号 {short} 化解结果」")


async def backlog_assessed(b: Batch, ev: BacklogAssessed, case: Case, holder: Region) -> None:
    row = await BacklogAssessment.get(id=ev.assessment_id)
    await b.tell_center(holder, f"【积案评估】{case.number}({row.month},包案领导{await _name(row.leader_id)}):"
                                f"进展 {row.progress};下一步 {row.next_step}")


async def backlog_struck(b: Batch, ev: BacklogStruck, case: Case, holder: Region) -> None:
    result = f":{case.backlog_result}" if case.backlog_result else ""
    if case.backlog_leader_id is not None and case.backlog_leader_id != ev.actor_id:
        b.tell(case.backlog_leader_id, f"【积案销号】您包案的积案 {case.number} 已销号{result}")
    else:
        await b.tell_center(holder, f"【积案销号】积案 {case.number} 已由包案领导销号{result}")
