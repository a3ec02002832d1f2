"""Events are types: frozen all the way down, and every type has a handler in the bot's table."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import typing

import pytest

import core.services
from bot.notify import HANDLERS, notifications
from core.events import CaseSettled, DomainEvent, TaskReturned, event_types
from core.models import OutboxMessage
from tests.core.flows import reported


def _all_event_types() -> list[type[DomainEvent]]:
    """Every event type any verb can emit: import every verb module first, so none is missed."""
    for module in pkgutil.iter_modules(core.services.__path__, "core.services."):
        importlib.import_module(module.name)
    return event_types()


@pytest.mark.parametrize("cls", _all_event_types(), ids=lambda c: c.__name__)
def test_every_event_type_is_a_frozen_dataclass_without_mutable_fields(cls: type[DomainEvent]) -> None:
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        assert typing.get_origin(hints[f.name]) not in (list, dict, set), f"{cls.__name__}.{f.name}"
    assert [f.name for f in dataclasses.fields(cls)][:2] == ["case_id", "actor_id"]


def test_an_event_cannot_be_changed_after_it_is_made() -> None:
    event = TaskReturned(1, 2, "不属于本所职责", actor_id=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.reason = "改了"  # type: ignore[misc]
    assert event == TaskReturned(1, 2, "不属于本所职责", actor_id=3) and hash(event)


def test_every_event_type_has_exactly_one_handler_in_the_bot() -> None:
    types = set(_all_event_types())
    assert types - set(HANDLERS) == set(), "event types nobody announces"
    assert set(HANDLERS) - types == set(), "handlers for types that are not events"


async def test_an_event_without_a_handler_is_an_error_not_a_silent_drop(org, domain, monkeypatch) -> None:
    case = await reported(domain)
    monkeypatch.delitem(HANDLERS, CaseSettled)
    before = await OutboxMessage.all().count()
    with pytest.raises(LookupError, match="CaseSettled"):
        await notifications([CaseSettled(case.id)], domain.clock.now(), set())
    assert await OutboxMessage.all().count() == before
