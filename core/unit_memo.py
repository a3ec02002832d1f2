"""A memory for one unit of work (one handled message, one scheduler item), held in a context variable: the
shape shared by core/org_memo.py (organisation rows) and bot/cards/snapshot.py (a case's data for its cards)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")


class UnitMemo:
    """Answers remembered inside `block()`; outside one, every look-up loads afresh."""

    def __init__(self, name: str) -> None:
        self._var: ContextVar[dict[Any, Any] | None] = ContextVar(name, default=None)

    def current(self) -> dict[Any, Any] | None:
        """The open block's memory, or None outside any block."""
        return self._var.get()

    @contextmanager
    def block(self) -> Iterator[None]:
        """Remember until the block ends (nested: the outer block's memory is used)."""
        if self._var.get() is not None:
            yield
            return
        token = self._var.set({})
        try:
            yield
        finally:
            self._var.reset(token)

    async def remembered(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        """`load()`'s answer, once per block for `key` (a tuple naming what it loads and from what)."""
        memo = self._var.get()
        if memo is None:
            return await load()
        if key not in memo:
            memo[key] = await load()
        found: T = memo[key]
        return found
