"""The officer's side: task-card buttons and the same actions as plain replies ("收到", "办结 0042 …").

A task action has one name from the button to the verb: core's `TaskAction` member is the button's action
(bot.types.TASK_BUTTONS), the key of its plain words here, the verb remembered while waiting for its text,
and the key of the core verb it runs (`VERBS`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

from bot.commands.args import CASE_NUMBER as NUM
from bot.commands.args import case_number
from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting
from bot.intake.numbers import chinese_to_int
from bot.types import TASK_BUTTONS, ButtonAct
from core.clock import local
from core.enums import OPEN_TASK_STATUSES, Platform, ResultType
from core.models import CardLink, Case, Task
from core.results import result_from_text
from core.services import handling
from core.services.base import Outcome
from core.transitions import TaskAction

_SEP = r"[\s,,::。]*"
PATTERNS: dict[TaskAction, re.Pattern[str]] = {  # tried in this order
    TaskAction.SIGN: re.compile(
        rf"^(?:(?P<num>{NUM}){_SEP})?(?:收到|签收|已签收|好的收到|收到了|好的)(?:{_SEP}(?P<num2>{NUM}))?[。!!\s]*$"),
    TaskAction.RESOLVE: re.compile(
        rf"^(?:(?P<num>{NUM}){_SEP})?(?:已办结|办结|结案)(?:{_SEP}(?P<num2>{NUM}))?{_SEP}(?P<rest>.*)$", re.S),
    TaskAction.RETURN: re.compile(rf"^(?:(?P<num>{NUM}){_SEP})?退回(?:{_SEP}(?P<num2>{NUM}))?{_SEP}(?P<rest>.*)$", re.S),
    TaskAction.EXTEND: re.compile(
        rf"^(?:(?P<num>{NUM}){_SEP})?(?:申请)?延期(?:{_SEP}(?P<num2>{NUM}){_SEP}(?=.*[天日]))?{_SEP}"
        rf"(?P<days>\d{{1,2}}|[一二两三四五六七八九十]{{1,3}})\s*(?:个)?(?:工作日|天|日){_SEP}(?P<rest>.*)$", re.S),
    TaskAction.PROGRESS: re.compile(
        rf"^(?:进展|反馈)?{_SEP}(?P<num>{NUM}){_SEP}(?:进展|反馈)?{_SEP}(?P<rest>\S.*)$", re.S),
}
_ASK = {  # the question for an action whose text has not come yet (签收 needs none)
    TaskAction.PROGRESS: "请回复进展情况",
    TaskAction.EXTEND: "请回复延期天数和理由,如:3天 当事人外出务工",
    TaskAction.RETURN: "请回复退回理由",
    TaskAction.RESOLVE: "请回复办结情况,如:双方达成调解协议,已履行",
}
_NEEDS_TEXT = frozenset({TaskAction.PROGRESS, TaskAction.RETURN, TaskAction.RESOLVE})  # a plain reply without it: ask
_DAYS_THEN_REASON = re.compile(r"^\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?(?:工作日|天|日)?[\s,,::]*(.*)$", re.S)


def result_type_of(text: str) -> ResultType:
    return result_from_text(text)


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


_Verb = Callable[[Ctx, int, str, int], Awaitable[Outcome]]  # (ctx, task id, text, days)
VERBS: dict[TaskAction, _Verb] = {
    TaskAction.SIGN: lambda ctx, task_id, _, __: handling.sign(ctx.domain, ctx.actor, task_id, source=_src(ctx)),
    TaskAction.PROGRESS: lambda ctx, task_id, text, _: handling.progress(
        ctx.domain, ctx.actor, task_id, text, source=_src(ctx)),
    TaskAction.RETURN: lambda ctx, task_id, text, _: handling.return_task(
        ctx.domain, ctx.actor, task_id, text, source=_src(ctx)),
    TaskAction.RESOLVE: lambda ctx, task_id, text, _: handling.resolve_task(
        ctx.domain, ctx.actor, task_id, result_type_of(text), text, source=_src(ctx)),
    TaskAction.EXTEND: lambda ctx, task_id, text, days: handling.request_extension(
        ctx.domain, ctx.actor, task_id, days, text, source=_src(ctx)),
}


async def my_open_tasks(staff_id: int) -> list[Task]:
    return await Task.filter(assignee_id=staff_id, status__in=[s.value for s in OPEN_TASK_STATUSES]).order_by("-id")


async def perform(ctx: Ctx, verb: TaskAction, task_id: int, rest: str, days: int | None = None) -> None:
    ctx.took(await VERBS[verb](ctx, task_id, rest, days or 0))


async def _on_button(verb: TaskAction, ctx: Ctx, link: CardLink) -> None:
    assert link.task_id is not None
    if verb not in _ASK:
        await perform(ctx, verb, link.task_id, "")
        return
    await ctx.expect(Waiting.TASK_TEXT, verb=verb.value, task_id=link.task_id)
    case = await Case.get(id=link.case_id)
    ctx.reply(f"{_ASK[verb]}(案件 {case.number},回复「取消」放弃)")


ACTIONS: dict[ButtonAct, ActionHandler] = {verb: functools.partial(_on_button, verb) for verb in TASK_BUTTONS}


async def on_task_text(ctx: Ctx, verb: TaskAction, task_id: int, text: str) -> None:
    days = None
    if verb is TaskAction.EXTEND:
        m = _DAYS_THEN_REASON.match(text)
        if not m or not m.group(2).strip():
            ctx.reply("请按「天数 理由」回复,如:3天 当事人外出务工")
            return
        days, text = chinese_to_int(m.group(1)), m.group(2)
    await ctx.done()
    await perform(ctx, verb, task_id, text, days)


def _list(tasks: list[Task], numbers: dict[int, str]) -> str:
    return ";".join(f"{numbers[t.case_id]}(截止{local(t.deadline):%m-%d})" for t in tasks[:10])


async def _case_numbers(tasks: list[Task]) -> dict[int, str]:
    return {c.id: c.number for c in await Case.filter(id__in=[t.case_id for t in tasks])}


def _words(text: str) -> tuple[TaskAction, re.Match[str]] | None:
    for verb, pattern in PATTERNS.items():
        m = pattern.match(text)
        if m:
            return verb, m
    return None


async def try_plain_reply(ctx: Ctx, text: str) -> bool:
    """Apply a reply like "办结 0042 双方达成协议" to the right task; False when it is not a task reply."""
    tasks = await my_open_tasks(ctx.staff.id)
    if not tasks:
        return False
    said = _words(text)
    numbers = await _case_numbers(tasks)
    if said is None:
        ctx.reply(f"您的待办:{_list(tasks, numbers)}。\n回复示例:「收到」签收;「0042 已约双方明天调解」反馈进展;"
                  "「办结 0042 双方达成协议」;「退回 0042 不属于本单位职责」;「0042 申请延期3天 当事人外出」")
        return True
    verb, m = said
    groups = m.groupdict()
    raw = groups.get("num") or groups.get("num2")
    rest = (groups.get("rest") or "").strip()
    days = chinese_to_int(groups["days"]) if groups.get("days") else None
    chosen = await _choose(ctx, tasks, numbers, raw)
    if chosen is None:
        if raw is None:
            await ctx.expect(Waiting.PICK_CASE, verb=verb.value, rest=rest, days=days)
            ctx.reply(f"您有多项待办:{_list(tasks, numbers)}。请回复案件编号")
        return True
    await _perform_or_ask(ctx, verb, chosen, numbers, rest, days)
    return True


async def _perform_or_ask(ctx: Ctx, verb: TaskAction, task: Task, numbers: dict[int, str], rest: str,
                          days: int | None) -> None:
    if verb in _NEEDS_TEXT and not rest:
        await ctx.expect(Waiting.TASK_TEXT, verb=verb.value, task_id=task.id)
        ctx.reply(f"{_ASK[verb]}(案件 {numbers[task.case_id]})")
        return
    await perform(ctx, verb, task.id, rest, days)


async def _choose(ctx: Ctx, tasks: list[Task], numbers: dict[int, str], raw: str | None) -> Task | None:
    if ctx.inbound.quoted_link_id is not None:
        link = await CardLink.get_or_none(id=ctx.inbound.quoted_link_id, staff_id=ctx.staff.id)
        if link and link.task_id:
            return next((t for t in tasks if t.id == link.task_id), None)
    if raw is not None:
        wanted = case_number(raw, ctx.now)
        if wanted is None:
            ctx.reply(f"请回复案件编号,如 {numbers[tasks[0].case_id]}")
            return None
        found = [t for t in tasks if numbers[t.case_id] == wanted]
        if not found:
            ctx.reply(f"您没有案件 {wanted} 的待办任务")
            return None
        return found[0]
    return tasks[0] if len(tasks) == 1 else None


async def on_pick_case(ctx: Ctx, verb: TaskAction, rest: str, days: int | None, text: str) -> None:
    tasks = await my_open_tasks(ctx.staff.id)
    numbers = await _case_numbers(tasks)
    chosen = await _choose(ctx, tasks, numbers, text.strip())
    if chosen is None:
        return
    await ctx.done()
    await _perform_or_ask(ctx, verb, chosen, numbers, rest, days)
