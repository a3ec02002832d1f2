"""领导接访 / 下访 in chat: 接访 (the coming ones), 接访安排 (the center arranges one), 预约接访 (the center books a
citizen), 下访 … 带件 … (a leader's visit with cases; their handlers are told), 接访结果 (what a case came to).
Citizens' names are shown in full to the leader and the center only, and never where a group could read them."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.commands.args import CASE_NUMBER, DAY, case_args, case_number, day_of
from bot.commands.people import person
from bot.context import Ctx
from bot.types import Outbound, Target
from core.clock import local
from core.enums import Platform
from core.masking import mask_keeping_case_numbers, mask_numbers
from core.models import Case, Reception, ReceptionItem, Region, Staff
from core.privacy import party_name
from core.reception_plan import DEFAULT_LIMIT, HALVES, HORIZON, ensure_upcoming, label
from core.services import receptions
from core.services.lookup import case_by_number

HALF = r"(上午|下午|全天)?"
SCHEDULE = re.compile(rf"^(\S+?)\s+({DAY})\s*{HALF}\s+(.+?)(?:\s+限\s*(\d+)\s*人?)?$")
BOOK = re.compile(rf"^({DAY})\s*{HALF}\s+(\S+)\s+(\S+)\s+(.+?)(?:\s+(?:案件)?[\[【(（]?({CASE_NUMBER})[\]】)）]?)?$")
VISIT = re.compile(rf"^(?:(\S+?)\s+)?({DAY})\s*{HALF}\s+(\S+?)(?:\s*带件\s*(.*))?$")
SCHEDULE_USAGE = "格式:接访安排 韩卫国 12月10日上午 矛调中心(可加:限10人)"
BOOK_USAGE = "格式:预约接访 12月10日 韩卫国 张某某 土地补偿(可加案件编号:0042)"
CANCEL = re.compile(rf"^({DAY})\s*{HALF}\s+(\S+)$")
CANCEL_USAGE = "格式:取消接访 12月10日上午 韩卫国,或 取消下访 12月12日 韩卫国"
VISIT_USAGE = "格式:下访 12月12日 荷花村 带件 0042 0051(替其他领导安排:下访 韩卫国 12月12日 荷花村 …)"


def _source(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


def _day(ctx: Ctx, text: str) -> date | None:
    """A day as written; without a year, the next one to come (in December, 1月5日 is next January)."""
    today = local(ctx.now).date()
    try:
        day = day_of(text, today)
        if str(day.year) not in text and day < today - timedelta(days=60):
            day = day.replace(year=day.year + 1)
    except ValueError:
        ctx.reply("日期无法识别,请写成 12月10日 或 12-10")
        return None
    return day


async def _sees_names(ctx: Ctx, r: Reception) -> bool:
    if ctx.inbound.is_group:
        return False
    return ctx.staff.id == r.leader_id or await receptions.in_center(ctx.actor, r.region_id)


async def show(ctx: Ctx) -> None:
    await ensure_upcoming(ctx.now)
    today = local(ctx.now).date()
    rows = await Reception.filter(status="planned", day__gte=today, day__lte=today + HORIZON) \
        .order_by("day", "half", "id").prefetch_related("leader")
    if not rows:
        ctx.reply("近两周没有领导接访或下访安排")
        return
    lines = ["近两周领导接访、下访安排:"]
    for r in rows:
        items = await ReceptionItem.filter(reception_id=r.id).order_by("id").prefetch_related("case")
        if r.kind == "visit":
            cases = "、".join(i.case.number for i in items if i.case)
            lines.append(f"· 【下访】{label(r, r.leader.name)}" + (f",带件:{cases}" if cases else ""))
            continue
        lines.append(f"· 【接访】{label(r, r.leader.name)},已预约 {len(items)}/{r.capacity} 人")
        full = await _sees_names(ctx, r)
        for i in items:
            who = i.citizen if full else party_name(i.citizen, 0, "surname")
            lines.append(f"  - {who}:{mask_numbers(i.matter)}" + (f"(案件 {i.case.number})" if i.case else ""))
    ctx.reply("\n".join(lines))


async def schedule(ctx: Ctx, rest: str) -> None:
    m = SCHEDULE.match(rest)
    if m is None:
        ctx.reply(SCHEDULE_USAGE)
        return
    leader = await person(ctx, m.group(1), "接访领导")
    day = _day(ctx, m.group(2))
    if leader is None or day is None:
        return
    limit = int(m.group(5)) if m.group(5) else DEFAULT_LIMIT
    ctx.took(await receptions.schedule(ctx.domain, ctx.actor, leader, day, HALVES[m.group(3) or "全天"],
                                       m.group(4), capacity=limit, source=_source(ctx)))


async def _reception(ctx: Ctx, leader_id: int, day: date, half: str | None) -> Reception | None:
    await ensure_upcoming(ctx.now)
    found = await Reception.filter(kind="reception", status="planned", leader_id=leader_id, day=day)
    if half is not None:
        found = [r for r in found if r.half == HALVES[half]]
    if len(found) == 1:
        return found[0]
    if found:
        ctx.reply("当天有上午、下午两场接访,请注明:如 预约接访 12月10日上午 …")
    else:
        ctx.reply(f"{day.month}月{day.day}日{half or ''}没有这位领导的接访安排(先由中心「接访安排」,或发「接访」查看)")
    return None


async def book(ctx: Ctx, rest: str) -> None:
    m = BOOK.match(rest)
    if m is None:
        ctx.reply(BOOK_USAGE)
        return
    day = _day(ctx, m.group(1))
    leader = await person(ctx, m.group(3), "接访领导") if day else None
    r = await _reception(ctx, leader, day, m.group(2)) if leader and day else None
    if r is None:
        return
    number = case_number(m.group(6), ctx.now) if m.group(6) else None
    case_id = (await case_by_number(number)).id if number else None
    ctx.took(await receptions.book(ctx.domain, ctx.actor, r.id, m.group(4), m.group(5), case_id,
                                   source=_source(ctx)))


async def _village(ctx: Ctx, name: str) -> Region | None:
    found = await Region.filter(name=name, active=True)
    if len(found) != 1:
        ctx.reply(f"「{name}」{'不在区域名单中' if not found else '有重名,请写全称'}")
        return None
    return found[0]


async def visit(ctx: Ctx, rest: str) -> None:
    m = VISIT.match(rest)
    if m is None:
        ctx.reply(VISIT_USAGE)
        return
    leader = await person(ctx, m.group(1), "下访领导") if m.group(1) else ctx.staff.id
    day = _day(ctx, m.group(2))
    village = await _village(ctx, m.group(4)) if leader and day else None
    if leader is None or day is None or village is None:
        return
    case_ids = []
    for text in (t for t in re.split(r"[、,,\s]+", m.group(5) or "") if t):
        number = case_number(text, ctx.now)
        if number is None:
            ctx.reply(f"「{text}」不是案件编号。{VISIT_USAGE}")
            return
        case_ids.append((await case_by_number(number)).id)
    half = HALVES[m.group(3) or "全天"]
    before = {r["case_id"] for r in await ReceptionItem.filter(
        reception__kind="visit", reception__leader_id=leader, reception__day=day, reception__half=half).values("case_id")}
    outcome = await receptions.plan_visit(ctx.domain, ctx.actor, leader, day, half, village.id, case_ids,
                                          source=_source(ctx))
    ctx.took(outcome)
    new = [c for c in dict.fromkeys(case_ids) if c not in before]
    if outcome.changed and new:
        await _tell_handlers(ctx, await Reception.get(kind="visit", leader_id=leader, day=day, half=half), new)


async def _tell_handlers(ctx: Ctx, r: Reception, case_ids: list[int]) -> None:
    """Each new case's handlers (not the one who wrote): the case goes on the visit, bring its file."""
    leader = await Staff.get(id=r.leader_id)
    for case in await Case.filter(id__in=case_ids).order_by("id"):
        text = (f"【带件下访】案件 {case.number} 将由 {label(r, leader.name)} 带件下访,请准备案件材料并陪同;"
                f"下访后回复「接访结果 {case.number[-4:]} 情况」登记结果")
        ctx.out += [Outbound(target=Target(staff_id=s), text=text)
                    for s in await receptions.handlers_of(case.id) if s != ctx.staff.id]


