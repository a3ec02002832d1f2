"""Platform user → staff member, through the identities in the org file."""

from __future__ import annotations

from datetime import datetime

from core.enums import Platform, Role
from core.models import Identity, Staff


async def staff_for(platform: Platform, external_id: str, now: datetime) -> Staff | None:
    ident = await Identity.get_or_none(platform=platform.value, external_id=external_id)
    if ident is None:
        return None
    staff = await Staff.get_or_none(id=ident.staff_id, active=True)
    if staff is not None:
        await Identity.filter(id=ident.id).update(last_seen_at=now)
    return staff


async def admins_text() -> str:
    """Whom an unregistered user should ask: the administrators, else the dispatchers."""
    people = [s for s in await Staff.filter(active=True) if Role.ADMIN.value in s.roles]
    if not people:
        people = [s for s in await Staff.filter(active=True) if Role.DISPATCHER.value in s.roles]
    return "、".join(s.name for s in people[:3]) or "中心管理员"


async def address(staff_id: int, platforms: list[Platform], prefer: Platform | None) -> tuple[Platform, str] | None:
    """Where to reach someone: the preferred platform, else the one they used last, else the first known."""
    idents = [i for i in await Identity.filter(staff_id=staff_id) if Platform(i.platform) in platforms]
    if not idents:
        return None
    if prefer is not None:
        for ident in idents:
            if ident.platform == prefer.value:
                return prefer, ident.external_id
    idents.sort(key=lambda i: (i.last_seen_at is None, -(i.last_seen_at.timestamp() if i.last_seen_at else 0),
                               platforms.index(Platform(i.platform))))
    return Platform(idents[0].platform), idents[0].external_id
