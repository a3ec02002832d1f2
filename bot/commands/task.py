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
from bot.commands.task_plain import PlainReply, read_plain
from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting, get_state
from bot.intake.kinds import Kind, is_chatter, kind_of
from bot.intake.numbers import chinese_to_int
from bot.types import TASK_BUTTONS, Act, ButtonAct
from core.clock import local
from core.enums import OPEN_TASK_STATUSES, Platform, ResultType, TaskStatus
from core.models import CardLink, Case, Task
from core.prepared import Prepared
from core.results import result_from_text
from core.services import handling
from core.services.base import Outcome
from core.services.lookup import case_by_id
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
_ASK_REASON = "请回复延期理由"
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


_OPEN_TASKS = Prepared(Task, lambda staff_id: Task.filter(
    assignee_id=staff_id, status__in=[s.value for s in OPEN_TASK_STATUSES]).order_by("-id"), int)


async def my_open_tasks(staff_id: int) -> list[Task]:
    return await _OPEN_TASKS.all(staff_id)


async def perform(ctx: Ctx, verb: TaskAction, task_id: int, rest: str, days: int | None = None) -> None:
    ctx.took(await VERBS[verb](ctx, task_id, rest, days or 0))


async def _on_button(verb: TaskAction, ctx: Ctx, link: CardLink) -> None:
    assert link.task_id is not None
    if verb not in _ASK:
        await perform(ctx, verb, link.task_id, "")
        return
    await ctx.expect(Waiting.TASK_TEXT, verb=verb.value, task_id=link.task_id)
    case = await case_by_id(link.case_id)
    ctx.reply(f"{_ASK[verb]}(案件 {case.number},回复「取消」放弃)")


ACTIONS: dict[ButtonAct, ActionHandler] = {
    **{verb: functools.partial(_on_button, verb) for verb in TASK_BUTTONS},
    Act.PICK: lambda ctx, link: on_pick_button(ctx, link),
}


async def on_task_text(ctx: Ctx, verb: TaskAction, task_id: int, text: str, days: int | None = None) -> None:
    """The text a task action waited for; an extension whose days were already said waits for its reason only."""
    if is_chatter(text):  # "好的" after "请回复进展情况" is no progress to record
        ctx.reply(f"{_ASK[verb] if days is None else _ASK_REASON}(回复「取消」放弃)")
        return
    if verb is TaskAction.EXTEND and days is None:
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


def _said(text: str) -> PlainReply | None:
    """What a reply asks for: a command form ("办结 0042 …") first, then ordinary phrasing (bot/commands/task_plain)."""
    for verb, pattern in PATTERNS.items():
        m = pattern.match(text)
        if m:
            groups = m.groupdict()
            days = chinese_to_int(groups["days"]) if groups.get("days") else None
            return PlainReply(verb, (groups.get("rest") or "").strip(), groups.get("num") or groups.get("num2"), days)
    return read_plain(text)


HELP = ("回复示例:「收到」签收;「0042 已约双方明天调解」反馈进展;「办结 0042 双方达成协议」;"
        "「退回 0042 不属于本单位职责」;「0042 申请延期3天 当事人外出」")


async def try_plain_reply(ctx: Ctx, text: str) -> bool:
    """Apply a reply like "办结 0042 双方达成协议" or "已经联系上了,明天上午调解" to the right task; False when
    it is not a task reply (no open task, or chatter and questions, which the router answers)."""
    tasks = await my_open_tasks(ctx.staff.id)
    if not tasks:
        return False
    said = _said(text)
    numbers = await _case_numbers(tasks)
    if said is None:
        if kind_of(text) is not Kind.OTHER:
            return False
        ctx.reply(f"您的待办:{_list(tasks, numbers)}。\n{HELP}")
        return True
    if said.verb is TaskAction.SIGN and said.num is None and ctx.inbound.quoted_link_id is None:
        tasks = [t for t in tasks if TaskStatus(t.status) is TaskStatus.PENDING]  # "好的" signs what is unsigned
        if not tasks:
            return False  # everything is signed: an acknowledgement, nothing to do
    chosen = await _choose(ctx, tasks, numbers, said.num)
    if chosen is None:
        if said.num is None:
            await _ask_which(ctx, tasks, said)
        return True
    await _perform_or_ask(ctx, said.verb, chosen, numbers, said.rest, said.days)
    return True


MAX_PICKS = 5


async def _ask_which(ctx: Ctx, tasks: list[Task], said: PlainReply) -> None:
    """Several open tasks and no case named: one card per task to click, or the case number to reply."""
    await ctx.expect(Waiting.PICK_CASE, verb=said.verb.value, rest=said.rest, days=said.days)
    numbers = await _case_numbers(tasks)
    ctx.reply(f"您有多项待办:{_list(tasks, numbers)}。这条回复是关于哪一件?请回复案件编号,或在下面的卡片上点「就是这件」")
    for t in tasks[:MAX_PICKS]:
        await ctx.card_to_me("pick", case_id=t.case_id, task_id=t.id)


async def on_pick_button(ctx: Ctx, link: CardLink) -> None:
    state = await get_state(ctx.staff.id, ctx.now)
    if state.name != Waiting.PICK_CASE.value:
        ctx.reply("这个选择已处理或已过期,请重新发送您的回复")
        return
    tasks = await my_open_tasks(ctx.staff.id)
    chosen = next((t for t in tasks if t.id == link.task_id), None)
    if chosen is None:
        ctx.reply("该任务已不在您的待办中")
        return
    await ctx.done()
    d = state.data
    await _perform_or_ask(ctx, TaskAction(d["verb"]), chosen, await _case_numbers(tasks), str(d["rest"]), d.get("days"))


async def _perform_or_ask(ctx: Ctx, verb: TaskAction, task: Task, numbers: dict[int, str], rest: str,
                          days: int | None) -> None:
    if verb in _NEEDS_TEXT and not rest:
        await ctx.expect(Waiting.TASK_TEXT, verb=verb.value, task_id=task.id)
        ctx.reply(f"{_ASK[verb]}(案件 {numbers[task.case_id]})")
        return
    if verb is TaskAction.EXTEND and days and not rest:  # "能不能延期两天?": the days are said, the reason not
        await ctx.expect(Waiting.TASK_TEXT, verb=verb.value, task_id=task.id, days=days)
        ctx.reply(f"{_ASK_REASON}(案件 {numbers[task.case_id]},申请延期 {days} 个工作日)")
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
