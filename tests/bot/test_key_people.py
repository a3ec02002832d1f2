"""重点人员 through chat on both platforms: registered by the grid's worker, the center or a leader, seen only
by the worker responsible and the leaders, followed up (each 随访 a 走访 log); a report naming a registered
person of its area is linked and the center's card says so, with who they are only for those who may know;
names never reach a group, the audit trail or a log line."""

from __future__ import annotations

import logging

import pytest

from core.enums import Platform
from core.models import AuditEvent, Case, GroupChat, KeyPerson, KeyPersonCase, Staff, VisitLog
from core.org_import import import_org
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import DEMO_ORG, cst, staff_id

REGISTER = "重点人员 登记 张某某 精神障碍 荷花村第一网格 每周走访"


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def group_texts(h: Harness) -> list[str]:
    refs = set()
    for g in await GroupChat.all():
        refs |= set((await g.refs()).values())
    return [s.text for ch in h.channels.values() for s in ch.sent if s.to in refs and s.text]


async def test_a_grid_worker_registers_in_chat_and_only_they_and_the_leaders_see_the_register(h: Harness) -> None:
    seen = await h.say("周小梅", REGISTER, Platform.WECOM)
    assert seen.texts[0].startswith("已登记重点人员 张某某(精神障碍),荷花村第一网格,负责网格员 周小梅,每 7 天随访一次")
    person = await KeyPerson.get(name="张某某")
    assert person.every_days == 7 and person.worker_id == await staff_id("周小梅")
    listed = (await h.say("周小梅", "重点人员", Platform.DINGTALK)).texts[0]
    assert "张某某 精神障碍 荷花村第一网格,每 7 天随访" in listed
    leader = (await h.say("唐志刚", "重点人员", Platform.DINGTALK)).texts[0]
    assert "张某某" in leader and "网格员 周小梅" in leader
    for outsider in ("吴大伟", "林晓", "赵敏"):  # another grid's worker, the dispatcher, an officer
        assert "张某某" not in (await h.say(outsider, "重点人员")).texts[0], outsider
    audit = await AuditEvent.get(action="register_key_person")
    assert "张某某" not in str(audit.after) and "精神障碍" not in str(audit.after)
    assert not [t for t in await group_texts(h) if "张某某" in t]


async def test_the_center_registers_for_a_grid_and_its_worker_is_told(h: Harness) -> None:
    seen = await h.say("林晓", "重点人员 登记 李某某 长期上访 荷花村第二网格 每两周走访", Platform.DINGTALK)
    assert "负责网格员 吴大伟,每 14 天随访一次" in seen.texts[0]
    told = [s.text for s in await h.inbox("吴大伟") if "【重点人员】" in s.text]
    assert told and "林晓 登记了您网格的重点人员 李某某(长期上访),请每 14 天随访一次" in told[0]
    assert "李某某" in (await h.say("吴大伟", "重点人员", Platform.WECOM)).texts[0]
    assert "李某某" not in (await h.say("林晓", "重点人员")).texts[0]  # registering is not seeing


async def test_registrations_that_cannot_stand_are_refused_and_change_nothing(h: Harness) -> None:
    assert "由本网格网格员、中心或领导登记" in (await h.say("郑丽", REGISTER, Platform.DINGTALK)).texts[0]
    assert "由本网格网格员、中心或领导登记" in (await h.say("赵敏", REGISTER)).texts[0]
    assert "类别应为:精神障碍、长期上访、社区矫正、刑满释放、矛盾激化" in \
        (await h.say("周小梅", "重点人员 登记 张某某 脾气不好")).texts[0]
    assert "请写明重点人员所在的网格" in (await h.say("林晓", "重点人员 登记 张某某 精神障碍 荷花村")).texts[0]
    assert "找不到地点" in (await h.say("林晓", "重点人员 登记 张某某 精神障碍 月球")).texts[0]
    assert "姓名" in (await h.say("周小梅", "重点人员 登记 13800001111 精神障碍")).texts[0]
    assert "格式" in (await h.say("周小梅", "重点人员 登记 张某某")).texts[0]
    assert await KeyPerson.all().count() == 0
    await h.say("周小梅", "重点人员 登记 张某某 精神障碍")  # a grid worker's own grid by default
    assert "已登记同名" in (await h.say("周小梅", REGISTER)).texts[0]
    assert await KeyPerson.all().count() == 1


