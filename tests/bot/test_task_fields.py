"""The dispatcher sets the whole task in words (执行人, 抄送人, 截止时间, 提醒时间, 诉求内容, 提醒方式), corrects the
category before dispatch, and the reminder goes out at the chosen time by the chosen method (SMS through the
provider's fake on loopback, which checks the request signature)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.types import Act, CardAction, Inbound
from core.clock import DISPLAY_TZ, ManualClock
from core.enums import CaseStatus
from core.models import Case, IntakeCorrection, Staff, Task
from core.services.base import Domain
from integrations.aliyun_sms.sender import AliyunSms
from integrations.sandbox.aliyun_sms import FakeAliyunSms
from scheduler.jobs import overdue_task, remind_task
from tests.bot.harness import Harness


@pytest.fixture
async def sms() -> AsyncIterator[FakeAliyunSms]:
    fake = FakeAliyunSms()
    await fake.start()
    yield fake
    await fake.aclose()


@pytest.fixture
async def h(org, domain: Domain, sms: FakeAliyunSms) -> AsyncIterator[Harness]:
    harness = Harness(domain)
    sender = AliyunSms(sms.settings())
    harness.registry.sms = sender
    yield harness
    await sender.aclose()


async def _reported(h: Harness, text: str) -> Case:
    await h.say("周小梅", text)
    await h.click("周小梅", "确认上报")
    return await Case.all().order_by("-id").first()  # type: ignore[return-value]


def _fields(sent) -> dict[str, str]:
    return dict(sent.card.fields)


async def test_dispatch_in_words_sets_all_six_fields_and_the_card_shows_them(h: Harness) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    seen = await h.say("林晓", "交办 0001 给司法所 抄送孙婷 3个工作日 提前一天提醒 加急 诉求:双方对过道宽度有争议")
    assert any("已交办给 赵敏" in t for t in seen.texts)
    task = await Task.get(case__number="2026-0001")
    assert task.cc == [(await Staff.get(name="孙婷")).id] and task.reminder_method == "urgent"
    assert task.content == "双方对过道宽度有争议"
    deadline = task.deadline.astimezone(DISPLAY_TZ)
    assert (deadline.month, deadline.day, deadline.hour) == (11, 26, 18)  # 3 working days from Monday: end of Thursday
    assert task.remind_at is not None and task.deadline - task.remind_at == timedelta(days=1)
    card = await h.latest_card("赵敏", kind="task")
    assert card is not None and card.urgent
    f = _fields(card)
    assert f["抄送"] == "孙婷" and f["截止时间"].startswith("2026-11-26") and f["诉求内容"] == "双方对过道宽度有争议"
    assert f["提醒"].startswith("2026-11-25") and f["提醒"].endswith("(加急)")
    assert await h.latest_card("孙婷", kind="cc") is not None


@pytest.mark.parametrize("words, answer", [
    ("交办 0001 给司法所 截止11月20日", "截止时间必须晚于当前时间"),
    ("交办 0001 给司法所 2个工作日 11月30日9点提醒", "提醒时间必须在当前时间与截止时间之间"),
    ("交办 0001 给不存在的所", "没有找到承办人或部门「不存在的所」"),
    ("交办 0001 给司法所 抄送张三丰", "抄送人「张三丰」不在组织名单中"),
    ("交办 0001 给司法所 明天再说", "没看懂「明天再说」"),
])
async def test_bad_task_words_get_a_chinese_reply_and_change_nothing(h: Harness, words: str, answer: str) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    seen = await h.say("林晓", words)
    assert any(answer in t for t in seen.texts), seen.texts
    case = await Case.get(number="2026-0001")
    assert case.status == CaseStatus.REPORTED and not await Task.exists(case_id=case.id)


async def test_recategorize_before_dispatch_is_kept_for_training_and_routing_follows(h: Harness) -> None:
    case = await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    before = case.category
    seen = await h.say("林晓", "改类 0001 劳动保障")
    assert any("更正为「劳资纠纷」" in t for t in seen.texts)
    row = await IntakeCorrection.get(case_id=case.id)
    assert (row.predicted_category, row.category, row.by_name) == (before, "labor_wage", "林晓")
    await h.click("林晓", "受理并交办")
    assert (await (await Task.get(case_id=case.id)).assignee).name == "孙婷"  # 劳动保障所


async def test_reassign_to_a_department_corrects_the_category_it_takes(h: Harness) -> None:
    case = await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.say("林晓", "改派 0001 给劳动保障所")
    case = await Case.get(id=case.id)
    assert case.category == "labor_wage" and await IntakeCorrection.exists(case_id=case.id, category="labor_wage")
    assert (await (await Task.get(case_id=case.id)).assignee).name == "孙婷"


async def test_recategorize_after_dispatch_and_by_an_officer_is_refused(h: Harness) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    seen = await h.say("赵敏", "改类 0001 劳资纠纷")
    assert any("没有权限" in t for t in seen.texts)
    await h.click("林晓", "受理并交办")
    seen = await h.say("林晓", "改类 0001 劳资纠纷")
    assert any("只能在交办前更正类别" in t for t in seen.texts)
    assert not await IntakeCorrection.exists()


async def test_the_leaders_plan_reaches_the_assignees_card(h: Harness) -> None:
    await _reported(h, "装修队老板欠了六个工人两万多工资,工人堵在老板家门口")
    await h.click("林晓", "受理并交办")
    plan = await h.latest_card("唐志刚", kind="plan")
    assert plan is not None and _fields(plan)["拟交办"] == "劳动保障所孙婷"
    await h.say("唐志刚", "审定 0001 由劳动保障所牵头,三日内约谈老板,核清工资")
    card = await h.latest_card("孙婷", kind="task")
    assert card is not None and _fields(card)["处置方案"] == "由劳动保障所牵头,三日内约谈老板,核清工资"


async def test_sms_reminder_fires_at_the_chosen_time_with_only_number_and_category(
        h: Harness, sms: FakeAliyunSms, clock: ManualClock) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.say("林晓", "交办 0001 给赵敏 截止11月30日 11月27日10点提醒 短信")
    task = await Task.get(case__number="2026-0001")
    assert task.remind_at == datetime(2026, 11, 27, 10, tzinfo=DISPLAY_TZ)
    assert not await remind_task(h.domain, task.id)  # not yet
    clock.set(datetime(2026, 11, 27, 10, 1, tzinfo=DISPLAY_TZ))
    assert await remind_task(h.domain, task.id)
    await h.flush()
    assert sms.sent == [{"phone": "13800000101", "params": {"number": "2026-0001", "category": "邻里纠纷"},
                         "out_id": sms.sent[0]["out_id"]}] and sms.refused == []
    assert any("【到期提醒】" in t for t in (await h.since("赵敏", {p: 0 for p in h.channels})).texts)


async def test_without_a_phone_the_dispatcher_is_told_once_and_the_reminder_comes_in_chat(
        h: Harness, sms: FakeAliyunSms, clock: ManualClock) -> None:
    await _reported(h, "装修队老板欠了两个工人工资")
    await Case.filter(number="2026-0001").update(severity="general")
    seen = await h.say("林晓", "交办 0001 给孙婷 3个工作日 提前2小时提醒 短信")
    assert sum("没有手机号" in t for t in seen.texts) == 1
    task = await Task.get(case__number="2026-0001")
    clock.set(task.remind_at + timedelta(minutes=1))  # type: ignore[operator]
    assert await remind_task(h.domain, task.id)
    clock.set(task.deadline + timedelta(minutes=1))
    assert await overdue_task(h.domain, task.id)
    await h.flush()
    assert sms.sent == []
    texts = (await h.since("孙婷", {p: 0 for p in h.channels})).texts
    assert any("【到期提醒】" in t for t in texts) and any("【逾期】" in t for t in texts)
    told = (await h.since("林晓", {p: 0 for p in h.channels})).texts
    assert sum("没有手机号" in t for t in told) == 1


async def test_a_wrong_signature_is_refused_by_the_fake(sms: FakeAliyunSms) -> None:
    sender = AliyunSms(sms.settings().model_copy(update={"access_key_secret": "not-the-secret-at-all"}))
    result = await sender.send_sms("13800000101", {"number": "2026-0001", "category": "邻里纠纷"}, "o1")
    await sender.aclose()
    assert not result.ok and result.permanent and sms.refused == ["SignatureDoesNotMatch"] and sms.sent == []


async def test_a_preset_on_the_form_dispatches_with_the_org_defaults_and_a_stale_form_changes_nothing(
        h: Harness) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.click("林晓", "设定任务")
    form = await h.latest_card("林晓", with_button="默认+加急提醒")
    assert form is not None and [s.title for s in form.card.selects] == ["执行人", "抄送人", "截止时间"]  # type: ignore[union-attr]
    stale = next(b for b in form.card.buttons if b.label == "默认+短信提醒")  # type: ignore[union-attr]
    await h.click("林晓", "默认+加急提醒")
    task = await Task.get(case__number="2026-0001")
    assert (await task.assignee).name == "赵敏" and task.reminder_method == "urgent"
    assert task.deadline.astimezone(DISPLAY_TZ).day == 30  # the org file's 5 working days for a general case
    action = CardAction.decode(stale.action)  # the other preset, clicked on the card as it was
    seen = await h.click_raw("林晓", action.act, action.link_id)
    assert any("已不适用" in t or "无法在卡片上交办" in t for t in seen.texts)  # answered with the card's state
    assert await Task.filter(case__number="2026-0001").count() == 1


@pytest.mark.parametrize("arg, answer", [
    ("a=d1;c=def;d=3w;r=1d", "卡片上的选择不完整"),
    ("a=d1;c=def;d=3q;r=1d;m=card", "卡片上的选择无法识别"),
    ("a=x1;c=def;d=3w;r=1d;m=card", "所选执行人已不在组织名单中"),
])
async def test_a_form_answer_that_is_incomplete_or_not_ours_changes_nothing(h: Harness, arg: str, answer: str) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    center = await h.latest_card("林晓", kind="center")
    assert center is not None and center.link_id is not None
    p, uid = await h.ident("林晓")
    mark = h.mark("林晓")
    await h.send(Inbound(platform=p, event_id=f"forged-{arg}", sender=uid, received_at=h.domain.clock.now(),
                         action=CardAction(Act.FORM_DISPATCH, center.link_id, arg)))
    assert any(answer in t for t in (await h.since("林晓", mark)).texts)
    assert not await Task.exists(case__number="2026-0001")


async def test_a_drop_down_missing_from_the_answer_keeps_what_the_form_showed(h: Harness) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.click("林晓", "设定任务")
    form = await h.latest_card("林晓", with_button="按默认交办")
    assert form is not None and form.link_id is not None and form.card is not None
    assert form.card.submit is not None
    p, uid = await h.ident("林晓")
    await h.send(Inbound(platform=p, event_id="form-page-1", sender=uid, received_at=h.domain.clock.now(),
                         action=CardAction.decode(form.card.submit.action), selected={"d": ["3w"]}))
    page2 = await h.latest_card("林晓", kind="center")
    assert page2 is not None and page2.card is not None
    assert page2.card.subtitle == "司法所 · 按规则抄送 · 3个工作日" and [s.key for s in page2.card.selects] == ["r", "m"]
    assert page2.card.submit is not None
    await h.send(Inbound(platform=p, event_id="form-page-2", sender=uid, received_at=h.domain.clock.now(),
                         action=CardAction.decode(page2.card.submit.action), selected={"m": ["sms"]}))
    task = await Task.get(case__number="2026-0001")
    assert (await task.assignee).name == "赵敏" and task.reminder_method == "sms"
    assert task.remind_at is not None and task.deadline - task.remind_at == timedelta(days=1)  # the org's 1d


@pytest.mark.parametrize("picked, answer", [
    ({"d": ["3q"]}, "卡片上的选择无法识别"),
    ({"d": ["3w;m=sms"]}, "卡片上的选择不完整"),
    ({"a": ["s999999"]}, "所选执行人已不在组织名单中"),
])
async def test_a_first_page_answer_that_is_not_ours_shows_the_form_again(h: Harness, picked, answer: str) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.click("林晓", "设定任务")
    form = await h.latest_card("林晓", with_button="按默认交办")
    assert form is not None and form.card is not None and form.card.submit is not None
    p, uid = await h.ident("林晓")
    mark = h.mark("林晓")
    await h.send(Inbound(platform=p, event_id=f"page-1-{picked}", sender=uid, received_at=h.domain.clock.now(),
                         action=CardAction.decode(form.card.submit.action), selected=picked))
    seen = await h.since("林晓", mark)
    assert any(answer in t for t in seen.texts), seen.texts
    assert [s.key for s in seen.cards[-1].card.selects] == ["a", "c", "d"]  # type: ignore[union-attr]


async def test_back_on_the_form_shows_the_center_card_and_sets_nothing(h: Harness) -> None:
    await _reported(h, "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.click("林晓", "设定任务")
    seen = await h.click("林晓", "返回")
    assert [b.label for b in seen.cards[-1].card.buttons][:3] == ["受理并交办", "改派", "设定任务"]  # type: ignore[union-attr]
    assert not await Task.exists(case__number="2026-0001")
