"""会商研判 from chat: a leader opens the meeting, records 议定事项 (owner, case, deadline) as they are decided,
the owner is told and later reminded, reports it done, and 散会 sends the 纪要 to everyone at the meeting —
with the parties' names left out. Whoever may not organise is refused, and bad input changes nothing."""

from __future__ import annotations

import base64
import io

import pytest
from docx import Document

from core.models import AuditEvent, Case, Meeting, MeetingItem
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst, staff_id

OPEN = "会商 周会商 地点 三楼会商室 主持 韩卫国 记录 林晓 出席 唐志刚、赵敏 列席 区司法局王科长"


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "张三和李四两家因院墙滴水吵架")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")
    await Case.filter(number="2026-0001").update(parties=[{"name": "张三"}, {"name": "李四"}])
    return harness


def _text(data: str) -> str:
    doc = Document(io.BytesIO(base64.b64decode(data)))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


async def _files(h: Harness, name: str) -> list[tuple[str, str]]:
    return [(s.file_name, _text(s.file_b64)) for s in await h.inbox(name) if s.file_name]


async def test_a_meeting_held_in_chat_tracks_its_decisions_and_sends_the_minutes(h: Harness, clock) -> None:
    opened = await h.say("韩卫国", OPEN)
    assert opened.texts[0].startswith("已开始2026年11月23日(星期一)党政联席周会商(第1期)。\n会议议程:")
    meeting = await Meeting.get()
    assert (meeting.place, meeting.chair_id, meeting.recorder_id, meeting.guests) == (
        "三楼会商室", await staff_id("韩卫国"), await staff_id("林晓"), ["区司法局王科长"])
    assert meeting.attendees == [await staff_id("唐志刚"), await staff_id("赵敏")]

    said = await h.say("韩卫国", "议定 周会商 赵敏 负责 0001 张三家院墙问题调解回访 12月10日前")
    item = await MeetingItem.get()
    assert said.texts == [f"已记录党政联席周会商议定事项第 1 项(事项号 {item.id}):张三家院墙问题调解回访;责任人 赵敏,"
                          "完成时限 2026年12月10日。到期前一个工作日提醒责任人"]
    assert (item.owner_id, item.case_id) == (await staff_id("赵敏"), (await Case.get(number="2026-0001")).id)
    assert item.deadline == cst(2026, 12, 10, 18) and item.remind_at == cst(2026, 12, 9, 18)
    told = [s.text for s in await h.inbox("赵敏") if "【议定事项】" in s.text]
    assert told == ["【议定事项】2026年11月23日(星期一)党政联席周会商(第1期)议定由您负责:张三家院墙问题调解回访"
                    f"(完成时限 2026年12月10日)。完成后回复「落实 {item.id} 完成情况」"]

    await h.say("韩卫国", "议定 唐志刚 负责 协调住建办出具院墙权属意见 5个工作日内")  # the only open meeting
    second = await MeetingItem.get(seq=2)
    assert second.deadline == cst(2026, 11, 30, 18) and second.case_id is None

    clock.set(cst(2026, 12, 9, 18, 1))
    await EmbeddedScheduler(h.bot, h.registry).tick()
    await h.flush()
    reminders = [s.text for s in await h.inbox("赵敏") if "议定事项提醒" in s.text]
    assert len(reminders) == 1 and f"完成后回复「落实 {item.id} 完成情况」" in reminders[0]
    done = await h.say("赵敏", f"落实 {item.id} 已回访,双方满意")
    assert done.texts == [f"议定事项(事项号 {item.id})已记为完成:张三家院墙问题调解回访"]
    assert (await MeetingItem.get(id=item.id)).status == "done"

    closed = await h.say("韩卫国", "散会")
    assert closed.texts == ["2026年11月23日(星期一)党政联席周会商(第1期)已散会,议定事项 2 项,会议纪要随后以文件发给您和参会人员"]
    assert (await Meeting.get()).closed_at is not None
    assert await AuditEvent.filter(action="close_meeting").count() == 1
    for name in ("韩卫国", "林晓", "唐志刚", "赵敏"):
        files = await _files(h, name)
        assert [f for f, _ in files] == ["党政联席周会商纪要-第1期-20261123.docx"], name
    text = (await _files(h, "唐志刚"))[0][1]
    for needle in ("党政联席周会商纪要", "三楼会商室", "二、会议议定事项", "院墙问题调解回访(案件 2026-0001)",
                   "责任人:赵敏", "完成时限:2026年12月10日", "协调住建办出具院墙权属意见"):
        assert needle in text, needle
    assert "张三" not in text  # the 纪要 goes to the attendees: parties are not named
    assert await _files(h, "孙婷") == []

    late = await h.say("韩卫国", "议定 赵敏 负责 再次回访 12月20日前")
    assert late.texts == ["没有正在进行的会商,请先发「会商 周会商」开始会议"]
    assert await MeetingItem.all().count() == 2


