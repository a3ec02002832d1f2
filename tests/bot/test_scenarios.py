"""Whole conversations through the fake channel, as the people in the org would have them."""

from __future__ import annotations

import pytest

from core.enums import CaseStatus, Platform, TaskStatus
from core.models import AuditEvent, Case, Draft, InboundEvent, Task
from tests.bot.harness import Harness


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


def fields(sent) -> dict[str, str]:
    return dict(sent.card.fields)


async def test_report_confirm_dispatch_sign_progress_resolve_notify(h: Harness) -> None:
    seen = await h.say("周小梅", "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    card = seen.cards[-1].card
    assert card.kind == "draft" and [b.label for b in card.buttons] == ["确认上报", "修改", "当场已调处", "取消"]
    assert fields(seen.cards[-1])["类别"] == "邻里纠纷" and fields(seen.cards[-1])["地点"] == "荷花村第一网格"
    seen = await h.click("周小梅", "确认上报")
    assert any("2026-0001" in t for t in seen.texts)
    # the dispatcher on duty gets the case with the suggested routing
    center = await h.latest_card("林晓", kind="center")
    assert center is not None and [b.label for b in center.card.buttons] == ["受理并交办", "改派", "设定任务", "退回补充", "上报上级"]
    seen = await h.click("林晓", "受理并交办")
    assert any("已交办给 赵敏" in t for t in seen.texts)
    task_card = await h.latest_card("赵敏", kind="task")
    assert [b.label for b in task_card.card.buttons] == ["签收", "退回"]
    assert fields(task_card)["抄送"] == "唐志刚"
    assert (await h.latest_card("唐志刚", kind="cc")) is not None
    reporter = await h.since("周小梅", {p: 0 for p in h.channels})
    assert any("已受理" in t for t in reporter.texts) and any("已交办:司法所赵敏" in t for t in reporter.texts)
    # the officer signs by clicking: the same card updates in place with the next buttons
    await h.click("赵敏", "签收")
    updated = await h.latest_card("赵敏", kind="task")
    assert updated.link_id == task_card.link_id and updated.update
    assert [b.label for b in updated.card.buttons] == ["反馈进展", "申请延期", "退回", "办结"]
    await h.say("赵敏", "0001 已约双方明天上午到村委会调解")
    task = await Task.get(case__number="2026-0001")
    assert task.progress_count == 1
    seen = await h.say("赵敏", "办结 0001 双方达成调解协议,过道按1.5米留出")
    case = await Case.get(number="2026-0001")
    assert case.status == CaseStatus.RESOLVED and case.result_type == "agreement"
    reporter = await h.since("周小梅", {p: 0 for p in h.channels})
    assert any("已办结" in t and "1.5米" in t for t in reporter.texts)
    final = await h.latest_card("林晓", kind="center")
    assert final.card.buttons == [] and "1.5米" in fields(final)["结果"]


async def test_settled_on_the_spot(h: Harness) -> None:
    await h.say("吴大伟", "两户人家鸡鸭跑进对方菜地起了口角")
    await h.click("吴大伟", "当场已调处")
    seen = await h.say("吴大伟", "当场说和,双方互相道歉")
    assert any("当场调处" in t for t in seen.texts)
    case = await Case.get(settled_on_spot=True)
    assert case.status == CaseStatus.RESOLVED and case.result_note == "当场说和,双方互相道歉"
    assert any("当场调处" in t for t in (await h.since("林晓", {p: 0 for p in h.channels})).texts)


async def test_important_case_needs_the_leaders_plan(h: Harness) -> None:
    await h.say("周小梅", "装修队老板欠了六个工人两万多工资,工人堵在老板家门口")
    await h.click("周小梅", "确认上报")
    seen = await h.click("林晓", "受理并交办")
    assert any("领导审定" in t for t in seen.texts)
    plan = await h.latest_card("唐志刚", kind="plan")  # on duty today (roster)
    assert plan is not None and [b.label for b in plan.card.buttons] == ["同意交办", "提级处理"]
    await h.click("唐志刚", "同意交办")
    task = await Task.get(case__number="2026-0001")
    assert (await task.assignee).name == "孙婷"  # 劳动保障所


async def test_officer_returns_and_center_reassigns(h: Harness) -> None:
    await h.say("周小梅", "隔壁两家因院墙滴水发生争执")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    await h.click("赵敏", "退回")
    await h.say("赵敏", "涉及宅基地界址,应由自然资源所处理")
    assert any("退回" in t for t in (await h.since("林晓", {p: 0 for p in h.channels})).texts)
    center = await h.latest_card("林晓", kind="center")
    assert [b.label for b in center.card.buttons][:2] == ["交办", "改派"]
    await h.click("林晓", "改派")
    await h.say("林晓", "自然资源所")
    tasks = await Task.filter(case__number="2026-0001").order_by("id").prefetch_related("assignee")
    assert [(t.assignee.name, t.status) for t in tasks] == [("赵敏", "returned"), ("钱伟", "pending")]


async def test_extension_by_plain_reply_and_approval(h: Harness) -> None:
    await h.say("周小梅", "邻居家狗咬伤了小孩")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    await h.say("赵敏", "收到")
    await h.say("赵敏", "0001 申请延期3天 当事人外出务工")
    ext = await h.latest_card("林晓", kind="extension")
    assert fields(ext)["申请延期"] == "3个工作日"
    await h.click("林晓", "同意延期")
    assert any("延期申请已同意" in t for t in (await h.since("赵敏", {p: 0 for p in h.channels})).texts)
    assert (await Task.get(case__number="2026-0001")).extensions_granted == 1


async def test_someone_elses_card_is_refused_and_changes_nothing(h: Harness) -> None:
    await h.say("周小梅", "邻里纠纷,楼上漏水")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    task_card = await h.latest_card("赵敏", kind="task")
    sign = next(b for b in task_card.card.buttons if b.label == "签收")
    from bot.types import CardAction

    before = await AuditEvent.all().count()
    seen = await h.click_raw("孙婷", CardAction.decode(sign.action).act, task_card.link_id)
    assert seen.texts == ["这张卡片不是发给您的,无法操作"]
    assert (await Task.get(case__number="2026-0001")).status == TaskStatus.PENDING
    assert await AuditEvent.all().count() == before


async def test_plain_reply_from_the_wrong_officer_is_refused(h: Harness) -> None:
    await h.say("周小梅", "邻里纠纷,楼上漏水")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    seen = await h.say("孙婷", "办结 0001 已处理")
    assert seen.texts[0].startswith("孙婷,您好")  # no task of hers: she is shown what she can do
    assert (await Case.get(number="2026-0001")).status == CaseStatus.DISPATCHED


async def test_unknown_user_gets_a_polite_reply_and_nothing_is_created(h: Harness) -> None:
    from bot.types import Inbound

    await h.send(Inbound(platform=Platform.WECOM, event_id="x1", sender="stranger", received_at=h.domain.clock.now(),
                         text="我要反映问题"))
    sent = h.channels[Platform.WECOM].sent[-1]
    assert sent.to == "stranger" and "不是本中心登记的工作人员" in sent.text and "林晓" in sent.text
    assert await Draft.all().count() == 0 and await Case.all().count() == 0


async def test_duplicate_delivery_has_one_effect(h: Harness) -> None:
    from bot.types import Inbound

    p, uid = await h.ident("周小梅")
    inbound = Inbound(platform=p, event_id="dup-1", sender=uid, received_at=h.domain.clock.now(), text="邻居吵架")
    await h.send(inbound)
    await h.send(inbound)
    assert await InboundEvent.all().count() == 1
    draft = await Draft.get(staff_id=(await Draft.first()).staff_id)
    assert draft.texts == ["邻居吵架"]
    assert len([s for s in h.channels[p].sent if s.card]) == 1


async def test_a_restart_between_two_messages_keeps_the_draft(h: Harness, domain) -> None:
    await h.say("周小梅", "荷花村两户人家")
    fresh = Harness(domain)  # a new process: nothing in memory survives
    fresh.channels = h.channels
    fresh.registry = h.registry
    seen = await fresh.say("周小梅", "为排水沟堵塞吵架,已经三天了")
    assert "排水沟" in fields(seen.cards[-1])["内容"] and "荷花村两户人家" in fields(seen.cards[-1])["内容"]
    await fresh.click("周小梅", "确认上报")
    assert (await Case.get(number="2026-0001")).content == "荷花村两户人家\n为排水沟堵塞吵架,已经三天了"


async def test_commands(h: Harness) -> None:
    assert "值班领导:唐志刚" in (await h.say("林晓", "值班")).texts[0]
    assert "您好" in (await h.say("林晓", "帮助")).texts[0]
    await h.say("周小梅", "邻居吵架")
    await h.click("周小梅", "确认上报")
    assert "2026-0001 待受理" in (await h.say("周小梅", "我的")).texts[0]
    assert "待受理" in (await h.say("周小梅", "查询 0001")).texts[0]
    assert "无权查看" in (await h.say("吴大伟", "查询 0001")).texts[0]
    await h.say("周小梅", "又一起纠纷")
    assert "已撤回" in (await h.say("周小梅", "撤回")).texts[-1]
    assert "没有包案" in (await h.say("唐志刚", "积案")).texts[0]
    assert "您好" in (await h.say("林晓", "今天天气不错")).texts[0]  # no task, not a reporter: help


async def test_huge_message_is_refused_plainly(h: Harness) -> None:
    seen = await h.say("周小梅", "纠纷" * 5000)
    assert "消息过长" in seen.texts[0]
    assert await Draft.all().count() == 0


async def test_center_card_suggests_experts_for_the_category(h: Harness) -> None:
    await h.say("周小梅", "装修队老板欠了两个工人的工资不给")
    await h.click("周小梅", "确认上报")
    center = await h.latest_card("林晓", kind="center")
    assert fields(center)["建议专家"] == "王律师(律师)"


async def test_a_failed_mediation_sent_to_court_is_not_recorded_as_an_agreement(h: Harness) -> None:
    """"未达成协议" mentions 协议: it used to be stored as an agreement and counted as 化解."""
    await h.say("周小梅", "两户因过道宽窄发生争执")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    await h.say("赵敏", "办结 0001 调解未达成协议,已告知当事人向法院起诉")
    case = await Case.get(number="2026-0001")
    assert case.status == CaseStatus.RESOLVED and case.result_type == "litigation"
