"""Builders that walk a case into a given state through the real verbs."""

from __future__ import annotations

from core.enums import CaseStatus, Category, Platform, ResultType, Satisfaction, Severity
from core.models import Case, Task
from core.services import aftercare, handling, intake, ladder, triage
from core.services.base import Domain
from tests.conftest import staff_id, who

W = Platform.WECOM


async def reported(d: Domain, severity: Severity = Severity.GENERAL, reporter: str = "周小梅") -> Case:
    data = intake.ReportInput("两户因过道宽窄发生争执", category=Category.NEIGHBOR, severity=severity)
    out = await intake.report(d, await who(reporter), data, source=W)
    assert out.case is not None
    return out.case


async def accepted(d: Domain) -> Case:
    case = await reported(d)
    await triage.accept(d, await who("林晓"), case.id, source=W)
    return await Case.get(id=case.id)


async def dispatched(d: Domain, officer: str = "赵敏") -> tuple[Case, Task]:
    case = await accepted(d)
    out = await triage.dispatch(d, await who("林晓"), case.id, [triage.Assignment(await staff_id(officer))], source=W)
    return await Case.get(id=case.id), out.tasks[0]


async def case_in(d: Domain, status: CaseStatus) -> Case:
    if status is CaseStatus.REPORTED:
        return await reported(d)
    if status is CaseStatus.RETURNED:
        case = await reported(d)
        await triage.return_to_reporter(d, await who("林晓"), case.id, "请补充具体位置", source=W)
    elif status is CaseStatus.AWAITING_APPROVAL:
        case = await reported(d, Severity.IMPORTANT)
        await triage.accept(d, await who("林晓"), case.id, source=W)
    elif status is CaseStatus.ACCEPTED:
        case = await accepted(d)
    elif status is CaseStatus.ESCALATED:
        case = await reported(d)
        await ladder.escalate(d, await who("林晓"), case.id, "网格调解未果", source=W)
    elif status is CaseStatus.DISPATCHED:
        case, _ = await dispatched(d)
    else:
        case, task = await dispatched(d)
        await handling.resolve_task(d, await who("赵敏"), task.id, ResultType.AGREEMENT, "达成协议", source=W)
        if status is CaseStatus.CLOSED:
            await aftercare.record_follow_up(d, await who("周小梅"), case.id, Satisfaction.SATISFIED, source=W)
    case = await Case.get(id=case.id)
    assert case.status == status.value, (case.status, status)
    return case
