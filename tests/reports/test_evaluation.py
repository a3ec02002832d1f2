"""考核 cohorts on a hand-computed November in a district with two townships: every metric, the weights
from the org file, rankings, 红黑榜, 以奖代补 and 金牌调解员 candidates."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import pytest

from core.enums import CaseSource, Category, Difficulty, Platform, ResultType, Satisfaction
from core.models import Draft, Region, Task
from core.org_import import import_org
from core.org_validate import OrgImportError
from core.reports import evaluation
from core.reports.periods import Kind, period_of
from core.reports.scoring import Entry, Evaluation, GoldRule, load_evaluation, red_black, score
from core.services import aftercare, handling, intake, records, triage
from core.services.base import Actor
from tests.conftest import cst, staff_id, who

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "district.yaml"
W = Platform.WECOM
NOV = period_of(Kind.MONTHLY, date(2026, 11, 15))


@pytest.fixture
async def district(db: str) -> None:
    await import_org(FIXTURE.read_text(encoding="utf-8"))


async def _report(domain, reporter: str, place: str | None = None, *, late_hours: float = 0, **kw):
    region_id = (await Region.get(name=place)).id if place else None
    out = await intake.report(domain, await who(reporter), intake.ReportInput(
        "两户因为排水沟争吵", category=kw.pop("category", Category.NEIGHBOR), region_id=region_id, **kw), source=W)
    now = domain.clock.now()
    domain.clock.advance(timedelta(minutes=1))
    await Draft.create(staff_id=await staff_id(reporter), status="submitted", case_id=out.case.id, texts=["x"],
                       attachments=[], created_at=now - timedelta(hours=late_hours), updated_at=now)
    return out.case


async def _dispatch(domain, dispatcher: str, case, officer: str) -> Task:
    await triage.accept(domain, await who(dispatcher), case.id, source=W)
    out = await triage.dispatch(domain, await who(dispatcher), case.id, [triage.Assignment(await staff_id(officer))],
                                source=W)
    return out.tasks[0]


async def _november(domain, clock) -> dict[str, object]:
    clock.set(cst(2026, 11, 2, 9))
    a1 = await _report(domain, "网格甲", late_hours=2)
    a2 = await _report(domain, "网格甲", late_hours=30)  # confirmed a day and more after the first message
    await intake.settle_on_spot(domain, await who("网格甲"), intake.ReportInput("鸡鸭进菜地"), "说和", source=W)
    clock.advance(timedelta(minutes=1))
    other = await intake.report(domain, Actor.system("12345"), intake.ReportInput(
        "热线反映噪音", region_id=(await Region.get(name="新村第一网格")).id, source=CaseSource.HOTLINE_12345),
        source=Platform.API)
    b1 = await _report(domain, "网格乙")
    d1 = await _report(domain, "网格丁")
    # 石门司法所: signed after 1 h, closed on time, 满意; then a second one closed late
    t1 = await _dispatch(domain, "石调度", a1, "石司法")
    clock.advance(timedelta(hours=1))
    await handling.sign(domain, await who("石司法"), t1.id, source=W)
    await handling.resolve_task(domain, await who("石司法"), t1.id, ResultType.AGREEMENT, "达成协议", source=W)
    await aftercare.record_follow_up(domain, await who("网格甲"), a1.id, Satisfaction.SATISFIED, source=W)
    t2 = await _dispatch(domain, "石调度", a2, "石司法")
    await Task.filter(id=t2.id).update(deadline=cst(2026, 11, 3, 18).astimezone(UTC))
    clock.set(cst(2026, 11, 5, 10))
    await handling.resolve_task(domain, await who("石司法"), t2.id, ResultType.SETTLED, "已化解", source=W)
    # 石门劳保所: one returned, one left open past its deadline
    t3 = await _dispatch(domain, "石调度", b1, "石劳保")
    await handling.return_task(domain, await who("石劳保"), t3.id, "不属本所职责", source=W)
    t4 = await _dispatch(domain, "石调度", other.case, "石劳保")
    await Task.filter(id=t4.id).update(deadline=cst(2026, 11, 10, 18).astimezone(UTC))
    # 柳岸司法所: signed after 10 h, closed on time, 不满意
    t5 = await _dispatch(domain, "柳调度", d1, "柳司法")
    clock.advance(timedelta(hours=10))
    await handling.sign(domain, await who("柳司法"), t5.id, source=W)
    await handling.resolve_task(domain, await who("柳司法"), t5.id, ResultType.SETTLED, "已化解", source=W)
    await aftercare.record_follow_up(domain, await who("柳调度"), d1.id, Satisfaction.UNSATISFIED, source=W)
    # mediators: 老周 mediated a1 (复杂) and a2 (recorded grade from severity: 一般); 老吴 only d1, which reopened
    zhou, wu = await staff_id("老周"), await staff_id("老吴")
    await records.record_mediation(domain, await who("石调度"), a1.id, mediator_ids=[zhou], difficulty=Difficulty.COMPLEX,
                                   source=W)
    await records.record_mediation(domain, await who("石调度"), a2.id, mediator_ids=[zhou, wu], source=W)
    clock.set(cst(2026, 11, 28, 9))
    return {"t4": t4}


async def test_grid_workers(district, domain, clock) -> None:
    await _november(domain, clock)
    ev = await load_evaluation()
    got = {e.name: e for e in await evaluation.grid_workers(NOV.start, NOV.end, ev)}
    jia, yi, bing = got["网格甲"], got["网格乙"], got["网格丙"]
    assert jia.shown == {"上报数": "3", "当场调处数": "1", "排查完成率": "—", "走访数": "0",
                         "首报及时率": "50.0%"}  # 2 of 4 in the grid
    assert yi.shown["首报及时率"] == "100.0%" and yi.values["reports"] == pytest.approx(1 / 3)
    assert bing.values == {"reports": 0.0, "on_spot": 0.0, "screening": None, "first_report": None}
    # screening has no data: the score is over the other weights (30 + 20 + 30)
    assert jia.score == pytest.approx(100 * (30 * 1 + 20 * 1 + 30 * 0.5) / 80, abs=0.05)
    assert jia.rank == 1 and bing.score == 0.0


async def test_departments_and_people(district, domain, clock) -> None:
    await _november(domain, clock)
    ev = await load_evaluation()
    got = {e.name: e for e in await evaluation.departments(NOV.start, NOV.end, clock.now(), ev)}
    assert set(got) == {"石门司法所", "石门劳保所", "柳岸司法所"}  # the command rooms are not ranked
    sf, lb, ly = got["石门司法所"], got["石门劳保所"], got["柳岸司法所"]
    # t2 was never signed: 签收 counts from its 办结, 72 h after dispatch
    assert sf.shown == {"交办数": "2", "平均签收(小时)": "36.5", "按期办结率": "50.0%", "超期未办结": "0",
                        "满意率": "100.0%", "退回率": "0.0%"}
    assert lb.shown["退回率"] == "50.0%" and lb.shown["超期未办结"] == "1" and lb.shown["按期办结率"] == "0.0%"
    assert ly.values["sign_speed"] == pytest.approx(0.4) and ly.shown["满意率"] == "0.0%"
    assert [e.name for e in sorted(got.values(), key=lambda e: e.rank or 99)] == ["石门司法所", "柳岸司法所", "石门劳保所"]
    people = {e.name: e for e in await evaluation.people(NOV.start, NOV.end, clock.now(), ev)}
    assert people["石司法"].shown["交办数"] == "2" and people["石劳保"].rank == 3


async def test_villages(district, domain, clock) -> None:
    await _november(domain, clock)
    got = {e.name: e for e in await evaluation.villages(NOV.start, NOV.end, await load_evaluation())}
    xin = got["新村"]
    # 新村: a1, a2, the on-spot case and the hotline case in 第一网格, b1 in 第二网格
    assert xin.shown["受理数"] == "5" and xin.shown["化解率"] == "60.0%"
    assert xin.shown["小事不出村率"] == "33.3%"  # of a1, a2 (township) and the on-spot one (grid)
    assert xin.shown["重复上报"] == "2"  # a2 after a1, the hotline call after the on-spot case (same place, category)
    assert got["柳岸社区"].shown["满意率"] == "0.0%"


async def test_mediators_subsidy_and_gold(district, domain, clock) -> None:
    await _november(domain, clock)
    ev = await load_evaluation()
    got = {e.name: e for e in await evaluation.mediators(NOV.start, NOV.end, ev)}
    assert set(got) == {"老周", "老吴", "网格甲"}  # the on-spot settlement counts for its grid worker
    zhou = got["老周"]
    assert zhou.extra["by_grade"] == {"简易": 0, "一般": 1, "复杂": 1, "重大疑难": 0}
    assert zhou.extra["subsidy"] == 400 and got["老吴"].extra["subsidy"] == 100 and got["网格甲"].extra["subsidy"] == 50
    assert not zhou.extra["gold"]  # 2 cases, the rule wants 10
    lenient = Evaluation(gold=GoldRule(min_cases=2, min_success=0.9, min_satisfaction=0.9))
    relaxed = {e.name: e for e in await evaluation.mediators(NOV.start, NOV.end, lenient)}
    assert relaxed["老周"].extra["gold"] and not relaxed["网格甲"].extra["gold"]  # 简易 does not count for gold


async def test_weights_come_from_the_org_file_and_old_files_keep_defaults(district) -> None:
    assert (await load_evaluation()).weights["department"]["on_time"] == 35
    text = FIXTURE.read_text(encoding="utf-8") + (
        "evaluation:\n  department: {on_time: 100}\n  subsidy: {major: 800}\n  lists: 2\n  sign_target: 8h\n")
    await import_org(text)
    ev = await load_evaluation()
    assert ev.weights["department"] == {"on_time": 100.0} and ev.weights["village"]["settle_rate"] == 30
    assert ev.subsidy["major"] == 800 and ev.subsidy["simple"] == 50 and ev.list_size == 2
    with pytest.raises(OrgImportError) as err:
        await import_org(FIXTURE.read_text(encoding="utf-8") + "evaluation:\n  department: {speed: 10}\n")
    assert "evaluation.department.speed" in str(err.value)


def test_scores_renormalise_and_red_black_never_overlap() -> None:
    entries = [Entry(n, {"a": v, "b": None}) for n, v in (("甲", 1.0), ("乙", 0.5), ("丙", 0.0), ("丁", None))]
    ranked = score(entries, {"a": 50, "b": 50})
    assert [(e.name, e.score, e.rank) for e in ranked] == [("甲", 100.0, 1), ("乙", 50.0, 2), ("丙", 0.0, 3),
                                                           ("丁", None, None)]
    red, black = red_black(ranked, 3)
    assert [e.name for e in red] == ["甲", "乙"] and [e.name for e in black] == ["丙"]
    red, black = red_black(ranked, 1)
    assert [e.name for e in red] == ["甲"] and [e.name for e in black] == ["丙"]


def test_equal_scores_share_a_place_and_a_list() -> None:
    entries = [Entry(n, {"a": v}) for n, v in (("甲", 0.812), ("乙", 0.5), ("丁", 0.5), ("丙", 0.0))]
    ranked = score(entries, {"a": 1})
    assert [(e.name, e.rank) for e in ranked] == [("甲", 1), ("丁", 2), ("乙", 2), ("丙", 4)]
    red, black = red_black(ranked, 3)
    assert [e.name for e in red] == ["甲", "丁", "乙"] and [e.name for e in black] == ["丙"]
    same = score([Entry(n, {"a": 0.5}) for n in "甲乙丙丁"], {"a": 1})
    red, black = red_black(same, 2)
    assert len(red) == 4 and black == []  # nobody is worse than anybody
