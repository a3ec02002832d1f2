"""A prepared look-up (core/prepared.py) answers exactly as the Tortoise queryset it was built from, for every
value it is run with, inside the caller's transaction; a shape whose parameters would not be its values is
refused at its first use."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from core.models import Identity, Staff
from core.prepared import Prepared

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
