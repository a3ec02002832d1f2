"""Organisation rows are kept across units of work (core/org_memo.py) for as long as the database's organisation
version (core/org_version.py, kept by triggers) stays the same: whoever changes the organisation — an org
import, a bulk update, raw SQL from another connection — the next unit sees the change; other writes (quota
counters, cases) leave what is kept alone."""

from __future__ import annotations

import dataclasses

import asyncpg
import pytest

from core import org_memo, org_version
from core.models import Department, Liaison, Region, Setting, Staff
from core.org_import import import_org
from core.policy import load_policy, save_policy
from tests.conftest import BACKEND, DEMO_ORG, PG_URL

pytestmark = pytest.mark.usefixtures("org")


async def _staff_seen(staff_id: int) -> Staff | None:
    with org_memo.remembering():
        return await org_memo.active_staff(staff_id)


async def _lin() -> Staff:
    return await Staff.get(name="林晓")


async def test_a_later_unit_uses_the_rows_an_earlier_unit_read() -> None:
    lin = await _lin()
    first, second = await _staff_seen(lin.id), await _staff_seen(lin.id)
    assert first is not None and second is first  # the same row: not read again
    loads: list[int] = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    for _ in range(3):
        with org_memo.remembering():
            assert await org_memo.remembered(("count",), load) == 1
    assert loads == [1]


async def test_a_bulk_update_is_seen_by_the_next_unit() -> None:
    lin = await _lin()
    assert await _staff_seen(lin.id) is not None
    await Staff.filter(id=lin.id).update(active=False)  # no model signal fires for a queryset update
    assert await _staff_seen(lin.id) is None


async def test_raw_sql_from_another_connection_is_seen_by_the_next_unit() -> None:
    lin = await _lin()
    assert (await _staff_seen(lin.id)).name == "林晓"  # type: ignore[union-attr]
    sql = f"UPDATE staff SET name = '林晓晓' WHERE id = {lin.id}"
    if BACKEND == "postgres":  # another process: its own connection, outside the ORM
        conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
    else:
        await Staff._meta.db.execute_script(sql)
    assert (await _staff_seen(lin.id)).name == "林晓晓"  # type: ignore[union-attr]


async def test_a_region_renamed_by_a_new_import_is_seen() -> None:
    village = await Region.filter(level="village").first()
    assert village is not None
    with org_memo.remembering():
        assert (await org_memo.region(village.id)).name == village.name
    await Region.filter(id=village.id).update(name="新村名")
    with org_memo.remembering():
        assert (await org_memo.region(village.id)).name == "新村名"
    await import_org(DEMO_ORG.read_text(encoding="utf-8"))  # the org file names it again
    with org_memo.remembering():
        assert (await org_memo.region(village.id)).name == village.name


async def test_saving_the_policy_is_seen_by_the_next_unit() -> None:
    with org_memo.remembering():
        policy = await load_policy()
    policy = dataclasses.replace(policy, quiet_start=(policy.quiet_start + 1) % 24)
    with org_memo.remembering():
        await save_policy(policy)
        assert (await load_policy()).quiet_start == policy.quiet_start  # the writing unit itself
    with org_memo.remembering():
        assert (await load_policy()).quiet_start == policy.quiet_start


async def test_quota_counters_and_other_settings_leave_the_kept_rows_alone() -> None:
    lin = await _lin()
    kept = await _staff_seen(lin.id)
    before = await org_version.current()
    await Setting.update_or_create(defaults={"value": {"n": 1}}, key="usage:quota:test")
    assert await org_version.current() == before
    assert await _staff_seen(lin.id) is kept


async def test_a_new_version_row_voids_what_was_kept() -> None:
    """A database made afresh (or restored) has a new epoch, even when its counter is where the old one was."""
    lin = await _lin()
    kept = await _staff_seen(lin.id)
    await org_version.reset()
    again = await _staff_seen(lin.id)
    assert again is not None and again is not kept


async def test_every_organisation_table_moves_the_version() -> None:
    seen = [await org_version.current()]
    for model, column in ((Staff, "name"), (Region, "name"), (Department, "name"), (Liaison, "leader_id")):
        row = await model.all().first()
        assert row is not None, model
        await model.filter(id=row.id).update(**{column: getattr(row, column)})  # changing nothing still counts
        seen.append(await org_version.current())
    assert all(v is not None for v in seen) and len(set(seen)) == len(seen), seen
