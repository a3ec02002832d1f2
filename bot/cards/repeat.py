"""Asking the reporter whether a new report is the same matter as a recent case."""

from __future__ import annotations

from bot.cards.common import btn, case_fields
from bot.types import Act, Card
from core.enums import CaseStatus
from core.models import CardLink, Case, Draft


async def render_repeat(link: CardLink) -> Card:
    case = await Case.get(id=link.case_id)
    draft = await Draft.get(id=link.draft_id)
    fields = [("编号", case.number), *(await case_fields(case, masked=True))[:4], ("状态", CaseStatus(case.status).label)]
    if draft.status != "open" or draft.repeat_checked:
        done = "已并入该案件" if draft.status == "linked" else "已作为新纠纷处理"
        return Card(kind="repeat", title=f"与案件 {case.number} 是同一件事吗?", subtitle=done, fields=fields)
    return Card(kind="repeat", title=f"与案件 {case.number} 是同一件事吗?",
                subtitle="近期同一地点已有同类纠纷", fields=fields,
                buttons=[btn(Act.SAME, link, "是同一件事", "primary"), btn(Act.NOT_SAME, link, "不是,新上报")])
