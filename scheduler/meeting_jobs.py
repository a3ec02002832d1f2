"""会商研判 议定事项: the owner is reminded one working day before the deadline, and told (with the meeting's
chair) once it has passed. Each claims its item's due column in the same transaction as its messages,
like every other rule (scheduler/jobs.py). Direct messages only: an item may name a party."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.types import Outbound, Target
from core import meetings
from core.models import MeetingItem
from core.services.base import Domain
from scheduler.ab import enqueue

MAX_SHOWN = 200  # characters of the item quoted in a reminder


def _what(item: MeetingItem) -> str:
    meeting = item.meeting
    text = item.content if len(item.content) <= MAX_SHOWN else item.content[:MAX_SHOWN] + "…"
    return (f"{meetings.meeting_day_label(meeting.day)}{meeting.title}议定事项第 {item.seq} 项:{text}"
            f"(完成时限 {meetings.deadline_label(item.deadline)})")


async def remind_meeting_item(d: Domain, item_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await MeetingItem.filter(id=item_id, status="open", remind_at__lte=now).update(remind_at=None):
            return False
        item = await MeetingItem.get(id=item_id).prefetch_related("meeting")
        text = f"【议定事项提醒】{_what(item)},即将到期,请抓紧落实;完成后回复「落实 {item.id} 完成情况」"
        await enqueue([Outbound(target=Target(staff_id=item.owner_id), text=text)], now)
    return True


async def overdue_meeting_item(d: Domain, item_id: int) -> bool:
    now = d.clock.now()
    async with in_transaction():
        if not await MeetingItem.filter(id=item_id, status="open", overdue_at__lte=now).update(overdue_at=None):
            return False
        item = await MeetingItem.get(id=item_id).prefetch_related("meeting", "owner")
        out = [Outbound(target=Target(staff_id=item.owner_id), urgent=True,
                        text=f"【议定事项逾期】{_what(item)},已超过完成时限,请尽快落实并报告")]
        chair = item.meeting.chair_id
        if chair is not None and chair != item.owner_id:
            out.append(Outbound(target=Target(staff_id=chair),
                                text=f"【议定事项逾期】{_what(item)},责任人 {item.owner.name},已超过完成时限尚未完成"))
        await enqueue(out, now)
    return True
