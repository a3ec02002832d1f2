"""会商研判 in chat: a leader (or the center's dispatcher) opens today's meeting, records its 议定事项 as they are
decided, and closes it; the 纪要 (.docx) goes to everyone at the meeting. The verbs are core/meetings.py's
(the CLI's too): they check who may organise and audit each step. Each 议定事项 is reminded to its owner one
working day before its deadline and reported once overdue (scheduler/meeting_jobs.py).

  会商 周会商 [地点 会商室] [主持 韩卫国] [记录 林晓] [出席 唐志刚、赵敏] [列席 区司法局王科长]
  议定 [周会商] 张伟 负责 [0042] 调解回访 12月10日前        (or 截止12月10日17点, 5个工作日内)
  落实 12 [完成情况]       the owner (or an organiser) reports item 12 done
  散会 [周会商]            closes it and sends the 纪要;  纪要 [周会商]: the latest one's 纪要, to the asker
"""

from __future__ import annotations

import base64
import re

from bot.commands.args import case_args, labelled
from bot.commands.people import people, person
from bot.commands.task_words import due_at_end
from bot.context import Ctx
from bot.types import Outbound, Target
from core import meetings
from core.clock import local
from core.durations import Duration
from core.enums import Platform
from core.meetings import MeetingKind, deadline_label, meeting_day_label
from core.models import Case, Meeting, MeetingItem
from core.permissions import can_view

KINDS = {"周会商": MeetingKind.WEEKLY_JOINT, "党政联席周会商": MeetingKind.WEEKLY_JOINT, "联席会商": MeetingKind.WEEKLY_JOINT,
         "维稳形势分析会": MeetingKind.MONTHLY_STABILITY, "形势分析会": MeetingKind.MONTHLY_STABILITY,
         "维稳会": MeetingKind.MONTHLY_STABILITY, "月度会商": MeetingKind.MONTHLY_STABILITY,
         "专题调度会": MeetingKind.SPECIAL, "专题会": MeetingKind.SPECIAL, "专题会商": MeetingKind.SPECIAL}
KIND_WORD = re.compile("^(" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")(?:\s+|$)")
FIELDS = re.compile(r"(地点|主持人|主持|记录人|记录|出席|参会人员|参会|列席)\s*[::]?\s*")
FIELD_KEYS = {"地点": "place", "主持人": "chair", "主持": "chair", "记录人": "recorder", "记录": "recorder",
              "出席": "attend", "参会人员": "attend", "参会": "attend", "列席": "guests"}
OWNER = re.compile(r"^(\S+?)\s*负责\s*(.+)$", re.S)
DONE = re.compile(r"^#?(\d{1,9})(?:\s*[,,::]?\s*(.*))?$", re.S)
OPEN_USAGE = ("格式:会商 周会商 [地点 会商室] [主持 韩卫国] [记录 林晓] [出席 唐志刚、赵敏] [列席 区司法局王科长];"
              "会议名称:周会商、维稳形势分析会、专题会")
DECIDE_USAGE = "格式:议定 张伟 负责 0042 调解回访 12月10日前(案件编号可不写;时限可写「截止12月10日17点」「5个工作日内」)"
HOW = ("记录议定事项:「议定 张伟 负责 0042 调解回访 12月10日前」;会议结束发「散会」,会议纪要随即发给参会人员")


def _kind(text: str) -> tuple[MeetingKind | None, str]:
    """The meeting named first ("周会商 …"), and what follows."""
    m = KIND_WORD.match(text.strip())
    return (KINDS[m.group(1)], text.strip()[m.end():].strip()) if m else (None, text.strip())


def _source(ctx: Ctx) -> Platform:
    return Platform(ctx.inbound.platform)


def _label(meeting: Meeting) -> str:
    return f"{meeting_day_label(meeting.day)}{meeting.title}(第{meeting.number}期)"


async def _one(ctx: Ctx, given: dict[str, str], key: str, what: str) -> tuple[bool, int | None]:
    """(ok, the person) for a field naming one person; ok is False once the asker was told why not."""
    if not given.get(key):
        return True, None
    found = await person(ctx, given[key], what)
    return found is not None, found


async def open_meeting(ctx: Ctx, rest: str) -> None:
    kind, tail = _kind(rest)
    given = labelled(tail, FIELDS, FIELD_KEYS) if tail else {}
    if kind is None or given is None:
        ctx.reply(OPEN_USAGE)
        return
    chair_ok, chair = await _one(ctx, given, "chair", "主持人")
    recorder_ok, recorder = await _one(ctx, given, "recorder", "记录人")
    attend = await people(ctx, given.get("attend", ""), "参会人员") if chair_ok and recorder_ok else None
    if attend is None:
        return
    guests = [g for g in re.split(r"[、,,;;]+", given.get("guests", "")) if g.strip()]
    opened = await meetings.open_meeting(ctx.domain, ctx.actor, kind, local(ctx.now).date(), place=given.get("place", ""),
                                         chair_id=chair, recorder_id=recorder, attendee_ids=attend, guests=guests,
                                         source=_source(ctx))
    m = opened.meeting
    if m.closed_at is not None:
        ctx.reply(f"{_label(m)}已散会。发「纪要 {m.title}」可再次获取会议纪要")
    elif not opened.created:
        ctx.reply(f"{_label(m)}正在进行。{HOW}")
    else:
        ctx.reply(f"已开始{_label(m)}。\n会议议程:\n{m.agenda}\n{HOW}")


