"""KPIs and digests against a hand-computed week: four cases with known outcomes."""

from __future__ import annotations

import io
import warnings
from datetime import UTC, date, timedelta

import matplotlib.pyplot as plt
import pytest
from openpyxl import load_workbook

from bot.reports import chart, ledger
from bot.reports.markdown import render
from core.enums import Category, Platform, ResultType, Satisfaction
from core.models import OutboxMessage, Task
from core.reports import digest, kpi
from core.reports.periods import Kind, finished_periods, period_of
from core.services import aftercare, handling, intake, ladder, triage
from scheduler.rhythm import publish_digests
from tests.conftest import cst, staff_id, who

W = Platform.WECOM


async def _week(domain, clock) -> None:
    """A: settled at township, on time, 满意. B: escalated to the district, settled late, 基本满意.
    C: settled on the spot at the grid. D: open, same place and category as A (a repeat)."""
    zhou, wu, zheng, lin, deng = [await who(n) for n in ("周小梅", "吴大伟", "郑丽", "林晓", "邓华")]
    a = (await intake.report(domain, zhou, intake.ReportInput("邻居漏水", category=Category.NEIGHBOR), source=W)).case
    await triage.accept(domain, lin, a.id, source=W)
    ta = (await triage.dispatch(domain, lin, a.id, [triage.Assignment(await staff_id("赵敏"))], source=W)).tasks[0]
    await handling.resolve_task(domain, await who("赵敏"), ta.id, ResultType.AGREEMENT, "协议", source=W)
    await aftercare.record_follow_up(domain, zhou, a.id, Satisfaction.SATISFIED, source=W)
    b = (await intake.report(domain, wu, intake.ReportInput("工资被拖欠", category=Category.LABOR_WAGE), source=W)).case
    for _ in range(3):
        await ladder.escalate(domain, lin, b.id, "未果", source=W)
    deng_actor = deng
    await triage.accept(domain, deng_actor, b.id, source=W)
    tb = (await triage.dispatch(domain, deng_actor, b.id, [triage.Assignment(await staff_id("孙婷"))], source=W)).tasks[0]
    clock.set(cst(2026, 11, 28, 10, 0))  # closed after the deadline set below
    await Task.filter(id=tb.id).update(deadline=cst(2026, 11, 27, 18, 0).astimezone(UTC))
    await handling.resolve_task(domain, await who("孙婷"), tb.id, ResultType.SETTLED, "已发放", source=W)
    await aftercare.record_follow_up(domain, deng_actor, b.id, Satisfaction.BASICALLY, source=W)
    await intake.settle_on_spot(domain, zheng, intake.ReportInput("鸡鸭进菜地", category=Category.NEIGHBOR),
                                "说和", source=W)
    await intake.report(domain, zhou, intake.ReportInput("邻居又漏水", category=Category.NEIGHBOR), source=W)


async def test_kpi_definitions_on_a_hand_computed_week(org, domain, clock) -> None:
    await _week(domain, clock)
    p = period_of(Kind.WEEKLY, date(2026, 11, 25))
    total = await kpi.overall(p.start, p.end)
    assert (total.cases, total.settled, total.settled_local) == (4, 3, 2)
    assert total.settle_rate == 0.75 and total.local_rate == pytest.approx(0.6667, abs=1e-4)
    assert (total.tasks, total.tasks_closed, total.tasks_on_time) == (2, 2, 1) and total.on_time_rate == 0.5
    assert total.satisfaction_rate == 1.0 and total.repeats == 1
    villages = {k.name: k for k in await kpi.by_village(p.start, p.end)}
    assert (villages["荷花村"].cases, villages["荷花村"].settled, villages["荷花村"].settled_local) == (3, 2, 1)
    assert (villages["桂香村"].cases, villages["桂香村"].settled_local) == (1, 1)
    departments = {k.name: k for k in await kpi.by_department(p.start, p.end)}
    assert departments["司法所"].on_time_rate == 1.0 and departments["劳动保障所"].on_time_rate == 0.0
    levels = {k.name: k.cases for k in await kpi.by_level(p.start, p.end)}
    assert levels == {"乡镇(街道)": 1, "区(县)": 1, "网格": 2}
    assert total.sign_hours is None or total.sign_hours >= 0


async def test_weekly_digest_numbers_and_group_safe_text(org, domain, clock) -> None:
    await _week(domain, clock)
    d = await digest.build(Kind.WEEKLY, date(2026, 11, 25), clock.now())
    assert (d.new, d.resolved, d.settled_on_spot, d.escalated) == (4, 3, 1, 3)
    assert d.by_category == [("邻里纠纷", 3), ("劳资纠纷", 1)]
    assert d.by_village == [("荷花村", 3), ("桂香村", 1)]
    assert sum(n for _, n in d.trend) == 4 and len(d.trend) == 7
    text = render(d)
    assert "新增 **4** 起" in text and "化解率 75.0%" in text and "就地化解率 66.7%" in text
    assert "漏水" not in text and "周小梅" not in text  # counts and categories, no contents or names


