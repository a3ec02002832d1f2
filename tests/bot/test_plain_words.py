"""Plain Chinese both ways, through the real WeCom path (encrypted callbacks in, the fake WeCom's inbox out):
officers' ordinary phrasing reaches their task, chatter never becomes a report, questions get answers, reasons
reach the officer, 查询 tells the reporter where the case stands, and the 协议书 names the parties."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.engine import Bot
from core.enums import CaseStatus, ResultType, TaskStatus
from core.models import Case, CaseDocument, Draft, Staff, Task
from scheduler.embedded import EmbeddedScheduler
from tests.bot.test_agreement import _text
from tests.conftest import cst
from tests.integrations.dingtalk_rig import dingtalk_rig
from tests.integrations.wecom_rig import WeComRig, wecom_rig

pytestmark = pytest.mark.db

DRIP = "荷花村两户人家因为院墙滴水吵了好几天"
LEAK = "荷花村邻居家漏水到楼下,两家吵了起来"


async def _dispatch(rig: WeComRig, text: str = DRIP) -> Task:
    """周小梅 reports, 林晓 accepts and dispatches: a neighbour dispute goes to 赵敏 (司法所)."""
    before = await Case.all().count()
    await rig.say("zhouxm", text)
    await rig.click("zhouxm", "确认上报")
    await rig.click("linx", "受理并交办")
    case = await Case.all().order_by("-id").first()
    assert case is not None and await Case.all().count() == before + 1
    return await Task.get(case_id=case.id)


def _said_since(rig: WeComRig, user: str, mark: int) -> list[str]:
    return rig.fake.texts(user)[mark:]


async def _tell(rig: WeComRig, user: str, text: str) -> list[str]:
    mark = len(rig.fake.texts(user))
    await rig.say(user, text)
    return _said_since(rig, user, mark)


# 1. an officer's ordinary phrasing is progress, 办结, 延期 or 退回 on the task ----------------------------


async def test_a_progress_sentence_from_an_officer_with_one_task_is_recorded_not_answered_with_help(
        org, domain) -> None:
    async with wecom_rig(domain) as rig:
        task = await _dispatch(rig)
        said = await _tell(rig, "zhaom", "已经联系上两户当事人了,明天上午九点到村委会对账")
        task = await Task.get(id=task.id)
        assert task.last_progress == "已经联系上两户当事人了,明天上午九点到村委会对账"
        assert task.status == TaskStatus.SIGNED  # progress on an unsigned task signs it
        assert not any("回复示例" in t for t in said)


async def test_resolving_in_ordinary_words_records_the_result(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        await rig.say("zhaom", "收到")
        await rig.say("zhaom", "这事调解好了,双方签了协议,李家加装接水槽")
        case = await Case.get(number="2026-0001")
        assert case.status == CaseStatus.RESOLVED and case.result_type == ResultType.AGREEMENT
        assert any("已办结" in t and "接水槽" in t for t in rig.fake.texts("zhouxm"))


async def test_a_bare_resolved_asks_for_the_result_first(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        said = await _tell(rig, "zhaom", "这个办结了")
        assert any("请回复办结情况" in t for t in said)
        assert (await Case.get(number="2026-0001")).status == CaseStatus.DISPATCHED
        await rig.say("zhaom", "双方已和解,不再追究")
        assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED


async def test_asking_for_days_in_ordinary_words_requests_an_extension(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        task = await _dispatch(rig)
        await rig.say("zhaom", "当事人在外地打工,想申请延期三天")
        task = await Task.get(id=task.id)
        assert task.extension_days == 3 and "外地打工" in task.extension_reason
        rig.card("linx", "同意延期")  # the center is asked to decide


async def test_asking_for_days_without_a_reason_asks_for_the_reason_only(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        task = await _dispatch(rig)
        said = await _tell(rig, "zhaom", "能不能延期两天?")
        assert any("请回复延期理由" in t and "2 个工作日" in t for t in said)
        assert (await Task.get(id=task.id)).extension_days is None
        await rig.say("zhaom", "当事人住院了,出院后再调解")
        task = await Task.get(id=task.id)
        assert task.extension_days == 2 and task.extension_reason == "当事人住院了,出院后再调解"


async def test_sending_back_in_ordinary_words_returns_the_task_with_its_reason(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        task = await _dispatch(rig)
        await rig.say("zhaom", "这个不归我们所管,应该找自然资源所,退回")
        task = await Task.get(id=task.id)
        assert task.status == TaskStatus.RETURNED and "不归我们所管" in task.return_reason
        assert any("被退回" in t and "自然资源所" in t for t in rig.fake.texts("linx"))


async def test_with_several_tasks_the_officer_picks_the_case_on_a_card(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        first = await _dispatch(rig)
        second = await _dispatch(rig, "桂香村两户人家因为院墙滴水吵架")
        said = await _tell(rig, "zhaom", "已经上门走访过了,双方情绪稳定")
        assert any("这条回复是关于哪一件" in t for t in said)
        picks = [m for m in rig.fake.card_messages("zhaom") if any(b["text"] == "就是这件" for b in
                                                                    m.body.get("button_list", []))]
        assert len(picks) == 2
        chosen = next(m for m in picks if "2026-0002" in str(m.body))
        key = next(b["key"] for b in chosen.body["button_list"] if b["text"] == "就是这件")
        await rig.member.click("zhaom", chosen.body["task_id"], key, rig.fake.new_code(chosen.body["task_id"]))
        await rig.settle()
        assert (await Task.get(id=second.id)).last_progress == "已经上门走访过了,双方情绪稳定"
        assert (await Task.get(id=first.id)).last_progress is None
        # a second click on an answered question changes nothing
        other = next(m for m in picks if m is not chosen)
        key = next(b["key"] for b in other.body["button_list"] if b["text"] == "就是这件")
        await rig.member.click("zhaom", other.body["task_id"], key, rig.fake.new_code(other.body["task_id"]))
        await rig.settle()
        assert (await Task.get(id=first.id)).last_progress is None
        assert any("已处理或已过期" in t for t in rig.fake.texts("zhaom"))


async def test_an_officers_ok_does_not_ask_which_case_when_everything_is_signed(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        await _dispatch(rig, "桂香村两户人家因为院墙滴水吵架")
        await rig.say("zhaom", "收到 0001")
        await rig.say("zhaom", "收到 0002")
        said = await _tell(rig, "zhaom", "好的")
        assert said == []  # an acknowledgement: nothing to choose, nothing to answer


async def test_an_ok_to_a_pending_question_is_no_answer(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        task = await _dispatch(rig)
        await rig.click("zhaom", "签收")
        await rig.click("zhaom", "反馈进展")
        said = await _tell(rig, "zhaom", "好的")
        assert any("请回复进展情况" in t for t in said) and (await Task.get(id=task.id)).last_progress is None
        await rig.say("zhaom", "已约双方周五到村委会调解")
        assert (await Task.get(id=task.id)).last_progress == "已约双方周五到村委会调解"


# 2. chatter never becomes a report; questions get their answers -----------------------------------------


@pytest.mark.parametrize("text", ["好的", "收到", "👍", "🙏🙏", "嗯嗯好的", "ok", "。。。", "好的,收到"])
async def test_acknowledgements_and_emoji_start_no_report(org, domain, text: str) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", text)
        assert await Draft.all().count() == 0 and rig.fake.card_messages("zhouxm") == []


async def test_thanks_and_greetings_get_a_short_answer_and_no_draft(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        assert any("不客气" in t for t in await _tell(rig, "zhouxm", "谢谢您,辛苦了"))
        assert any("直接描述情况" in t for t in await _tell(rig, "zhouxm", "你好"))
        assert await Draft.all().count() == 0


async def test_an_officers_greeting_is_not_told_to_report_disputes(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        said = await _tell(rig, "zhaom", "您好")
        assert said == ["您好!发送「帮助」查看您可用的操作"]


async def test_words_that_describe_no_dispute_start_no_draft(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        said = await _tell(rig, "zhouxm", "今天天气不错")
        assert any("没看懂" in t for t in said) and await Draft.all().count() == 0


async def test_an_acknowledgement_is_not_added_to_an_open_draft(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", DRIP)
        await rig.say("zhouxm", "好的")
        await rig.say("zhouxm", "荷花村")  # a place is content: it belongs to the draft
        draft = await Draft.get(staff_id=(await Staff.get(name="周小梅")).id)
        assert draft.texts == [DRIP, "荷花村"]


async def test_asking_how_a_case_is_going_answers_its_progress(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        said = await _tell(rig, "zhouxm", "0001现在咋样了")
        assert any("案件 2026-0001" in t and "正在办理:司法所 赵敏" in t for t in said)
        assert await Draft.filter(status="open").count() == 0


async def test_who_is_on_duty_today_is_the_duty_question(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        said = await _tell(rig, "zhouxm", "今天谁值班")
        assert said == ["11月23日 值班领导:唐志刚;值班人员:林晓"]
        assert await _tell(rig, "zhouxm", "明天值班领导是谁?") == ["11月24日 值班领导:曹军;值班人员:林晓"]
        assert await Draft.all().count() == 0


# 3. reasons where people expect them ---------------------------------------------------------------------


async def test_refusing_an_extension_asks_why_and_the_officer_hears_it(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        task = await _dispatch(rig)
        await rig.say("zhaom", "0001 申请延期3天 当事人外出务工")
        asked = await _clicked(rig, "linx", "不同意")
        assert any("不同意延期的理由" in t for t in asked)
        assert (await Task.get(id=task.id)).extension_days == 3  # nothing decided yet
        await rig.say("linx", "好的")  # no reason: asked again
        assert (await Task.get(id=task.id)).extension_days == 3
        await rig.say("linx", "双方都在本村,请本周内办结")
        assert (await Task.get(id=task.id)).extension_days is None
        assert any("延期申请未同意" in t and "请本周内办结" in t for t in rig.fake.texts("zhaom"))


async def test_unsatisfied_follow_up_asks_why_records_it_and_tells_the_officer(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        await rig.say("zhaom", "办结 0001 双方达成调解协议,加装接水槽")
        clock.advance(timedelta(days=7, minutes=1))
        await EmbeddedScheduler(Bot(domain), rig.registry).tick()
        asked = await _clicked(rig, "zhouxm", "不满意")
        assert any("不满意的原因" in t for t in asked)
        await rig.say("zhouxm", "接水槽一直没装,还在滴水")
        case = await Case.get(number="2026-0001")
        assert case.status == CaseStatus.ACCEPTED and case.satisfaction == "unsatisfied"
        assert any("回访不满意" in t and "接水槽一直没装" in t for t in rig.fake.texts("zhaom"))
        assert any("回访不满意" in t and "接水槽一直没装" in t for t in rig.fake.texts("linx"))


async def test_a_follow_up_answered_in_words_is_recorded(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        await rig.say("zhaom", "办结 0001 双方达成调解协议,加装接水槽")
        clock.advance(timedelta(days=7, minutes=1))
        await EmbeddedScheduler(Bot(domain), rig.registry).tick()
        asked = await _tell(rig, "zhouxm", "不太满意")
        assert any("不满意的原因" in t for t in asked)
        await rig.say("zhouxm", "说好的接水槽到现在都没装")
        case = await Case.get(number="2026-0001")
        assert case.status == CaseStatus.ACCEPTED and case.satisfaction == "unsatisfied"
        assert any("说好的接水槽到现在都没装" in t for t in rig.fake.texts("zhaom"))
        assert await Draft.filter(status="open").count() == 0


async def test_satisfied_in_words_closes_the_case(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig)
        await rig.say("zhaom", "办结 0001 双方达成调解协议,加装接水槽")
        clock.advance(timedelta(days=7, minutes=1))
        await EmbeddedScheduler(Bot(domain), rig.registry).tick()
        await rig.say("zhouxm", "很满意,谢谢司法所")
        case = await Case.get(number="2026-0001")
        assert case.status == CaseStatus.CLOSED and case.satisfaction == "satisfied"


async def _clicked(rig: WeComRig, user: str, label: str) -> list[str]:
    mark = len(rig.fake.texts(user))
    await rig.click(user, label)
    return _said_since(rig, user, mark)


# 4. the reporter's 查询 says where the case stands ----------------------------------------------------------


async def test_reporters_query_shows_overdue_supervision_and_who_handles_it(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig, LEAK)
        scheduler = EmbeddedScheduler(Bot(domain), rig.registry)
        clock.set(cst(2026, 12, 2, 9, 0))  # the deadline was Monday 11-30 18:00
        await scheduler.tick()
        said = "\n".join(await _tell(rig, "zhouxm", "查询 0001"))
        assert "正在办理:司法所 赵敏,已逾期2天" in said and "已超过办理期限" in said
        clock.set(cst(2026, 12, 7, 18, 1))  # + 1 working week: 书记督办, and the step's time is up too
        await scheduler.tick()
        said = "\n".join(await _tell(rig, "zhouxm", "0001现在咋样了"))
        assert "已列入书记督办" in said and "12月14日 党政联席周会商" in said
        assert "已上报:茶园乡→西溪区" in said and "正在办理:西溪区矛调中心(待交办)" in said


async def test_reporters_query_shows_the_escalation(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", DRIP)
        await rig.click("zhouxm", "确认上报")
        await rig.click("linx", "上报上级")
        await rig.say("linx", "村里调解两次未果")
        said = "\n".join(await _tell(rig, "zhouxm", "0001进展如何?"))
        assert "已上报上级" in said and "已上报:" in said and "→" in said and "当前处理层级" in said


# 5. the parties' names from ordinary phrasing fill the 协议书 -------------------------------------------------


@pytest.mark.parametrize(("report", "first", "second"), [
    ("荷花村村民张建国和李卫东因院墙滴水发生争执,吵了好几天", "张建国", "李卫东"),
    ("荷花村张三与李四因院墙滴水纠纷吵架", "张三", "李四"),
])
async def test_the_agreement_names_the_parties_the_report_named(org, domain, report: str, first: str,
                                                                second: str) -> None:
    async with wecom_rig(domain) as rig:
        await _dispatch(rig, report)
        assert [p["name"] for p in (await Case.get(number="2026-0001")).parties] == [first, second]
        await rig.say("zhaom", "协议 0001 双方各让一步,加装接水槽")
        text = _text((await CaseDocument.get(case__number="2026-0001")).content)
        assert f"当事人甲:{first}" in text and f"当事人乙:{second}" in text and "(当事人甲)" not in text


# the same on DingTalk (the real dingtalk-stream SDK against the fake gateway) -----------------------------


async def test_on_dingtalk_chatter_starts_nothing_and_plain_progress_reaches_the_task(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        for text in ("好的", "👍", "收到了"):
            await rig.say("dt1001", text)
        assert await Draft.all().count() == 0 and rig.fake.user_cards("dt1001") == []
        await rig.say("dt1001", DRIP)
        await rig.click("dt1001", "确认上报")
        await rig.click("dt2001", "受理并交办")
        await rig.say("dt2101", "两家都联系上了,约好周五上午到村委会调解")
        task = await Task.get(case__number="2026-0001")
        assert task.last_progress == "两家都联系上了,约好周五上午到村委会调解"
        await rig.say("dt1001", "0001现在咋样了")
        assert any("正在办理:司法所 赵敏" in t for t in rig.fake.texts("dt1001"))
        assert await Case.all().count() == 1
