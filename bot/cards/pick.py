"""Which case a plain reply is about, when an officer has several open tasks: one small card per task, with
one button ("就是这件"); the pending question (Waiting.PICK_CASE) holds what the reply said."""

from __future__ import annotations

from bot.cards.common import btn, short
from bot.types import Act, Card
from core.clock import fmt_local
from core.enums import OPEN_TASK_STATUSES, TaskStatus
from core.models import CardLink, Case, Task


async def render_pick(link: CardLink) -> Card:
    task = await Task.get(id=link.task_id)
    case = await Case.get(id=task.case_id)
    fields = [("编号", case.number), ("诉求内容", short(task.content)), ("截止时间", fmt_local(task.deadline))]
    title = f"是案件 {case.number} 吗?"
    if TaskStatus(task.status) not in OPEN_TASK_STATUSES:
        return Card(kind="pick", title=title, subtitle=TaskStatus(task.status).label, fields=fields)
    return Card(kind="pick", title=title, subtitle="您的回复是关于哪件待办?", fields=fields,
                buttons=[btn(Act.PICK, link, "就是这件", "primary")])
