"""会商研判 meetings: agenda frozen from the 督办 list, 议定事项 with owners, deadlines and reminders, the 纪要."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from docx import Document

from bot.documents.minutes import minutes_docx
from core import meetings
from core.enums import Flag, Platform
from core.errors import InvalidInput, Refused
from core.meetings import MeetingKind
from core.models import AuditEvent, Case, MeetingItem
from core.services import aftercare
from tests.conftest import cst, staff_id, who
from tests.core.flows import dispatched
from tests.documents.render import assert_chinese_renders, render

W = Platform.WECOM


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


async def _weekly(domain, clock):
    case, _ = await dispatched(domain)
    await Case.filter(id=case.id).update(parties=[{"name": "张三丰"}])
    other, _ = await dispatched(domain)
    await Case.filter(id=other.id).update(flags=[Flag.SENSITIVE.value])
    for c in (case, other):
        await aftercare.supervise(domain, await who("韩卫国"), c.id, source=W)
    monday = (await Case.get(id=case.id)).meeting_date
    opened = await meetings.open_meeting(domain, await who("韩卫国"), MeetingKind.WEEKLY_JOINT, monday, place="会商室",
                                         chair_id=await staff_id("韩卫国"), recorder_id=await staff_id("林晓"),
                                         attendee_ids=[await staff_id("唐志刚"), await staff_id("赵敏")],
                                         guests=["区司法局 王科长"], source=W)
    return case, opened.meeting


async def test_agenda_lists_the_supervised_cases_and_hides_sensitive_ones(org, domain, clock) -> None:
    case, meeting = await _weekly(domain, clock)
    assert meeting.attendees == [await staff_id("唐志刚"), await staff_id("赵敏")]
    assert meeting.number == 1 and meeting.title == "党政联席周会商"
    assert f"{case.number}(邻里纠纷)" in meeting.agenda and "另有涉敏 1 件" in meeting.agenda
    again = await meetings.open_meeting(domain, await who("韩卫国"), MeetingKind.WEEKLY_JOINT, meeting.day, source=W)
    assert not again.created and again.meeting.id == meeting.id


async def test_items_have_owners_deadlines_and_reminders(org, domain, clock) -> None:
    case, meeting = await _weekly(domain, clock)
    deadline = cst(2026, 12, 4, 18)
    item = await meetings.add_item(domain, await who("韩卫国"), meeting.id, "张三丰家院墙问题一周内拿出方案,电话13812345678",
                                   await staff_id("赵敏"), deadline, case_id=case.id, source=W)
    assert item.seq == 1 and item.remind_at == cst(2026, 12, 3, 18)  # one working day before
    assert await meetings.items_to_remind(cst(2026, 12, 3, 17)) == []
    due = await meetings.items_to_remind(cst(2026, 12, 3, 18, 30))
    assert [i.id for i in due] == [item.id]
    assert await meetings.reminded(item.id) and not await meetings.reminded(item.id)  # claimed once
    assert [i.id for i in await meetings.overdue_items(cst(2026, 12, 5, 9))] == [item.id]
    done = await meetings.complete_item(domain, await who("赵敏"), item.id, "方案已报", source=W)
    assert done.status == "done" and await meetings.overdue_items(cst(2026, 12, 5, 9)) == []
    assert await AuditEvent.filter(entity="meeting_item").count() == 2


async def test_refusals(org, domain, clock) -> None:
    _, meeting = await _weekly(domain, clock)
    with pytest.raises(Refused):
        await meetings.open_meeting(domain, await who("周小梅"), MeetingKind.SPECIAL, meeting.day, source=W)
    with pytest.raises(InvalidInput):
        await meetings.add_item(domain, await who("韩卫国"), meeting.id, "  ", await staff_id("赵敏"),
                                clock.now() + timedelta(days=3), source=W)
    with pytest.raises(InvalidInput):
        await meetings.add_item(domain, await who("韩卫国"), meeting.id, "补材料", await staff_id("赵敏"),
                                clock.now() - timedelta(hours=1), source=W)
    item = await meetings.add_item(domain, await who("韩卫国"), meeting.id, "补材料", await staff_id("赵敏"),
                                   clock.now() + timedelta(days=3), source=W)
    with pytest.raises(Refused):
        await meetings.complete_item(domain, await who("孙婷"), item.id, source=W)
    assert (await MeetingItem.get(id=item.id)).status == "open"


async def test_minutes_docx_and_pdf(org, domain, clock) -> None:
    case, meeting = await _weekly(domain, clock)
    await meetings.set_summary(domain, await who("韩卫国"), meeting.id, "包案领导唐志刚汇报了督办案件进展。", source=W)
    await meetings.add_item(domain, await who("韩卫国"), meeting.id, "张三丰家院墙问题一周内拿出方案,电话13812345678",
                            await staff_id("赵敏"), cst(2026, 12, 4, 18), case_id=case.id, source=W)
    await meetings.add_item(domain, await who("韩卫国"), meeting.id, "派出所加强夜间巡逻", await staff_id("刘洋"),
                            cst(2026, 12, 11, 18), source=W)
    from core.models import Meeting

    data = await minutes_docx(await Meeting.get(id=meeting.id))
    text = _text(data)
    for needle in ("党政联席周会商纪要", "第1期", "会商室", "韩卫国(党委书记)", "区司法局 王科长", "一、会议听取的情况",
                   "二、会议议定事项", "(一)当事人甲家院墙问题一周内拿出方案", "责任人:赵敏;完成时限:2026年12月04日",
                   "(二)派出所加强夜间巡逻", "包案领导唐志刚汇报"):
        assert needle in text, needle
    assert "张三丰" not in text and "13812345678" not in text
    rendered = await render(data, "minutes-weekly")
    assert_chinese_renders(rendered, "党政联席周会商纪要", "会议议定事项", "责任人")
