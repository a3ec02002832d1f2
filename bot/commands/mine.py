"""我的: my open tasks, my recent reports, and cases waiting for me at the center."""

from __future__ import annotations

from bot.context import Ctx
from core.clock import fmt_local
from core.enums import OPEN_TASK_STATUSES, CaseStatus, TaskStatus
from core.models import Case, Task


async def show(ctx: Ctx) -> None:
    lines: list[str] = []
    tasks = await Task.filter(assignee_id=ctx.staff.id, status__in=[s.value for s in OPEN_TASK_STATUSES]
                              ).order_by("deadline").limit(20).prefetch_related("case")
    if tasks:
        lines.append("我的待办:")
        lines += [f"· {t.case.number} {TaskStatus(t.status).label},截止 {fmt_local(t.deadline)}" for t in tasks]
    reports = await Case.filter(reporter_id=ctx.staff.id).order_by("-id").limit(10)
    if reports:
        lines.append("我上报的:")
        lines += [f"· {c.number} {CaseStatus(c.status).label}" for c in reports]
    ctx.reply("\n".join(lines) if lines else "您目前没有待办任务,也没有上报记录")
