"""`org import`: the demo file as it is, re-import in place, a different org, and bad files changing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.durations import Duration
from core.enums import Level, Platform
from core.models import Department, GroupChat, Identity, Liaison, Region, RosterEntry, Staff
from core.org_import import import_org
from core.org_validate import OrgImportError
from core.policy import load_policy
from core.services import intake
from tests.conftest import DEMO_ORG, who

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


async def _counts() -> tuple[int, ...]:
    return tuple([await m.all().count() for m in (Region, Department, Staff, Identity, Liaison, GroupChat, RosterEntry)])


async def test_demo_org_imports_as_it_is(db) -> None:
    summary = await import_org(DEMO_ORG.read_text(encoding="utf-8"))
    assert summary.created == {"regions": 10, "departments": 14, "staff": 26}  # 23 staff and 3 experts
    grid = await Region.get(name="荷花村第一网格")
    assert grid.full_name == "西溪区/茶园乡/荷花村/荷花村第一网格" and grid.level == "grid"
    zhou = await Staff.get(name="周小梅")
    assert {(i.platform, i.external_id) for i in await Identity.filter(staff_id=zhou.id)} == {
        ("wecom", "zhouxm"), ("dingtalk", "dt1001")}
    policy = await load_policy()
    assert policy.step_limits[Level.VILLAGE] == Duration.parse("3w")
    assert policy.task_defaults["major"].escalate_to == "西溪区"
    assert policy.overdue_supervision == Duration.parse("1w")
    assert await RosterEntry.filter(day="2026-11-25", duty="leader").prefetch_related("staff").first() is not None


async def test_reimport_updates_in_place(db, domain) -> None:
    text = DEMO_ORG.read_text(encoding="utf-8")
    await import_org(text)
    first = await _counts()
    ids = {s.name: s.id for s in await Staff.all()}
    await intake.report(domain, await who("周小梅"), intake.ReportInput("邻里纠纷"), source=Platform.WECOM)
    await import_org(text)
    assert await _counts() == first
    assert {s.name: s.id for s in await Staff.all()} == ids
    # someone leaves and a title changes: the leaver is deactivated, not deleted (they reported a case)
    changed = text.replace("  - {name: 周小梅, roles: [grid_worker], region: 荷花村第一网格, wecom: zhouxm, dingtalk: \"dt1001\"}\n", "")
    changed = changed.replace("title: 副乡长", "title: 乡长")
    await import_org(changed)
    gone = await Staff.get(name="周小梅")
    assert not gone.active and (await Staff.get(name="曹军")).title == "乡长"
    assert await Staff.all().count() == first[2]


async def test_same_names_in_different_towns_need_paths(db) -> None:
    await import_org((FIXTURES / "two-towns.yaml").read_text(encoding="utf-8"))
    wangs = await Staff.filter(name="王芳").order_by("code")
    assert [w.code for w in wangs] == ["S001", "S002"]
    regions = [await Region.get(id=w.region_id) for w in wangs]
    assert [r.full_name for r in regions] == ["东湖区/石门镇/新村/第一网格", "东湖区/柳岸街道/新村/第一网格"]
    assert (await load_policy()).step_limits[Level.GRID] == Duration.parse("2d")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("roles: [grid_worker], region: 荷花村第二网格", "roles: [gridworker], region: 荷花村第二网格"),
         "staff[1] (吴大伟).roles[0]"),
        (("region: 荷花村第二网格, wecom: wudw", "region: 荷花村第九网格, wecom: wudw"),
         "staff[1] (吴大伟): region '荷花村第九网格' not found"),
        (("wecom: wudw", "wecom: zhouxm"), "wecom id 'zhouxm' is also used by 周小梅"),
        (("village: 3w", "village: 3weeks"), "escalation.village"),
        (("桂香村: {leader: 曹军", "桂香村: {leader: 曹大军"), "liaisons.桂香村.leader: staff '曹大军' not found"),
        (("department: 司法所, wecom: zhaom", "department: 司法局, wecom: zhaom"), "staff[9] (赵敏): department '司法局'"),
        (("- {name: 荷花村第一网格, level: grid}", "- {name: 荷花村第一网格, level: township}"), "cannot sit under a village"),
        (("receives: [roster, digest, warning]}", "receives: [roster, gossip]}"), "groups[0] (茶园乡矛调工作群).receives"),
        (("date: 2026-11-24, leader: 曹军", "date: 2026-11-24, leader: 无名氏"), "roster[1] (2026-11-24).leader"),
        (("members: [secretary, leader]", "members: [secretary, 无名氏]"),
         "groups[1] (茶园乡领导群).members: staff '无名氏' not found"),
        (("\ntasks:", "\noffice_hours: \"09:00-12:00,11:30-17:30\"\ntasks:"), "office_hours"),
    ],
)
async def test_invalid_file_changes_nothing_and_names_entry(db, edit, expected) -> None:
    text = DEMO_ORG.read_text(encoding="utf-8")
    await import_org(text)
    before = await _counts()
    old, new = edit
    assert old in text
    with pytest.raises(OrgImportError) as info:
        await import_org(text.replace(old, new, 1))
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert await _counts() == before


async def test_office_hours_from_the_org_file_are_what_the_limits_count(db) -> None:
    text = DEMO_ORG.read_text(encoding="utf-8")
    await import_org(text)
    assert (await load_policy()).office_hours == "09:00-12:00,13:30-17:30"  # not given: the default
    await import_org(text.replace("\ntasks:", "\noffice_hours: \"08:30-12:00,14:00-18:00\"\ntasks:", 1))
    assert [(str(a), str(b)) for a, b in (await load_policy()).office] == [("08:30:00", "12:00:00"),
                                                                         ("14:00:00", "18:00:00")]


async def test_not_yaml_is_a_clear_error(db) -> None:
    with pytest.raises(OrgImportError, match="YAML"):
        await import_org("center: [unclosed")
    with pytest.raises(OrgImportError, match="regions"):
        await import_org("center: {name: x}\n")


async def test_experts_join_the_pool_with_their_categories(db) -> None:
    from core.routing import suggest_experts

    await import_org(DEMO_ORG.read_text(encoding="utf-8"))
    assert [e.name for e in await suggest_experts("labor_wage")] == ["王律师"]
    assert [e.name for e in await suggest_experts("marriage_family")] == ["刘老师"]
    lawyer = await Staff.get(name="王律师")
    assert lawyer.roles == ["expert"] and lawyer.title == "律师"
    assert await suggest_experts("traffic") == []


SHARED_ORG = Path(__file__).resolve().parents[3] / "shared" / "examples" / "demo-org.yaml"


async def test_the_shared_example_imports_as_it_is(db) -> None:
    shared = SHARED_ORG
    if not shared.exists():  # noqa: ASYNC240  a stat, once
        pytest.skip("shared/examples/demo-org.yaml is not beside this checkout")
    summary = await import_org(shared.read_text(encoding="utf-8"))  # noqa: ASYNC240
    assert summary.created["regions"] >= 1 and summary.created["staff"] >= 1
