"""Hot look-ups whose SQL is built once a process, not once a query.

Tortoise builds a query's SQL afresh every time it runs: pypika copies the query at each builder step and
formats every column again, about 0.2 ms of CPU — half of a simple look-up's whole cost, and a handled
message runs dozens of them (issue 20 #7, bench/handling_cpu.py). A `Prepared` look-up builds its queryset
once per database driver with stand-in values, keeps the SQL and where each stand-in sits among the
parameters, and from then on runs that SQL with the real values through the model's own executor (rows
become model instances exactly as Tortoise's own select makes them; the connection is the one Tortoise would
choose now, so a transaction's look-ups stay in it).

Only for querysets whose SQL does not depend on the values: plain filters on int or str columns (an `__in`
list is part of the shape only when it is constant: a list passed in makes SQL that grows with it), no
`prefetch_related`/`select_related`, no `values()`. Building
checks that every stand-in reached the parameters, so a shape that inlines or drops a value fails at its
first use in the tests, not silently in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from tortoise.exceptions import DoesNotExist
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)

_INT_STAND_IN = 2_034_033_000  # an int4, far from any id, count or flag a filter could hold as a constant
_STR_STAND_IN = "\u2063stand-in-"  # an invisible separator no real filter value starts with


def _stand_in(kind: type, i: int) -> int | str:
    return _INT_STAND_IN + i if kind is int else f"{_STR_STAND_IN}{i}"


class Prepared(Generic[M]):
    """`build(*values)` → a queryset of `model`; run it as `await q.all(*values)` or `await q.first(*values)`."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]], *kinds: type,
                 for_write: bool = False) -> None:
        self._model = model
        self._build = build
        self._kinds = kinds  # int or str, one per argument of build
        self._for_write = for_write  # a select … FOR UPDATE: the connection Tortoise picks for writes
        self._compiled: dict[type, tuple[str, list[tuple[bool, Any]]]] = {}  # by executor: dialect and driver

    def _compile(self, db: Any) -> tuple[str, list[tuple[bool, Any]]]:
        stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self._kinds)]
        queryset = self._build(*stand_ins)
        queryset._db = db
        queryset._make_query()
        sql, params = queryset.query.get_parameterized_sql()
        slots: list[tuple[bool, Any]] = []  # (True, argument index) or (False, a constant of the shape)
        for value in params:
            slots.append((True, stand_ins.index(value)) if value in stand_ins else (False, value))
        missing = set(range(len(stand_ins))) - {index for is_arg, index in slots if is_arg}
        if missing:
            raise TypeError(f"prepared {self._model.__name__} look-up does not pass argument(s) {sorted(missing)} "
                            f"as parameters: its SQL would not follow the values ({sql})")
        return sql, slots

    async def all(self, *values: int | str) -> list[M]:
        db = self._model._choose_db(self._for_write)
        compiled = self._compiled.get(db.executor_class)
        if compiled is None:
            compiled = self._compiled[db.executor_class] = self._compile(db)
        sql, slots = compiled
        params = [values[v] if is_arg else v for is_arg, v in slots]
        rows: list[M] = await db.executor_class(model=self._model, db=db).execute_select(sql, params)
        return rows

    async def first(self, *values: int | str) -> M | None:
        rows = await self.all(*values)
        return rows[0] if rows else None

    async def get(self, *values: int | str | None) -> M:
        """As Model.get: the first row, or DoesNotExist (also for a None value, which names no row)."""
        found = None if None in values else await self.first(*values)  # type: ignore[arg-type]
        if found is None:
            raise DoesNotExist(self._model)
        return found
