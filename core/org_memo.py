"""Organisation rows remembered for the length of one unit of work (one handled message, one scheduler item).

Handling a message renders the same case's cards for several people, and each render looked up the same
region, reporter, viewer and department again (issue 20: ~20 of ~56 statements a message). Inside `remembering()`
those look-ups are answered from a dict after the first; outside it they go to the database as before.

Only organisation rows are remembered (regions, departments, staff, and lists derived from them such as a
region's dispatchers), and only within one unit: the organisation changes by `maotiao org import` (in any
process, committed at once), never by the work done while handling a message, so a unit sees the
organisation as it was when it first looked — exactly what it saw before when reading it inside its
transaction — and the next unit looks again. Nothing is kept across units, so several processes and a
re-import need no invalidation. Callers must not modify the rows they get."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from tortoise.exceptions import DoesNotExist

from core.models import Department, Region, Staff

T = TypeVar("T")
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("org_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Remember organisation look-ups until the block ends (nested: the outer block's memory is used)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


async def remembered(key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
    """`load()`'s answer, once per unit for `key` (a tuple naming what it loads and from what)."""
    memo = _memo.get()
    if memo is None:
        return await load()
    if key not in memo:
        memo[key] = await load()
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


def forget(key: tuple[Any, ...]) -> None:
    """Drop what this unit remembers under `key` (after writing what it was loaded from)."""
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


async def staff_by_ids(ids: Iterable[int]) -> dict[int, Staff]:
    """Staff rows (active or not) by id: those not yet remembered in one query. Instead of prefetching a
    list's people, which loads them again for every list a unit renders."""
    wanted = set(ids)
    memo = _memo.get()
    if memo is None:
        return {s.id: s for s in await Staff.filter(id__in=list(wanted))} if wanted else {}
    missing = [i for i in wanted if ("staff", i) not in memo]
    if missing:
        for s in await Staff.filter(id__in=missing):
            memo[("staff", s.id)] = s
    return {i: memo[("staff", i)] for i in wanted if memo.get(("staff", i)) is not None}
