"""Every verb that changes anything appends an audit event (issue 16 #20). The verbs are found, not listed:
each public coroutine of core/services taking (d, actor, ...) — plus 调班 and the generated documents — must
have a scenario here, and running it must change the database and append to the audit trail."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

import core.services
from bot import documents
from core import roster
from core.enums import (
    Category,
    Difficulty,
    EscalationReason,
    MediationMethod,
    Performance,
    Platform,
    ResultType,
    Satisfaction,
    Severity,
)
from core.models import (
    AuditChainHead,
    AuditEvent,
    Case,
    Department,
    MediationSession,
    Staff,
    Task,
)
from core.services import (
    aftercare,
    backlog,
    corrections,
    handling,
    intake,
    joint,
    ladder,
    petition,
    recategorize,
    records,
    sessions,
    timeouts,
    triage,
)
from core.services.base import Actor, Domain
from core.services.corrections import Labels
from tests.conftest import staff_id, who
from tests.core.flows import accepted, dispatched, reported
from tests.core.verb_scenarios_grid import GRID_SCENARIOS, _actors

W = Platform.WECOM
NOT_VERBS = {"base", "lookup"}  # the audit writer itself, and read-only look-ups
Call = Callable[[], Awaitable[Any]]


def service_verbs() -> set[str]:
    """module.name of each public coroutine in core/services whose first parameters are (d, actor)."""
    found = set()
    for info in pkgutil.iter_modules(core.services.__path__):
        if info.name in NOT_VERBS:
            continue
        module = importlib.import_module(f"core.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.iscoroutinefunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            if list(inspect.signature(fn).parameters)[:2] == ["d", "actor"]:
                found.add(f"{info.name}.{name}")
    return found


async def _resolved(d: Domain) -> tuple[Case, Task]:
    case, task = await dispatched(d)
    await handling.resolve_task(d, await who("赵敏"), task.id, ResultType.AGREEMENT, "达成协议", source=W)
    return await Case.get(id=case.id), task


async def _signed(d: Domain) -> tuple[Case, Task]:
    case, task = await dispatched(d)
    await handling.sign(d, await who("赵敏"), task.id, source=W)
    return case, task


async def _booked(d: Domain) -> tuple[Case, int]:
    case, _ = await dispatched(d)
    starts = d.clock.now() + timedelta(days=1)
    out = await sessions.book(d, await who("赵敏"), case.id, starts, starts + timedelta(hours=2), "第一调解室",
                              [await staff_id("孙婷")], source=W)
    assert out.changed
    session = await MediationSession.get(case_id=case.id)
    return case, session.id


# Each scenario sets the scene through the real verbs and returns the call of the verb under test.


async def s_report(d: Domain) -> Call:
    data = intake.ReportInput("两户因过道宽窄发生争执", category=Category.NEIGHBOR)
    return lambda: intake.report(d, _actors["周小梅"], data, source=W)


async def s_settle_on_spot(d: Domain) -> Call:
    data = intake.ReportInput("两户因过道宽窄发生争执", category=Category.NEIGHBOR)
    return lambda: intake.settle_on_spot(d, _actors["周小梅"], data, "当场说和", source=W)


async def s_resubmit(d: Domain) -> Call:
    case = await reported(d)
    await triage.return_to_reporter(d, _actors["林晓"], case.id, "请补充位置", source=W)
    return lambda: intake.resubmit(d, _actors["周小梅"], case.id, "在荷花村三组", source=W)


async def s_link_repeat(d: Domain) -> Call:
    case = await reported(d)
    return lambda: intake.link_repeat(d, _actors["周小梅"], case.id, "又吵起来了", source=W)


async def s_accept(d: Domain) -> Call:
    case = await reported(d)
    return lambda: triage.accept(d, _actors["林晓"], case.id, source=W)


async def s_return_to_reporter(d: Domain) -> Call:
    case = await reported(d)
    return lambda: triage.return_to_reporter(d, _actors["林晓"], case.id, "请补充位置", source=W)


async def s_approve_plan(d: Domain) -> Call:
    case = await reported(d, Severity.IMPORTANT)
    await triage.accept(d, _actors["林晓"], case.id, source=W)
    return lambda: triage.approve_plan(d, _actors["唐志刚"], case.id, "司法所牵头", source=W)


async def s_recategorize(d: Domain) -> Call:
    case = await reported(d)
    return lambda: recategorize.recategorize(d, _actors["林晓"], case.id, Category.LABOR_WAGE, source=W)


async def s_dispatch(d: Domain) -> Call:
    case = await accepted(d)
    zhao = await staff_id("赵敏")
    return lambda: triage.dispatch(d, _actors["林晓"], case.id, [triage.Assignment(zhao)], source=W)


async def s_sign(d: Domain) -> Call:
    _, task = await dispatched(d)
    return lambda: handling.sign(d, _actors["赵敏"], task.id, source=W)


async def s_progress(d: Domain) -> Call:
    _, task = await _signed(d)
    return lambda: handling.progress(d, _actors["赵敏"], task.id, "已约双方", source=W)


async def s_request_extension(d: Domain) -> Call:
    _, task = await _signed(d)
    return lambda: handling.request_extension(d, _actors["赵敏"], task.id, 3, "当事人外出", source=W)


async def s_decide_extension(d: Domain) -> Call:
    _, task = await _signed(d)
    await handling.request_extension(d, _actors["赵敏"], task.id, 3, "当事人外出", source=W)
    return lambda: handling.decide_extension(d, _actors["林晓"], task.id, True, source=W)


async def s_return_task(d: Domain) -> Call:
    _, task = await dispatched(d)
    return lambda: handling.return_task(d, _actors["赵敏"], task.id, "不属于本单位", source=W)


async def s_release_task(d: Domain) -> Call:
    _, task = await dispatched(d)
    return lambda: handling.release_task(d, _actors["林晓"], task.id, source=W)


async def s_resolve_task(d: Domain) -> Call:
    _, task = await _signed(d)
    return lambda: handling.resolve_task(d, _actors["赵敏"], task.id, ResultType.AGREEMENT, "达成协议", source=W)


async def s_escalate(d: Domain) -> Call:
    case = await reported(d)
    return lambda: ladder.escalate(d, _actors["林晓"], case.id, "网格调解未果", source=W)


async def s_move_up(d: Domain) -> Call:
    case = await reported(d)

    async def call() -> Any:
        async with in_transaction():
            return await ladder.move_up(d, _actors["林晓"], await Case.get(id=case.id), tried="网格调解未果",
                                        reason=EscalationReason.MANUAL, source=W)
    return call


async def s_supervise(d: Domain) -> Call:
    case = await accepted(d)
    return lambda: aftercare.supervise(d, _actors["韩卫国"], case.id, source=W)


async def s_record_follow_up(d: Domain) -> Call:
    case, _ = await _resolved(d)
    return lambda: aftercare.record_follow_up(d, _actors["周小梅"], case.id, Satisfaction.SATISFIED, source=W)


async def s_add_to_backlog(d: Domain) -> Call:
    case = await accepted(d)
    leader = await staff_id("唐志刚")
    return lambda: aftercare.add_to_backlog(d, _actors["韩卫国"], case.id, leader, source=W)


async def s_strike_off(d: Domain) -> Call:
    case = await accepted(d)
    await aftercare.add_to_backlog(d, _actors["韩卫国"], case.id, await staff_id("唐志刚"), source=W)
    await triage.dispatch(d, _actors["林晓"], case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)
    task = await Task.get(case_id=case.id)
    await handling.resolve_task(d, _actors["赵敏"], task.id, ResultType.AGREEMENT, "达成协议", source=W)
    await aftercare.record_follow_up(d, _actors["周小梅"], case.id, Satisfaction.SATISFIED, source=W)
    return lambda: aftercare.strike_off(d, _actors["韩卫国"], case.id, source=W)


async def s_assess(d: Domain) -> Call:
    case = await accepted(d)
    await aftercare.add_to_backlog(d, _actors["韩卫国"], case.id, await staff_id("唐志刚"), source=W)
    return lambda: backlog.assess(d, _actors["唐志刚"], case.id, "已两次约谈双方", "请司法所出具法律意见", source=W)


async def s_change_lead(d: Domain) -> Call:
    case = await accepted(d)
    people = [triage.Assignment(await staff_id("赵敏")), triage.Assignment(await staff_id("李强"))]
    _, partner = (await triage.dispatch(d, _actors["林晓"], case.id, people, source=W)).tasks
    return lambda: joint.change_lead(d, _actors["林晓"], case.id, partner.id, source=W)


async def s_assign_proxy(d: Domain) -> Call:
    case = await accepted(d)
    agent = await staff_id("宋涛")
    return lambda: petition.assign_proxy(d, _actors["林晓"], case.id, agent, source=W)


async def s_record_feedback(d: Domain) -> Call:
    case = await accepted(d)
    await petition.assign_proxy(d, _actors["林晓"], case.id, await staff_id("宋涛"), source=W)
    return lambda: petition.record_feedback(d, _actors["宋涛"], case.id, "已向群众说明办理进展", source=W)


async def s_record_mediation(d: Domain) -> Call:
    case, _ = await dispatched(d)
    committee = await Department.get(name="茶园乡人民调解委员会")
    people = [await staff_id("赵敏"), await staff_id("何永和")]
    return lambda: records.record_mediation(d, _actors["赵敏"], case.id, mediator_ids=people, org_id=committee.id,
                                            method=MediationMethod.SESSION, difficulty=Difficulty.GENERAL, source=W)


async def s_record_performance(d: Domain) -> Call:
    case, _ = await _resolved(d)
    return lambda: records.record_performance(d, _actors["赵敏"], case.id, Performance.PERFORMED, source=W)


async def s_book(d: Domain) -> Call:
    case, _ = await dispatched(d)
    starts = d.clock.now() + timedelta(days=1)
    sun = await staff_id("孙婷")
    return lambda: sessions.book(d, _actors["赵敏"], case.id, starts, starts + timedelta(hours=2), "第一调解室",
                                 [sun], source=W)


async def s_respond(d: Domain) -> Call:
    _, session_id = await _booked(d)
    return lambda: sessions.respond(d, _actors["孙婷"], session_id, True, source=W)


async def s_record_outcome(d: Domain) -> Call:
    case, _ = await _booked(d)
    return lambda: sessions.record_outcome(d, _actors["赵敏"], case.id, "agreement", "双方各退一步", source=W)


async def s_record_correction(d: Domain) -> Call:
    case = await reported(d)
    return lambda: corrections.record_correction(
        d, _actors["林晓"], text=case.content, case_id=case.id, predicted=Labels("neighbor", "general"),
        corrected=Labels("land_homestead", "general"), source=W)


async def s_supervise_overdue_task(d: Domain) -> Call:
    _, task = await dispatched(d)
    return lambda: timeouts.supervise_overdue_task(d, Actor.system("定时任务"), task.id)


async def s_supervise_overdue_proxy(d: Domain) -> Call:
    case, _ = await dispatched(d)
    return lambda: timeouts.supervise_overdue_proxy(d, Actor.system("定时任务"), case.id)


async def s_step_timed_out(d: Domain) -> Call:
    case = await reported(d)
    await Case.filter(id=case.id).update(step_due_at=d.clock.now() - timedelta(minutes=1))
    return lambda: timeouts.step_timed_out(d, Actor.system("定时任务"), case.id)


async def s_swap(d: Domain) -> Call:
    day = d.clock.now().date()
    return lambda: roster.swap(_actors["林晓"], day, "唐志刚", "曹军", d.clock.now())


async def s_document(d: Domain) -> Call:
    case, _ = await dispatched(d)
    zhao = await staff_id("赵敏")
    return lambda: documents.create(case, "agreement", "双方各退一步", zhao, d.clock.now(), source=W)


SCENARIOS: dict[str, Callable[[Domain], Awaitable[Call]]] = {
    "intake.report": s_report, "intake.settle_on_spot": s_settle_on_spot, "intake.resubmit": s_resubmit,
    "intake.link_repeat": s_link_repeat, "triage.accept": s_accept, "triage.return_to_reporter": s_return_to_reporter,
    "triage.approve_plan": s_approve_plan, "triage.dispatch": s_dispatch, "handling.sign": s_sign,
    "handling.progress": s_progress, "handling.request_extension": s_request_extension,
    "handling.decide_extension": s_decide_extension, "handling.return_task": s_return_task,
    "handling.release_task": s_release_task, "handling.resolve_task": s_resolve_task, "ladder.escalate": s_escalate,
    "ladder.move_up": s_move_up, "aftercare.supervise": s_supervise, "aftercare.record_follow_up": s_record_follow_up,
    "aftercare.add_to_backlog": s_add_to_backlog, "aftercare.strike_off": s_strike_off,
    "backlog.assess": s_assess, "joint.change_lead": s_change_lead,
    "petition.assign_proxy": s_assign_proxy, "petition.record_feedback": s_record_feedback,
    "records.record_mediation": s_record_mediation, "records.record_performance": s_record_performance,
    "sessions.book": s_book, "sessions.respond": s_respond, "sessions.record_outcome": s_record_outcome,
    "corrections.record_correction": s_record_correction, "recategorize.recategorize": s_recategorize,
    "timeouts.supervise_overdue_task": s_supervise_overdue_task,
    "timeouts.supervise_overdue_proxy": s_supervise_overdue_proxy, "timeouts.step_timed_out": s_step_timed_out,
    **GRID_SCENARIOS,
}
OTHER_VERBS: dict[str, Callable[[Domain], Awaitable[Call]]] = {"roster.swap": s_swap, "documents.create": s_document}


async def _state() -> list[tuple[str, list[str]]]:
    """Everything the database holds except the audit trail itself."""
    out = []
    for model in Tortoise.apps["models"].values():
        if model in (AuditEvent, AuditChainHead):
            continue
        rows = await model.all().values()
        out.append((model.__name__, sorted(repr(sorted(r.items())) for r in rows)))
    return out


def test_every_service_verb_has_a_scenario() -> None:
    missing = service_verbs() - set(SCENARIOS)
    assert not missing, f"verbs with no audit scenario in this test: {sorted(missing)}"
    assert set(SCENARIOS) <= service_verbs(), "scenarios for verbs that no longer exist"


@pytest.mark.parametrize("verb", sorted({**SCENARIOS, **OTHER_VERBS}))
async def test_every_state_changing_verb_appends_an_audit_event(org, domain: Domain, verb: str) -> None:
    for s in await Staff.filter(active=True):
        _actors[s.name] = await who(s.name)
    call = await {**SCENARIOS, **OTHER_VERBS}[verb](domain)
    before, events = await _state(), await AuditEvent.all().count()
    await call()
    assert await _state() != before, f"{verb}: the scenario changed nothing, so it proves nothing"
    assert await AuditEvent.all().count() > events, f"{verb} changed the database but wrote no audit event"
