"""The center's morning: the duty roster to the groups and the people on duty, the 会商研判 digests for
every period that ended yesterday, and the daily early-warning scan. Each runs once a day however many
engines run: the first to claim the day's key does it."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from bot.reports import chart
from bot.reports.markdown import render
from bot.types import Outbound, Target
from bot.warnings import on_spike
from core.clock import local
from core.models import GroupChat
from core.reports import digest
from core.reports.periods import Kind, finished_periods
from core.reports.warning import Spike, spikes
from core.roster import on_duty
from core.services.base import Domain
from scheduler.once import once
from scheduler.reception_jobs import lay_out, today_lines
from scheduler.screening_jobs import weekly_round

ROSTER_HOUR = 8
DIGEST_HOUR = 8
WEEKDAYS = "一二三四五六日"


async def _groups(feed: str) -> list[GroupChat]:
    return [g for g in await GroupChat.filter(active=True) if feed in g.receives]


def _names(duty: object) -> str:
    leader = getattr(duty, "leader", None)
    staff = getattr(duty, "staff", [])
    if leader is None and not staff:
        return "未排班(值班表未覆盖这一天,请导入值班表)"  # said in words, not a line of dashes
    return f"值班领导 {leader.name if leader else '-'},值班人员 {'、'.join(s.name for s in staff) or '-'}"


async def _roster(d: Domain) -> list[Outbound]:
    now = local(d.clock.now())
    today = await on_duty(now.date())
    lines = [f"【今日值班】{now:%m月%d日} 星期{WEEKDAYS[now.weekday()]}:{_names(today)}"]
    if now.weekday() == 0:
        lines.append("【本周值班】")
        for i in range(7):
            day = now.date() + timedelta(days=i)
            lines.append(f"{day:%m-%d} 星期{WEEKDAYS[day.weekday()]}:{_names(await on_duty(day))}")
    text = "\n".join(lines + await today_lines(now.date()))
    out = [Outbound(target=Target(kind="group", group_id=g.id), text=text) for g in await _groups("roster")]
    people = ([today.leader] if today.leader else []) + today.staff
    today_is = f"{now.month}月{now.day}日 星期{WEEKDAYS[now.weekday()]}"
    out += [Outbound(target=Target(staff_id=p.id),
                     text=f"【值班提醒】您今天({today_is})担任中心{'值班领导' if p is today.leader else '值班人员'}")
            for p in people]
    return out


async def roster_broadcast(d: Domain) -> bool:
    now = local(d.clock.now())
    if now.hour < ROSTER_HOUR:
        return False
    return await once(f"roster:{now.date()}", d.clock.now(), lambda: _roster(d)) is not None


async def _digests(d: Domain) -> list[Outbound]:
    now = local(d.clock.now())
    groups = await _groups("digest")
    out = []
    for period in finished_periods(now.date()):
        built = await digest.build(period.kind, period.first, d.clock.now())
        note = chart.empty_note(built)  # nothing to draw: said in words, no blank plot
        text = render(built) + (f"\n{note}" if note else "")
        image = base64.b64encode(chart.png(built)).decode() if groups and not note else ""
        out += [Outbound(target=Target(kind="group", group_id=g.id), text=text, markdown=True, image_png_b64=image)
                for g in groups]
    return out


async def publish_digests(d: Domain) -> int:
    now = local(d.clock.now())
    if now.hour < DIGEST_HOUR:
        return 0
    out = await once(f"digests:{now.date()}", d.clock.now(), lambda: _digests(d))
    return len(out or [])


async def warning_scan(d: Domain) -> int:
    now = local(d.clock.now())
    if now.hour < DIGEST_HOUR:
        return 0
    found: list[Spike] = []

    async def build() -> list[Outbound]:
        found.extend(await spikes(d.clock.now()))
        out = []
        for spike in found:
            out += await on_spike(spike)
        return out

    return len(found) if await once(f"spikes:{now.date()}", d.clock.now(), build) is not None else 0


def first_workday(d: Domain, day: date) -> date:
    first = day.replace(day=1)
    for i in range(31):
        if d.calendar.is_workday(first + timedelta(days=i)):
            return first + timedelta(days=i)
    return first


async def _bulletin(d: Domain, previous: date) -> list[Outbound]:
    groups = await _groups("bulletin")
    if not groups:
        return []
    # The documents pull in python-docx: imported only when there is a group to tell.
    from bot.documents import bulletin

    made = await bulletin.produce(Kind.MONTHLY, previous, d.clock.now())
    # Groups cannot be sent files on every platform: the .docx stays with the center (`maotiao report bulletin`).
    text = made.summary.replace("- 详见通报全文(附件)", "- 通报全文由中心另行印发")
    return [Outbound(target=Target(kind="group", group_id=g.id), text=text, markdown=True) for g in groups]


async def monthly_bulletin(d: Domain) -> int:
    """考核通报: the month before's summary to the groups fed `bulletin`, on the month's first working day from
    the digests' hour, once a month. Not caught up later: a bulletin days late is printed by hand instead."""
    now = local(d.clock.now())
    if now.hour < DIGEST_HOUR or now.date() != first_workday(d, now.date()):
        return 0
    previous = now.date().replace(day=1) - timedelta(days=1)
    out = await once(f"bulletin:{previous:%Y-%m}", d.clock.now(), lambda: _bulletin(d, previous))
    return len(out or [])


async def morning(d: Domain) -> None:
    await lay_out(d)  # first: the roster broadcast names today's 领导接访
    await roster_broadcast(d)
    await publish_digests(d)
    await warning_scan(d)
    await monthly_bulletin(d)
    await weekly_round(d)
