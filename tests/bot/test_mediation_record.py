"""调解记录 from chat: the assignee or the center records who mediated, for which body, how and how hard."""

from __future__ import annotations

import pytest

from core.models import AuditEvent, Case, CaseMediator, Department, Staff
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "张三和李四两家因院墙滴水吵架")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")
    return harness


async def _mediators(number: str = "2026-0001") -> list[tuple[str, bool]]:
    rows = await CaseMediator.filter(case__number=number).order_by("id")
    return [((await Staff.get(id=r.staff_id)).name, r.lead) for r in rows]


async def test_assignee_records_mediators_body_method_and_difficulty(h: Harness) -> None:
    seen = await h.say("赵敏", "调解记录 0001 调解员 何永和、王律师 主调 王律师 组织 茶园乡人民调解委员会 方式 上门调解 难度 一般")
    assert seen.texts == ["已登记案件 2026-0001 的调解员:王律师、何永和;调解组织 茶园乡人民调解委员会;"
                          "调解方式 上门调解;难易程度 一般"]
    assert await _mediators() == [("何永和", False), ("王律师", True)]
    case = await Case.get(number="2026-0001")
    committee = await Department.get(name="茶园乡人民调解委员会")
    assert (case.mediation_org_id, case.mediation_method, case.difficulty) == (committee.id, "visit", "general")
    assert await AuditEvent.filter(action="record_mediation", case_id=case.id).count() == 1


async def test_dispatcher_records_with_the_short_form_and_again_replaces_the_list(h: Harness) -> None:
    await h.say("林晓", "调解记录 0001 调解员 何永和、王律师 方式 现场调解")
    seen = await h.say("林晓", "调解记录 0001 调解员 王律师")
    assert seen.texts == ["已登记案件 2026-0001 的调解员:王律师"]
    assert await _mediators() == [("王律师", True)]
    assert (await Case.get(number="2026-0001")).mediation_method == "on_spot"  # kept from the first record


async def test_someone_neither_handling_nor_at_the_center_is_refused(h: Harness) -> None:
    seen = await h.say("孙婷", "调解记录 0001 调解员 何永和")
    assert seen.texts == ["只有案件 2026-0001 的承办人或中心可以登记调解情况"]
    assert await _mediators() == []


@pytest.mark.parametrize(("text", "answer"), [
    ("调解记录 0001 调解员 张无忌", "调解员「张无忌」不在名单中"),
    ("调解记录 0001 何永和", "格式:调解记录 0042"),
    ("调解记录 0001 调解员 何永和 方式 飞鸽传书", "调解方式或难度无法识别"),
    ("调解记录 0001 调解员 何永和 组织 司法所", "司法所 不是调解组织"),
    ("调解记录 0001 调解员 何永和 组织 不存在的调委会", "找不到调解组织「不存在的调委会」"),
])
async def test_what_cannot_be_recorded_is_answered_and_changes_nothing(h: Harness, text: str, answer: str) -> None:
    seen = await h.say("赵敏", text)
    assert len(seen.texts) == 1 and seen.texts[0].startswith(answer), seen.texts
    assert await _mediators() == []