async def test_minutes_on_request_go_to_attendees_and_the_center_only(h: Harness) -> None:
    await h.say("韩卫国", OPEN)
    refused = await h.say("孙婷", "纪要")
    assert refused.texts == ["会议纪要发给参会人员和中心,您不在本次会议名单中"] and await _files(h, "孙婷") == []
    got = await h.say("赵敏", "纪要 周会商")
    assert got.texts == ["2026年11月23日(星期一)党政联席周会商(第1期)的会议纪要随后以文件发送给您"]
    assert [f for f, _ in await _files(h, "赵敏")] == ["党政联席周会商纪要-第1期-20261123.docx"]


async def test_opening_again_says_it_is_under_way(h: Harness) -> None:
    await h.say("韩卫国", "会商 周会商")
    again = await h.say("林晓", "会商 周会商")
    assert again.texts[0].startswith("2026年11月23日(星期一)党政联席周会商(第1期)正在进行")
    assert await Meeting.all().count() == 1


@pytest.mark.parametrize(("name", "text", "answer"), [
    ("赵敏", "会商 周会商", "只有领导、书记或中心调度员可以组织会商"),
    ("赵敏", "议定 赵敏 负责 调解回访 12月10日前", "只有领导、书记或中心调度员可以组织会商"),
    ("韩卫国", "会商 茶话会", "格式:会商 周会商"),
    ("韩卫国", "会商 周会商 主持 张无忌", "主持人「张无忌」不在名单中"),
    ("韩卫国", "议定 张无忌 负责 调解回访 12月10日前", "责任人「张无忌」不在名单中"),
    ("韩卫国", "议定 赵敏 负责 调解回访", "请写明完成时限"),
    ("韩卫国", "议定 赵敏 调解回访 12月10日前", "格式:议定 张伟 负责"),
    ("韩卫国", "议定 赵敏 负责 调解回访 2月30日前", "时间看不懂或不是有效的日期"),
    ("韩卫国", "议定 赵敏 负责 0099 调解回访 12月10日前", "找不到案件 2026-0099,或您无权查看"),
    ("韩卫国", "议定 赵敏 负责 调解回访 11月1日前", "完成时限应在将来"),
    ("韩卫国", "议定 维稳形势分析会 赵敏 负责 调解回访 12月10日前", "没有正在进行的平安综治维稳形势分析会"),
])
async def test_what_cannot_be_recorded_is_answered_and_changes_nothing(h: Harness, name: str, text: str,
                                                                       answer: str) -> None:
    if text.startswith("议定"):
        await h.say("韩卫国", "会商 周会商")
    seen = await h.say(name, text)
    assert len(seen.texts) == 1 and seen.texts[0].startswith(answer), seen.texts
    assert await MeetingItem.all().count() == 0
    assert await Meeting.all().count() == (1 if text.startswith("议定") else 0)


async def test_someone_else_cannot_report_an_item_done(h: Harness) -> None:
    await h.say("韩卫国", "会商 周会商")
    await h.say("韩卫国", "议定 赵敏 负责 调解回访 12月10日前")
    item = await MeetingItem.get()
    seen = await h.say("孙婷", f"落实 {item.id}")
    assert seen.texts == ["只有责任人或会议组织人员可以报告议定事项完成"]
    assert (await MeetingItem.get(id=item.id)).status == "open"


async def test_help_names_the_meeting_commands_for_leaders(h: Harness) -> None:
    seen = await h.say("韩卫国", "帮助")
    assert sum("「会商 周会商」" in t for t in seen.texts) == 1
