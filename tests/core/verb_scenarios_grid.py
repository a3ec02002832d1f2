"""Scenarios for the grid's routine and the center's dockings (issue 22): 排查, 走访, AB岗, 移送/委派, 应急,
接访, 重点人员 — each sets the state a verb needs and returns the call; tests/core/test_every_verb_is_audited.py
runs them with the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot import documents
from core.enums import (
    Category,
    Platform,
)
from core.models import (
    Case,
    Emergency,
    Reception,
    ReceptionItem,
    Region,
    Staff,
)
from core.partners import DEFAULT_PARTNERS
from core.services import (
    absence,
    emergencies,
    intake,
    key_people,
    receptions,
    referrals,
    screening,
    visits,
)
from core.services.base import Actor, Domain
from tests.conftest import staff_id
from tests.core.flows import dispatched, reported

W = Platform.WECOM
Call = Callable[[], Awaitable[Any]]
_actors: dict[str, Any] = {}  # filled by the test before a scenario runs


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


GRID_SCENARIOS: dict[str, Callable[[Domain], Awaitable[Call]]] = {
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