async def _case_id(ctx: Ctx, text: str) -> tuple[bool, int | None, str]:
    """(ok, the case, the item's text) when the item starts with a case number the asker may see."""
    args = case_args(text, ctx.now)
    if args is None:
        return True, None, text
    case = await Case.get_or_none(number=args.number)
    if case is None or not await can_view(ctx.actor, case):
        ctx.reply(f"找不到案件 {args.number},或您无权查看")
        return False, None, text
    return True, case.id, args.rest


async def decide(ctx: Ctx, rest: str) -> None:
    kind, tail = _kind(rest)
    m = OWNER.match(tail)
    due = due_at_end(m.group(2), ctx.now) if m else None
    if m is None or due is None:
        ctx.reply(DECIDE_USAGE if m is None else f"请写明完成时限。{DECIDE_USAGE}")
        return
    if isinstance(due, str):
        ctx.reply(due)
        return
    text, when = due
    deadline = ctx.domain.calendar.shift(ctx.now, when) if isinstance(when, Duration) else when
    ok, case_id, text = await _case_id(ctx, text)
    owner = await person(ctx, m.group(1), "责任人") if ok else None
    if owner is None:
        return
    meeting = await meetings.current_meeting(kind)
    item = await meetings.add_item(ctx.domain, ctx.actor, meeting.id, text, owner, deadline, case_id=case_id,
                                   source=_source(ctx))
    ctx.reply(f"已记录{meeting.title}议定事项第 {item.seq} 项(事项号 {item.id}):{item.content};责任人 {m.group(1)},"
              f"完成时限 {deadline_label(item.deadline)}。到期前一个工作日提醒责任人")
    if owner != ctx.staff.id:
        ctx.out.append(Outbound(target=Target(staff_id=owner), text=(
            f"【议定事项】{_label(meeting)}议定由您负责:{item.content}(完成时限 {deadline_label(item.deadline)})。"
            f"完成后回复「落实 {item.id} 完成情况」")))


async def complete(ctx: Ctx, rest: str) -> None:
    m = DONE.match(rest)
    if m is None:
        ctx.reply("格式:落实 12 完成情况(12 为议定事项的事项号)")
        return
    item = await meetings.complete_item(ctx.domain, ctx.actor, int(m.group(1)), (m.group(2) or "").strip(),
                                        source=_source(ctx))
    ctx.reply(f"议定事项(事项号 {item.id})已记为完成:{item.content}")


async def _send_minutes(ctx: Ctx, meeting: Meeting, staff_ids: list[int]) -> None:
    from bot.documents.minutes import minutes_docx  # python-docx on the first document, not at start-up

    data = base64.b64encode(await minutes_docx(meeting)).decode()
    name = f"{meeting.title}纪要-第{meeting.number}期-{meeting.day:%Y%m%d}.docx"
    for staff_id in dict.fromkeys(staff_ids):
        platform = ctx.inbound.platform if staff_id == ctx.staff.id else None
        ctx.out.append(Outbound(target=Target(staff_id=staff_id, platform=platform), file_b64=data, file_name=name))


def _present(meeting: Meeting) -> list[int]:
    return [i for i in (meeting.chair_id, meeting.recorder_id, *meeting.attendees) if i is not None]


async def close(ctx: Ctx, rest: str) -> None:
    kind, tail = _kind(rest)
    if tail:
        ctx.reply("格式:散会(或「散会 周会商」)")
        return
    meeting = await meetings.current_meeting(kind)
    closed = await meetings.close_meeting(ctx.domain, ctx.actor, meeting.id, source=_source(ctx))
    items = await MeetingItem.filter(meeting_id=meeting.id).count()
    await _send_minutes(ctx, closed.meeting, [ctx.staff.id, *_present(closed.meeting)])
    ctx.reply(f"{_label(meeting)}已散会,议定事项 {items} 项,会议纪要随后以文件发给您和参会人员")


async def minutes(ctx: Ctx, rest: str) -> None:
    kind, tail = _kind(rest)
    if tail:
        ctx.reply("格式:纪要(最近一次会议)或「纪要 周会商」")
        return
    found = Meeting.all() if kind is None else Meeting.filter(kind=kind.value)
    meeting = await found.order_by("-day", "-id").first()
    if meeting is None:
        ctx.reply("还没有会商记录")
        return
    if ctx.staff.id not in _present(meeting) and not ctx.actor.has(*meetings.ORGANISERS):
        ctx.reply("会议纪要发给参会人员和中心,您不在本次会议名单中")
        return
    await _send_minutes(ctx, meeting, [ctx.staff.id])
    ctx.reply(f"{_label(meeting)}的会议纪要随后以文件发送给您")
