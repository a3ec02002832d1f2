"""积案库 from chat: 积案 (the list: months open, last assessment), 积案 0042 包案 韩卫国 (a leader or dispatcher
puts a case in and names its 包案领导), 评估 0042 进展… 下一步… (the 包案领导's monthly assessment) and
销号 0042 已化解… (struck off with its result)."""

from __future__ import annotations

import re
from datetime import datetime

from bot.commands.args import case_and_match, case_args
from bot.context import Ctx
from core.clock import local
from core.enums import CaseStatus, Category, Platform, Role
from core.models import BacklogAssessment, Case, Region, Staff
from core.regions import contains
from core.services import aftercare, backlog
from core.services.lookup import case_by_number

CENTER_ROLES = (Role.LEADER.value, Role.SECRETARY.value, Role.DISPATCHER.value)
ADD_FORMAT = "格式:积案 0042 包案 韩卫国"
ASSESS_FORMAT = "格式:评估 0042 进展 已两次约谈双方 下一步 请司法所出具法律意见"
STRIKE_FORMAT = "格式:销号 0042 已化解 双方签订调解协议并履行完毕"
_LEADER = re.compile(r"^(?:由\s*)?(?:包案领导|包案)?[::\s]*(\S+?)\s*(?:包案)?$")
_ASSESSMENT = re.compile(r"^(?:本月)?(?:进展|进度)?[::\s]*(?P<done>.+?)[\s,,;;。]*下一步(?:工作|打算)?[::\s]*(?P<then>.+)$",
                         re.S)


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


def months_open(since: datetime | None, now: datetime) -> int:
    """Whole months since the case entered the 积案库 (local calendar)."""
    if since is None:
        return 0
    a, b = local(since), local(now)
    months = (b.year - a.year) * 12 + b.month - a.month
    return max(months - (1 if (b.day, b.time()) < (a.day, a.time()) else 0), 0)


async def _visible(ctx: Ctx) -> list[Case]:
    """The cases I lead, and for the center's roles every case in the 积案库 within my region tree."""
    cases = await Case.filter(backlog=True, backlog_struck_at=None).order_by("id")
    if not any(r in ctx.staff.roles for r in CENTER_ROLES) or ctx.actor.scope_path is None:
        return [c for c in cases if c.backlog_leader_id == ctx.staff.id]
    paths = {r.id: r.path for r in await Region.filter(id__in={c.handling_region_id for c in cases})}
    scope = ctx.actor.scope_path
    return [c for c in cases if c.backlog_leader_id == ctx.staff.id or contains(scope, paths[c.handling_region_id])]


async def _line(case: Case, now: datetime) -> str:
    leader = await Staff.get_or_none(id=case.backlog_leader_id) if case.backlog_leader_id else None
    months = months_open(case.backlog_at, now)
    age = f"已列入 {months} 个月" if months else "列入不足1个月"
    last = await BacklogAssessment.filter(case_id=case.id).order_by("-id").first()
    said = f"最近评估({last.month}):{last.progress};下一步:{last.next_step}" if last else "尚未评估"
    return (f"· {case.number} {Category(case.category).label} {CaseStatus(case.status).label},"
            f"包案 {leader.name if leader else '-'},{age}\n  {said}")


async def show(ctx: Ctx) -> None:
    cases = await _visible(ctx)
    if not cases:
        ctx.reply("您管辖范围内没有包案的积案" if any(r in ctx.staff.roles for r in CENTER_ROLES)
                  else "您目前没有包案的积案")
        return
    lines = [await _line(c, ctx.now) for c in cases]
    tail = []
    mine = [c for c in cases if c.backlog_leader_id == ctx.staff.id]
    if mine:
        tail.append(f"月度评估请回复「评估 {mine[0].number[-4:]} 进展… 下一步…」")
    if any(r in ctx.staff.roles for r in CENTER_ROLES):
        tail.append("化解后回复「销号 编号 化解结果」")
    ctx.reply(f"积案库({len(cases)} 件):\n" + "\n".join(lines) + ("\n" + ";".join(tail) if tail else ""))


async def add(ctx: Ctx, rest: str) -> None:
    found = case_and_match(rest, ctx.now, _LEADER)
    if found is None:
        ctx.reply(ADD_FORMAT)
        return
    number, m = found
    case = await case_by_number(number)
    leaders = await Staff.filter(name=m.group(1), active=True)
    if len(leaders) != 1:
        ctx.reply(f"找不到包案领导「{m.group(1)}」" if not leaders else f"有 {len(leaders)} 位「{m.group(1)}」,无法确定包案领导")
        return
    ctx.took(await aftercare.add_to_backlog(ctx.domain, ctx.actor, case.id, leaders[0].id, source=_src(ctx)))


async def assess(ctx: Ctx, rest: str) -> None:
    found = case_and_match(rest, ctx.now, _ASSESSMENT)
    if found is None:
        ctx.reply(ASSESS_FORMAT)
        return
    number, m = found
    case = await case_by_number(number)
    ctx.took(await backlog.assess(ctx.domain, ctx.actor, case.id, m.group("done"), m.group("then"),
                                  source=_src(ctx)))


async def strike(ctx: Ctx, rest: str) -> None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply(STRIKE_FORMAT)
        return
    case = await case_by_number(args.number)
    ctx.took(await aftercare.strike_off(ctx.domain, ctx.actor, case.id, source=_src(ctx), result=args.rest))
