"""The officer's side: task-card buttons and the same actions as plain replies ("收到", "办结 0042 …")."""

from __future__ import annotations

import re

from bot.context import Ctx
from bot.intake.numbers import chinese_to_int
from bot.types import Act
from core.clock import local
from core.enums import OPEN_TASK_STATUSES, Platform, ResultType
from core.models import CardLink, Case, Task
from core.numbering import parse_number
from core.results import result_from_text
from core.services import handling

NUM = r"(?:\d{4}-\d{1,6}|\d{1,6})"
_SEP = r"[\s,,::。]*"
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("sign", re.compile(rf"^(?:(?P<num>{NUM}){_SEP})?(?:收到|签收|已签收|好的收到|收到了|好的)(?:{_SEP}(?P<num2>{NUM}))?[。!!\s]*$")),
    ("resolve", re.compile(rf"^(?:(?P<num>{NUM}){_SEP})?(?:已办结|办结|结案)(?:{_SEP}(?P<num2>{NUM}))?{_SEP}(?P<rest>.*)$", re.S)),
    ("return", re.compile(rf"^(?:(?P<num>{NUM}){_SEP})?退回(?:{_SEP}(?P<num2>{NUM}))?{_SEP}(?P<rest>.*)$", re.S)),
    ("extend", re.compile(
        rf"^(?:(?P<num>{NUM}){_SEP})?(?:申请)?延期(?:{_SEP}(?P<num2>{NUM}){_SEP}(?=.*[天日]))?{_SEP}"
        rf"(?P<days>\d{{1,2}}|[一二两三四五六七八九十]{{1,3}})\s*(?:个)?(?:工作日|天|日){_SEP}(?P<rest>.*)$", re.S)),
    ("progress", re.compile(rf"^(?:进展|反馈)?{_SEP}(?P<num>{NUM}){_SEP}(?:进展|反馈)?{_SEP}(?P<rest>\S.*)$", re.S)),
]
_ASK = {
    "progress": "请回复进展情况",
    "extend": "请回复延期天数和理由,如:3天 当事人外出务工",
    "return": "请回复退回理由",
    "resolve": "请回复办结情况,如:双方达成调解协议,已履行",
}
_BUTTON = {Act.PROGRESS: "progress", Act.EXTEND: "extend", Act.RETURN_TASK: "return", Act.RESOLVE: "resolve"}


def result_type_of(text: str) -> ResultType:
    return result_from_text(text)


async def my_open_tasks(staff_id: int) -> list[Task]:
    return await Task.filter(assignee_id=staff_id, status__in=[s.value for s in OPEN_TASK_STATUSES]).order_by("-id")


async def perform(ctx: Ctx, verb: str, task_id: int, rest: str, days: int | None = None) -> None:
    src = Platform(ctx.inbound.platform)
    d, a = ctx.domain, ctx.actor
    if verb == "sign":
        ctx.took(await handling.sign(d, a, task_id, source=src))
    elif verb == "progress":
        ctx.took(await handling.progress(d, a, task_id, rest, source=src))
    elif verb == "return":
        ctx.took(await handling.return_task(d, a, task_id, rest, source=src))
    elif verb == "resolve":
        ctx.took(await handling.resolve_task(d, a, task_id, result_type_of(rest), rest, source=src))
    elif verb == "extend":
        ctx.took(await handling.request_extension(d, a, task_id, days or 0, rest, source=src))


async def on_action(ctx: Ctx, act: Act, link: CardLink) -> None:
    assert link.task_id is not None
    if act is Act.SIGN:
        await perform(ctx, "sign", link.task_id, "")
        return
    verb = _BUTTON[act]
    await ctx.expect("task_text", verb=verb, task_id=link.task_id)
    case = await Case.get(id=link.case_id)
    ctx.reply(f"{_ASK[verb]}(案件 {case.number},回复「取消」放弃)")


