"""人民调解台账 entries that are not the task's: who mediated (调解员, apart from the assignee), for which body
(调委会 / 品牌工作室 / 派驻), how and how hard, and whether the agreement was performed."""

from __future__ import annotations

from core.enums import Difficulty, MediationMethod, Performance, Platform
from core.errors import InvalidInput, NotFound, Refused
from core.events import MediationRecorded, PerformanceRecorded
from core.models import Case, CaseMediator, Department, Staff, Task
from core.permissions import check_case
from core.services.base import Actor, Domain, Outcome, note_text, record, snapshot, transactional
from core.services.lookup import lock_case

MAX_MEDIATORS = 10
MEDIATION_BODIES = ("committee", "studio", "stationed")


async def _may_record(actor: Actor, case: Case, *, mediators_too: bool = False) -> None:
    """Anyone who holds or held a task on the case (the record is often completed after 办结), or the center;
    for 协议履行 also a mediator recorded on the case (who learns of it at the 回访)."""
    if actor.staff_id is not None and await Task.filter(case_id=case.id, assignee_id=actor.staff_id).exclude(
            status="released").exists():
        return
    if mediators_too and actor.staff_id is not None and await CaseMediator.exists(case_id=case.id,
                                                                                   staff_id=actor.staff_id):
        return
    try:
        await check_case(actor, "dispatch", case)
    except Refused:
        who = "调解员、承办人" if mediators_too else "承办人"
        what = "协议履行情况" if mediators_too else "调解情况"
        raise Refused(f"只有案件 {case.number} 的{who}或中心可以登记{what}") from None


async def _mediators(ids: list[int], lead_id: int | None) -> list[Staff]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InvalidInput("请至少登记一名调解员")
    if len(ids) > MAX_MEDIATORS:
        raise InvalidInput(f"调解员最多 {MAX_MEDIATORS} 名")
    if lead_id is not None and lead_id not in ids:
        raise InvalidInput("主调解员须在调解员名单中")
    people = await Staff.filter(id__in=ids, active=True)
    if len(people) != len(ids):
        raise NotFound("调解员中有人不存在或已停用")
    return people


@transactional
async def record_mediation(
    d: Domain, actor: Actor, case_id: int, *, mediator_ids: list[int], lead_id: int | None = None,
    org_id: int | None = None, method: MediationMethod | None = None, difficulty: Difficulty | None = None,
    source: Platform,
) -> Outcome:
    """Replace the case's mediators (the first is 主调 unless `lead_id` says otherwise) and its mediation
    details. Mediators are people, not the task: a 司法所 officer's case may be mediated by the village's
    调委会 mediator and a lawyer from the expert pool."""
    case = await lock_case(case_id)
    await _may_record(actor, case)
    people = await _mediators(mediator_ids, lead_id)
    org = None
    if org_id is not None:
        org = await Department.get_or_none(id=org_id, active=True)
        if org is None:
            raise NotFound("找不到该调解组织")
        if (org.kind or "department") not in MEDIATION_BODIES:
            raise InvalidInput(f"{org.name} 不是调解组织(调委会、品牌工作室或派驻调解室)")
    lead = lead_id if lead_id is not None else mediator_ids[0]
    before = {"mediators": sorted(await CaseMediator.filter(case_id=case.id).values_list("staff_id", flat=True)),
              "mediation_org_id": case.mediation_org_id, "mediation_method": case.mediation_method,
              "difficulty": case.difficulty}
    await CaseMediator.filter(case_id=case.id).delete()
    now = d.clock.now()
    for person in people:
        await CaseMediator.create(case_id=case.id, staff_id=person.id, lead=person.id == lead, created_at=now)
    case.mediation_org_id = org.id if org else case.mediation_org_id
    case.mediation_method = method.value if method else case.mediation_method
    case.difficulty = difficulty.value if difficulty else case.difficulty
    case.updated_at = now
    await case.save(update_fields=["mediation_org_id", "mediation_method", "difficulty", "updated_at"])
    after = {"mediators": sorted(p.id for p in people), "mediation_org_id": case.mediation_org_id,
             "mediation_method": case.mediation_method, "difficulty": case.difficulty}
    await record(d, actor, source, "record_mediation", case, snapshot(case), {"before": before, **after})
    names = "、".join(p.name for p in sorted(people, key=lambda p: (p.id != lead, p.id)))
    event = MediationRecorded(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"已登记案件 {case.number} 的调解员:{names}", case=case, events=[event])


@transactional
async def record_performance(
    d: Domain, actor: Actor, case_id: int, performance: Performance, note: str = "", *, source: Platform
) -> Outcome:
    """协议履行, usually learned at the 回访, with an optional note (what was paid, what is left). The same
    state again is a change only with a note: 部分履行 one month, 部分履行 with the next instalment the next."""
    case = await lock_case(case_id)
    await _may_record(actor, case, mediators_too=True)
    note = note_text(note, "履行情况说明") if note.strip() else ""
    if case.performance == performance.value and not note:
        return Outcome(False, f"案件 {case.number} 的协议履行情况已是「{performance.label}」", case=case)
    previous = case.performance
    case.performance = performance.value
    case.updated_at = d.clock.now()
    await case.save(update_fields=["performance", "updated_at"])
    await record(d, actor, source, "record_performance", case, snapshot(case),
                 {"performance": performance.value, "previous": previous, **({"note": note} if note else {})})
    event = PerformanceRecorded(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"已登记案件 {case.number} 的协议履行情况:{performance.label}", case=case, events=[event])
