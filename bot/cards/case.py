"""Cards about a case for the center: the dispatcher's card, the leader's plan card, cc and follow-up."""

from __future__ import annotations

from bot.cards import snapshot
from bot.cards.common import TASKS_ON_CASE, btn, case_fields, progress_field
from bot.cards.evidence import linked_part
from bot.cards.key_people import key_people_field
from bot.types import Act, Button, Card
from core import org_memo
from core.enums import OPEN_TASK_STATUSES, CaseStatus, ResultType, Satisfaction, TaskStatus
from core.models import CardLink, Case
from core.policy import load_policy
from core.regions import contains
from core.routing import suggest_experts, suggest_route
from core.services.base import actor_for


async def _tasks_line(case: Case) -> str:
    active = [t for t in await snapshot.tasks(case.id) if TaskStatus(t.status) in TASKS_ON_CASE]
    people = await org_memo.staff_by_ids(t.assignee_id for t in active)
    return ";".join(f"{people[t.assignee_id].name}({'牵头,' if t.is_lead else ''}{TaskStatus(t.status).label})"
                    for t in active)


def _outcome(case: Case) -> str:
    if case.result_type:
        return f"{ResultType(case.result_type).label}:{case.result_note}"
    return ""


async def _joint_buttons(case: Case, link: CardLink) -> list[Button]:
    """联合调处 once dispatched: another department joins; with two or more on the case, the lead can move."""
    buttons = [btn(Act.ADD_PARTNER, link, "追加部门")]
    if sum(TaskStatus(t.status) in OPEN_TASK_STATUSES for t in await snapshot.tasks(case.id)) > 1:
        buttons.append(btn(Act.CHANGE_LEAD, link, "更换牵头"))
    return buttons


async def render_center(link: CardLink) -> Card:
    case = await snapshot.case(link.case_id)
    status = CaseStatus(case.status)
    fields = [("编号", case.number), *await case_fields(case, masked=False)]
    tasks = await _tasks_line(case)
    if tasks:
        fields.append(("承办", tasks))
        fields += await progress_field(case.id)
    evidence, links = await linked_part(case, link.staff_id)
    fields += evidence
    viewer = await actor_for(await org_memo.known_staff(link.staff_id))
    fields += await key_people_field(case, viewer)
    experts = await suggest_experts(case.category)
    if experts and status in (CaseStatus.REPORTED, CaseStatus.ESCALATED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED):
        fields.append(("建议专家", "、".join(f"{e.name}({e.title})" if e.title else e.name for e in experts)))
    if case.return_note and status is CaseStatus.RETURNED:
        fields.append(("退回说明", case.return_note))
    holder = await org_memo.region(case.handling_region_id)
    in_scope = viewer.scope_path is not None and contains(viewer.scope_path, holder.path)
    subtitle = status.label
    buttons = []
    if not in_scope:
        subtitle = f"已上报至{holder.name}"
    elif status in (CaseStatus.REPORTED, CaseStatus.ESCALATED, CaseStatus.ACCEPTED):
        first = "受理并交办" if status is not CaseStatus.ACCEPTED else "交办"
        buttons = [btn(Act.ACCEPT_DISPATCH, link, first, "primary"), btn(Act.REASSIGN, link, "改派"),
                   btn(Act.TASK_FORM, link, "设定任务")]
        if status is CaseStatus.REPORTED and case.reporter_id is not None:
            buttons.append(btn(Act.RETURN_REPORTER, link, "退回补充"))
        buttons.append(btn(Act.ESCALATE, link, "上报上级", "danger"))
    elif status is CaseStatus.DISPATCHED:
        buttons = await _joint_buttons(case, link)
    elif status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        fields.append(("结果", _outcome(case)))
    title = "新上报矛盾纠纷" if status is CaseStatus.REPORTED else f"矛盾纠纷 {case.number}"
    note = (f"也可回复「交办 {case.number[-4:]} 给部门或姓名 抄送… 3个工作日 提前一天提醒 加急/短信」"
            f"设定任务,「改类 {case.number[-4:]} 类别」更正类别") if buttons else ""
    return Card(kind="center", title=title, subtitle=subtitle, fields=fields, buttons=buttons, links=links,
                note=note)


async def render_plan(link: CardLink) -> Card:
    case = await snapshot.case(link.case_id)
    status = CaseStatus(case.status)
    fields = [("编号", case.number), *await case_fields(case, masked=False)]
    fields += await key_people_field(case, await actor_for(await org_memo.known_staff(link.staff_id)))
    buttons = []
    note = ""
    if status is CaseStatus.AWAITING_APPROVAL:
        buttons = [btn(Act.APPROVE, link, "同意交办", "primary"), btn(Act.LEVEL_UP, link, "提级处理", "danger")]
        subtitle = "重要矛盾纠纷,请审定处置方案"
        route = await suggest_route(case, await load_policy())
        if route.assignee is not None:
            fields.append(("拟交办", f"{route.department.name if route.department else ''}{route.assignee.name}"))
        note = f"写明处置方案请回复「审定 {case.number[-4:]} 方案内容」,方案随任务送达承办人"
    else:
        subtitle = f"已审定:{case.plan}" if case.plan else status.label
    return Card(kind="plan", title=f"重要矛盾纠纷 {case.number}", subtitle=subtitle, fields=fields, buttons=buttons,
                note=note)


async def render_cc(link: CardLink) -> Card:
    case = await snapshot.case(link.case_id)
    fields = [("编号", case.number), *await case_fields(case, masked=True)]
    tasks = await _tasks_line(case)
    if tasks:
        fields.append(("承办", tasks))
        fields += await progress_field(case.id)
    if case.result_type:
        fields.append(("结果", _outcome(case)))
    return Card(kind="cc", title=f"抄送:矛盾纠纷 {case.number}", subtitle=CaseStatus(case.status).label, fields=fields)


async def render_follow_up(link: CardLink) -> Card:
    case = await snapshot.case(link.case_id)
    fields = [("编号", case.number), ("结果", _outcome(case))]
    if CaseStatus(case.status) is CaseStatus.RESOLVED:
        buttons = [btn(Act.SATISFIED, link, Satisfaction.SATISFIED.label, "primary"),
                   btn(Act.BASICALLY, link, Satisfaction.BASICALLY.label),
                   btn(Act.UNSATISFIED, link, Satisfaction.UNSATISFIED.label, "danger")]
        return Card(kind="follow_up", title=f"回访:{case.number}", subtitle="请回访当事人并记录满意度",
                    fields=fields, buttons=buttons)
    subtitle = CaseStatus(case.status).label
    if case.satisfaction:  # the answer recorded (whoever recorded it): also what a greyed-out button says
        fields.append(("回访结果", Satisfaction(case.satisfaction).label))
        subtitle = f"已回访:{Satisfaction(case.satisfaction).label}"
    return Card(kind="follow_up", title=f"回访:{case.number}", subtitle=subtitle, fields=fields)
