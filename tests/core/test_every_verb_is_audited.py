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
    Emergency,
    MediationSession,
    Reception,
    ReceptionItem,
    Region,
    Staff,
    Task,
)
from core.partners import DEFAULT_PARTNERS
from core.services import (
    absence,
    aftercare,
    backlog,
    corrections,
    emergencies,
    handling,
    intake,
    joint,
    key_people,
    ladder,
    petition,
    recategorize,
    receptions,
    records,
    referrals,
    screening,
    sessions,
    timeouts,
    triage,
    visits,
)
from core.services.base import Actor, Domain
from core.services.corrections import Labels
from tests.conftest import staff_id, who
from tests.core.flows import accepted, dispatched, reported

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


async def _campaign(d: Domain) -> screening.Opened:
    area = await Region.get(name="荷花村")
    return await screening.start_campaign(d, _actors["韩卫国"], "山塘水库周边隐患", area.id,
                                          d.clock.now() + timedelta(days=2), source=W)


async def s_open_round(d: Domain) -> Call:
    area = await Region.get(name="茶园乡")
    due = d.clock.now() + timedelta(days=2)
    return lambda: screening.open_round(d, Actor.system("定时任务"), kind="weekly", key="weekly:2026-11-23", topic="",
                                        area=area, due_at=due, remind_at=None, source=Platform.SYSTEM)


async def s_start_campaign(d: Domain) -> Call:
    return lambda: _campaign(d)


async def s_zero_report(d: Domain) -> Call:
    opened = await _campaign(d)
    row = next(s for s in opened.screenings if s.staff_id == _actors["周小梅"].staff_id)
    return lambda: screening.zero_report(d, _actors["周小梅"], row.id, source=W)


async def s_record_finding(d: Domain) -> Call:
    opened = await _campaign(d)
    row = next(s for s in opened.screenings if s.staff_id == _actors["周小梅"].staff_id)
    return lambda: screening.record_finding(d, _actors["周小梅"], row.id, source=W)


async def s_record_visit(d: Domain) -> Call:
    region = (await Staff.get(name="周小梅")).region_id
    return lambda: visits.record_visit(d, _actors["周小梅"], "visit", "东村3组 反映排水问题已协调", ["media-1"],
                                       region_id=region, source=W)


async def s_mark_away(d: Domain) -> Call:
    day = d.clock.now().date()
    return lambda: absence.mark_away(d, _actors["赵敏"], day, day + timedelta(days=2), source=W)


async def s_end_absence(d: Domain) -> Call:
    day = d.clock.now().date()
    await absence.mark_away(d, _actors["赵敏"], day, day + timedelta(days=2), source=W)
    return lambda: absence.end_absence(d, _actors["赵敏"], source=W)


COURT = DEFAULT_PARTNERS[0]


async def s_refer_out(d: Domain) -> Call:
    case, _ = await dispatched(d)
    return lambda: referrals.refer_out(d, _actors["赵敏"], case.id, COURT, "court", 30, source=W)


async def s_record_referral_outcome(d: Domain) -> Call:
    case, _ = await dispatched(d)
    await referrals.refer_out(d, _actors["赵敏"], case.id, COURT, None, 30, source=W)
    return lambda: referrals.record_referral_outcome(d, _actors["赵敏"], case.id, "法院已调解成功", source=W)


async def s_register_referred(d: Domain) -> Call:
    data = intake.ReportInput("张三与李四借款纠纷,法院委派调解", category=Category.DEBT,
                              region_id=(await Region.get(name="荷花村")).id)
    return lambda: referrals.register_referred(d, _actors["林晓"], data, COURT, None, 30, source=W)


async def s_record_confirmation(d: Domain) -> Call:
    case, _ = await dispatched(d)
    await documents.create(case, "confirmation", "申请确认调解协议效力", await staff_id("赵敏"), d.clock.now(), source=W)
    return lambda: referrals.record_confirmation(d, _actors["赵敏"], case.id, "accepted", source=W)
async def _emergency(d: Domain) -> Case:
    case = await reported(d)
    await emergencies.open_emergency(d, _actors["韩卫国"], case.id, source=W)
    return case


async def s_open_emergency(d: Domain) -> Call:
    case = await reported(d)
    return lambda: emergencies.open_emergency(d, _actors["韩卫国"], case.id, source=W)


async def s_add_report(d: Domain) -> Call:
    case = await _emergency(d)
    return lambda: emergencies.add_report(d, _actors["韩卫国"], case.id, "现场已控制,人员已疏散", source=W)


