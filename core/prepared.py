"""Hot look-ups whose SQL is built once a process, not once a query.

Tortoise builds a query's SQL afresh every time it runs: pypika copies the query at each builder step and
formats every column again, about 0.2 ms of CPU — half of a simple look-up's whole cost, and a handled
message runs dozens of them (issue 20 #7, bench/handling_cpu.py). A `Prepared` look-up builds its queryset
once per database driver with stand-in values, keeps the SQL and where each stand-in sits among the
parameters, and from then on runs that SQL with the real values through the model's own executor (rows
become model instances exactly as Tortoise's own select makes them; the connection is the one Tortoise would
choose now, so a transaction's look-ups stay in it).

Only for querysets whose SQL does not depend on the values: plain filters on int, str or datetime columns (an
`__in` list is part of the shape only when it is constant: a list passed in makes SQL that grows with it), no
`prefetch_related`/`select_related`, no `values()`. Building checks that every stand-in reached the parameters
unchanged, so a shape that inlines, converts or drops a value fails at its first use in the tests, not silently
in production. `PreparedUpdate` does the same for a hot `Model.filter(…).update(…)`: its SET values are
parameters too, passed as the field converts them (an aware datetime, an int or a str are passed as they are).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from tortoise.exceptions import DoesNotExist
from tortoise.models import Model
from tortoise.queryset import QuerySet, UpdateQuery

M = TypeVar("M", bound=Model)

_INT_STAND_IN = 2_034_033_000  # an int4, far from any id, count or flag a filter could hold as a constant
_STR_STAND_IN = "\u2063stand-in-"  # an invisible separator no real filter value starts with
_TIME_STAND_IN = datetime(2003, 3, 3, 3, 3, 3, tzinfo=UTC)  # plus i µs: no real event is that old
Value = int | str | datetime


def _stand_in(kind: type, i: int) -> Value:
    if kind is datetime:
        return _TIME_STAND_IN + timedelta(microseconds=i)
    return _INT_STAND_IN + i if kind is int else f"{_STR_STAND_IN}{i}"


def _slots(model: type[Model], stand_ins: Sequence[Value], sql: str, params: Sequence[Any]) -> list[tuple[bool, Any]]:
    """Where each parameter comes from: (True, argument index) or (False, a constant of the shape)."""
    slots: list[tuple[bool, Any]] = []
    for value in params:
        hit = [i for i, s in enumerate(stand_ins) if type(s) is type(value) and s == value]
        slots.append((True, hit[0]) if hit else (False, value))
    missing = set(range(len(stand_ins))) - {index for is_arg, index in slots if is_arg}
    if missing:
        raise TypeError(f"prepared {model.__name__} query does not pass argument(s) {sorted(missing)} "
                        f"as parameters: its SQL would not follow the values ({sql})")
    return slots


class _Shape(Generic[M]):
    """A query of `model` built once per executor class (dialect and driver) from stand-ins, run with values."""

    def __init__(self, model: type[M], build: Callable[..., Any], kinds: tuple[type, ...]) -> None:
        self._model = model
        self._build = build
        self._kinds = kinds  # int, str or datetime, one per argument of build
        self._compiled: dict[type, tuple[str, list[tuple[bool, Any]]]] = {}
        self._annotations: list[str] = []  # an annotation's value is set on each row, as Tortoise's select does

    def _statement(self, db: Any, values: Sequence[Value]) -> tuple[str, list[Any]]:
        compiled = self._compiled.get(db.executor_class)
        if compiled is None:
            stand_ins = [_stand_in(kind, i) for i, kind in enumerate(self._kinds)]
            query = self._build(*stand_ins)
            query._db = db
            query._make_query()
            self._annotations = list(getattr(query, "_annotations", {}))
            sql, params = query.query.get_parameterized_sql()
            compiled = self._compiled[db.executor_class] = sql, _slots(self._model, stand_ins, sql, params)
        sql, slots = compiled
        return sql, [values[v] if is_arg else v for is_arg, v in slots]


class Prepared(_Shape[M]):
    """`build(*values)` → a queryset of `model`; run it as `await q.all(*values)` or `await q.first(*values)`."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]], *kinds: type,
                 for_write: bool = False) -> None:
        super().__init__(model, build, kinds)
        self._for_write = for_write  # a select … FOR UPDATE: the connection Tortoise picks for writes

    async def all(self, *values: Value) -> list[M]:
        db = self._model._choose_db(self._for_write)
        sql, params = self._statement(db, values)
        rows: list[M] = await db.executor_class(model=self._model, db=db).execute_select(
            sql, params, custom_fields=self._annotations)
        return rows

    async def first(self, *values: Value) -> M | None:
        rows = await self.all(*values)
        return rows[0] if rows else None

    async def get(self, *values: Value | None) -> M:
        """As Model.get: the first row, or DoesNotExist (also for a None value, which names no row)."""
        found = None if None in values else await self.first(*values)  # type: ignore[arg-type]
        if found is None:
            raise DoesNotExist(self._model)
        return found


class PreparedUpdate(_Shape[M]):
    """`build(*values)` → `Model.filter(…).update(…)`; `await u.run(*values)` → how many rows it changed. Runs on
    the connection Tortoise would write on now (the caller's transaction, if any)."""

    def __init__(self, model: type[M], build: Callable[..., UpdateQuery], *kinds: type) -> None:
        super().__init__(model, build, kinds)

    async def run(self, *values: Value) -> int:
        db = self._model._choose_db(True)
        changed: int = (await db.execute_query(*self._statement(db, values)))[0]
        return changed


async def update_returning(query: UpdateQuery, *columns: str) -> list[dict[str, Any]]:
    """Run a `Model.filter(…).update(…)` and return `columns` of each row it changed (UPDATE … RETURNING, on
    PostgreSQL and on SQLite from 3.35): which rows of many a claim won, in one statement, where `update()` alone
    says only how many."""
    query._choose_db_if_not_chosen(True)
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    returning = ", ".join(f'"{column}"' for column in columns)
    return list(await query._db.execute_query_dict(f"{sql} RETURNING {returning}", params))
