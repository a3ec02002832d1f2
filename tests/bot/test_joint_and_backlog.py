"""联合调处 after dispatch and the 积案库, run from chat as the center, the departments and the leaders would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.enums import CaseStatus, TaskStatus
from core.models import AuditEvent, BacklogAssessment, Case, Task
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


def fields(sent) -> dict[str, str]:
    return dict(sent.card.fields)


async def _dispatched_to_zhao(h: Harness) -> None:
    await h.say("周小梅", "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")


async def _tasks() -> list[tuple[str, str, bool]]:
    tasks = await Task.filter(case__number="2026-0001").order_by("id").prefetch_related("assignee")
    return [(t.assignee.name, t.status, t.is_lead) for t in tasks]


async def test_center_adds_a_department_changes_the_lead_and_the_lead_releases_a_partner(h: Harness) -> None:
    await _dispatched_to_zhao(h)
    center = await h.latest_card("林晓", kind="center")
    assert [b.label for b in center.card.buttons] == ["追加部门"]  # one department: nothing to hand the lead to
    seen = await h.click("林晓", "追加部门")
    assert any("追加协办的部门" in t for t in seen.texts)
    await h.say("林晓", "市场监管所")
    assert await _tasks() == [("赵敏", "pending", True), ("李强", "pending", False)]
    assert (await h.latest_card("李强", kind="task")) is not None  # the partner gets its own task card
    told = (await h.since("赵敏", {p: 0 for p in h.channels})).texts
    assert any("追加 市场监管所李强 协办" in t and "撤回 0001 市场监管所" in t for t in told)
    # the partner's progress reaches the center's card and the lead's
    await h.say("李强", "收到")
    await h.say("李强", "0001 已查验双方提供的购物票据")
    center = await h.latest_card("林晓", kind="center")
    assert [b.label for b in center.card.buttons] == ["追加部门", "更换牵头"]
    assert fields(center)["承办"] == "赵敏(牵头,待签收);李强(办理中)"
    assert "已查验双方提供的购物票据" in fields(center)["办理进展"]
    assert "已查验双方提供的购物票据" in fields(await h.latest_card("赵敏", kind="task"))["办理进展"]
    # the center hands the lead over from its card
    seen = await h.click("林晓", "更换牵头")
    assert any("司法所赵敏(现牵头)" in t and "市场监管所李强" in t for t in seen.texts)
    seen = await h.say("林晓", "市场监管所")
    assert any("改由 李强 牵头" in t for t in seen.texts)
    assert await _tasks() == [("赵敏", "pending", False), ("李强", "signed", True)]
    assert any("改由您牵头" in t for t in (await h.since("李强", {p: 0 for p in h.channels})).texts)
    # the new lead lets the partner go; the partner and the center hear it from the lead
    await h.say("李强", "撤回 0001 司法所")
    assert await _tasks() == [("赵敏", "released", False), ("李强", "signed", True)]
    assert any("已由牵头人李强撤回" in t for t in (await h.since("赵敏", {p: 0 for p in h.channels})).texts)
    assert any("牵头人李强撤回了赵敏" in t for t in (await h.since("林晓", {p: 0 for p in h.channels})).texts)
    await h.say("李强", "办结 0001 双方和解,商家退还货款")
    assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED


async def test_plain_words_add_a_department_and_move_the_lead(h: Harness) -> None:
    await _dispatched_to_zhao(h)
    seen = await h.say("林晓", "追加 0001 市场监管所")
    assert any("已交办给 李强" in t for t in seen.texts)
    seen = await h.say("林晓", "牵头 0001 李强")
    assert any("改由 李强 牵头" in t for t in seen.texts)
    seen = await h.say("林晓", "牵头 0001 派出所")
    assert any("没有找到「派出所」" in t and "市场监管所李强(牵头)" in t for t in seen.texts)
    assert await _tasks() == [("赵敏", "pending", False), ("李强", "pending", True)]


async def test_only_the_center_adds_or_moves_the_lead_and_only_the_lead_releases(h: Harness) -> None:
    await _dispatched_to_zhao(h)
    await h.say("林晓", "追加 0001 市场监管所")
    before = (await _tasks(), await AuditEvent.all().count())
    for who, words in (("赵敏", "追加 0001 劳动保障所"), ("赵敏", "牵头 0001 市场监管所"),
                       ("李强", "撤回 0001 司法所"), ("周小梅", "撤回 0001 市场监管所")):
        seen = await h.say(who, words)
        assert any("您没有权限" in t for t in seen.texts), (who, words, seen.texts)
        assert not any("市场监管所李强" in t or "司法所赵敏" in t for t in seen.texts)  # nothing about the case shown
    assert (await _tasks(), await AuditEvent.all().count()) == before
    seen = await h.say("赵敏", "撤回 0001 市场监管所")  # the lead may
    assert (await Task.get(assignee__name="李强")).status == TaskStatus.RELEASED


async def test_backlog_from_chat_lead_assesses_monthly_and_strikes_off_with_result(h: Harness, clock) -> None:
    await _dispatched_to_zhao(h)
    seen = await h.say("赵敏", "积案 0001 包案 唐志刚")
    assert any("您没有权限" in t for t in seen.texts)
    assert not (await Case.get(number="2026-0001")).backlog
    seen = await h.say("林晓", "积案 0001 包案 唐志刚")
    assert any("已列入积案库,包案领导 唐志刚" in t for t in seen.texts)
    told = (await h.since("唐志刚", {p: 0 for p in h.channels})).texts
    assert any("由您包案" in t and "评估 0001 进展" in t for t in told)
    # only the 包案领导 assesses
    seen = await h.say("韩卫国", "评估 0001 进展 已约谈 下一步 再约谈")
    assert any("由包案领导唐志刚填写" in t for t in seen.texts) and await BacklogAssessment.all().count() == 0
    seen = await h.say("唐志刚", "评估 0001 已约谈")
    assert any("格式:评估 0042" in t for t in seen.texts)
    await h.say("唐志刚", "评估 0001 进展:已两次约谈双方,下一步:请司法所出具法律意见")
    row = await BacklogAssessment.get(case__number="2026-0001")
    assert (row.month, row.progress, row.next_step) == ("2026-11", "已两次约谈双方", "请司法所出具法律意见")
    assert any("【积案评估】2026-0001" in t for t in (await h.since("林晓", {p: 0 for p in h.channels})).texts)
    # the list: months open and the last assessment, for the leader and for the center
    clock.advance(timedelta(days=70))
    for who in ("唐志刚", "林晓"):
        listed = (await h.say(who, "积案")).texts[-1]
        assert "2026-0001 邻里纠纷" in listed and "包案 唐志刚,已列入 2 个月" in listed
        assert "最近评估(2026-11):已两次约谈双方;下一步:请司法所出具法律意见" in listed
    # 销号 only once resolved, and it keeps the result (it is 2027 now: the full number)
    seen = await h.say("唐志刚", "销号 2026-0001 已化解")
    assert any("尚未化解" in t for t in seen.texts)
    await h.say("赵敏", "收到")
    await h.say("赵敏", "办结 2026-0001 双方达成调解协议")
    seen = await h.say("唐志刚", "销号 2026-0001 已化解,双方签订调解协议并履行")
    case = await Case.get(number="2026-0001")
    assert case.backlog_struck_at is not None and case.backlog_result == "已化解,双方签订调解协议并履行"
    assert any("已由包案领导销号:已化解" in t for t in (await h.since("林晓", {p: 0 for p in h.channels})).texts)
    assert (await h.say("唐志刚", "积案")).texts[-1] == "您管辖范围内没有包案的积案"
