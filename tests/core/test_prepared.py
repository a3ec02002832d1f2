"""A prepared look-up (core/prepared.py) answers exactly as the Tortoise queryset it was built from, for every
value it is run with, inside the caller's transaction; a shape whose parameters would not be its values is
refused at its first use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from core.models import Identity, OutboxMessage, Staff
from core.prepared import Prepared, PreparedUpdate

pytestmark = pytest.mark.usefixtures("org")

_BY_NAME = Prepared(Staff, lambda name: Staff.filter(name=name, active=True).order_by("id"), str)
_BY_ID = Prepared(Staff, lambda staff_id: Staff.filter(id=staff_id), int)
_IDENTITY = Prepared(Identity, lambda platform, uid: Identity.filter(platform=platform, external_id=uid), str, str)
_LOCKED = Prepared(Staff, lambda staff_id: Staff.select_for_update().filter(id=staff_id), int, for_write=True)


async def test_every_person_is_found_as_the_queryset_finds_them() -> None:
    people = await Staff.all().order_by("id")
    assert len(people) > 3
    for person in people:
        by_id = await _BY_ID.first(person.id)
        assert by_id is not None and by_id.id == person.id and by_id.name == person.name
        assert by_id.department_id == person.department_id and by_id.roles == person.roles
        expected = [p.id for p in await Staff.filter(name=person.name, active=True).order_by("id")]
        assert [p.id for p in await _BY_NAME.all(person.name)] == expected
    assert await _BY_ID.first(10**9) is None
    assert await _BY_NAME.all("没有这个人") == []


async def test_two_string_values_go_to_their_own_places() -> None:
    ident = await Identity.all().order_by("id").first()
    assert ident is not None
    found = await _IDENTITY.first(ident.platform, ident.external_id)
    assert found is not None and found.id == ident.id
    assert await _IDENTITY.first(ident.external_id, ident.platform) is None  # swapped: nobody


async def test_a_look_up_inside_a_transaction_sees_its_uncommitted_writes() -> None:
    person = await Staff.all().order_by("id").first()
    assert person is not None
    try:
        async with in_transaction():
            await Staff.filter(id=person.id).update(name="改了名")
            locked = await _LOCKED.first(person.id)
            assert locked is not None and locked.name == "改了名"
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    again = await _BY_ID.first(person.id)
    assert again is not None and again.name == person.name


async def test_a_shape_that_changes_its_value_is_refused() -> None:
    wrapped = Prepared(Staff, lambda part: Staff.filter(name__contains=part), str)  # the parameter is '%…%'
    with pytest.raises(TypeError, match="parameters"):
        await wrapped.all("林")


_RETRY = PreparedUpdate(OutboxMessage, lambda row_id, attempts, due, error: OutboxMessage.filter(
    id=row_id, status="pending").update(attempts=attempts, next_attempt_at=due, last_error=error), int, int, datetime, str)
_IN_TURN = PreparedUpdate(OutboxMessage, lambda row_id, link_id: OutboxMessage.filter(id=row_id, status="pending").exclude(
    card_link_id__in=Subquery(OutboxMessage.filter(card_link_id=link_id, id__lt=row_id, status="pending")
                              .values("card_link_id"))).update(status="sending"), int, int)


async def _rows(n: int, link: int | None = None) -> list[OutboxMessage]:
    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    return [await OutboxMessage.create(payload={"n": i}, next_attempt_at=now, created_at=now, card_link_id=link)
            for i in range(n)]


async def test_an_update_changes_exactly_its_row_with_every_value_in_its_place() -> None:
    first, second = await _rows(2)
    due = datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    assert await _RETRY.run(second.id, 3, due, "超时") == 1
    mine, other = await OutboxMessage.get(id=second.id), await OutboxMessage.get(id=first.id)
    assert (mine.attempts, mine.next_attempt_at, mine.last_error) == (3, due, "超时")
    assert (other.attempts, other.next_attempt_at, other.last_error) == (0, first.next_attempt_at, "")
    await OutboxMessage.filter(id=second.id).update(status="sent")
    assert await _RETRY.run(second.id, 4, due, "") == 0  # no longer pending: nothing changes
    assert (await OutboxMessage.get(id=second.id)).attempts == 3


async def test_an_update_with_a_subquery_waits_for_the_earlier_row_of_its_card() -> None:
    earlier, later = await _rows(2, link=77)
    assert await _IN_TURN.run(later.id, 77) == 0  # the earlier message of card 77 is still pending
    assert await _IN_TURN.run(earlier.id, 77) == 1
    assert await _IN_TURN.run(later.id, 77) == 1  # the earlier one is on its way, no longer pending
    assert {r.status for r in await OutboxMessage.filter(card_link_id=77)} == {"sending"}


async def test_an_update_inside_a_rolled_back_transaction_leaves_nothing() -> None:
    (row,) = await _rows(1)
    try:
        async with in_transaction():
            assert await _RETRY.run(row.id, 9, row.next_attempt_at, "x") == 1
            assert (await OutboxMessage.get(id=row.id)).attempts == 9
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert (await OutboxMessage.get(id=row.id)).attempts == 0


async def test_an_update_whose_value_is_converted_is_refused() -> None:
    (row,) = await _rows(1)
    wrapped = PreparedUpdate(OutboxMessage, lambda row_id, part: OutboxMessage.filter(
        id=row_id, last_error__contains=part).update(status="dead"), int, str)  # the parameter is '%…%'
    with pytest.raises(TypeError, match="parameters"):
        await wrapped.run(row.id, "x")
    assert (await OutboxMessage.get(id=row.id)).status == "pending"
