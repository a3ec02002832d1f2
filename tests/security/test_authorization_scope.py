"""Issue 16, authorization gaps: 调班 stays within its center and is never self-approved; an officer whose
task was returned or withdrawn loses the case; tasks go only to people inside the dispatcher's tree; a
forged action on a card of another kind is answered, not raised. Every refusal is in Chinese and changes
nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.types import Act
from core.enums import Platform
from core.errors import Refused
from core.models import CardLink, Case, CaseDocument, Department, Draft, RosterEntry, RosterSwap, Staff, Task
from core.org_import import import_org
from core.roster import swap
from core.services import triage
from core.transitions import TaskAction
from tests.bot.harness import Harness
from tests.conftest import staff_id, who
from tests.core.flows import accepted

W = Platform.WECOM
DISTRICT = Path(__file__).resolve().parents[1] / "fixtures" / "district.yaml"
DAY = date(2026, 11, 30)


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


@pytest.fixture
async def district(db: str) -> None:
    await import_org(DISTRICT.read_text(encoding="utf-8"))


async def _duty(day: date) -> list[tuple[str, str]]:
    entries = await RosterEntry.filter(day=day).prefetch_related("staff").order_by("id")
    return [(e.duty, e.staff.name) for e in entries]


# 11. 调班


async def test_a_leader_cannot_approve_his_own_swap(h: Harness) -> None:
    before = await _duty(date(2026, 11, 23))
    seen = await h.say("唐志刚", "调班 11-23 唐志刚 曹军")
    assert "不能审批本人" in seen.texts[0]
    assert await RosterSwap.all().count() == 0 and await _duty(date(2026, 11, 23)) == before


async def test_nobody_approves_a_swap_that_gives_them_the_duty(h: Harness) -> None:
    seen = await h.say("曹军", "调班 11-23 唐志刚 曹军")
    assert "不能审批本人" in seen.texts[0]
    assert await RosterSwap.all().count() == 0


async def test_another_townships_dispatcher_cannot_rewrite_this_roster(district, domain) -> None:
    await RosterEntry.create(day=DAY, staff_id=await staff_id("石书记"), duty="leader")
    with pytest.raises(Refused, match="石书记 不在您的管辖范围"):
        await swap(await who("柳调度"), DAY, "石书记", "石司法", domain.clock.now())
    with pytest.raises(Refused, match="不在您的管辖范围"):  # nor put one of their own people on it
        await swap(await who("石调度"), DAY, "石书记", "柳司法", domain.clock.now())
    assert await RosterSwap.all().count() == 0 and await _duty(DAY) == [("leader", "石书记")]


async def test_the_centers_own_dispatcher_and_the_district_still_record_swaps(district, domain) -> None:
    await RosterEntry.create(day=DAY, staff_id=await staff_id("石书记"), duty="leader")
    await swap(await who("石调度"), DAY, "石书记", "石司法", domain.clock.now())
    await swap(await who("区调度"), DAY, "石司法", "石劳保", domain.clock.now())
    assert await _duty(DAY) == [("leader", "石劳保")]


# 12. a returned officer


async def _returned_by_zhao(h: Harness) -> None:
    await h.say("周小梅", "隔壁两家因院墙滴水发生争执")
    await h.click("周小梅", "确认上报")
    await Case.filter(number="2026-0001").update(parties=[{"name": "张三"}, {"name": "李四"}])
    await h.click("林晓", "受理并交办")
    await h.click("赵敏", "退回")
    await h.say("赵敏", "涉及宅基地界址,应由自然资源所处理")
    assert (await Task.get(assignee__name="赵敏")).status == "returned"


async def test_an_officer_who_returned_the_task_no_longer_reads_the_case(h: Harness) -> None:
    await _returned_by_zhao(h)
    seen = await h.say("赵敏", "查询 0001")
    assert seen.texts == ["找不到案件 2026-0001,或您无权查看"]


async def test_an_officer_who_returned_the_task_makes_no_agreement(h: Harness) -> None:
    await _returned_by_zhao(h)
    seen = await h.say("赵敏", "协议 0001 双方同意各退一步")
    assert "只有案件 2026-0001 的承办人或中心" in seen.texts[0]
    assert await CaseDocument.all().count() == 0


async def test_an_officer_whose_task_was_withdrawn_no_longer_reads_the_case(h: Harness, domain) -> None:
    await h.say("周小梅", "隔壁两家因院墙滴水发生争执")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    task = await Task.get(assignee__name="赵敏")
    from core.services import handling

    await handling.release_task(domain, await who("林晓"), task.id, source=W)
    seen = await h.say("赵敏", "查询 0001")
    assert seen.texts == ["找不到案件 2026-0001,或您无权查看"]


async def test_the_officer_on_the_case_still_reads_it_and_makes_its_agreement(h: Harness) -> None:
    await h.say("周小梅", "隔壁两家因院墙滴水发生争执")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    assert (await h.say("赵敏", "查询 0001")).texts[0].startswith("案件 2026-0001:")
    assert "已生成《人民调解协议书》" in (await h.say("赵敏", "协议 0001 双方同意各退一步")).texts[0]


# 13. dispatch outside the tree


async def test_a_task_cannot_go_to_someone_outside_the_dispatchers_tree(org, domain) -> None:
    case = await accepted(domain)
    with pytest.raises(Refused, match="不在您的管辖范围"):
        await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("邓华"))],
                              source=W)
    district_center = await Department.get(name="区社会矛盾纠纷调处化解中心")
    with pytest.raises(Refused, match="不在您的管辖范围"):
        await triage.dispatch(domain, await who("林晓"), case.id,
                              [triage.Assignment(await staff_id("赵敏"), department_id=district_center.id)], source=W)
    assert await Task.all().count() == 0 and (await Case.get(id=case.id)).status == case.status


async def test_another_townships_officer_cannot_be_given_the_task(district, domain) -> None:
    from core.models import Region
    from core.services import intake

    out = await intake.report(domain, await who("网格甲"), intake.ReportInput("两户因排水沟争吵"), source=W)
    assert out.case is not None
    await triage.accept(domain, await who("石调度"), out.case.id, source=W)
    with pytest.raises(Refused, match="柳司法 不在您的管辖范围"):
        await triage.dispatch(domain, await who("石调度"), out.case.id,
                              [triage.Assignment(await staff_id("柳司法"))], source=W)
    assert await Task.all().count() == 0
    done = await triage.dispatch(domain, await who("区调度"), out.case.id,
                                 [triage.Assignment(await staff_id("石司法"))], source=W)
    assert done.changed and (await Region.get(id=(await Case.get(id=out.case.id)).handling_region_id)).name == "石门镇"


# 14. forged actions on other cards


async def test_a_forged_sign_on_a_draft_card_is_answered_and_changes_nothing(h: Harness) -> None:
    await h.say("周小梅", "邻里纠纷,楼上漏水")
    card = await h.latest_card("周小梅", with_button="确认上报")
    assert card is not None and card.link_id is not None
    seen = await h.click_raw("周小梅", TaskAction.SIGN, card.link_id)
    assert seen.texts == ["该卡片不支持此操作"]
    assert (await Draft.get()).status == "open" and await Case.all().count() == 0


async def test_a_forged_confirm_on_a_task_card_is_answered_and_changes_nothing(h: Harness) -> None:
    await h.say("周小梅", "邻里纠纷,楼上漏水")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    link = await CardLink.get(kind="task")
    for forged in (Act.CONFIRM, Act.ACCEPT_DISPATCH, Act.EXT_YES, Act.ATTEND, Act.SATISFIED):
        seen = await h.click_raw("赵敏", forged, link.id)
        assert seen.texts == ["该卡片不支持此操作"], forged
    task = await Task.get()
    assert task.status == "pending" and (await Staff.get(id=task.assignee_id)).name == "赵敏"


def test_every_card_kind_lists_the_actions_it_accepts() -> None:
    from bot.cards import BUILDERS
    from bot.router import ACTION_ROUTES, CARD_ACTIONS

    assert set(CARD_ACTIONS) == set(BUILDERS), "a new kind of card needs its actions in CARD_ACTIONS"
    listed = set().union(*CARD_ACTIONS.values())
    assert listed == set(ACTION_ROUTES), "every routed action belongs to some kind of card"