async def test_in_a_group_nothing_is_registered_and_the_answer_goes_to_the_sender_alone(h: Harness) -> None:
    seen = await h.say("周小梅", REGISTER, Platform.DINGTALK, is_group=True, conversation="cidCHAYUAN01")
    assert seen.texts == ["重点人员信息涉及个人隐私,请在与我的单聊中办理(群内不处理)"]
    assert await KeyPerson.all().count() == 0
    assert not [t for t in await group_texts(h) if "重点人员" in t]


async def test_a_follow_up_is_a_visit_log_and_sets_the_next_one(h: Harness) -> None:
    await h.say("周小梅", REGISTER)
    seen = await h.say("周小梅", "随访 张某某 情况稳定,按时服药", Platform.DINGTALK)
    assert seen.texts[0].startswith("已记录对 张某某 的随访(计入走访记录),下次随访 2026-11-30 09:00 前")
    log = await VisitLog.get()
    assert log.text == "情况稳定,按时服药" and log.kind == "visit"
    assert "本月第 2 次" in (await h.say("周小梅", "走访 荷花村一组 王大爷 排水问题已协调")).texts[0]
    assert "名单中没有「刘某」" in (await h.say("周小梅", "随访 刘某 情况稳定")).texts[0]
    assert "名单中没有" in (await h.say("吴大伟", "随访 张某某 情况稳定")).texts[0]  # not theirs
    assert "随访" in (await h.say("唐志刚", "随访 张某某 已与家属沟通", Platform.DINGTALK)).texts[0]
    audit = await AuditEvent.filter(action="follow_up_key_person").first()
    assert audit is not None and "情况稳定" not in str(audit.after)
    assert "移出重点人员名单" in (await h.say("周小梅", "重点人员 撤销 张某某")).texts[0]
    assert "张某某" not in (await h.say("周小梅", "重点人员")).texts[0]


async def _report(h: Harness, who: str, text: str) -> Case:
    await h.say(who, text)
    await h.click(who, "确认上报")
    case = await Case.filter(content__contains=text[:8]).order_by("-id").first()
    assert case is not None
    return case


async def test_a_report_naming_a_registered_person_is_linked_and_the_card_says_so_without_details(
        h: Harness) -> None:
    await h.say("周小梅", REGISTER)
    case = await _report(h, "吴大伟", "荷花村张某某又在村口和邻居吵架,情绪激动")
    assert await KeyPersonCase.filter(case_id=case.id).count() == 1
    card = await h.latest_card("林晓", kind="center")
    assert card is not None and card.card is not None
    fields = dict(card.card.fields)
    assert fields["重点人员"] == "涉及重点人员:1 人,详情请联系网格员 周小梅"
    assert "精神障碍" not in str(card.card.fields)
    assert ",涉及上报 1 件" in (await h.say("周小梅", "重点人员")).texts[0]
    await tick(h)
    await tick(h)  # a second engine tells no one twice
    told = [s.text for s in await h.inbox("周小梅") if s.text and "上报内容涉及您负责的重点人员" in s.text]
    assert told == [f"【重点人员】案件 {case.number} 的上报内容涉及您负责的重点人员 张某某,请关注并及时随访"]
    other = await _report(h, "郑丽", "桂香村张某某家和邻居因排水吵架")  # another village: not the same person
    assert await KeyPersonCase.filter(case_id=other.id).count() == 0
    assert not [t for t in await group_texts(h) if "张某某" in t or "精神障碍" in t]


async def test_categories_and_viewers_come_from_the_org_file(h: Harness) -> None:
    text = DEMO_ORG.read_text(encoding="utf-8").replace(
        "  categories: {精神障碍: 7, 长期上访: 7, 社区矫正: 14, 刑满释放: 30, 矛盾激化: 3}\n  viewers: [leader, secretary]",
        "  categories: {严重精神障碍: 10, 重点信访人员: 30}\n  viewers: [leader, dispatcher]")
    await import_org(text)
    assert "类别应为:严重精神障碍、重点信访人员" in (await h.say("周小梅", REGISTER)).texts[0]
    seen = await h.say("周小梅", "重点人员 登记 张某某 严重精神障碍")
    assert "每 10 天随访一次" in seen.texts[0]
    assert "张某某" in (await h.say("林晓", "重点人员")).texts[0]  # dispatchers see the register here


