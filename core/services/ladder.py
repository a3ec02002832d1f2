"""三级四步: moving a case up one step (网格 → 村 → 乡镇 → 区), with its registration record."""

from __future__ import annotations

from core.enums import OPEN_TASK_STATUSES, CaseStatus, EscalationReason, Level, Platform, TaskStatus
from core.errors import InvalidInput, InvalidTransition
from core.events import CaseEscalated
from core.models import Case, EscalationRecord, Region, Task
from core.permissions import check_case
from core.regions import ancestor_at
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.lookup import lock_case
from core.step_clock import start_step
from core.transitions import CaseAction, next_case_status


def step_due(d: Domain, case: Case, level: Level) -> None:
    """Start the clock of a step, using the limits frozen into the case when it was reported."""
    start_step(d, case, level)


async def next_step(case: Case) -> Region | None:
    """The region one step up the ladder from the case's step (None: the case is at the top)."""
    region = await Region.get(id=case.region_id)
    level: Level | None = Level(case.step).up()
    while level is not None:
        found = await ancestor_at(region, level)
        if found is not None:
            return found
        level = level.up()
    return None


async def _target(case: Case, to_region: Region | None) -> Region:
    target = to_region or await next_step(case)
    if target is None:
        raise InvalidTransition(f"案件 {case.number} 已在最高层级({Level(case.step).label}),无法再上报")
    return target


async def move_up(
    d: Domain,
    actor: Actor,
    case: Case,
    *,
    tried: str,
    reason: EscalationReason,
    source: Platform,
    to_region: Region | None = None,
) -> Outcome:
    """Escalate a locked case; shared by the manual verb, acceptance of 重大 cases and the scheduler."""
    before = snapshot(case)
    target = await _target(case, to_region)
    from_level, to_level = Level(case.step), Level(target.level)
    if to_level.rank <= from_level.rank:
        raise InvalidTransition(f"案件 {case.number} 已在{from_level.label}层级或更高")
    case.status = next_case_status(case.status, CaseAction.ESCALATE).value
    released = await Task.filter(case_id=case.id, status__in=[s.value for s in OPEN_TASK_STATUSES])
    for task in released:
        task_before = snapshot(task)
        task.status = TaskStatus.RELEASED.value
        await task.save(update_fields=["status"])
        await record(d, actor, source, "release_on_escalation", task, task_before)
    record_row = await EscalationRecord.create(
        case_id=case.id,
        from_level=from_level.value,
        to_level=to_level.value,
        from_region_id=case.handling_region_id,
        to_region_id=target.id,
        reason=reason.value,
        tried=tried,
        by_id=actor.staff_id,
        at=d.clock.now(),
    )
    case.handling_region_id = target.id
    step_due(d, case, to_level)
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "escalate", case, before, {"reason": reason.value, "tried": tried})
    event = CaseEscalated(case.id, from_level, to_level, target.id, record_row.id,
                          tuple(t.id for t in released), actor_id=actor.staff_id)
    message = f"案件 {case.number} 已由{from_level.label}上报至{target.name}({to_level.label}级调处)"
    return Outcome(True, message, case=case, events=[event], tasks=released)


@transactional
async def escalate(
    d: Domain,
    actor: Actor,
    case_id: int,
    tried: str,
    *,
    source: Platform,
    reason: EscalationReason = EscalationReason.MANUAL,
) -> Outcome:
    """上报上级 by a dispatcher or leader (tried: what this step did), or by the scheduler on timeout."""
    case = await lock_case(case_id)
    await check_case(actor, "escalate", case)
    if CaseStatus(case.status) in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise InvalidTransition(f"案件 {case.number} 已办结,无需上报")
    if not tried.strip():
        if not actor.is_system:
            raise InvalidInput("请说明本级已做的调处工作(三级四步登记)")
        tried = f"{Level(case.step).label}级调处时限内未化解"
    return await move_up(d, actor, case, tried=tried.strip(), reason=reason, source=source)
