"""我的: my open tasks, my recent reports, and cases waiting for me at the center."""

from __future__ import annotations

from bot.context import Ctx
from core.clock import fmt_local
from core.enums import OPEN_TASK_STATUSES, CaseStatus, Category, Role, TaskStatus
from core.models import Case, Task

WAITING = [CaseStatus.REPORTED.value, CaseStatus.ESCALATED.value]  # 待受理: reported, or arrived from below
LISTED = 20
CARDS = 5  # the oldest ones also come as the center's card, with its buttons


async def _waiting_for_me(ctx: Ctx) -> list[Case]:
    """Cases the center holding them has not accepted, in this dispatcher's scope, oldest first."""
    if Role.DISPATCHER.value not in ctx.staff.roles or ctx.actor.scope_path is None:
        return []
    return await Case.filter(status__in=WAITING, handling_region__path__startswith=ctx.actor.scope_path
                             ).order_by("created_at", "id").limit(LISTED)


async def show(ctx: Ctx) -> None:
    lines: list[str] = []
    waiting = await _waiting_for_me(ctx)
    if waiting:
        lines.append(f"待受理({len(waiting)}{'+' if len(waiting) == LISTED else ''} 件,最早的在前):")
        lines += [f"· {c.number} {Category(c.category).label},{fmt_local(c.created_at)} 上报" for c in waiting]
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
    for case in waiting[:CARDS]:
        await ctx.card_to_me("center", case_id=case.id)
