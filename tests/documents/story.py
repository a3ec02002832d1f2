"""One case walked through every record a 卷宗 holds, by the real verbs: reported by a grid worker, moved up
网格 → 村 → 乡镇 with what each step tried, accepted and dispatched at the township, a mediation session,
mediators recorded apart from the assignee, an agreement, 办结, 回访 and 协议履行."""

from __future__ import annotations

from datetime import timedelta

from bot import documents
from core.clock import ManualClock
from core.enums import Category, Difficulty, MediationMethod, Performance, Platform, ResultType, Satisfaction
from core.models import Case, Department, Staff
from core.services import aftercare, handling, intake, ladder, records, sessions, triage
from core.services.base import Domain
from tests.conftest import cst, staff_id, who

W = Platform.WECOM
CONTENT = "荷花村张三与李四两家因院墙滴水多次争吵,张三电话13812345678,李四身份证330502198001011234"
PARTIES = [{"name": "张三"}, {"name": "李四"}]


async def walked_case(domain: Domain, clock: ManualClock) -> Case:
    zhou, lin, zhao = await who("周小梅"), await who("林晓"), await who("赵敏")
    data = intake.ReportInput(CONTENT, category=Category.NEIGHBOR, parties=PARTIES, people=2)
    case = (await intake.report(domain, zhou, data, source=W)).case
    assert case is not None
    clock.advance(timedelta(hours=20))
    await ladder.escalate(domain, lin, case.id, "网格员现场劝解,双方各执一词", source=W)
    clock.advance(timedelta(days=3))
    await ladder.escalate(domain, lin, case.id, "村调委会组织调解两次,未达成一致", source=W)
    clock.advance(timedelta(hours=2))
    await triage.accept(domain, lin, case.id, source=W)
    task = (await triage.dispatch(domain, lin, case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)).tasks[0]
    await handling.sign(domain, zhao, task.id, source=W)
    await handling.progress(domain, zhao, task.id, "已分别约谈双方,实地查看院墙", source=W)
    starts = cst(2026, 11, 30, 14, 0)
    await sessions.book(domain, zhao, case.id, starts, starts + timedelta(hours=2), "第一调解室",
                        [await staff_id("何永和"), await staff_id("王律师")], source=W, parties_note="双方到场")
    clock.set(cst(2026, 11, 30, 17, 0))
    await sessions.record_outcome(domain, zhao, case.id, "agreement", "李四家加装接水槽,张三不再追究", source=W)
    committee = await Department.get(name="茶园乡人民调解委员会")
    await records.record_mediation(domain, zhao, case.id, mediator_ids=[await staff_id("何永和"), await staff_id("王律师")],
                                   org_id=committee.id, method=MediationMethod.SESSION, difficulty=Difficulty.COMPLEX,
                                   source=W)
    fresh = await Case.get(id=case.id)
    await documents.create(fresh, "agreement", "李四家于12月5日前加装接水槽,张三不再追究", zhao.staff_id, clock.now())
    await handling.resolve_task(domain, zhao, task.id, ResultType.AGREEMENT, "双方达成调解协议,李四家加装接水槽",
                                source=W)
    clock.advance(timedelta(days=7))
    await aftercare.record_follow_up(domain, zhou, case.id, Satisfaction.SATISFIED, "接水槽已装好,双方和好", source=W)
    await records.record_performance(domain, zhao, case.id, Performance.PERFORMED, "已履行", source=W)
    return await Case.get(id=case.id)


async def staff_named(name: str) -> Staff:
    return await Staff.get(name=name)
