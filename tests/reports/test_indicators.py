"""1减2降1升 by month and township, against a hand-counted October and November."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.enums import CaseSource, Category, Platform, ResultType
from core.models import Case, Region
from core.org_import import import_org
from core.reports import indicators
from core.services import aftercare, handling, intake, triage
from core.services.base import Actor
from tests.conftest import cst, staff_id, who

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "district.yaml"
W = Platform.WECOM


@pytest.fixture
async def district(db: str) -> None:
    await import_org(FIXTURE.read_text(encoding="utf-8"))


async def _case(domain, clock, when, place: str, source: CaseSource, receiver: str | None,
                category: Category = Category.LAND_HOMESTEAD) -> Case:
    clock.set(when)
    region = await Region.get(name=place)
    out = await intake.report(domain, Actor.system("API"), intake.ReportInput(
        "来访反映土地纠纷", category=category, region_id=region.id, source=source), source=Platform.API)
    assert out.case is not None
    if receiver:
        await triage.accept(domain, await who(receiver), out.case.id, source=W)
    return await Case.get(id=out.case.id)


async def _resolve(domain, case: Case, dispatcher: str, officer: str) -> None:
    task = (await triage.dispatch(domain, await who(dispatcher), case.id, [triage.Assignment(await staff_id(officer))],
                                  source=W)).tasks[0]
    await handling.resolve_task(domain, await who(officer), task.id, ResultType.SETTLED, "化解", source=W)


async def _story(domain, clock) -> None:
    leader = await staff_id("石书记")
    p1 = await _case(domain, clock, cst(2026, 10, 12, 9), "新村第一网格", CaseSource.PETITION, "石调度")
    await aftercare.add_to_backlog(domain, await who("石调度"), p1.id, leader, source=W)
    await _case(domain, clock, cst(2026, 11, 3, 9), "新村第一网格", CaseSource.PETITION, "区调度")  # repeat, 越级
    await _case(domain, clock, cst(2026, 11, 4, 9), "柳岸第一网格", CaseSource.REFERRAL, None)  # 上级交办: 越级
    g1 = await _case(domain, clock, cst(2026, 11, 5, 9), "柳岸第一网格", CaseSource.WALK_IN, "柳调度",
                     Category.NEIGHBOR)
    await aftercare.add_to_backlog(domain, await who("区调度"), g1.id, leader, source=W)
    clock.set(cst(2026, 11, 20, 9))
    await _resolve(domain, p1, "石调度", "石司法")
    await aftercare.strike_off(domain, await who("石调度"), p1.id, source=W)


async def test_november_against_october(district, domain, clock) -> None:
    await _story(domain, clock)
    got = await indicators.build(date(2026, 11, 1), date(2026, 11, 30))
    nov, oct_ = got.total, got.previous
    assert (nov.received, nov.petitions, nov.repeats, nov.over_level, nov.new_backlog) == (3, 2, 1, 2, 1)
    assert nov.over_level_rate == 1.0 and nov.new_backlog_rate == pytest.approx(1 / 3)
    assert (nov.held, nov.struck, nov.resolve_rate) == (2, 1, 0.5)
    assert (oct_.received, oct_.petitions, oct_.repeats, oct_.over_level, oct_.new_backlog) == (1, 1, 0, 0, 1)
    assert (oct_.held, oct_.struck) == (1, 0)
    assert got.direction() == {"repeats": False, "over_level": False, "new_backlog": True, "resolve": True}


async def test_by_township(district, domain, clock) -> None:
    await _story(domain, clock)
    got = await indicators.build(date(2026, 11, 1), date(2026, 11, 30))
    assert got.townships == ["柳岸街道", "石门镇"]
    shi, liu = got.by_township["石门镇"], got.by_township["柳岸街道"]
    assert (shi.received, shi.petitions, shi.repeats, shi.over_level, shi.held, shi.struck) == (1, 1, 1, 1, 1, 1)
    assert (liu.received, liu.petitions, liu.over_level, liu.new_backlog, liu.held, liu.struck) == (2, 1, 1, 1, 1, 0)


async def test_months_of_a_longer_period_sum_flows_and_keep_the_last_stock(district, domain, clock) -> None:
    await _story(domain, clock)
    got = await indicators.build(date(2026, 10, 1), date(2026, 11, 30))
    assert got.months == ["2026-10", "2026-11"]
    assert got.by_month["2026-10"].received == 1 and got.by_month["2026-11"].received == 3
    assert got.total.received == 4 and (got.total.held, got.total.struck) == (2, 1)
    assert got.by_month["2026-10"].resolve_rate == 0.0
    assert got.grid[("2026-11", "石门镇")].repeats == 1


async def test_monthly_digest_carries_the_line_and_the_weekly_does_not(district, domain, clock) -> None:
    from bot.reports.markdown import render
    from core.reports import digest
    from core.reports.periods import Kind

    await _story(domain, clock)
    monthly = render(await digest.build(Kind.MONTHLY, date(2026, 11, 15), clock.now()))
    assert ("1减2降1升:重复信访 1 件(前期 0)✗,越级信访率 100.0%(前期 0.0%)✗,新增积案率 33.3%(前期 100.0%)✓,"
            "积案化解率 50.0%(前期 0.0%)✓") in monthly
    assert "1减2降1升" not in render(await digest.build(Kind.WEEKLY, date(2026, 11, 4), clock.now()))


async def test_a_report_classified_as_petition_counts_as_one(district, domain, clock) -> None:
    await _case(domain, clock, cst(2026, 11, 3, 9), "新村第一网格", CaseSource.WALK_IN, "区调度", Category.PETITION)
    got = await indicators.build(date(2026, 11, 1), date(2026, 11, 30))
    assert (got.total.petitions, got.total.over_level) == (1, 1)  # received at the district: it skipped the town
