"""Organisation rows remembered for the length of one unit of work (one handled message, one scheduler item).

Handling a message renders the same case's cards for several people, and each render looked up the same
region, reporter, viewer and department again (issue 20: ~20 of ~56 statements a message). Inside `remembering()`
those look-ups are answered from a dict after the first; outside it they go to the database as before.

Only organisation rows are remembered (regions, departments, staff, and lists derived from them such as a
region's dispatchers), and only within one unit: the organisation changes by `maotiao org import` (in any
process, committed at once), never by the work done while handling a message, so a unit sees the
organisation as it was when it first looked — exactly what it saw before when reading it inside its
transaction.

Across units, a process keeps what its units loaded for as long as the organisation's version (core/org_version.py,
kept by database triggers, so every writer in every process is seen) stays the same: a unit asks the version once,
on its first look-up, and uses what earlier units loaded under that version; a new version empties the store. A
unit that writes the organisation (`forget`) neither reads nor feeds that store. Callers must not modify the rows
they get: other units share them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from tortoise.exceptions import DoesNotExist

from core import org_version
from core.models import Department, Region, Staff
from core.unit_memo import UnitMemo

T = TypeVar("T")
_unit = UnitMemo("org_memo")
_VERSION = ("org version",)  # a unit's memo: the version it saw, or None when it keeps nothing across units


class _Shared:
    """What this process's units loaded under one organisation version."""

    version: tuple[str, int] | None = None
    rows: dict[Any, Any] = {}


def _shared_for(memo: dict[Any, Any]) -> dict[Any, Any] | None:
    """The process's store when this unit may use it (its version is the store's), else None."""
    version = memo.get(_VERSION)
    return _Shared.rows if version is not None and version == _Shared.version else None


async def _see_version(memo: dict[Any, Any]) -> None:
    """Once per unit: the organisation's version now; a store kept under another one is emptied."""
    if _VERSION not in memo:
        _take_version(memo, await org_version.current())


def _take_version(memo: dict[Any, Any], version: tuple[str, int] | None) -> None:
    memo[_VERSION] = version
    if version is not None and version != _Shared.version:
        _Shared.version, _Shared.rows = version, {}


def saw_version(version: tuple[str, int] | None) -> None:
    """The unit has read the organisation's version already (beside another row, `org_version.beside`): its
    look-ups need not ask again. Outside a unit, or once the unit asked, nothing changes."""
    memo = _unit.current()
    if memo is not None and _VERSION not in memo and version is not None:
        _take_version(memo, version)


def _keep(memo: dict[Any, Any], shared: dict[Any, Any] | None, key: Any, value: Any) -> None:
    """Put what a unit loaded in the process's store too, while the unit still sees the version it was kept under."""
    if shared is not None and _shared_for(memo) is shared:
        shared[key] = value


def remembering() -> AbstractContextManager[None]:
    """Remember organisation look-ups until the block ends (nested: the outer block's memory is used)."""
    return _unit.block()


async def remembered(key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s answer, once per unit for `key` (a tuple naming what it loads and from what)."""
    memo = _unit.current()
    if memo is None:
        return await load()
    if key not in memo:
        await _see_version(memo)
        shared = _shared_for(memo)
        if shared is not None and key in shared:
            memo[key] = shared[key]
        else:
            memo[key] = await load()
            _keep(memo, shared, key, memo[key])
    found: T = memo[key]
    return found


async def region(region_id: int) -> Region:
    """Region.get(id=…): raises DoesNotExist for an unknown id."""
    return await remembered(("region", region_id), lambda: Region.get(id=region_id))


async def department(department_id: int) -> Department:
    """Department.get(id=…): raises DoesNotExist for an unknown id."""
    return await remembered(("department", department_id), lambda: Department.get(id=department_id))


async def staff(staff_id: int) -> Staff | None:
    """Staff.get_or_none(id=…), active or not."""
    return await remembered(("staff", staff_id), lambda: Staff.get_or_none(id=staff_id))


async def active_staff(staff_id: int) -> Staff | None:
    """Staff.get_or_none(id=…, active=True)."""
    found = await staff(staff_id)
    return found if found is not None and found.active else None


async def known_staff(staff_id: int) -> Staff:
    """Staff.get(id=…): raises DoesNotExist for an unknown id."""
    found = await staff(staff_id)
    if found is None:
        raise DoesNotExist(Staff)
    return found


async def region_or_none(region_id: int) -> Region | None:
    """Region.get_or_none(id=…)."""
    try:
        return await region(region_id)
    except DoesNotExist:
        return None


async def department_or_none(department_id: int | None) -> Department | None:
    """Department.get_or_none(id=…); None for no id."""
    if department_id is None:
        return None
    try:
        return await department(department_id)
    except DoesNotExist:
        return None


def forget(key: tuple[Any, ...]) -> None:
    """Drop what this unit remembers under `key` (after writing what it was loaded from)."""
    memo = _unit.current()
    if memo is not None:
        memo.pop(key, None)
        memo[_VERSION] = None  # a unit that writes keeps what it reads to itself
    _Shared.rows.pop(key, None)


async def staff_by_ids(ids: Iterable[int]) -> dict[int, Staff]:
    """Staff rows (active or not) by id: those not yet remembered in one query. Instead of prefetching a
    list's people, which loads them again for every list a unit renders."""
    wanted = set(ids)
    memo = _unit.current()
    if memo is None:
        return {s.id: s for s in await Staff.filter(id__in=list(wanted))} if wanted else {}
    await _see_version(memo)
    shared = _shared_for(memo)
    for i in wanted:
        if shared is not None and ("staff", i) not in memo and ("staff", i) in shared:
            memo[("staff", i)] = shared[("staff", i)]
    missing = [i for i in wanted if ("staff", i) not in memo]
    if missing:
        loaded = {s.id: s for s in await Staff.filter(id__in=missing)}
        for i in missing:  # remembered as staff() remembers: None for an id that is not there
            memo[("staff", i)] = loaded.get(i)
            _keep(memo, shared, ("staff", i), loaded.get(i))
    return {i: memo[("staff", i)] for i in wanted if memo.get(("staff", i)) is not None}
