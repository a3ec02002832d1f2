"""排查 in chat: a grid worker answers a round (零报告, or a finding that goes on to the report draft);
a leader starts a 专项排查 campaign (topic, area, period)."""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.commands import report
from bot.context import Ctx
from bot.screening_texts import prompt_text
from bot.types import Outbound, Target
from core.clock import DISPLAY_TZ, fmt_local, local
from core.enums import Platform, Role
from core.models import Screening
from core.regions import find_region
from core.services import screening

ZERO_WORDS = re.compile(r"^(零报告|无|没有|无矛盾纠纷|未发现)$")
CAMPAIGN = re.compile(r"^(\d{1,9})\s*(.*)$", re.S)  # 专项排查 <id> 零报告 | 专项排查 <id> 发现的情况
START = re.compile(r"^(.+?)\s+(\S+)\s+(?:(\d{1,2})\s*天|至?(\d{1,2})月(\d{1,2})日)$", re.S)
START_USAGE = "格式:发起专项排查 主题 区域 期限,例如:发起专项排查 山塘水库周边矛盾隐患 茶园乡 3天(或 至12月10日)"


def _src(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


async def _pending(ctx: Ctx) -> list[Screening]:
    return await screening.open_screenings(ctx.staff.id)


def _pending_text(rows: list[Screening]) -> str:
    if not rows:
        return "您当前没有待报送的排查"
    return "待报送的排查:\n" + "\n".join(f"· {screening.round_label(s.round)},截止 {fmt_local(s.round.due_at)}"
                                        for s in rows)


async def _answer(ctx: Ctx, row: Screening, text: str) -> None:
    if not text:
        ctx.reply(prompt_text(row.round))
    elif ZERO_WORDS.match(text):
        ctx.reply((await screening.zero_report(ctx.domain, ctx.actor, row.id, source=_src(ctx))).message)
    else:
        answered = await screening.record_finding(ctx.domain, ctx.actor, row.id, source=_src(ctx))
        ctx.reply(answered.message)
        await report.add(ctx, text)


async def zero(ctx: Ctx, _: str) -> None:
    """零报告: the weekly round if open, else the only campaign open."""
    rows = await _pending(ctx)
    this_week = [s for s in rows if s.round.kind == "weekly"]
    if this_week:
        await _answer(ctx, this_week[0], "零报告")
    elif len(rows) == 1:
        await _answer(ctx, rows[0], "零报告")
    elif rows:
        ctx.reply(_pending_text(rows) + "\n请回复「专项排查 编号 零报告」,编号见排查提醒")
    else:
        await weekly(ctx, "零报告")  # answered already, or nothing to answer


async def weekly(ctx: Ctx, rest: str) -> None:
    """排查 [零报告 | 发现的情况]: this week's screening (further findings welcome until the round closes)."""
    row = await Screening.filter(staff_id=ctx.staff.id, round__kind="weekly", round__close_at__isnull=False) \
        .exclude(status="missed").order_by("-round_id").prefetch_related("round").first()
    if row is not None:
        await _answer(ctx, row, rest)
    elif rest and not ZERO_WORDS.match(rest) and ctx.actor.has(Role.GRID_WORKER, Role.VILLAGE_MEDIATOR):
        ctx.reply("当前没有进行中的每周排查,已按上报处理")
        await report.add(ctx, rest)
    else:
        ctx.reply(_pending_text(await _pending(ctx)))


async def campaign(ctx: Ctx, rest: str) -> None:
    """专项排查 <编号> [零报告 | 发现的情况]."""
    m = CAMPAIGN.match(rest)
    if m is None:
        ctx.reply(_pending_text(await _pending(ctx)) + "\n格式:专项排查 编号 零报告,或 专项排查 编号 发现的情况")
        return
    row = await Screening.get_or_none(staff_id=ctx.staff.id, round_id=int(m.group(1))).prefetch_related("round")
    if row is None or row.round.kind != "campaign":
        ctx.reply(f"您没有编号为 {m.group(1)} 的专项排查")
        return
    await _answer(ctx, row, m.group(2).strip())


def _due(ctx: Ctx, m: re.Match[str]) -> datetime | None:
    if m.group(3):
        return screening.campaign_due(ctx.now, int(m.group(3)))
    today = local(ctx.now).date()
    try:
        last = date(today.year, int(m.group(4)), int(m.group(5)))
    except ValueError:
        return None
    if last < today:
        last = last.replace(year=today.year + 1)
    return datetime(last.year, last.month, last.day, screening.CAMPAIGN_CLOSES, tzinfo=DISPLAY_TZ)


async def start(ctx: Ctx, rest: str) -> None:
    """发起专项排查 主题 区域 期限."""
    m = START.match(rest.strip())
    if m is None:
        ctx.reply(START_USAGE)
        return
    due = _due(ctx, m)
    if due is None:
        ctx.reply(f"日期「{m.group(4)}月{m.group(5)}日」无法识别")
        return
    area = await find_region(m.group(2))
    opened = await screening.start_campaign(ctx.domain, ctx.actor, m.group(1).strip(), area.id, due,
                                            source=_src(ctx))
    r = opened.round
    ctx.out += [Outbound(target=Target(staff_id=s.staff_id), text=prompt_text(r)) for s in opened.screenings]
    ctx.reply(f"已发起专项排查「{r.topic}」(编号 {r.id}),范围 {area.name},{len(opened.screenings)} 名网格员须于 "
              f"{fmt_local(r.due_at)} 前报送;逾期未报的将列出名单")
