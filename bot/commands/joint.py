"""联合调处 after dispatch: the center's 追加部门 and 更换牵头 (buttons on its card, or "追加 0042 市场监管所",
"牵头 0042 司法所"), and 撤回 of a partner by the lead or the center ("撤回 0042 市场监管所")."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from bot.commands.args import case_args
from bot.commands.center import find_assignee
from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting
from bot.types import Act, ButtonAct
from core.enums import OPEN_TASK_STATUSES, CaseStatus, Platform
from core.models import CardLink, Case, Department, Task
from core.permissions import check_case
from core.services import handling, joint, triage
from core.services.lookup import case_by_id, case_by_number

OPEN = [s.value for s in OPEN_TASK_STATUSES]


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


async def _open_tasks(case: Case) -> list[tuple[Task, str]]:
    """The case's open tasks, each with how people call it: 司法所赵敏."""
    tasks = await Task.filter(case_id=case.id, status__in=OPEN).order_by("id").prefetch_related("assignee")
    deps = {d.id: d.name for d in await Department.filter(id__in=[t.department_id for t in tasks if t.department_id])}
    return [(t, deps.get(t.department_id or 0, "") + t.assignee.name) for t in tasks]


async def _task_named(ctx: Ctx, case: Case, words: str) -> Task | None:
    """The open task a person or department name points at; None (after saying why) when none or several do."""
    words = words.strip()
    tasks = await _open_tasks(case)
    found = [t for t, label in tasks if words and words in (label, t.assignee.name, label.removesuffix(t.assignee.name))]
    if len(found) == 1:
        return found[0]
    names = "、".join(label + ("(牵头)" if t.is_lead else "") for t, label in tasks) or "无"
    what = "有多个" if found else "没有找到"
    ctx.reply(f"案件 {case.number} 的在办单位中{what}「{words}」。在办:{names}")
    return None


async def _add(ctx: Ctx, case: Case, name: str) -> None:
    await check_case(ctx.actor, "dispatch", case)  # before a name is looked up or the case's tasks are shown
    people = await find_assignee(name, case)
    if len(people) != 1:
        found = f"有 {len(people)} 位「{name}」,请改回复其部门名称" if people else f"没有找到「{name}」"
        ctx.reply(f"{found}(回复部门名称或承办人姓名)")
        return
    await ctx.done()
    staff = people[0]
    assignment = triage.Assignment(staff.id, department_id=staff.department_id)
    ctx.took(await triage.dispatch(ctx.domain, ctx.actor, case.id, [assignment], source=_src(ctx)))


async def _lead(ctx: Ctx, case: Case, name: str) -> None:
    await check_case(ctx.actor, "dispatch", case)
    task = await _task_named(ctx, case, name)
    if task is None:
        return
    await ctx.done()
    ctx.took(await joint.change_lead(ctx.domain, ctx.actor, case.id, task.id, source=_src(ctx)))


# --- the center card's buttons ------------------------------------------------------------------------


async def _ask_partner(ctx: Ctx, case: Case) -> None:
    await check_case(ctx.actor, "dispatch", case)
    if CaseStatus(case.status) is not CaseStatus.DISPATCHED:
        ctx.reply(f"案件 {case.number} {CaseStatus(case.status).label},无法追加部门")
        return
    await ctx.expect(Waiting.ADD_PARTNER, case_id=case.id)
    ctx.reply(f"请回复追加协办的部门名称或承办人姓名(案件 {case.number},原牵头单位不变)")


async def _ask_lead(ctx: Ctx, case: Case) -> None:
    await check_case(ctx.actor, "dispatch", case)
    tasks = await _open_tasks(case)
    if CaseStatus(case.status) is not CaseStatus.DISPATCHED or len(tasks) < 2:
        ctx.reply(f"案件 {case.number} 没有多个在办单位,无需更换牵头")
        return
    await ctx.expect(Waiting.CHANGE_LEAD, case_id=case.id)
    names = "、".join(label + ("(现牵头)" if t.is_lead else "") for t, label in tasks)
    ctx.reply(f"请回复新的牵头单位或承办人(案件 {case.number}):{names}")


_ON_CASE: dict[Act, Callable[[Ctx, Case], Awaitable[None]]] = {
    Act.ADD_PARTNER: _ask_partner,
    Act.CHANGE_LEAD: _ask_lead,
}


async def _on_button(act: Act, ctx: Ctx, link: CardLink) -> None:
    await _ON_CASE[act](ctx, await case_by_id(link.case_id))


ACTIONS: dict[ButtonAct, ActionHandler] = {act: functools.partial(_on_button, act) for act in _ON_CASE}


async def on_partner_text(ctx: Ctx, case_id: int, text: str) -> None:
    await _add(ctx, await case_by_id(case_id), text)


async def on_lead_text(ctx: Ctx, case_id: int, text: str) -> None:
    await _lead(ctx, await case_by_id(case_id), text)


# --- plain words ---------------------------------------------------------------------------------------


async def _case_and_name(ctx: Ctx, rest: str, example: str) -> tuple[Case, str] | None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply(f"格式:{example}")
        return None
    return await case_by_number(args.number), args.rest


async def add_partner(ctx: Ctx, rest: str) -> None:
    """追加 0042 市场监管所: another department joins the case; the first receiver still leads."""
    got = await _case_and_name(ctx, rest, "追加 0042 市场监管所")
    if got is not None:
        await _add(ctx, *got)


async def change_lead(ctx: Ctx, rest: str) -> None:
    """牵头 0042 司法所: the center hands the lead to another department on the case."""
    got = await _case_and_name(ctx, rest, "牵头 0042 司法所")
    if got is not None:
        await _lead(ctx, *got)


async def release(ctx: Ctx, rest: str) -> None:
    """撤回 0042 市场监管所: the lead (or the center) lets a partner go."""
    got = await _case_and_name(ctx, rest, "撤回 0042 市场监管所")
    if got is None:
        return
    case, name = got
    lead = await Task.filter(case_id=case.id, is_lead=True, status__in=OPEN).first()
    if lead is None or lead.assignee_id != ctx.staff.id:
        await check_case(ctx.actor, "release_task", case)
    task = await _task_named(ctx, case, name)
    if task is not None:
        ctx.took(await handling.release_task(ctx.domain, ctx.actor, task.id, source=_src(ctx)))
