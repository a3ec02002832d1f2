"""The grid worker's confirmation card: what the bot understood, and 确认上报 / 修改 / 当场已调处 / 取消."""

from __future__ import annotations

from bot.cards.common import btn, labels, short
from bot.intake.parse import parse
from bot.intake.places_db import place_index
from bot.types import Act, Card
from core import org_memo
from core.models import CardLink, Draft, Region
from core.prepared import Prepared

_DONE = {"submitted": "已上报", "settled": "已记录为当场调处", "cancelled": "已取消", "linked": "已并入原案件"}


async def draft_region(draft: Draft, staff_region_id: int | None) -> Region | None:
    """Where the report happened: named in it, else set by the reporter, else their own grid."""
    text = "\n".join(draft.texts)
    found = (await place_index()).find(text)
    region_id = draft.region_id or found or staff_region_id
    return await org_memo.region_or_none(region_id) if region_id else None


_DRAFT = Prepared(Draft, lambda draft_id: Draft.filter(id=draft_id), int)


async def draft_by_id(draft_id: int | None) -> Draft:
    """Draft.get(id=…), prepared: raises DoesNotExist for an unknown id (or none)."""
    return await _DRAFT.get(draft_id)


async def render_draft(link: CardLink) -> Card:
    draft = await draft_by_id(link.draft_id)
    text = "\n".join(draft.texts)
    parsed = parse(text)
    category, level = labels(parsed.category, parsed.severity, parsed.flags)
    staff = await org_memo.known_staff(draft.staff_id)
    region = await draft_region(draft, staff.region_id)
    fields = [("类别", category), ("等级", level), ("地点", region.name if region else "未识别,请补充地点")]
    if parsed.people:
        fields.append(("人数", f"{parsed.people}人"))
    fields.append(("内容", short(parsed.masked_text)))
    if draft.attachments:
        fields.append(("附件", f"{len(draft.attachments)}个"))
    if draft.status != "open":
        return Card(kind="draft", title="矛盾纠纷上报", subtitle=_DONE.get(draft.status, draft.status), fields=fields)
    return Card(
        kind="draft",
        title="请确认上报内容",
        subtitle="可继续发送文字、图片或语音补充",
        fields=fields,
        buttons=[
            btn(Act.CONFIRM, link, "确认上报", "primary"),
            btn(Act.EDIT, link, "修改"),
            btn(Act.SETTLE, link, "当场已调处"),
            btn(Act.CANCEL, link, "取消", "danger"),
        ],
        note="" if region else "请回复纠纷发生的村/社区或网格",
    )