async def cancel(ctx: Ctx, rest: str, kind: str) -> None:
    m = CANCEL.match(rest)
    if m is None:
        ctx.reply(CANCEL_USAGE)
        return
    day = _day(ctx, m.group(1))
    leader = await person(ctx, m.group(3), "接访领导") if day else None
    if leader is None or day is None:
        return
    await ensure_upcoming(ctx.now)
    found = [r for r in await Reception.filter(kind=kind, status="planned", leader_id=leader, day=day)
             if m.group(2) is None or r.half == HALVES[m.group(2)]]
    if len(found) != 1:
        ctx.reply("当天有两场,请注明上午或下午" if found else f"{day.month}月{day.day}日没有这位领导的这项安排")
        return
    bookers = {i.booked_by_id for i in await ReceptionItem.filter(reception_id=found[0].id) if i.booked_by_id}
    outcome = await receptions.cancel(ctx.domain, ctx.actor, found[0].id, source=_source(ctx))
    ctx.took(outcome)
    ctx.out += [Outbound(target=Target(staff_id=s), text=f"【接访取消】{outcome.message.removeprefix('已取消')},"
                                                         "您登记的预约请及时告知群众改约")
                for s in sorted(bookers) if s != ctx.staff.id]


async def result(ctx: Ctx, rest: str) -> None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply("格式:接访结果 0042 领导当场答复,群众表示理解")
        return
    case = await case_by_number(args.number)
    ctx.took(await receptions.record_outcome(ctx.domain, ctx.actor, case.id, args.rest, source=_source(ctx)))


async def case_lines(case_id: int) -> list[str]:
    """The receptions and visits a case went to, with what it came to, for 查询 (no citizen named)."""
    lines = []
    for item in await ReceptionItem.filter(case_id=case_id).order_by("id").prefetch_related("reception__leader"):
        r = item.reception
        what = "下访" if r.kind == "visit" else "接访"
        state = "已取消" if r.status != "planned" else (
            f"结果:{mask_keeping_case_numbers(item.outcome)}" if item.outcome else "待登记结果")
        lines.append(f"领导{what}:{label(r, r.leader.name)}({state})")
    return lines
