"""Routing by category and severity, and the 三级四步 ladder with its registration records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import local
from core.enums import CaseStatus, Category, EscalationReason, Platform, Severity
from core.errors import InvalidInput, InvalidTransition
from core.events import CaseAccepted, CaseEscalated
from core.models import Case, EscalationRecord, Region, Task
from core.policy import load_policy
from core.routing import dispatchers_for, suggest_route
from core.services import intake, ladder, triage
from core.services.base import Actor
from tests.conftest import who
from tests.core.flows import dispatched, reported

W = Platform.WECOM


@pytest.mark.parametrize(
    ("category", "department", "officer"),
    [
        (Category.LABOR_WAGE, "劳动保障所", "孙婷"),
        (Category.LAND_HOMESTEAD, "自然资源所", "钱伟"),
        (Category.NEIGHBOR, "司法所", "赵敏"),
        (Category.CAMPUS, "教育办", "梁静"),
        (Category.OTHER, "信访办", "宋涛"),
    ],
)
async def test_category_routes_to_department(org, domain, category, department, officer) -> None:
    data = intake.ReportInput("事由", category=category)
    case = (await intake.report(domain, await who("郑丽"), data, source=W)).case
    route = await suggest_route(case, await load_policy())
    assert route.department is not None and route.department.name == department
    assert route.assignee is not None and route.assignee.name == officer
    assert [s.name for s in route.cc] == [n for n in ("曹军", "孙婷") if n != officer]  # 桂香村 liaisons


async def test_important_case_needs_no_cc_but_leader_plan(org, domain) -> None:
    case = await reported(domain, Severity.IMPORTANT)
    route = await suggest_route(case, await load_policy())
    assert route.needs_approval and route.cc == []


async def test_major_case_goes_up_to_the_level_the_org_file_names(org, domain) -> None:
    case = await reported(domain, Severity.MAJOR)
    out = await triage.accept(domain, await who("林晓"), case.id, source=W)
    case = await Case.get(id=case.id)
    assert case.status == CaseStatus.ESCALATED and case.step == "district"
    assert (await Region.get(id=case.handling_region_id)).name == "西溪区"
    record = await EscalationRecord.get(case_id=case.id)
    assert record.reason == EscalationReason.MAJOR and record.from_level == "grid"
    assert [type(e) for e in out.events] == [CaseAccepted, CaseEscalated]
    assert [s.name for s in await dispatchers_for(await Region.get(id=case.handling_region_id))] == ["邓华"]


async def test_escalation_records_what_was_tried_and_releases_tasks(org, domain) -> None:
    case, task = await dispatched(domain)
    assert case.step == "township"  # dispatched to a township department
    with pytest.raises(InvalidInput, match="三级四步"):
        await ladder.escalate(domain, await who("林晓"), case.id, "", source=W)
    out = await ladder.escalate(domain, await who("林晓"), case.id, "两次调解均未达成一致", source=W)
    assert (await Task.get(id=task.id)).status == "released"
    case = await Case.get(id=case.id)
    assert case.status == CaseStatus.ESCALATED and case.step == "district"
    record = await EscalationRecord.get(case_id=case.id)
    assert (record.from_level, record.to_level, record.tried) == ("township", "district", "两次调解均未达成一致")
    assert isinstance(out.events[0], CaseEscalated) and out.events[0].released_task_ids == (task.id,)
    with pytest.raises(InvalidTransition, match="最高层级"):
        await ladder.escalate(domain, await who("邓华"), case.id, "区级未果", source=W)


async def test_step_limits_are_frozen_and_timeout_escalation_by_system(org, domain, clock) -> None:
    case = await reported(domain)  # found at a grid: 1 calendar day
    assert case.step == "grid" and case.step_due_at == clock.now() + timedelta(days=1)
    out = await ladder.escalate(domain, Actor.system(), case.id, "", source=Platform.SYSTEM,
                                reason=EscalationReason.TIMEOUT)
    case = await Case.get(id=case.id)
    assert case.step == "village" and "未化解" in (await EscalationRecord.get(case_id=case.id)).tried
    assert local(case.step_due_at).strftime("%Y-%m-%d %H:%M") == "2026-11-26 18:00"  # 3 working days
    assert out.changed
