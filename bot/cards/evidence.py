"""The evidence a case carries (photos, voice, video, files kept in the media store), as a card line."""

from __future__ import annotations

from core.models import MediaFile

_KIND = {"image": "照片", "voice": "语音", "video": "视频", "file": "文件"}


async def evidence_line(case_id: int) -> str | None:
    """E.g. "照片2 语音1(1个获取中)"; None when the case has no media."""
    rows = await MediaFile.filter(case_id=case_id).only("kind", "status")
    if not rows:
        return None
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    text = " ".join(f"{_KIND.get(k, k)}{n}" for k, n in counts.items())
    pending = sum(1 for r in rows if r.status == "pending")
    failed = sum(1 for r in rows if r.status == "failed")
    if pending:
        text += f"({pending}个获取中)"
    if failed:
        text += f"({failed}个已过期未能保存)"
    return text
