"""The center's buttons: 受理并交办, 改派, 退回补充, 上报上级; the leader's 同意交办 / 提级处理; 延期审批."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting
from bot.intake.kinds import is_chatter
from bot.types import Act, ButtonAct
from core.enums import CaseStatus, EscalationReason, Platform, Role
from core.models import CardLink, Case, Staff, Task
from core.policy import load_policy
from core.regions import department_named
from core.routing import officers_of, suggest_route
from core.services import handling, ladder, triage
from core.services.lookup import case_by_id


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


async def _accept_if_new(ctx: Ctx, case: Case) -> Case:
    if CaseStatus(case.status) in (CaseStatus.REPORTED, CaseStatus.ESCALATED):
        outcome = await triage.accept(ctx.domain, ctx.actor, case.id, source=_src(ctx))
        ctx.took(outcome)
        case = outcome.case or await case_by_id(case.id)  # the outcome's case is as the verb saved it
    return case


async def _dispatch_to(ctx: Ctx, case: Case, staff: Staff) -> None:
    assignment = triage.Assignment(staff.id, department_id=staff.department_id)
    ctx.took(await triage.dispatch(ctx.domain, ctx.actor, case.id, [assignment], source=_src(ctx)))


async def accept_and_dispatch(ctx: Ctx, case: Case) -> None:
    case = await _accept_if_new(ctx, case)
    if CaseStatus(case.status) is not CaseStatus.ACCEPTED:
        return  # waiting for a leader's plan, escalated, or already dispatched: the outcome said so
    route = await suggest_route(case, await load_policy())
    if route.assignee is None:
        await ctx.expect(Waiting.REASSIGN, case_id=case.id)
        ctx.reply(f"没有找到负责「{case.category}」类纠纷的部门,请回复承办人姓名或部门名称")
        return
    await _dispatch_to(ctx, case, route.assignee)


async def _accept(ctx: Ctx, case: Case, link: CardLink) -> None:
    await accept_and_dispatch(ctx, case)


async def _approve(ctx: Ctx, case: Case, link: CardLink) -> None:
    ctx.took(await triage.approve_plan(ctx.domain, ctx.actor, case.id, "同意交办", source=_src(ctx)))
    await accept_and_dispatch(ctx, await case_by_id(case.id))


async def _reassign(ctx: Ctx, case: Case, link: CardLink) -> None:
    case = await _accept_if_new(ctx, case)
    if CaseStatus(case.status) in (CaseStatus.ACCEPTED, CaseStatus.DISPATCHED):
        await ctx.expect(Waiting.REASSIGN, case_id=case.id)
        ctx.reply(f"请回复案件 {case.number} 的承办人姓名或部门名称")


async def _ask_return(ctx: Ctx, case: Case, link: CardLink) -> None:
    await ctx.expect(Waiting.RETURN_REPORTER, case_id=case.id)
    ctx.reply(f"请回复需要上报人补充的内容(案件 {case.number})")


async def _ask_escalate(ctx: Ctx, case: Case, link: CardLink) -> None:
    await ctx.expect(Waiting.ESCALATE, case_id=case.id)
    ctx.reply(f"请简述本级已做的调处工作,将记入三级四步登记表(案件 {case.number})")


async def _level_up(ctx: Ctx, case: Case, link: CardLink) -> None:
    outcome = await ladder.escalate(ctx.domain, ctx.actor, case.id, "领导审定:提级处理", source=_src(ctx),
                                    reason=EscalationReason.LEADER)
    ctx.took(outcome)


async def _decide_extension(approve: bool, ctx: Ctx, case: Case, link: CardLink) -> None:
    if not link.task_id:
        return
    task = await Task.get(id=link.task_id)
    if not approve and task.extension_days is not None:  # 不同意: the officer is told why
        await ctx.expect(Waiting.EXTENSION_DENIAL, task_id=task.id)
        ctx.reply(f"请回复不同意延期的理由,将转告承办人(案件 {case.number},回复「取消」放弃)")
        return
    ctx.took(await handling.decide_extension(ctx.domain, ctx.actor, link.task_id, approve, source=_src(ctx)))


async def on_denial_text(ctx: Ctx, task_id: int, text: str) -> None:
    if is_chatter(text):  # "好的" is no reason to tell an officer
        ctx.reply("请写明不同意延期的理由(回复「取消」放弃)")
        return
    await ctx.done()
    ctx.took(await handling.decide_extension(ctx.domain, ctx.actor, task_id, False, source=_src(ctx), reason=text))


_ON_CASE: dict[Act, Callable[[Ctx, Case, CardLink], Awaitable[None]]] = {
    Act.ACCEPT_DISPATCH: _accept,
    Act.APPROVE: _approve,
    Act.REASSIGN: _reassign,
    Act.RETURN_REPORTER: _ask_return,
    Act.ESCALATE: _ask_escalate,
    Act.LEVEL_UP: _level_up,
    Act.EXT_YES: functools.partial(_decide_extension, True),
    Act.EXT_NO: functools.partial(_decide_extension, False),
}


async def _on_button(act: Act, ctx: Ctx, link: CardLink) -> None:
    await _ON_CASE[act](ctx, await case_by_id(link.case_id), link)


ACTIONS: dict[ButtonAct, ActionHandler] = {act: functools.partial(_on_button, act) for act in _ON_CASE}


def assignee_name(said: str) -> str:
    return said.strip().removeprefix("交办给").removeprefix("改派给").strip()


async def find_assignee(said: str, case: Case) -> list[Staff]:
    """People called that, or else the first officer of the department of that name serving the case."""
    name = assignee_name(said)
    people = await Staff.filter(name=name, active=True)
    if people:
        return people
    dep = await department_named(name, case.handling_region_id)
    return (await officers_of(dep))[:1] if dep is not None else []


async def on_reassign_text(ctx: Ctx, case_id: int, text: str) -> None:
    case = await case_by_id(case_id)
    people = await find_assignee(text, case)
    if not people:
        ctx.reply(f"没有找到「{text}」,请回复承办人姓名或部门名称(回复「取消」放弃)")
        return
    if len(people) > 1:
        ctx.reply(f"有 {len(people)} 位「{text}」,请改回复其部门名称")
        return
    await ctx.done()
    staff = people[0]
    if Role.OFFICER.value not in staff.roles and Role.VILLAGE_MEDIATOR.value not in staff.roles:
        ctx.reply(f"提示:{staff.name} 不是承办人员")
    await _dispatch_to(ctx, case, staff)


async def on_return_text(ctx: Ctx, case_id: int, text: str) -> None:
    await ctx.done()
    ctx.took(await triage.return_to_reporter(ctx.domain, ctx.actor, case_id, text, source=_src(ctx)))


async def on_escalate_text(ctx: Ctx, case_id: int, text: str) -> None:
    await ctx.done()
    ctx.took(await ladder.escalate(ctx.domain, ctx.actor, case_id, text, source=_src(ctx)))
