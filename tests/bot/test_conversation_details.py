"""Details of the conversation: voice and photos, asking where, quoting a card, ambiguity, cancelling."""

from __future__ import annotations

import pytest

from bot.types import Attachment
from core.enums import CaseStatus
from core.models import Case, Draft, Task
from tests.bot.harness import Harness
from tests.bot.test_scenarios import fields


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _two_tasks_for_zhao(h: Harness) -> None:
    for reporter, text in (("周小梅", "邻居家漏水到楼下"), ("吴大伟", "两家因院墙归属吵架")):
        await h.say(reporter, text)
        await h.click(reporter, "确认上报")
        await h.click("林晓", "受理并交办")


async def test_voice_transcript_and_photo_join_the_draft(h: Harness) -> None:
    await h.say("周小梅", "", attachments=(Attachment("image", "media-1"),))
    seen = await h.say("周小梅", "", attachments=(Attachment("voice", "media-2", "两户村民因为排水沟吵起来了"),))
    card = seen.cards[-1]
    assert "排水沟" in fields(card)["内容"] and fields(card)["附件"] == "2个"
    await h.click("周小梅", "确认上报")
    case = await Case.get(number="2026-0001")
    assert "[语音]两户村民因为排水沟吵起来了" in case.content


async def test_bot_asks_where_when_it_cannot_tell(h: Harness) -> None:
    seen = await h.say("赵敏", "上报 有两户人家因为借钱不还吵架")  # an officer has no grid of their own
    assert any("哪个村" in t for t in seen.texts)
    assert fields(seen.cards[-1])["地点"].startswith("未识别")
    seen = await h.click("赵敏", "确认上报")
    assert any("发生在哪里" in t for t in seen.texts) and await Case.all().count() == 0
    seen = await h.say("赵敏", "桂香村")
    assert fields(seen.cards[-1])["地点"] == "桂香村"
    await h.click("赵敏", "确认上报")
    case = await Case.get(number="2026-0001")
    assert case.category == "debt" and (await case.region).name == "桂香村"


async def test_ambiguous_reply_asks_which_case_then_applies(h: Harness) -> None:
    await _two_tasks_for_zhao(h)
    seen = await h.say("赵敏", "收到")
    assert "2026-0001" in seen.texts[0] and "2026-0002" in seen.texts[0] and "请回复案件编号" in seen.texts[0]
    await h.say("赵敏", "0002")
    tasks = {t.case_id: t.status for t in await Task.all()}
    assert sorted(tasks.values()) == ["pending", "signed"]
    assert (await Task.get(case__number="2026-0002")).status == "signed"


async def test_reply_quoting_a_card_refers_to_its_task(h: Harness) -> None:
    await _two_tasks_for_zhao(h)
    first = [s for s in await h.inbox("赵敏") if s.card and s.card.kind == "task"][0]
    await h.say("赵敏", "已办结,双方达成协议", quoted_link_id=first.link_id)
    assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED
    assert (await Case.get(number="2026-0002")).status == CaseStatus.DISPATCHED


async def test_button_asks_for_the_reason_and_cancel_aborts(h: Harness) -> None:
    await h.say("周小梅", "邻居家漏水到楼下")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    await h.click("赵敏", "签收")
    seen = await h.click("赵敏", "办结")
    assert "请回复办结情况" in seen.texts[0]
    assert (await h.say("赵敏", "取消")).texts == ["已取消"]
    assert (await Case.get(number="2026-0001")).status == CaseStatus.DISPATCHED
    await h.click("赵敏", "办结")
    await h.say("赵敏", "当事人起诉至法院,引导诉讼")
    case = await Case.get(number="2026-0001")
    assert case.status == CaseStatus.RESOLVED and case.result_type == "litigation"


async def test_returned_for_more_info_then_reporter_replies(h: Harness) -> None:
    await h.say("周小梅", "有人吵架")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "退回补充")
    await h.say("林晓", "请说明当事人和起因")
    seen = await h.since("周小梅", {p: 0 for p in h.channels})
    assert any("需要补充:请说明当事人和起因" in t for t in seen.texts)
    await h.say("周小梅", "老王和老李因为院墙滴水吵架")
    case = await Case.get(number="2026-0001")
    assert case.status == CaseStatus.REPORTED and "院墙滴水" in case.content
    assert await Draft.filter(status="open").count() == 0


async def test_clicking_an_old_draft_card_again_is_harmless(h: Harness) -> None:
    await h.say("周小梅", "邻居吵架")
    await h.click("周小梅", "确认上报")
    draft_link = (await Draft.first()).id
    from bot.types import Act
    from core.models import CardLink

    link = await CardLink.get(draft_id=draft_link)
    seen = await h.click_raw("周小梅", Act.CONFIRM, link.id)
    assert seen.texts == ["这张卡片的这项操作已不适用。矛盾纠纷上报:已上报"]  # the card's current state
    assert await Case.all().count() == 1


async def test_undeliverable_message_is_shown_to_the_dispatchers(h: Harness) -> None:
    from core.enums import Platform
    from core.models import OutboxMessage

    _, uid = await h.ident("钱伟", Platform.WECOM)  # on WeCom only
    h.channels[Platform.WECOM].invalid_users.add(uid)
    await h.say("周小梅", "两家因为宅基地翻建越界争执")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    dead = await OutboxMessage.filter(status="dead")
    assert dead and "invalid user" in dead[0].last_error
    notices = [s.text for s in await h.inbox("林晓") if "消息未送达" in s.text]
    assert notices and "钱伟" in notices[0]


async def test_refused_on_one_platform_goes_to_the_persons_other_account(h: Harness) -> None:
    from core.enums import Platform

    _, wecom_id = await h.ident("赵敏", Platform.WECOM)
    _, ding_id = await h.ident("赵敏", Platform.DINGTALK)
    h.channels[Platform.WECOM].invalid_users.add(wecom_id)  # her WeCom account was removed
    await h.say("周小梅", "邻居家漏水到楼下")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    cards = [s for s in h.channels[Platform.DINGTALK].sent if s.to == ding_id and s.card]
    assert cards and cards[0].card.kind == "task"
    assert not [s for s in await h.inbox("林晓") if "消息未送达" in s.text and "赵敏" in s.text]


async def test_a_repeat_report_is_linked_not_duplicated(h: Harness) -> None:
    await h.say("周小梅", "两家因院墙滴水吵架")
    await h.click("周小梅", "确认上报")
    seen = await h.say("周小梅", "院墙滴水的两家今天又吵起来了")
    seen = await h.click("周小梅", "确认上报")
    card = seen.cards[-1].card
    assert card.kind == "repeat" and "2026-0001" in card.title
    seen = await h.click("周小梅", "是同一件事")
    assert any("已并入案件 2026-0001" in t for t in seen.texts)
    assert await Case.all().count() == 1
    case = await Case.get(number="2026-0001")
    assert case.repeat_count == 1 and "今天又吵起来了" in case.content
    assert any("被再次上报" in s.text for s in await h.inbox("林晓"))


async def test_not_the_same_matter_becomes_a_new_case(h: Harness) -> None:
    await h.say("周小梅", "两家因院墙滴水吵架")
    await h.click("周小梅", "确认上报")
    await h.say("周小梅", "另外两户因为养狗吵架")
    await h.click("周小梅", "确认上报")
    await h.click("周小梅", "不是,新上报")
    assert await Case.all().count() == 2
