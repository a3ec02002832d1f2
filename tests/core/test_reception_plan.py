"""The org file's `receptions:`: a weekly reception or one on given dates laid out two weeks ahead, once however
often it is asked, and a plan naming someone not on the staff list, or both a weekday and dates, refused."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import Reception
from core.org_import import import_org
from core.org_validate import OrgImportError
from core.reception_plan import ensure_upcoming
from tests.conftest import DEMO_ORG, cst

PLAN = "receptions:\n  - {leader: 韩卫国, day: 周三, time: 上午, place: 茶园乡矛调中心, limit: 10}\n"


def with_plan(lines: str) -> str:
    text = DEMO_ORG.read_text(encoding="utf-8")
    assert PLAN in text
    return text.replace(PLAN, "receptions:\n" + lines)


async def test_dated_and_weekly_receptions_laid_out_once_for_two_weeks(db) -> None:
    await import_org(with_plan("  - {leader: 曹军, dates: [2026-11-27, 2026-12-30], time: 下午, place: 桂香村, limit: 3}\n"
                               "  - {leader: 唐志刚, day: 5, time: 全天, place: 矛调中心}\n"))
    now = cst(2026, 11, 23, 9, 0)
    assert await ensure_upcoming(now) == 3  # 曹军 on 11-27 (12-30 is beyond two weeks), 唐志刚 on 11-27 and 12-04
    assert await ensure_upcoming(now) == 0
    rows = await Reception.all().order_by("day", "leader_id").prefetch_related("leader")
    assert [(r.leader.name, r.day, r.half, r.capacity) for r in rows] == [
        ("唐志刚", date(2026, 11, 27), "", 10), ("曹军", date(2026, 11, 27), "pm", 3),
        ("唐志刚", date(2026, 12, 4), "", 10)]


@pytest.mark.parametrize(("lines", "expected"), [
    ("  - {leader: 不存在, day: 周三, place: 中心}\n", "receptions[0].leader"),
    ("  - {leader: 韩卫国, day: 周三, dates: [2026-12-01], place: 中心}\n", "not both"),
    ("  - {leader: 韩卫国, place: 中心}\n", "not both"),
])
async def test_bad_plan_is_refused_with_the_entry_named(db, lines: str, expected: str) -> None:
    with pytest.raises(OrgImportError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        await import_org(with_plan(lines))
