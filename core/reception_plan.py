"""领导接访 schedule: the org file's `receptions:` (a leader, a weekday or dates, 上午/下午/全天, a place, how many
appointments one reception takes) laid out as Reception rows for the coming two weeks — by the morning rhythm
and whenever someone asks — once however many engines do it (the rows' unique key). Also the labels, the
reminder times (the day before at 16:00, the morning of at 07:30) and who counts as the center here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.clock import DISPLAY_TZ, local
from core.enums import Role
from core.models import Reception, Setting, Staff

RECEPTIONS_KEY = "receptions"
HORIZON = timedelta(days=14)
EVE_AT, MORNING_AT = time(16, 0), time(7, 30)
HALVES = {"上午": "am", "下午": "pm", "全天": ""}
HALF_LABELS = {v: k for k, v in HALVES.items()}
WEEKDAYS = "一二三四五六日"
DEFAULT_LIMIT = 10
CENTER_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.SECRETARY)  # who arranges and books


@dataclass(frozen=True)
class PlanEntry:
    leader: str
    weekday: int | None  # 1 = Monday … 7 = Sunday; None: on `dates` only
    dates: tuple[date, ...]
    half: str
    place: str
    limit: int

    def days(self, first: date, last: date) -> list[date]:
        """The days of this entry from `first` to `last`, both included."""
        if self.weekday is None:
            return [d for d in self.dates if first <= d <= last]
        n = (last - first).days + 1
        return [first + timedelta(days=i) for i in range(n) if (first + timedelta(days=i)).isoweekday() == self.weekday]


async def load_plan() -> list[PlanEntry]:
    row = await Setting.get_or_none(key=RECEPTIONS_KEY)
    value: dict[str, Any] = row.value if row else {}
    entries: list[dict[str, Any]] = value.get("entries", [])
    out = []
    for v in entries:
        out.append(PlanEntry(str(v["leader"]), v.get("day"), tuple(date.fromisoformat(d) for d in v.get("dates", [])),
                             HALVES.get(str(v.get("time", "上午")), "am"), str(v["place"]),
                             int(v.get("limit", DEFAULT_LIMIT))))
    return out


def day_label(day: date, half: str) -> str:
    return f"{day.month}月{day.day}日(周{WEEKDAYS[day.weekday()]}){HALF_LABELS.get(half, '')}"


def label(r: Reception, leader_name: str) -> str:
    """"12月9日(周三)上午 韩卫国 茶园乡矛调中心" — no citizen in it: safe wherever the reception is named."""
    return f"{day_label(r.day, r.half)} {leader_name} {r.place}"


def reminder_times(day: date, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The day before at 16:00 and the morning of at 07:30 (UTC), each None once past."""
    eve = datetime.combine(day - timedelta(days=1), EVE_AT, tzinfo=DISPLAY_TZ).astimezone(UTC)
    morning = datetime.combine(day, MORNING_AT, tzinfo=DISPLAY_TZ).astimezone(UTC)
    return (eve if eve > now else None), (morning if morning > now else None)


async def new_reception(now: datetime, *, kind: str, leader: Staff, day: date, half: str, place: str,
                        region_id: int | None, capacity: int, created_by_id: int | None) -> Reception:
    eve, morning = reminder_times(day, now)
    return await Reception.create(kind=kind, leader_id=leader.id, day=day, half=half, place=place,
                                  region_id=region_id, capacity=capacity, remind_eve_at=eve, remind_day_at=morning,
                                  created_by_id=created_by_id, created_at=now)


async def ensure_upcoming(now: datetime) -> int:
    """The plan's receptions from today for two weeks as rows (the ones already there left as they are: a
    reception cancelled or changed in chat stays so). The number created."""
    today = local(now).date()
    created = 0
    for entry in await load_plan():
        leader = await Staff.get_or_none(name=entry.leader, active=True)
        if leader is None:
            continue
        for day in entry.days(today, today + HORIZON):
            if await Reception.exists(kind="reception", leader_id=leader.id, day=day, half=entry.half):
                continue
            try:
                async with in_transaction():
                    await new_reception(now, kind="reception", leader=leader, day=day, half=entry.half,
                                        place=entry.place, region_id=leader.region_id, capacity=entry.limit,
                                        created_by_id=None)
                created += 1
            except IntegrityError:
                continue  # another engine laid it out a moment ago
    return created
