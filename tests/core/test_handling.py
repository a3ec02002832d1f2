"""What officers and the center notice while a task is handled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import local
from core.enums import CaseStatus, Platform, ResultType, TaskStatus
from core.errors import InvalidInput, InvalidTransition, Refused
from core.events import CaseNeedsDispatch, ExtensionDecided, TaskReturned
from core.models import AuditEvent, Case, Task
from core.services import handling, triage
from tests.conftest import staff_id, who
from tests.core.flows import accepted, dispatched

W = Platform.DINGTALK


async def test_default_deadline_counts_working_days_and_sets_reminder(org, domain) -> None:
    case, task = await dispatched(domain)  # Monday 2026-11-23 09:00; general: 5 working days, remind 1d before
    assert local(task.deadline).strftime("%Y-%m-%d %H:%M") == "2026-11-30 18:00"
    assert task.remind_at == task.deadline - timedelta(days=1)
    assert task.cc == [await staff_id("唐志刚")]  # 联村领导 of 荷花村; the cadre 赵敏 is the assignee
    assert task.is_lead


async def test_extension_approved_moves_deadline_by_working_days(org, domain) -> None:
    _, task = await dispatched(domain)
    out = await handling.request_extension(domain, await who("赵敏"), task.id, 3, "当事人外出务工", source=W)
    assert out.changed
    again = await handling.request_extension(domain, await who("赵敏"), task.id, 3, "当事人外出务工", source=W)
    assert not again.changed
    with pytest.raises(Refused):
        await handling.decide_extension(domain, await who("赵敏"), task.id, True, source=W)
    await handling.decide_extension(domain, await who("林晓"), task.id, True, source=W)
    task = await Task.get(id=task.id)
    assert local(task.deadline).strftime("%Y-%m-%d") == "2026-12-03"  # Mon 11-30 + 3 working days
    assert task.extension_days is None and task.extensions_granted == 1


async def test_extension_denied_keeps_deadline(org, domain) -> None:
    _, task = await dispatched(domain)
    await handling.request_extension(domain, await who("赵敏"), task.id, 2, "需要鉴定", source=W)
    await handling.decide_extension(domain, await who("林晓"), task.id, False, source=W)
    after = await Task.get(id=task.id)
    assert after.deadline == task.deadline and after.extension_days is None


async def test_a_refusals_reason_is_audited_and_carried_to_the_officer(org, domain) -> None:
    _, task = await dispatched(domain)
    await handling.request_extension(domain, await who("赵敏"), task.id, 2, "需要鉴定", source=W)
    out = await handling.decide_extension(domain, await who("林晓"), task.id, False, source=W, reason="鉴定可同步进行")
    assert "鉴定可同步进行" in out.message
    assert [e.reason for e in out.events if isinstance(e, ExtensionDecided)] == ["鉴定可同步进行"]
    row = await AuditEvent.filter(action="deny_extension").order_by("-id").first()
    assert row is not None and row.after["reason"] == "鉴定可同步进行"


async def test_return_needs_reason_and_puts_case_back_for_redispatch(org, domain) -> None:
    case, task = await dispatched(domain)
    with pytest.raises(InvalidInput):
        await handling.return_task(domain, await who("赵敏"), task.id, "  ", source=W)
    out = await handling.return_task(domain, await who("赵敏"), task.id, "不属于本所职责", source=W)
    assert [type(e) for e in out.events] == [TaskReturned, CaseNeedsDispatch]
    assert (await Case.get(id=case.id)).status == CaseStatus.ACCEPTED
    out = await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("孙婷"))], source=W)
    assert out.changed and out.tasks[0].is_lead


async def test_joint_dispatch_lead_closes_last(org, domain) -> None:
    case = await accepted(domain)
    assignments = [triage.Assignment(await staff_id("赵敏")), triage.Assignment(await staff_id("钱伟"))]
    out = await triage.dispatch(domain, await who("林晓"), case.id, assignments, source=W)
    lead, other = out.tasks
    assert lead.is_lead and not other.is_lead
    with pytest.raises(InvalidTransition, match="钱伟"):
        await handling.resolve_task(domain, await who("赵敏"), lead.id, ResultType.AGREEMENT, "协议", source=W)
    await handling.resolve_task(domain, await who("钱伟"), other.id, ResultType.SETTLED, "界址已勘定", source=W)
    assert (await Case.get(id=case.id)).status == CaseStatus.DISPATCHED
    await handling.resolve_task(domain, await who("赵敏"), lead.id, ResultType.AGREEMENT, "双方签订协议", source=W)
    case = await Case.get(id=case.id)
    assert case.status == CaseStatus.RESOLVED and case.result_note == "双方签订协议"
    assert case.follow_up_due_at is not None


async def test_same_officer_twice_is_not_a_second_task(org, domain) -> None:
    case, _ = await dispatched(domain)
    out = await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)
    assert not out.changed and "赵敏" in out.message
    assert await Task.filter(case_id=case.id).count() == 1


async def test_deadline_in_the_past_is_refused(org, domain, clock) -> None:
    case = await accepted(domain)
    past = clock.now() - timedelta(hours=1)
    with pytest.raises(InvalidInput, match="截止时间"):
        await triage.dispatch(domain, await who("林晓"), case.id,
                              [triage.Assignment(await staff_id("赵敏"), deadline=past)], source=W)
    assert (await Case.get(id=case.id)).status == CaseStatus.ACCEPTED


async def test_progress_on_unsigned_task_signs_it(org, domain) -> None:
    _, task = await dispatched(domain)
    await handling.progress(domain, await who("赵敏"), task.id, "已约双方明天调解", source=W)
    task = await Task.get(id=task.id)
    assert task.status == TaskStatus.SIGNED and task.signed_at is not None and task.progress_count == 1
    event = await AuditEvent.filter(action="progress").first()
    assert event is not None and event.after["note"] == "已约双方明天调解" and event.source == "dingtalk"


async def test_the_lead_releases_a_partner_then_closes(org, domain) -> None:
    case = await accepted(domain)
    assignments = [triage.Assignment(await staff_id("赵敏")), triage.Assignment(await staff_id("钱伟"))]
    lead, partner = (await triage.dispatch(domain, await who("林晓"), case.id, assignments, source=W)).tasks
    with pytest.raises(Refused):  # a partner cannot release the lead
        await handling.release_task(domain, await who("钱伟"), lead.id, source=W)
    await handling.release_task(domain, await who("赵敏"), partner.id, source=W)
    out = await handling.resolve_task(domain, await who("赵敏"), lead.id, ResultType.AGREEMENT, "协议", source=W)
    assert out.case.status == CaseStatus.RESOLVED
