"""值班: the roster from a spreadsheet (all rows or none), swaps (调班) with who approved them, who is on duty."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.transactions import in_transaction

from core import audit
from core.enums import Platform, Role
from core.errors import InvalidInput, NotFound, Refused
from core.models import RosterEntry, RosterSwap, Staff
from core.regions import contains, staff_region
from core.services.base import Actor

_SPLIT = re.compile(r"[、,,;;\s]+")
HEADER = ("日期", "值班领导", "值班人员")


class RosterImportError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Duty:
    day: date
    leader: Staff | None
    staff: list[Staff]


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))


_Row = tuple[date, Staff | None, list[Staff]]


def _parse_row(i: int, cells: list[object], names: dict[str, Staff], problems: list[str]) -> _Row | None:
    """One sheet row as (day, leader, staff); None when it is a header or blank, or its date is bad."""
    if i == 1 and str(cells[0] or "").strip() == HEADER[0]:
        return None
    if not any(c not in (None, "") for c in cells[:3]):
        return None
    try:
        day = _day(cells[0])
    except ValueError:
        problems.append(f"第{i}行:日期「{cells[0]}」无法识别")
        return None
    people: list[Staff] = []
    leader = None
    for col, raw in ((2, cells[1]), (3, cells[2])):
        for name in [n for n in _SPLIT.split(str(raw or "")) if n]:
            if name not in names:
                problems.append(f"第{i}行第{col}列:「{name}」不在组织名单中")
            elif col == 2:
                leader = names[name]
            else:
                people.append(names[name])
    if leader is None and not people:
        problems.append(f"第{i}行:没有值班人")
    return day, leader, people


async def import_roster_xlsx(data: bytes) -> int:
    """Columns 日期 | 值班领导 | 值班人员 (names split by 、or commas). Any bad row: nothing is imported."""
    try:
        from openpyxl import load_workbook  # only here: ~30 MiB that `serve` otherwise never needs

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise RosterImportError([f"not an .xlsx workbook: {exc}"]) from None
    names = {s.name: s for s in await Staff.filter(active=True)}
    problems: list[str] = []
    parsed: list[_Row] = []
    for i, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        entry = _parse_row(i, [*row, None, None, None], names, problems)
        if entry is not None:
            parsed.append(entry)
    if problems:
        raise RosterImportError(problems)
    async with in_transaction():
        for day, leader, people in parsed:
            await RosterEntry.filter(day=day).delete()
            if leader:
                await RosterEntry.create(day=day, staff_id=leader.id, duty="leader")
            for s in dict.fromkeys(people):
                await RosterEntry.create(day=day, staff_id=s.id, duty="staff")
    return len(parsed)


async def on_duty(day: date) -> Duty:
    entries = await RosterEntry.filter(day=day).prefetch_related("staff").order_by("id")
    leader = next((e.staff for e in entries if e.duty == "leader"), None)
    return Duty(day, leader, [e.staff for e in entries if e.duty != "leader"])


async def _may_approve(actor: Actor, giver: Staff, taker: Staff) -> None:
    """An approver of the center both people work in (or above it), and never one of the two."""
    if actor.staff_id in (giver.id, taker.id):
        raise Refused("不能审批本人的调班,请由其他领导或调度员审批登记")
    for person in (giver, taker):
        region = await staff_region(person)
        if region is None or actor.scope_path is None or not contains(actor.scope_path, region.path):
            raise Refused(f"{person.name} 不在您的管辖范围内,无法审批其调班")


async def swap(actor: Actor, day: date, from_name: str, to_name: str, now: datetime, *,
               source: Platform = Platform.SYSTEM) -> RosterSwap:
    """调班, approved by a leader, dispatcher or admin of the people's own center: the change and the approver
    are recorded."""
    if not actor.has(Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.SECRETARY):
        raise Refused("调班需由领导、调度员或管理员审批登记")
    giver = await Staff.get_or_none(name=from_name, active=True)
    taker = await Staff.get_or_none(name=to_name, active=True)
    if giver is None or taker is None:
        raise NotFound(f"找不到「{from_name if giver is None else to_name}」")
    await _may_approve(actor, giver, taker)
    async with in_transaction():
        entry = await RosterEntry.filter(day=day, staff_id=giver.id).first()
        if entry is None:
            raise InvalidInput(f"{day:%m月%d日} {giver.name} 不在值班表上")
        if await RosterEntry.filter(day=day, staff_id=taker.id, duty=entry.duty).exists():
            raise InvalidInput(f"{taker.name} 当天已在值班")
        entry.staff_id = taker.id
        await entry.save(update_fields=["staff_id"])
        assert actor.staff_id is not None
        record = await RosterSwap.create(day=day, duty=entry.duty, from_staff_id=giver.id, to_staff_id=taker.id,
                                         approved_by_id=actor.staff_id, at=now)
        await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="roster_swap", entity="roster_swap", entity_id=record.id, case_id=None,
                           before={"day": day, "duty": entry.duty, "staff_id": giver.id},
                           after={"day": day, "duty": entry.duty, "staff_id": taker.id})
        return record