async def test_ledger_and_chart_show_chinese(org, domain, clock) -> None:
    await _week(domain, clock)
    d = await digest.build(Kind.WEEKLY, date(2026, 11, 25), clock.now())
    wb = load_workbook(io.BytesIO(await ledger.xlsx(d)))
    rows = list(wb["台账"].iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "受理日期", "来源", "当事人", "纠纷类别") and len(rows) == 5
    assert {r[4] for r in rows[1:]} == {"邻里纠纷", "劳资纠纷"} and wb["部门"]["A1"].value == "名称"
    details = list(wb["交办明细"].iter_rows(values_only=True))
    assert details[0][:4] == ("编号", "上报时间", "来源", "类别") and len(details) == 5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = chart.png(d)
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 10_000
    assert not [w for w in caught if "Glyph" in str(w.message)], [str(w.message) for w in caught]


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in [ax.title, *ax.texts, *ax.get_xticklabels(),
                                                       *ax.get_yticklabels()]]


async def test_daily_chart_shows_the_last_week_and_open_work_on_integer_axes(org, domain, clock) -> None:
    await _week(domain, clock)
    d = await digest.build(Kind.DAILY, date(2026, 11, 29), clock.now())  # a day with no new case
    assert d.new == 0 and len(d.recent) == 7 and sum(n for _, n in d.recent) == 4
    assert d.open_by_category == [("邻里纠纷", 1)] and d.open_by_village == [("荷花村", 1)]
    assert chart.empty_note(d) == ""
    fig = chart.figure(d)
    try:
        trend, cats, villages = fig.axes
        assert trend.get_title() == "近7天每日新增" and trend.get_ylim()[0] == 0
        assert all(float(t).is_integer() for t in trend.get_yticks())  # no ±0.04 axes
        assert all(float(t).is_integer() for t in cats.get_xticks())
        assert "邻里纠纷" in _texts(fig) and "荷花村" in _texts(fig)
    finally:
        plt.close(fig)
    weekly = await digest.build(Kind.WEEKLY, date(2026, 11, 25), clock.now())
    assert len(weekly.recent) == 30 and len(weekly.trend) == 7


async def test_a_quiet_day_says_no_new_cases_instead_of_a_blank_chart(org, domain, clock) -> None:
    d = await digest.build(Kind.DAILY, date(2026, 11, 22), clock.now())
    fig = chart.figure(d)
    try:
        assert "无新增" in _texts(fig) and "无在办" in _texts(fig)
    finally:
        plt.close(fig)
    assert await publish_digests(domain) > 0
    payloads = [m.payload for m in await OutboxMessage.all()]
    assert payloads and all("天无新增,无在办案件" in p["text"] for p in payloads)  # daily and weekly
    assert not any(p.get("image_png_b64") for p in payloads)  # no blank plot sent to the groups


def test_periods() -> None:
    assert period_of(Kind.QUARTERLY, date(2026, 11, 23)).label == "2026年10月01日—12月31日"
    assert period_of(Kind.HALFYEAR, date(2026, 3, 3)).last == date(2026, 6, 30)
    kinds = [p.kind for p in finished_periods(date(2027, 1, 1))]
    assert kinds == [Kind.DAILY, Kind.MONTHLY, Kind.QUARTERLY, Kind.HALFYEAR]  # Thu 2026-12-31: no week ended
    assert [p.kind for p in finished_periods(date(2026, 11, 30))] == [Kind.DAILY, Kind.WEEKLY]
    assert timedelta(0) < period_of(Kind.DAILY, date(2026, 11, 23)).end - period_of(Kind.DAILY, date(2026, 11, 23)).start


async def test_monthly_bulletin_ranks_departments(org, domain, clock) -> None:
    await _week(domain, clock)
    text = render(await digest.build(Kind.MONTHLY, date(2026, 11, 25), clock.now()))
    assert "通报排名" in text and text.index("1. 司法所 100.0%") < text.index("2. 劳动保障所 0.0%")


async def test_sensitive_reports_are_counted_in_the_database(org, domain, clock) -> None:
    from core.enums import Flag

    zhou = await who("周小梅")
    for flags in ({Flag.SENSITIVE, Flag.GROUP}, {Flag.GROUP}, set()):
        data = intake.ReportInput("村民聚集反映问题", category=Category.OTHER, flags=frozenset(flags))
        await intake.report(domain, zhou, data, source=W)
    d = await digest.build(Kind.DAILY, date(2026, 11, 23), clock.now())
    assert (d.new, d.sensitive_new) == (3, 1)
