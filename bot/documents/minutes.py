"""会议纪要 (.docx) of a 会商研判 meeting.

Laid out as a 纪要 of 党政机关公文 (《党政机关公文处理工作条例》: 纪要 records the main points and 议定事项):
the 纪要 head with its 期号, the meeting's time, place, chair, attendance and recorder, what the meeting
heard, then the 议定事项 numbered (一)(二)… each with its 责任人 and 完成时限, the 落款 and 分送. It goes to
the attendees: cases by number and category, no party names, numbers masked.
"""

from __future__ import annotations

from bot.documents import docx as d
from bot.reports.redact import mask_numbers, redact
from core.meetings import MeetingKind, deadline_label, meeting_day_label
from core.models import Case, Meeting, MeetingItem, Staff
from core.policy import load_policy

NUMERALS = "一二三四五六七八九十"


def _ordinal(i: int) -> str:
    if i < 10:
        return NUMERALS[i]
    tens, ones = divmod(i + 1, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


async def _names(ids: list[int]) -> dict[int, str]:
    rows = await Staff.filter(id__in=ids).values("id", "name", "title")
    return {r["id"]: f"{r['name']}({r['title']})" if r["title"] else r["name"] for r in rows}


async def _item_text(item: MeetingItem, owners: dict[int, str]) -> str:
    text = item.content
    case_note = ""
    if item.case_id is not None:
        case = await Case.get_or_none(id=item.case_id)
        if case is not None:
            text = redact(text, case.parties, "hidden")
            case_note = f"(案件 {case.number})"
    status = f" 已于{deadline_label(item.done_at)}完成。" if item.done_at else ""
    return (f"({_ordinal(item.seq - 1)}){mask_numbers(text)}{case_note}。责任人:{owners.get(item.owner_id, '')};"
            f"完成时限:{deadline_label(item.deadline)}。{status}")


async def minutes_docx(meeting: Meeting) -> bytes:
    policy = await load_policy()
    kind = MeetingKind(meeting.kind)
    items = await MeetingItem.filter(meeting_id=meeting.id).order_by("seq")
    people = await _names([i for i in [meeting.chair_id, meeting.recorder_id, *meeting.attendees,
                                       *(it.owner_id for it in items)] if i])
    chair = people.get(meeting.chair_id or 0, "")
    doc = d.new_document()
    d.title(doc, f"{kind.label}纪要", 22)
    d.para(doc, f"第{meeting.number}期", indent=False, align="center")
    d.para(doc, f"{policy.center_name}    {meeting.day:%Y年%m月%d日}", indent=False, align="center", size=d.TABLE_SIZE)
    d.spacer(doc)
    d.form(doc, [("时间", meeting_day_label(meeting.day)), ("地点", meeting.place or "—"),
                 ("主持", chair or "—"), ("记录", people.get(meeting.recorder_id or 0, "—")),
                 ("出席*", "、".join(people[i] for i in meeting.attendees if i in people) or "—"),
                 ("列席*", "、".join(meeting.guests) or "—")])
    d.spacer(doc)
    d.para(doc, f"{meeting.day:%Y年%m月%d日},{chair or '中心'}主持召开{kind.label},"
                + ("听取上周矛盾纠纷办理情况和书记督办事项汇报" if kind is MeetingKind.WEEKLY_JOINT
                   else "分析研判辖区社会治安和矛盾纠纷形势")
                + ",研究部署下一步工作。现将会议议定事项纪要如下:")
    d.heading(doc, "一、会议听取的情况")
    for line in meeting.agenda.splitlines():
        if line.strip():
            d.para(doc, mask_numbers(line.strip()))
    if meeting.summary:
        for line in meeting.summary.splitlines():
            if line.strip():
                d.para(doc, mask_numbers(line.strip()))
    d.heading(doc, "二、会议议定事项")
    if not items:
        d.para(doc, "本次会议无议定事项。")
    for item in items:
        d.para(doc, await _item_text(item, people))
    d.spacer(doc)
    d.para(doc, policy.center_name, indent=False, align="right")
    d.para(doc, f"{meeting.day:%Y年%m月%d日}", indent=False, align="right")
    d.spacer(doc)
    d.para(doc, "分送:" + ("、".join(people[i].split("(")[0] for i in meeting.attendees if i in people) or "参会人员"),
           indent=False, size=d.TABLE_SIZE)
    return d.to_bytes(doc)
