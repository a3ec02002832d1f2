"""GET /evidence?token=…: one kept evidence file, for the person a card's link was minted for.

The token (core/evidence_links.py) names the file, its case, the person and an expiry, under an HMAC. The
file is served only when the token is genuine and unexpired, the file still belongs to that case and is
kept, and the person is active and may still open the case's files (core/permissions.can_open_evidence).
Anything else is one and the same 403 with nothing served and no reason given. The answer is never cached,
never sniffed into HTML, and sends no Referer on; only photos, voice and video open in the browser, any
other file is a download.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets

from aiohttp import web

from core import evidence_links
from core.config import ConfigError, Settings
from core.media_store import MediaStore
from core.models import Case, MediaFile, Staff
from core.permissions import can_open_evidence
from core.services.base import actor_for
from maotiao import logredact

log = logging.getLogger(__name__)
STORE = web.AppKey("evidence_store", MediaStore)
INLINE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "audio/amr", "audio/mpeg", "audio/mp4",
                    "video/mp4"})
HEADERS = {"Cache-Control": "no-store, private", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Content-Security-Policy": "default-src 'none'; media-src 'self'; img-src 'self'; sandbox; "
                                      "frame-ancestors 'none'"}


def configure(settings: Settings, *, production: bool) -> None:
    """This process's link signer. A public URL means cards carry links, so production needs the secret
    (every process must accept every other's links); a sandbox makes one for itself if none is set."""
    secret = settings.link_secret
    if settings.public_url and not secret:
        if production:
            raise ConfigError("MAOTIAO_LINK_SECRET is not set: with MAOTIAO_PUBLIC_URL, cards link evidence files "
                              "and every link is signed with this key (the same in every serve and worker). "
                              "Generate one with python3 -c 'import secrets; print(secrets.token_urlsafe(32))', "
                              "or unset MAOTIAO_PUBLIC_URL to list evidence on cards without links")
        secret = secrets.token_urlsafe(32)  # sandbox: everything runs in this process
    logredact.register(secret)
    evidence_links.use(evidence_links.from_settings(secret, settings.public_url, settings.link_hours))


def _refused() -> web.Response:
    return web.Response(status=403, text="链接无效或已过期", headers=HEADERS)


async def _allowed(claim: evidence_links.Claim) -> MediaFile | None:
    media = await MediaFile.get_or_none(id=claim.media_id)
    if media is None or media.case_id != claim.case_id or media.status != "stored" or not media.path:
        return None
    case = await Case.get_or_none(id=claim.case_id)
    staff = await Staff.get_or_none(id=claim.staff_id)
    if case is None or staff is None or not staff.active:
        return None
    return media if await can_open_evidence(await actor_for(staff), case) else None


async def evidence_file(request: web.Request) -> web.Response:
    signer = evidence_links.current()
    claim = signer.verify(request.query.get("token", "")) if signer is not None else None
    media = await _allowed(claim) if claim is not None else None
    if claim is None or media is None:
        return _refused()
    try:
        data = await asyncio.to_thread(request.app[STORE].read, media.path)
    except (OSError, ValueError) as exc:
        log.warning("evidence %s: kept file unreadable (%s)", media.id, type(exc).__name__)
        return _refused()
    if media.sha256 and hashlib.sha256(data).hexdigest() != media.sha256:
        log.error("evidence %s: kept file does not match its recorded hash; not served", media.id)
        return _refused()
    log.info("evidence %s of case %s opened by staff %s's link", media.id, claim.case_id, claim.staff_id)
    mime = media.mime if media.mime in INLINE else "application/octet-stream"
    ext = media.path.rsplit(".", 1)[-1] if "." in media.path else "bin"
    disposition = "inline" if mime in INLINE else "attachment"
    headers = {**HEADERS, "Content-Disposition": f'{disposition}; filename="evidence-{media.id}.{ext}"'}
    return web.Response(body=data, content_type=mime, headers=headers)


def setup(app: web.Application, settings: Settings) -> None:
    app[STORE] = MediaStore(settings.media_dir)
    app.router.add_get(evidence_links.PATH, evidence_file)
