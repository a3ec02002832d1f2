"""Inbound WeCom media (photos, voice, video): fetched with media/get while the MediaId lives (3 days)."""

from __future__ import annotations

import re

from integrations.wecom.api import WeComAPI

_FILENAME = re.compile(r'filename="?([^";]+)"?')


async def fetch_media(api: WeComAPI, media_id: str) -> tuple[bytes, str, str]:
    """(content, mime type, file name). Voice arrives as AMR: WeCom gives self-built apps no transcript."""
    resp = await api.get_media(media_id)
    mime = resp.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
    found = _FILENAME.search(resp.headers.get("content-disposition", ""))
    return resp.content, mime, found.group(1) if found else media_id