async def on_task_text(ctx: Ctx, verb: str, task_id: int, text: str) -> None:
    days = None
    if verb == "extend":
        m = re.match(r"^\s*(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:个)?(?:工作日|天|日)?[\s,,::]*(.*)$", text, re.S)
        if not m or not m.group(2).strip():
            ctx.reply("请按「天数 理由」回复,如:3天 当事人外出务工")
            return
        days, text = chinese_to_int(m.group(1)), m.group(2)
    await ctx.done()
    await perform(ctx, verb, task_id, text, days)


def _list(tasks: list[Task], numbers: dict[int, str]) -> str:
    return ";".join(f"{numbers[t.case_id]}(截止{local(t.deadline):%m-%d})" for t in tasks[:10])


async def try_plain_reply(ctx: Ctx, text: str) -> bool:
    """Apply a reply like "办结 0042 双方达成协议" to the right task; False when it is not a task reply."""
    tasks = await my_open_tasks(ctx.staff.id)
    if not tasks:
        return False
    for verb, pattern in PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        groups = m.groupdict()
        raw = groups.get("num") or groups.get("num2")
        rest = (groups.get("rest") or "").strip()
        days = chinese_to_int(groups["days"]) if groups.get("days") else None
        numbers = {c.id: c.number for c in await Case.filter(id__in=[t.case_id for t in tasks])}
        chosen = await _choose(ctx, tasks, numbers, raw)
        if chosen is None:
            if raw is None:
                await ctx.expect("pick_case", verb=verb, rest=rest, days=days)
                ctx.reply(f"您有多项待办:{_list(tasks, numbers)}。请回复案件编号")
            return True
        if verb in ("progress", "return", "resolve") and not rest:
            await ctx.expect("task_text", verb=verb, task_id=chosen.id)
            ctx.reply(f"{_ASK[verb]}(案件 {numbers[chosen.case_id]})")
            return True
        await perform(ctx, verb, chosen.id, rest, days)
        return True
    numbers = {c.id: c.number for c in await Case.filter(id__in=[t.case_id for t in tasks])}
    ctx.reply(f"您的待办:{_list(tasks, numbers)}。\n回复示例:「收到」签收;「0042 已约双方明天调解」反馈进展;"
              "「办结 0042 双方达成协议」;「退回 0042 不属于本单位职责」;「0042 申请延期3天 当事人外出」")
    return True


async def _choose(ctx: Ctx, tasks: list[Task], numbers: dict[int, str], raw: str | None) -> Task | None:
    if ctx.inbound.quoted_link_id is not None:
        link = await CardLink.get_or_none(id=ctx.inbound.quoted_link_id, staff_id=ctx.staff.id)
        if link and link.task_id:
            return next((t for t in tasks if t.id == link.task_id), None)
    if raw is not None:
        wanted = parse_number(raw, local(ctx.now).year)
        if wanted is None:
            ctx.reply(f"请回复案件编号,如 {numbers[tasks[0].case_id]}")
            return None
        found = [t for t in tasks if numbers[t.case_id] == wanted]
        if not found:
            ctx.reply(f"您没有案件 {wanted} 的待办任务")
            return None
        return found[0]
    return tasks[0] if len(tasks) == 1 else None


async def on_pick_case(ctx: Ctx, verb: str, rest: str, days: int | None, text: str) -> None:
    tasks = await my_open_tasks(ctx.staff.id)
    numbers = {c.id: c.number for c in await Case.filter(id__in=[t.case_id for t in tasks])}
    chosen = await _choose(ctx, tasks, numbers, text.strip())
    if chosen is None:
        return
    await ctx.done()
    if verb in ("progress", "return", "resolve") and not rest:
        await ctx.expect("task_text", verb=verb, task_id=chosen.id)
        ctx.reply(f"{_ASK[verb]}(案件 {numbers[chosen.case_id]})")
        return
    await perform(ctx, verb, chosen.id, rest, days)
