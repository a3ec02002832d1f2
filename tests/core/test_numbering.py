"""Human case numbers: YYYY-NNNN, per year in Beijing time, typable in chat."""

from __future__ import annotations

import asyncio

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from core import audit
from core.db import SIDE_NAME
from core.enums import Platform
from core.models import AuditEvent, Case, Region
from core.numbering import parse_number
from core.org_import import import_org
from core.services import intake
from core.services.base import Actor, unit_of_work
from tests.conftest import BACKEND, ROOT, cst, who

pg_only = pytest.mark.skipif(BACKEND != "postgres", reason="SQLite has one writer at a time whatever we lock")


async def test_numbers_are_sequential_and_restart_each_beijing_year(org, domain, clock) -> None:
    grid = await who("周小梅")
    clock.set(cst(2026, 12, 31, 23, 50))
    a = (await intake.report(domain, grid, intake.ReportInput("甲"), source=Platform.WECOM)).case
    b = (await intake.report(domain, grid, intake.ReportInput("乙"), source=Platform.WECOM)).case
    clock.set(cst(2027, 1, 1, 0, 10))  # still 2026 in UTC, already 2027 in Beijing
    c = (await intake.report(domain, grid, intake.ReportInput("丙"), source=Platform.WECOM)).case
    assert [a.number, b.number, c.number] == ["2026-0001", "2026-0002", "2027-0001"]


async def test_concurrent_reports_get_distinct_numbers(org, domain) -> None:
    grid = await who("周小梅")
    outs = await asyncio.gather(
        *[intake.report(domain, grid, intake.ReportInput(f"纠纷{i}"), source=Platform.WECOM) for i in range(8)]
    )
    assert len({o.case.number for o in outs}) == 8


def test_parse_number() -> None:
    assert parse_number("2026-0042", 2027) == "2026-0042"
    assert parse_number("0042", 2026) == "2026-0042"
    assert parse_number("42", 2026) == "2026-0042"
    assert parse_number("荷花村", 2026) is None


async def _two_towns() -> dict[str, tuple[Actor, int]]:
    await import_org((ROOT / "tests" / "fixtures" / "two-towns.yaml").read_text(encoding="utf-8"))
    return {town: (await who(dispatcher), (await Region.get(full_name=f"东湖区/{town}/新村")).id)
            for town, dispatcher in (("石门镇", "石调度"), ("柳岸街道", "柳调度"))}


async def _report(domain, towns: dict[str, tuple[Actor, int]], town: str, text: str) -> str:  # type: ignore[no-untyped-def]
    actor, village = towns[town]
    out = await intake.report(domain, actor, intake.ReportInput(text, region_id=village), source=Platform.WECOM)
    return out.case.number


@pg_only
async def test_a_township_files_while_another_townships_intake_is_still_open(db, domain) -> None:
    """The number is taken outside the intake's transaction and the audit chains are per township: an
    intake in 石门镇 that has its number and its audit head but has not committed yet (it is still writing
    the center's cards) holds up nothing in 柳岸街道."""
    towns = await _two_towns()
    numbered, release = asyncio.Event(), asyncio.Event()

    async def open_intake_in_shimen() -> str:
        async with in_transaction():
            number = await _report(domain, towns, "石门镇", "石门镇的纠纷")
            numbered.set()
            await release.wait()  # the rest of the intake's transaction
            return number

    shimen = asyncio.create_task(open_intake_in_shimen())
    await asyncio.wait_for(numbered.wait(), timeout=60)
    try:
        liuan = await asyncio.wait_for(_report(domain, towns, "柳岸街道", "柳岸街道的纠纷"), timeout=60)
        assert await Case.filter(number=liuan).exists()  # committed while 石门镇's intake is open
    finally:
        release.set()
    assert [await shimen, liuan] == ["2026-0001", "2026-0002"]
    assert (await audit.verify()).ok


@pg_only
async def test_concurrent_intakes_in_two_townships_get_every_number_once_in_order(db, domain) -> None:
    towns = await _two_towns()
    numbers = await asyncio.gather(*(_report(domain, towns, town, f"纠纷{i}") for i in range(12)
                                     for town in ("石门镇", "柳岸街道")))
    assert sorted(numbers) == [f"2026-{n:04d}" for n in range(1, 25)]
    result = await audit.verify()
    assert result.ok and result.chains == 2, result.problems


async def test_a_failed_intake_uses_its_number_only_on_postgresql(db, domain) -> None:
    """SQLite takes the number inside the intake's transaction (gap-free); PostgreSQL outside it, so a
    transaction that fails after the number leaves it unused (core/numbering.py says why)."""
    towns = await _two_towns()
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await _report(domain, towns, "石门镇", "写到一半数据库出错")
            raise RuntimeError("the cards could not be written")
    assert not await Case.exists()
    after = await _report(domain, towns, "柳岸街道", "下一起")
    assert after == ("2026-0002" if BACKEND == "postgres" else "2026-0001")


@pg_only
async def test_intake_goes_on_after_the_numbering_connection_is_cut(db, domain) -> None:
    """The side connection that takes numbers is dropped by the server (a restart, a proxy's idle timeout):
    the next report opens a new one instead of failing."""
    towns = await _two_towns()
    assert await _report(domain, towns, "石门镇", "第一起") == "2026-0001"
    killed = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT pg_terminate_backend(pid) AS gone FROM pg_stat_activity WHERE application_name = $1 "
        "AND datname = current_database()", [SIDE_NAME])
    assert killed and all(row["gone"] for row in killed)
    assert await _report(domain, towns, "柳岸街道", "第二起") == "2026-0002"


@pg_only
async def test_an_intake_still_writing_its_cards_holds_up_no_other_in_its_township(db, domain) -> None:
    """A unit of work appends its audit events last: while one 石门镇 intake is still writing the center's
    cards, its chain's head is not locked yet and the next 石门镇 report commits."""
    towns = await _two_towns()
    reported, release = asyncio.Event(), asyncio.Event()

    async def intake_writing_its_cards() -> str:
        async with unit_of_work():
            number = await _report(domain, towns, "石门镇", "石门镇的纠纷")
            reported.set()
            await release.wait()  # the cards and warnings, in the same transaction
            return number

    first = asyncio.create_task(intake_writing_its_cards())
    await asyncio.wait_for(reported.wait(), timeout=60)
    try:
        second = await asyncio.wait_for(_report(domain, towns, "石门镇", "又一起"), timeout=60)
    finally:
        release.set()
    assert [await first, second] == ["2026-0001", "2026-0002"]
    events = await AuditEvent.filter(action="report").order_by("seq")
    assert [e.case_id for e in events] == [c.id for c in await Case.all().order_by("-id")]  # in commit order
    assert (await audit.verify()).ok


async def test_work_rolled_back_inside_a_unit_of_work_leaves_no_event(db, domain) -> None:
    """A verb's savepoint that fails after recording (its caller goes on, as the bot does when it answers a
    refusal) takes its audit event with it."""
    towns = await _two_towns()
    async with unit_of_work():
        with pytest.raises(RuntimeError):
            async with unit_of_work():
                await _report(domain, towns, "石门镇", "写到一半出错")
                raise RuntimeError("failed after the event was recorded")
        number = await _report(domain, towns, "石门镇", "真的纠纷")
    assert number == ("2026-0002" if BACKEND == "postgres" else "2026-0001")
    events = await AuditEvent.all()
    assert [e.case_id for e in events] == [(await Case.get(number=number)).id]
    assert (await audit.verify()).ok
