"""Cards that update, never repeat (issue 18), on WeCom through the fake: a card's update code is single use, so
after it is spent a change reaches its person as one short line, never as the same card again; people no longer
involved hear nothing more; a button its card no longer offers answers with the current state; numbers are
masked on every card and notice."""

from __future__ import annotations

import json
from datetime import timedelta

from core.enums import CaseStatus, TaskStatus
from core.models import Case, Task
from core.reports import casefile
from integrations.sandbox.wecom import Stored
from scheduler.jobs import follow_up_case
from tests.integrations.wecom_rig import WeComRig, wecom_rig

PHONE, ID_NUMBER = "13812345678", "330102199001011234"
REPORT = f"荷花村两户人家因为院墙滴水吵了好几天,当事人张三电话{PHONE},身份证{ID_NUMBER}"


async def _dispatched(rig: WeComRig) -> None:
    await rig.say("zhouxm", REPORT)
    await rig.click("zhouxm", "确认上报")
    await rig.click("linx", "受理并交办")


def _received(rig: WeComRig, user: str) -> list[Stored]:
    return list(rig.fake.inbox.get(user, []))


def _shown(msg: Stored) -> str:
    return json.dumps(msg.body, ensure_ascii=False, sort_keys=True)


def _fields(msg: Stored) -> dict[str, str]:
    return {f["keyname"]: f["value"] for f in msg.body.get("horizontal_content_list", [])}