async def test_names_never_reach_a_log_line(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    from maotiao import logredact

    logredact.install()
    with caplog.at_level(logging.DEBUG):
        await h.say("周小梅", REGISTER)
        await h.say("周小梅", "随访 张某某 情况稳定")
        logging.getLogger("maotiao.test").warning("looked up %s", "张某某")
    assert caplog.records and not [r for r in caplog.records if "张某某" in r.getMessage()]
    assert [r for r in caplog.records if "张**" in r.getMessage()]


async def reminders(h: Harness, name: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text and "【重点人员随访" in s.text]


async def test_a_due_follow_up_is_reminded_once_by_any_number_of_engines_then_again_while_missing(
        h: Harness, clock) -> None:
    await h.say("周小梅", "重点人员 登记 张某某 矛盾激化 每3天走访")
    clock.set(cst(2026, 11, 26, 8, 59))  # registered Monday 09:00: due Thursday 09:00
    await tick(h)
    assert await reminders(h, "周小梅") == []
    clock.set(cst(2026, 11, 26, 9, 1))
    await tick(h)
    await EmbeddedScheduler(h.bot, h.registry).tick()  # a second engine
    sent = await reminders(h, "周小梅")
    assert len(sent) == 1 and sent[0].startswith("【重点人员随访提醒】张某某(矛盾激化,荷花村第一网格)每 3 天随访一次,尚未随访")
    for other in ("吴大伟", "唐志刚", "林晓"):
        assert await reminders(h, other) == [], other
    clock.set(cst(2026, 11, 29, 9, 2))  # a cadence later and still not followed up
    await tick(h)
    sent = await reminders(h, "周小梅")
    assert len(sent) == 2 and sent[1].startswith("【重点人员随访逾期】")
    await h.say("周小梅", "随访 张某某 已调解,情绪平稳")
    clock.set(cst(2026, 12, 2, 9, 1))  # three days after the follow-up, not yet
    await tick(h)
    assert len(await reminders(h, "周小梅")) == 2
    clock.set(cst(2026, 12, 2, 9, 3))
    await tick(h)
    sent = await reminders(h, "周小梅")
    assert len(sent) == 3 and "上次随访 2026-11-29 09:02" in sent[2]
    assert not [t for t in await group_texts(h) if "张某某" in t]


async def test_a_reminder_for_someone_away_is_not_handed_to_their_backup(h: Harness, clock) -> None:
    await Staff.filter(name="周小梅").update(backup_id=await staff_id("吴大伟"))  # her B岗, not her register
    await h.say("周小梅", "重点人员 登记 张某某 矛盾激化 每3天走访")
    assert "吴大伟 代为接收" in (await h.say("周小梅", "请假 11月25日至11月28日")).texts[0]
    clock.set(cst(2026, 11, 26, 9, 1))
    await tick(h)
    assert len(await reminders(h, "周小梅")) == 1
    assert not [s for s in await h.inbox("吴大伟") if s.text and "张某某" in s.text]


async def test_the_leaders_plan_card_shows_who_the_registered_person_is(h: Harness) -> None:
    await h.say("周小梅", "重点人员 登记 张某某 长期上访")
    await _report(h, "周小梅", "装修队老板张某某欠了六个工人两万多工资,工人堵在老板家门口")
    await h.click("林晓", "受理并交办")
    plan = await h.latest_card("唐志刚", kind="plan")
    assert plan is not None and plan.card is not None
    assert dict(plan.card.fields)["重点人员"] == "涉及重点人员:张某某(长期上访,荷花村第一网格,网格员 周小梅)"
    center = await h.latest_card("林晓", kind="center")
    assert center is not None and center.card is not None and "长期上访" not in str(center.card.fields)


async def test_a_worker_who_left_the_grid_hands_their_people_to_its_current_worker(h: Harness, clock) -> None:
    await h.say("周小梅", "重点人员 登记 张某某 矛盾激化 每3天走访")
    await Staff.filter(name="周小梅").update(active=False)
    await Staff.filter(name="吴大伟").update(region_id=(await KeyPerson.get()).grid_id)
    clock.set(cst(2026, 11, 26, 9, 1))
    await tick(h)
    assert len(await reminders(h, "吴大伟")) == 1 and await reminders(h, "周小梅") == []
    assert (await KeyPerson.get()).worker_id == await staff_id("吴大伟")
    assert await AuditEvent.filter(action="hand_over_key_person").count() == 1
    assert "张某某" in (await h.say("吴大伟", "重点人员")).texts[0]
