"""信访代办: a petition agent carries a matter upward and reports back to the citizen by a deadline."""

from __future__ import annotations

from core.clock import fmt_local
from core.durations import Duration, Unit
from core.enums import Platform, Role
from core.errors import InvalidInput, NotFound, Refused
from core.events import ProxyAssigned, ProxyFeedbackGiven
from core.models import Staff
from core.permissions import check_case
from core.services.base import Actor, Domain, Outcome, record, snapshot, transactional
from core.services.lookup import lock_case

DEFAULT_WORKDAYS = 15


@transactional
async def assign_proxy(d: Domain, actor: Actor, case_id: int, agent_id: int, workdays: int = DEFAULT_WORKDAYS,
                       *, source: Platform) -> Outcome:
    case = await lock_case(case_id)
    await check_case(actor, "dispatch", case)
    agent = await Staff.get_or_none(id=agent_id, active=True)
    if agent is None:
        raise NotFound("找不到该代办员")
    if Role.PETITION_AGENT.value not in agent.roles:
        raise InvalidInput(f"{agent.name} 不是信访代办员")
    if not 1 <= workdays <= 90:
        raise InvalidInput("反馈期限应为 1 到 90 个工作日")
    if case.proxy_agent_id == agent.id and case.proxy_due_at is not None:
        return Outcome(False, f"案件 {case.number} 已由 {agent.name} 代办", case=case)
    before = snapshot(case)
    now = d.clock.now()
    case.proxy_agent_id = agent.id
    case.proxy_due_at = d.calendar.shift(now, Duration(workdays, Unit.WORKDAYS))
    remind = d.calendar.shift(case.proxy_due_at, Duration(2, Unit.WORKDAYS), backwards=True)
    case.proxy_remind_at = remind if remind > now else None
    case.proxy_feedback = ""
    case.updated_at = now
    await case.save()
    await record(d, actor, source, "assign_proxy", case, before)
    event = ProxyAssigned(case.id, agent.id, actor_id=actor.staff_id)
    return Outcome(True, f"案件 {case.number} 已指定信访代办员 {agent.name},须于 {fmt_local(case.proxy_due_at)} 前"
                         "向群众反馈", case=case, events=[event])


@transactional
async def record_feedback(d: Domain, actor: Actor, case_id: int, text: str, *, source: Platform) -> Outcome:
    case = await lock_case(case_id)
    if actor.staff_id is None or case.proxy_agent_id != actor.staff_id:
        raise Refused(f"您不是案件 {case.number} 的信访代办员")
    if not text.strip():
        raise InvalidInput("请填写向群众反馈的内容")
    before = snapshot(case)
    case.proxy_feedback = text.strip()[:2000]
    case.proxy_due_at = None
    case.proxy_remind_at = None
    case.updated_at = d.clock.now()
    await case.save()
    await record(d, actor, source, "proxy_feedback", case, before)
    event = ProxyFeedbackGiven(case.id, actor_id=actor.staff_id)
    return Outcome(True, f"已记录案件 {case.number} 的代办反馈", case=case, events=[event])
