"""The invitation to a mediation session: 参加 / 请假."""

from __future__ import annotations

from bot.cards.common import btn
from bot.types import Act, Card
from core.clock import fmt_local
from core.models import CardLink, MediationSession, SessionParticipant, Staff
from core.services.sessions import OUTCOMES


async def render_invite(link: CardLink) -> Card:
    session = await MediationSession.get(id=link.session_id).prefetch_related("case", "room")
    people = await SessionParticipant.filter(session_id=session.id).prefetch_related("staff").order_by("id")
    booker = await Staff.get(id=session.booked_by_id)
    answer = {"invited": "待确认", "attend": "参加", "leave": "请假"}
    fields = [
        ("编号", session.case.number),
        ("时间", f"{fmt_local(session.starts_at)}—{fmt_local(session.ends_at)[-5:]}"),
        ("地点", session.room.name if session.room else "-"),
        ("召集人", booker.name),
        ("参与人", "、".join(f"{p.staff.name}({answer[p.response]})" for p in people)),
    ]
    if session.parties_note:
        fields.append(("当事人", session.parties_note))
    title = f"调解邀请 {session.case.number}"
    if session.status == "done":
        return Card(kind="invite", title=title, subtitle=f"已结束:{OUTCOMES.get(session.outcome or '', '')}",
                    fields=fields)
    mine = next((p for p in people if p.staff_id == link.staff_id), None)
    if mine is None or mine.response != "invited":
        return Card(kind="invite", title=title, subtitle=f"您已{answer[mine.response] if mine else '不在名单中'}",
                    fields=fields)
    return Card(kind="invite", title=title, subtitle="请确认是否参加", fields=fields,
                buttons=[btn(Act.ATTEND, link, "参加", "primary"), btn(Act.LEAVE, link, "请假")])
