"""领导接访 / 下访 reminders: the leader is told the day before (16:00) and the morning of (07:30), with the
citizens booked (预约接访) or the cases taken along (带件下访). Each claims its reception's column in the same
transaction as its message, so two schedulers send once. A direct message to the leader only, never handed to
an AB岗 backup: it names citizens, whom only the leader and the center may see."""

from __future__ import annotations

from datetime import date, datetime

from tortoise.transactions import in_transaction

from bot.outbox import enqueue
from bot.types import Outbound, Target
from core.enums import CaseStatus
from core.masking import mask_numbers
from core.models import Case, Reception, ReceptionItem, Staff
from core.reception_plan import ensure_upcoming, label
from core.services.base import Domain

RULES = (("remind_reception_eve", "remind_eve_at", "明天"), ("remind_reception_day", "remind_day_at", "今天"))


async def agenda(r: Reception) -> list[str]:
    """The lines under a reception as its leader (or the center) sees them: citizens' names in full."""
    items = await ReceptionItem.filter(reception_id=r.id).order_by("id")
    cases = {c.id: c for c in await Case.filter(id__in=[i.case_id for i in items if i.case_id])}
    lines = []
    for n, item in enumerate(items, start=1):
        case = cases.get(item.case_id) if item.case_id else None
        ref = f"案件 {case.number}({CaseStatus(case.status).label})" if case else ""
        if r.kind == "visit":
            lines.append(f"{n}. {ref}")
        else:
            lines.append(f"{n}. {item.citizen}:{mask_numbers(item.matter)}" + (f"({ref})" if ref else ""))
    return lines


async def _remind(d: Domain, reception_id: int, column: str, when: str) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await Reception.filter(id=reception_id, status="planned", **{f"{column}__lte": now}) \
                .update(**{column: None}):
            return False
        r = await Reception.get(id=reception_id)
        leader = await Staff.get(id=r.leader_id)
        lines = await agenda(r)
        if r.kind == "visit":
            head = f"【下访提醒】{when} {label(r, leader.name)} 下访" + (f",带件 {len(lines)} 件:" if lines else "")
        else:
            head = f"【接访提醒】{when} {label(r, leader.name)} 领导接访," + \
                   (f"已预约 {len(lines)} 人:" if lines else "暂无预约")
        tail = "\n接访后请回复「接访结果 案件编号 情况」登记结果" if any("案件" in line for line in lines) else ""
        await enqueue([Outbound(target=Target(staff_id=r.leader_id), text="\n".join([head, *lines]) + tail)], now)
    return True


async def remind_reception_eve(d: Domain, reception_id: int) -> bool:
    return await _remind(d, reception_id, "remind_eve_at", "明天")


async def remind_reception_day(d: Domain, reception_id: int) -> bool:
    return await _remind(d, reception_id, "remind_day_at", "今天")


async def today_lines(day: date) -> list[str]:
    """Today's receptions and visits for the morning roster broadcast: leader, place and how many are booked,
    never who (it goes to groups)."""
    lines = []
    for r in await Reception.filter(status="planned", day=day).order_by("half", "id").prefetch_related("leader"):
        n = await ReceptionItem.filter(reception_id=r.id).count()
        if r.kind == "visit":
            lines.append(f"【今日领导下访】{label(r, r.leader.name)}" + (f",带件 {n} 件" if n else ""))
        else:
            lines.append(f"【今日领导接访】{label(r, r.leader.name)},已预约 {n} 人")
    return lines


async def lay_out(d: Domain) -> int:
    """The org file's reception plan for the coming two weeks (the morning rhythm)."""
    return await ensure_upcoming(d.clock.now())


async def due_rows(now: datetime, limit: int) -> list[tuple[str, int, datetime]]:
    """(job, id, due) of what is due, for the sweep (scheduler/sweep.py)."""
    out: list[tuple[str, int, datetime]] = []
    for job, column, _ in RULES:
        rows = await Reception.filter(status="planned", **{f"{column}__lte": now}).order_by(column).limit(limit) \
            .values_list("id", column)
        out += [(job, int(i), at) for i, at in rows]
    return out


JOBS = {"remind_reception_eve": remind_reception_eve, "remind_reception_day": remind_reception_day}