async def test_ten_changes_never_send_the_dispatcher_the_same_card_twice(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        await rig.click("zhaom", "签收")
        await rig.say("zhaom", "0001 已约双方明天调解")
        await rig.click("zhaom", "申请延期")
        await rig.say("zhaom", "2天 当事人住院")
        extension = rig.card("linx", "同意延期")
        await rig.click("linx", "同意延期")
        after_decision = len(_received(rig, "linx"))
        await rig.say("zhaom", "0001 双方已见面")
        await rig.say("zhaom", "0001 正在拟定协议")
        await rig.say("zhaom", "0001 正在拟定协议")  # the same progress again: nothing new on anyone's card
        await rig.say("zhaom", "办结 0001 双方达成调解协议,院墙加装接水槽")
        await rig.say("linx", "改类 0001 邻里纠纷")
        assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED

        got = _received(rig, "linx")
        cards = [m for m in got if m.msgtype == "template_card"]
        assert [c.body["main_title"]["title"] for c in cards] == ["矛盾纠纷 2026-0001", "延期申请 2026-0001"]
        shown = [_shown(m) for m in got]
        assert len(shown) == len(set(shown)), "the dispatcher was sent the same message twice"
        changes = [m.body["content"] for m in got if m.msgtype == "text" and m.body["content"].startswith("【")]
        assert changes and all(len(c) <= 300 for c in changes)
        assert any("办结" in c for c in changes if c.startswith("【矛盾纠纷 2026-0001】"))
        # the answered extension card: greyed out once, then never again
        assert extension.updates and extension.body["button_list"] == []
        assert not [m for m in got[after_decision:] if "延期申请" in _shown(m)]


async def test_an_officer_who_returned_the_task_hears_no_more_of_the_case(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        await rig.say("zhaom", "退回 0001 不属于本单位职责")
        task_card = rig.fake.card_messages("zhaom")[0]
        assert task_card.body["button_list"] == [] and task_card.body["replaced"].startswith("已退回")
        heard = len(_received(rig, "zhaom"))
        await rig.say("linx", "交办 0001 给钱伟")
        await rig.click("qianw", "签收")
        await rig.say("qianw", "0001 已到现场查看")
        await rig.say("qianw", "办结 0001 双方和解")
        assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED
        assert len(_received(rig, "zhaom")) == heard


async def test_a_button_the_card_no_longer_offers_answers_with_the_current_state(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        await rig.click("zhaom", "签收")  # the click's code updates the card in place: the code is spent
        await rig.say("zhaom", "办结 0001 双方达成调解协议")  # cannot update in place: one change line
        card = rig.fake.card_messages("zhaom")[0]
        assert [b["text"] for b in card.body["button_list"]] == ["反馈进展", "申请延期", "退回", "办结"]
        before = len(_received(rig, "zhaom"))
        await rig.click("zhaom", "退回")
        reply = [m.body["content"] for m in _received(rig, "zhaom")[before:] if m.msgtype == "text"]
        assert reply and "不适用" in reply[0] and "已办结" in reply[0] and "理由" not in reply[0]
        assert card.body["button_list"] == [] and card.body["replaced"].startswith("已办结")  # brought up to date in place
        assert (await Task.get(case__number="2026-0001")).status == TaskStatus.RESOLVED
        await rig.say("zhaom", "不想办了")  # not taken as a reason for 退回: nothing was asked
        assert (await Task.get(case__number="2026-0001")).status == TaskStatus.RESOLVED


async def test_cards_and_notices_never_carry_a_reports_numbers_in_full(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        await rig.click("zhaom", "签收")
        await rig.say("zhaom", f"办结 0001 已打电话 {PHONE} 约双方达成协议")
        await rig.say("linx", "查询 0001")
        assert any(t.startswith("案件 2026-0001") and "办结情况" in t for t in rig.fake.texts("linx"))
        for user in ("zhouxm", "linx", "zhaom", "tangzg"):
            for msg in _received(rig, user):
                assert PHONE not in _shown(msg) and ID_NUMBER not in _shown(msg), (user, msg.body)
        assert any("138****5678" in t and "2026-0001" in t for t in rig.fake.texts("zhouxm"))  # masked, not dropped
        assert _fields(rig.fake.card_messages("linx")[0])["编号"] == "2026-0001"


async def test_signing_an_overdue_task_says_it_is_overdue(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        clock.advance(timedelta(days=30))
        before = len(_received(rig, "zhaom"))
        await rig.click("zhaom", "签收")
        said = [m.body["content"] for m in _received(rig, "zhaom")[before:] if m.msgtype == "text"]
        assert any("已签收" in t and "逾期" in t for t in said) and not any("前办结" in t for t in said)


async def test_the_follow_up_card_shows_the_recorded_answer(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        await rig.say("zhaom", "办结 0001 双方达成调解协议")
        case = await Case.get(number="2026-0001")
        clock.set(case.follow_up_due_at + timedelta(minutes=1))
        assert await follow_up_case(domain, case.id)
        await rig.settle()
        card = rig.card("zhouxm", "满意")
        await rig.click("zhouxm", "满意")
        assert card.body["button_list"] == [] and card.body["replaced"] == "已回访:满意"
        assert (await Case.get(id=case.id)).status == CaseStatus.CLOSED


async def test_place_and_dispatch_are_each_shown_once(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)
        place = _fields(rig.fake.card_messages("linx")[0])["地点"]
        assert len(place.split()) == len(set(place.split())), place
        task_place = _fields(rig.fake.card_messages("zhaom")[0])["地点"]
        assert len(task_place.split()) == len(set(task_place.split())), task_place
        steps = (await casefile.build(await Case.get(number="2026-0001"))).steps
        assert [s.note for s in steps if s.action == "交办"] == ["交办给 赵敏"]



async def test_a_card_offering_a_new_action_comes_whole_and_the_old_one_points_to_it(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatched(rig)  # the click's code brought the center card to 办理中 in place: the code is spent
        old = rig.fake.card_messages("linx")[0]
        await rig.say("linx", "追加 0001 自然资源所")  # two departments: 更换牵头 is a new action, a line cannot carry it
        cards = rig.fake.card_messages("linx")
        assert len(cards) == 2 and [b["text"] for b in cards[1].body["button_list"]] == ["追加部门", "更换牵头"]
        before = len(_received(rig, "linx"))
        key = next(b["key"] for b in old.body["button_list"] if b["text"] == "追加部门")
        await rig.member.click("linx", old.body["task_id"], key, rig.fake.new_code(old.body["task_id"]))
        await rig.settle()
        assert any("已被新卡片取代" in m.body.get("content", "") for m in _received(rig, "linx")[before:])
