"""The center in plain words: 交办/改派 0042 with all six task fields (bot/commands/task_words.py), 改类 0042 劳资纠纷
before dispatch, and the leader's 审定 0042 <处置方案>. Everything said is checked before anything changes: an
unknown person or department, a deadline in the past or a reminder after it gets a Chinese reply and no change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands.args import CaseArgs, case_args
from bot.commands.center import _accept_if_new, _src, accept_and_dispatch, assignee_name, find_assignee
from bot.commands.task_words import USAGE, TaskWords, parse_task_words
from bot.context import Ctx
from core.enums import CaseStatus, Category, ReminderMethod, Severity
from core.models import Case, Department, Staff
from core.policy import load_policy
from core.regions import department_named
from core.services import recategorize, triage
from core.services.lookup import case_by_id


async def _case(ctx: Ctx, rest: str, usage: str) -> tuple[Case, CaseArgs] | None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply(usage)
        return None
    case = await Case.get_or_none(number=args.number)
    if case is None:
        ctx.reply(f"没有找到案件 {args.number}")
        return None
    return case, args


@dataclass
class _Resolved:
    staff: Staff
    department: Department | None
    cc: list[int] | None
    deadline: datetime | None
    remind_at: datetime | None


async def _people(ctx: Ctx, case: Case, words: TaskWords
                  ) -> tuple[Staff, Department | None, list[int] | None] | None:
    if words.assignee is None:
        ctx.reply("请写明交办给谁(承办人姓名或部门名称)。" + USAGE)
        return None
    people = await find_assignee(words.assignee, case)
    if len(people) != 1:
        ctx.reply(f"有 {len(people)} 位「{words.assignee}」,请改写其部门名称" if people
                  else f"没有找到承办人或部门「{words.assignee}」")
        return None
    department = await department_named(assignee_name(words.assignee), case.handling_region_id)
    cc: list[int] | None = None
    if words.cc is not None:
        cc = []
        for name in words.cc:
            found = await Staff.filter(name=name, active=True)
            if len(found) != 1:
                ctx.reply(f"抄送人「{name}」" + ("有重名,请核对" if found else "不在组织名单中"))
                return None
            cc.append(found[0].id)
    return people[0], department, cc


async def _times(ctx: Ctx, case: Case, words: TaskWords) -> tuple[datetime | None, datetime | None] | None:
    """The deadline and reminder time said (None: the org file's default for the case's severity)."""
    now, calendar = ctx.now, ctx.domain.calendar
    deadline = words.deadline_at or (calendar.shift(now, words.deadline_in) if words.deadline_in else None)
    if deadline is not None and deadline <= now:
        ctx.reply("截止时间必须晚于当前时间,未交办")
        return None
    remind_at = words.remind_at
    if words.remind_before is not None or remind_at is not None:
        default = (await load_policy()).task_defaults[Severity(case.severity)].deadline
        until = deadline or calendar.shift(now, default)
        if words.remind_before is not None:
            remind_at = calendar.shift(until, words.remind_before, backwards=True)
        if remind_at is None or not now < remind_at < until:
            ctx.reply("提醒时间必须在当前时间与截止时间之间,未交办")
            return None
        deadline = until
    return deadline, remind_at


async def _resolve(ctx: Ctx, case: Case, words: TaskWords) -> _Resolved | None:
    people = await _people(ctx, case, words)
    if people is None:
        return None
    times = await _times(ctx, case, words)
    if times is None:
        return None
    return _Resolved(people[0], people[1], people[2], *times)


async def _follow_department(ctx: Ctx, case: Case, department: Department | None) -> Case:
    """改派 to a department that does not take the case's category but takes exactly one: the category is
    corrected to it (kept as a labelled example), before dispatch only."""
    cats = department.categories if department is not None else []
    if len(cats) != 1 or case.category in cats or CaseStatus(case.status) not in recategorize.CORRECTABLE:
        return case
    ctx.took(await recategorize.recategorize(ctx.domain, ctx.actor, case.id, Category(cats[0]), source=_src(ctx)))
    return await case_by_id(case.id)


async def dispatch_words(ctx: Ctx, rest: str, *, follow_category: bool = False) -> None:
    """交办 0042 给司法所 抄送张伟 3个工作日 提前一天提醒 加急 诉求:……"""
    found = await _case(ctx, rest, USAGE)
    if found is None:
        return
    case, args = found
    words = parse_task_words(args.rest, ctx.now)
    if isinstance(words, str):
        ctx.reply(words)
        return
    await dispatch_task(ctx, case, words, follow_category=follow_category)


async def dispatch_task(ctx: Ctx, case: Case, words: TaskWords, *, follow_category: bool = False) -> bool:
    """The six fields, said in words or chosen on the center's form card, checked and dispatched as one task.
    False (with the Chinese reply said) when something is wrong: nothing changed then."""
    r = await _resolve(ctx, case, words)
    if r is None:
        return False
    if follow_category:
        case = await _follow_department(ctx, case, r.department)
    case = await _accept_if_new(ctx, case)
    status = CaseStatus(case.status)
    if status is CaseStatus.AWAITING_APPROVAL:
        ctx.reply(f"案件 {case.number} 需领导审定处置方案,审定后请再发送交办")
        return False
    if status not in (CaseStatus.ACCEPTED, CaseStatus.DISPATCHED):
        ctx.reply(f"案件 {case.number} 当前为「{status.label}」,无法交办")
        return False
    assignment = triage.Assignment(
        r.staff.id, cc=r.cc, deadline=r.deadline, remind_at=r.remind_at, content=words.content,
        reminder_method=words.method or ReminderMethod.CARD,
        department_id=r.department.id if r.department is not None else r.staff.department_id)
    ctx.took(await triage.dispatch(ctx.domain, ctx.actor, case.id, [assignment], source=_src(ctx)))
    return True


async def reassign_words(ctx: Ctx, rest: str) -> None:
    """改派 0042 给劳动保障所 [其余字段]: a dispatch whose department may correct the category."""
    await dispatch_words(ctx, rest, follow_category=True)


async def recategorize_words(ctx: Ctx, rest: str) -> None:
    """改类 0042 劳资纠纷"""
    found = await _case(ctx, rest, "请按「改类 案件编号 类别」回复,如:改类 0042 劳资纠纷")
    if found is None:
        return
    case, args = found
    category = await recategorize.category_named(args.rest)
    if category is None:
        ctx.reply(f"没有「{args.rest}」这个类别,可选:{recategorize.category_choices()}")
        return
    ctx.took(await recategorize.recategorize(ctx.domain, ctx.actor, case.id, category, source=_src(ctx)))


async def approve_words(ctx: Ctx, rest: str) -> None:
    """审定 0042 <处置方案>: the leader's plan for a 重要 case, then dispatch along the route."""
    found = await _case(ctx, rest, "请按「审定 案件编号 处置方案」回复,如:审定 0042 由劳动保障所牵头,三日内约谈老板")
    if found is None:
        return
    case, args = found
    ctx.took(await triage.approve_plan(ctx.domain, ctx.actor, case.id, args.rest, source=_src(ctx)))
    await accept_and_dispatch(ctx, await case_by_id(case.id))
