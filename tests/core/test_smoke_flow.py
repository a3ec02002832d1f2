from core.enums import CaseStatus, Category, Platform, ResultType, Satisfaction, TaskStatus
from core.models import Case, Task
from core.services import aftercare, handling, intake, triage
from tests.conftest import staff_id, who

W = Platform.WECOM


async def test_report_to_close(org, domain):
    grid = await who("周小梅")
    out = await intake.report(domain, grid, intake.ReportInput("两家因过道宽窄争吵", category=Category.NEIGHBOR), source=W)
    case = out.case
    assert case.number == "2026-0001" and case.status == CaseStatus.REPORTED
    disp = await who("林晓")
    out = await triage.accept(domain, disp, case.id, source=W)
    assert out.changed and out.case.status == CaseStatus.ACCEPTED
    out = await triage.dispatch(domain, disp, case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)
    task = out.tasks[0]
    officer = await who("赵敏")
    assert (await handling.sign(domain, officer, task.id, source=W)).changed
    assert not (await handling.sign(domain, officer, task.id, source=W)).changed
    out = await handling.resolve_task(domain, officer, task.id, ResultType.AGREEMENT, "双方达成协议", source=W)
    assert out.case.status == CaseStatus.RESOLVED
    out = await aftercare.record_follow_up(domain, grid, case.id, Satisfaction.SATISFIED, source=W)
    assert (await Case.get(id=case.id)).status == CaseStatus.CLOSED
    assert (await Task.get(id=task.id)).status == TaskStatus.RESOLVED
