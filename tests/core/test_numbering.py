"""Human case numbers: YYYY-NNNN, per year in Beijing time, typable in chat."""

from __future__ import annotations

import asyncio

from core.enums import Platform
from core.numbering import parse_number
from core.services import intake
from tests.conftest import cst, who


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
