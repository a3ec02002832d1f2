"""走访 / 巡查 logs: a grid worker (or a village mediator) records a visit in one message. The words may name
residents, so the audit trail keeps only their length, and replies never repeat them."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from core import audit
from core.enums import Platform, Role
from core.errors import InvalidInput, Refused
from core.models import MediaFile, VisitLog
from core.services.base import Actor, Domain, note_text

KINDS = {"visit": "走访", "patrol": "巡查"}
MAX_PHOTOS = 9


async def record_visit(d: Domain, actor: Actor, kind: str, text: str, photo_refs: list[str], *,
                       region_id: int | None, source: Platform) -> VisitLog:
    """`photo_refs`: the platform's media ids of photos sent with the words (recorded to be fetched and kept
    before they expire, scheduler/media.py)."""
    if not actor.has(Role.GRID_WORKER, Role.VILLAGE_MEDIATOR):
        raise Refused("走访、巡查记录由网格员或村调解员登记")
    if kind not in KINDS:
        raise InvalidInput("请注明走访或巡查")
    text = note_text(text, f"{KINDS[kind]}情况")
    if len(photo_refs) > MAX_PHOTOS:
        raise InvalidInput(f"照片最多 {MAX_PHOTOS} 张")
    now = d.clock.now()
    async with in_transaction():
        photos = [(await MediaFile.create(platform=source.value, kind="image", ref=ref[:512], staff_id=actor.staff_id,
                                          next_attempt_at=now, received_at=now)).id for ref in photo_refs]
        log = await VisitLog.create(staff_id=actor.staff_id, grid_id=region_id, kind=kind, text=text, photos=photos,
                                    at=now)
        await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="record_visit", entity="visit_log", entity_id=log.id, case_id=None, before={},
                           after={"kind": kind, "chars": len(text), "photos": len(log.photos)}, region_id=region_id)
    return log


async def count_this_month(staff_id: int, month_start: datetime) -> int:
    return await VisitLog.filter(staff_id=staff_id, at__gte=month_start).count()
