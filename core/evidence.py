"""A case's evidence (photos, voice, video, files a person sent), as the timeline, the cards and the 卷宗 list
it: when it came, who sent it, what it is, and whether it is kept. Data only; links are minted by the card
builders for their recipient (core/evidence_links.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.models import MediaFile, Staff
from core.prepared import Prepared

KINDS = {"image": "照片", "voice": "语音", "video": "视频", "file": "文件"}
STATES = {"stored": "已保存", "pending": "获取中", "failed": "已过期未能保存"}
_OF_CASE = Prepared(MediaFile, lambda case_id: MediaFile.filter(case_id=case_id).order_by("received_at", "id"), int)


@dataclass(frozen=True)
class Evidence:
    media_id: int
    received_at: datetime
    sender: str  # the staff member who sent it ("" if unknown)
    kind: str  # 照片, 语音, …
    state: str  # 已保存, 获取中, 已过期未能保存
    kept: bool


async def for_case(case_id: int) -> list[Evidence]:
    rows = await _OF_CASE.all(case_id)
    ids = {r.staff_id for r in rows if r.staff_id}
    names = {s["id"]: s["name"] for s in await Staff.filter(id__in=list(ids)).values("id", "name")} if ids else {}
    return [Evidence(r.id, r.received_at, names.get(r.staff_id or 0, ""), KINDS.get(r.kind, r.kind),
                     STATES.get(r.status, r.status), r.status == "stored") for r in rows]
