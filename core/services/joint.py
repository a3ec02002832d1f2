"""联合调处: several departments on one case. The first receiver leads (牵头) and closes the case last; a partner
joins through 交办 (triage.dispatch on a dispatched case) and leaves through 撤回 (handling.release_task, by the
center or the lead). Here: the center hands the lead to another department already on the case."""

from __future__ import annotations

from core.enums import OPEN_TASK_STATUSES, CaseStatus, Platform, TaskStatus
from core.errors import InvalidTransition, NotFound
from core.events import LeadChanged
from core.models import Staff, Task
from core.permissions import check_case
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.lookup import lock_case

OPEN = [s.value for s in OPEN_TASK_STATUSES]


@transactional
async def change_lead(d: Domain, actor: Actor, case_id: int, task_id: int, *, source: Platform) -> Outcome:
    """更换牵头: an open task of the case becomes the lead; the old lead stays on as a partner."""
    case = await lock_case(case_id)
    await check_case(actor, "dispatch", case)
    if CaseStatus(case.status) is not CaseStatus.DISPATCHED:
        raise InvalidTransition(f"案件 {case.number} {CaseStatus(case.status).label},没有在办的承办单位,无法更换牵头")
    task = await Task.select_for_update().get_or_none(id=task_id, case_id=case.id)
    if task is None:
        raise NotFound(f"案件 {case.number} 没有该承办任务")
    name = (await Staff.get(id=task.assignee_id)).name
    if task.status not in OPEN:
        raise InvalidTransition(f"{name} 在案件 {case.number} 中的任务{TaskStatus(task.status).label},不能牵头")
    if task.is_lead:
        return Outcome(False, f"{name} 已是案件 {case.number} 的牵头人", case=case, task=task)
    previous = await Task.select_for_update().filter(case_id=case.id, is_lead=True, status__in=OPEN).first()
    if previous is not None:
        previous.is_lead = False
        await previous.save(update_fields=["is_lead"])
        await record(d, actor, source, "change_lead", previous, snapshot(previous), {"is_lead": False})
    task.is_lead = True
    await task.save(update_fields=["is_lead"])
    await record(d, actor, source, "change_lead", task, snapshot(task), {"is_lead": True})
    case.updated_at = d.clock.now()
    await case.save(update_fields=["updated_at"])
    event = LeadChanged(case.id, task.id, previous.id if previous else None, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 已改由 {name} 牵头", case=case, task=task, events=[event])
