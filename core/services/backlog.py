"""积案月度评估: each month the 包案领导 says how far a backlog case has come and what comes next.
Putting a case into the 积案库 (包案) and striking it off (销号) are in aftercare."""

from __future__ import annotations

from core.clock import local
from core.enums import Platform
from core.errors import InvalidTransition, Refused
from core.events import BacklogAssessed
from core.models import BacklogAssessment, Staff
from core.services.base import Actor, Domain, Outcome, note_text, record, snapshot, transactional
from core.services.lookup import lock_case


@transactional
async def assess(
    d: Domain, actor: Actor, case_id: int, progress: str, next_step: str, *, source: Platform
) -> Outcome:
    """The 包案领导 (and only they) records this month's assessment of a case in the 积案库."""
    case = await lock_case(case_id)
    if not case.backlog or case.backlog_struck_at is not None:
        raise InvalidTransition(f"案件 {case.number} 不在积案库中" + (",已销号" if case.backlog_struck_at else ""))
    if not actor.is_system and actor.staff_id != case.backlog_leader_id:
        leader = await Staff.get_or_none(id=case.backlog_leader_id) if case.backlog_leader_id else None
        raise Refused(f"案件 {case.number} 的月度评估由包案领导{leader.name if leader else ''}填写,您无法填写")
    done, then = note_text(progress, "进展情况"), note_text(next_step, "下一步工作")
    now = d.clock.now()
    month = f"{local(now):%Y-%m}"
    last = await BacklogAssessment.filter(case_id=case.id).order_by("-id").first()
    if last is not None and (last.month, last.progress, last.next_step) == (month, done, then):
        return Outcome(False, f"案件 {case.number} 的本月评估已记录", case=case)
    assert case.backlog_leader_id is not None
    row = await BacklogAssessment.create(case_id=case.id, leader_id=case.backlog_leader_id, month=month,
                                         progress=done, next_step=then, created_at=now)
    await record(d, actor, source, "assess_backlog", case, snapshot(case),
                 {"month": month, "progress": done, "next_step": then})
    event = BacklogAssessed(case.id, row.id, actor_id=actor.staff_id)
    return Outcome(True, f"已记录积案 {case.number} {local(now):%Y年%m月}的评估", case=case, events=[event])
