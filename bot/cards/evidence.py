"""The evidence a case carries (photos, voice, video, files kept in the media store), listed on a card: each
item with its kind, when it came and whether it is kept, at most MAX_ITEMS and then "等 N 项". A kept item
opens through a link minted for the card's recipient, only when links are on (a public URL and a secret,
core/evidence_links.py) and that person may open the case's files (core/permissions.can_open_evidence).
The same people get a 查看详情 link first: the case's read-only page (maotiao/case_page.py)."""

from __future__ import annotations

from bot.cards import snapshot
from bot.types import CardUrl
from core import evidence, evidence_links, org_memo
from core.clock import local
from core.models import Case
from core.permissions import can_open_evidence
from core.services.base import actor_for

MAX_ITEMS = 3  # the platforms cut long cards; the 卷宗 and 查询 list every item


def _text(item: evidence.Evidence) -> str:
    return f"{item.kind} {local(item.received_at):%m-%d %H:%M} {item.state}"


async def _may_open(case: Case, staff_id: int) -> bool:
    return await snapshot.remembered(("may_open", case.id, staff_id), lambda: _may_open_now(case, staff_id))


async def _may_open_now(case: Case, staff_id: int) -> bool:
    staff = await org_memo.staff(staff_id)
    return staff is not None and staff.active and await can_open_evidence(await actor_for(staff), case)


async def evidence_part(case: Case, viewer_id: int) -> tuple[list[tuple[str, str]], list[CardUrl]]:
    """(fields, links) for the card of `viewer_id`: a kept item with a link becomes a link, the rest fields."""
    items = await snapshot.evidence(case.id)
    if not items:
        return [], []
    signer = evidence_links.current()
    linked = signer is not None and await _may_open(case, viewer_id)
    fields: list[tuple[str, str]] = []
    links: list[CardUrl] = []
    for i, item in enumerate(items[:MAX_ITEMS], start=1):
        if linked and item.kept and signer is not None:
            links.append(CardUrl(label=f"证据{i}", text=_text(item), url=signer.url(item.media_id, case.id, viewer_id)))
        else:
            fields.append((f"证据{i}", _text(item)))
    if len(items) > MAX_ITEMS:
        fields.append(("证据", f"等 {len(items)} 项"))
    return fields, links


async def detail_link(case: Case, viewer_id: int) -> list[CardUrl]:
    """查看详情: the case page minted for `viewer_id`, when links are on and they may see the case."""
    signer = evidence_links.current()
    if signer is None or not await _may_open(case, viewer_id):
        return []
    return [CardUrl(label="详情", text="查看详情", url=signer.page_url(case.id, viewer_id))]


async def linked_part(case: Case, viewer_id: int) -> tuple[list[tuple[str, str]], list[CardUrl]]:
    """The evidence part, with 查看详情 before the evidence links."""
    fields, links = await evidence_part(case, viewer_id)
    return fields, await detail_link(case, viewer_id) + links