async def s_timed_report(d: Domain) -> Call:
    case = await _emergency(d)
    row = await Emergency.get(case_id=case.id)
    await Emergency.filter(id=row.id).update(next_report_at=d.clock.now() - timedelta(minutes=1))
    return lambda: emergencies.timed_report(d, Actor.system("定时任务"), row.id)


async def s_close_emergency(d: Domain) -> Call:
    case = await _emergency(d)
    return lambda: emergencies.close_emergency(d, _actors["韩卫国"], case.id, "人员已疏散,转入调解", source=W)
async def _reception(d: Domain) -> int:
    await receptions.schedule(d, _actors["林晓"], await staff_id("唐志刚"), d.clock.now().date() + timedelta(days=2),
                              "am", "茶园乡矛调中心", capacity=5, source=W)
    return (await Reception.get(leader__name="唐志刚")).id


async def s_schedule_reception(d: Domain) -> Call:
    day = d.clock.now().date() + timedelta(days=3)
    return lambda: receptions.schedule(d, _actors["林晓"], _actors["韩卫国"].staff_id, day, "pm", "茶园乡矛调中心",
                                       capacity=5, source=W)


async def s_book_reception(d: Domain) -> Call:
    case, _ = await dispatched(d)
    reception = await _reception(d)
    return lambda: receptions.book(d, _actors["林晓"], reception, "张某某", "土地补偿", case.id, source=W)


async def _visit(d: Domain, day_offset: int) -> Call:
    case, _ = await dispatched(d)
    village = (await Region.get(name="荷花村")).id
    day = d.clock.now().date() + timedelta(days=day_offset)
    return lambda: receptions.plan_visit(d, _actors["韩卫国"], _actors["韩卫国"].staff_id, day, "", village, [case.id],
                                         source=W)


async def s_plan_visit(d: Domain) -> Call:
    return await _visit(d, 4)


async def s_reception_outcome(d: Domain) -> Call:
    await (await _visit(d, 0))()
    case = await Case.get(id=(await ReceptionItem.get()).case_id)
    return lambda: receptions.record_outcome(d, _actors["韩卫国"], case.id, "领导当场答复,群众表示理解", source=W)


async def s_cancel_reception(d: Domain) -> Call:
    reception = await _reception(d)
    return lambda: receptions.cancel(d, _actors["林晓"], reception, source=W)
async def _key_person(d: Domain) -> Any:
    grid = await Region.get(name="荷花村第一网格")
    return await key_people.register_person(d, _actors["周小梅"], "张某某", "精神障碍", grid.id, None, source=W)


async def s_register_person(d: Domain) -> Call:
    return lambda: _key_person(d)


async def s_follow_up_key_person(d: Domain) -> Call:
    person = await _key_person(d)
    return lambda: key_people.record_follow_up(d, _actors["周小梅"], person.id, "情况稳定", source=W)


async def s_deregister_key_person(d: Domain) -> Call:
    person = await _key_person(d)
    return lambda: key_people.deregister(d, _actors["唐志刚"], person.id, source=W)


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
    "screening.open_round": s_open_round, "screening.start_campaign": s_start_campaign,
    "screening.zero_report": s_zero_report, "screening.record_finding": s_record_finding,
    "visits.record_visit": s_record_visit, "absence.mark_away": s_mark_away,
    "absence.end_absence": s_end_absence,
    "referrals.refer_out": s_refer_out, "referrals.record_referral_outcome": s_record_referral_outcome,
    "referrals.register_referred": s_register_referred, "referrals.record_confirmation": s_record_confirmation,
    "emergencies.open_emergency": s_open_emergency,
    "emergencies.add_report": s_add_report, "emergencies.timed_report": s_timed_report,
    "emergencies.close_emergency": s_close_emergency,
    "receptions.schedule": s_schedule_reception,
    "receptions.book": s_book_reception, "receptions.plan_visit": s_plan_visit,
    "receptions.record_outcome": s_reception_outcome, "receptions.cancel": s_cancel_reception,
    "key_people.register_person": s_register_person,
    "key_people.record_follow_up": s_follow_up_key_person, "key_people.deregister": s_deregister_key_person,
}
OTHER_VERBS: dict[str, Callable[[Domain], Awaitable[Call]]] = {"roster.swap": s_swap, "documents.create": s_document}
_actors: dict[str, Any] = {}


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
