"""书记督办, 回访 (不满意 reopens), 积案 包案 and 销号, 当场调处, 退回补充."""

from __future__ import annotations

import pytest

from core.enums import CaseStatus, Category, Platform, ResultType, Satisfaction
from core.errors import InvalidInput, InvalidTransition, Refused
from core.events import CaseReopened
from core.models import Case
from core.services import aftercare, handling, intake, triage
from tests.conftest import staff_id, who
from tests.core.flows import case_in, dispatched

W = Platform.WECOM


async def test_supervision_puts_case_on_next_monday_meeting(org, domain) -> None:
    case, _ = await dispatched(domain)  # today is Monday 2026-11-23
    out = await aftercare.supervise(domain, await who("韩卫国"), case.id, source=W)
    assert str(out.case.meeting_date) == "2026-11-30"
    again = await aftercare.supervise(domain, await who("韩卫国"), case.id, source=W)
    assert not again.changed and "已在督办" in again.message


async def test_unsatisfied_follow_up_reopens(org, domain) -> None:
    case = await case_in(domain, CaseStatus.RESOLVED)
    out = await aftercare.record_follow_up(domain, await who("周小梅"), case.id, Satisfaction.UNSATISFIED, "仍有争议", source=W)
    case = await Case.get(id=case.id)
    assert case.status == CaseStatus.ACCEPTED and case.reopen_count == 1 and case.satisfaction == "unsatisfied"
    assert isinstance(out.events[0], CaseReopened)
    # the center dispatches again; the second resolution can be followed up again
    task = (await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)).tasks[0]
    await handling.resolve_task(domain, await who("赵敏"), task.id, ResultType.AGREEMENT, "再次调解成功", source=W)
    out = await aftercare.record_follow_up(domain, await who("林晓"), case.id, Satisfaction.BASICALLY, source=W)
    assert (await Case.get(id=case.id)).status == CaseStatus.CLOSED


async def test_follow_up_by_a_stranger_is_refused(org, domain) -> None:
    case = await case_in(domain, CaseStatus.RESOLVED)
    with pytest.raises(Refused):
        await aftercare.record_follow_up(domain, await who("吴大伟"), case.id, Satisfaction.SATISFIED, source=W)


async def test_backlog_lead_and_strike_off_only_when_resolved(org, domain) -> None:
    case, task = await dispatched(domain)
    with pytest.raises(InvalidInput, match="不是领导"):
        await aftercare.add_to_backlog(domain, await who("林晓"), case.id, await staff_id("赵敏"), source=W)
    await aftercare.add_to_backlog(domain, await who("林晓"), case.id, await staff_id("唐志刚"), source=W)
    with pytest.raises(Refused, match="尚未化解"):
        await aftercare.strike_off(domain, await who("唐志刚"), case.id, source=W)
    await handling.resolve_task(domain, await who("赵敏"), task.id, ResultType.AGREEMENT, "化解", source=W)
    out = await aftercare.strike_off(domain, await who("唐志刚"), case.id, source=W)
    assert out.changed and (await Case.get(id=case.id)).backlog_struck_at is not None
    assert not (await aftercare.strike_off(domain, await who("唐志刚"), case.id, source=W)).changed


async def test_settled_on_the_spot_is_resolved_at_the_grid_with_follow_up(org, domain) -> None:
    data = intake.ReportInput("两家鸡鸭进菜地,当场说和", category=Category.NEIGHBOR)
    with pytest.raises(InvalidInput):
        await intake.settle_on_spot(domain, await who("周小梅"), data, " ", source=W)
    out = await intake.settle_on_spot(domain, await who("周小梅"), data, "双方互相谅解", source=W)
    case = out.case
    assert case.status == CaseStatus.RESOLVED and case.settled_on_spot and case.resolved_level == "grid"
    assert case.follow_up_due_at is not None and case.step_due_at is None


async def test_returned_for_more_information_then_resubmitted(org, domain) -> None:
    case = await case_in(domain, CaseStatus.RETURNED)
    assert case.return_note == "请补充具体位置"
    with pytest.raises(InvalidInput):
        await intake.resubmit(domain, await who("周小梅"), case.id, "", source=W)
    await intake.resubmit(domain, await who("周小梅"), case.id, "荷花村三组12号门口", source=W)
    case = await Case.get(id=case.id)
    assert case.status == CaseStatus.REPORTED and "荷花村三组12号门口" in case.content


async def test_closed_case_cannot_be_supervised(org, domain) -> None:
    case = await case_in(domain, CaseStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        await aftercare.supervise(domain, await who("韩卫国"), case.id, source=W)


async def test_report_validation(org, domain) -> None:
    with pytest.raises(InvalidInput, match="过长"):
        await intake.report(domain, await who("周小梅"), intake.ReportInput("纠纷" * 3000), source=W)
    with pytest.raises(InvalidInput, match="不能为空"):
        await intake.report(domain, await who("周小梅"), intake.ReportInput("   "), source=W)
    with pytest.raises(InvalidInput, match="地点"):
        await intake.report(domain, await who("林晓"), intake.ReportInput("无地点的纠纷"), source=W)
    assert await Case.all().count() == 0
