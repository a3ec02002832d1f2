"""The officer's task card (buttons by task state) and the center's extension-approval card."""

from __future__ import annotations

from bot.cards import snapshot
from bot.cards.common import TASKS_ON_CASE, btn, place, progress_field, short
from bot.cards.evidence import linked_part
from bot.types import Act, Card
from core import org_memo
from core.clock import fmt_local
from core.enums import TaskStatus
from core.models import CardLink, Case, Task
from core.transitions import TaskAction

METHOD_LABELS = {"card": "消息", "urgent": "加急", "sms": "短信"}  # 提醒方式, by ReminderMethod value


async def _common(task: Task, case: Case) -> list[tuple[str, str]]:
    region = await org_memo.region(case.region_id)
    named = await org_memo.staff_by_ids(task.cc)
    cc = [named[i].name for i in sorted(named)]
    fields = [
        ("编号", case.number),
        ("诉求内容", short(task.content)),
        ("地点", place(region.name, case.location_text)),
        ("截止时间", fmt_local(task.deadline)),
        ("提醒", f"{fmt_local(task.remind_at) if task.remind_at else '无'}({METHOD_LABELS[task.reminder_method]})"),
    ]
    if cc:
        fields.append(("抄送", "、".join(cc)))
    if case.plan and case.plan_approved_by_id:
        fields.append(("处置方案", case.plan))
    others = [o for o in await snapshot.tasks(case.id) if TaskStatus(o.status) in TASKS_ON_CASE and o.id != task.id]
    if others:
        people = await org_memo.staff_by_ids(o.assignee_id for o in others)
        fields.append(("协办", ";".join(
            f"{people[o.assignee_id].name}({'牵头,' if o.is_lead else ''}{TaskStatus(o.status).label})"
            for o in others)))
        fields += await progress_field(case.id, exclude=task.id)
    return fields


async def render_task(link: CardLink) -> Card:
    task = await snapshot.task(link.task_id, link.case_id)
    case = await snapshot.case(task.case_id)
    status = TaskStatus(task.status)
    fields = await _common(task, case)
    buttons = []
    subtitle = status.label + ("(牵头)" if task.is_lead else "")
    if status is TaskStatus.PENDING:
        buttons = [btn(TaskAction.SIGN, link, "签收", "primary"), btn(TaskAction.RETURN, link, "退回", "danger")]
    elif status is TaskStatus.SIGNED:
        buttons = [
            btn(TaskAction.PROGRESS, link, "反馈进展"),
            btn(TaskAction.EXTEND, link, "申请延期"),
            btn(TaskAction.RETURN, link, "退回", "danger"),
            btn(TaskAction.RESOLVE, link, "办结", "primary"),
        ]
    elif status is TaskStatus.RESOLVED:
        fields.append(("办结情况", task.result_note))
    elif status is TaskStatus.RETURNED:
        fields.append(("退回理由", task.return_reason))
    if task.extension_days and status in (TaskStatus.PENDING, TaskStatus.SIGNED):
        subtitle += f",延期{task.extension_days}个工作日申请审批中"
    evidence, links = await linked_part(case, link.staff_id)
    return Card(kind="task", title=f"交办任务 {case.number}", subtitle=subtitle, fields=fields + evidence,
                buttons=buttons, links=links)


async def render_extension(link: CardLink) -> Card:
    task = await snapshot.task(link.task_id, link.case_id)
    case = await snapshot.case(task.case_id)
    assignee = await org_memo.known_staff(task.assignee_id)
    fields = [("编号", case.number), ("承办人", assignee.name), ("当前截止", fmt_local(task.deadline))]
    if task.extension_days:
        fields += [("申请延期", f"{task.extension_days}个工作日"), ("理由", task.extension_reason)]
        buttons = [btn(Act.EXT_YES, link, "同意延期", "primary"), btn(Act.EXT_NO, link, "不同意", "danger")]
        return Card(kind="extension", title=f"延期申请 {case.number}", subtitle="待审批", fields=fields, buttons=buttons)
    return Card(kind="extension", title=f"延期申请 {case.number}", subtitle="已处理", fields=fields)
