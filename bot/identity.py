"""Platform user → staff member, through the identities in the org file."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from core import org_memo
from core.enums import Platform, Role
from core.models import Identity, Staff
from core.prepared import Prepared

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is rewritten at most this often, unless another platform was used since


def _accounts_locked(platform: str, external_id: str) -> QuerySet[Identity]:
    """All the accounts of whoever writes from this one, locked (no key) until the handling commits."""
    owner = Identity.filter(platform=platform, external_id=external_id).values("staff_id")
    return Identity.select_for_update(no_key=True).filter(staff_id=Subquery(owner)).order_by("id")


_ACCOUNTS_LOCKED = Prepared(Identity, _accounts_locked, str, str, for_write=True)
_ACCOUNTS_OF = Prepared(Identity, lambda staff_id: Identity.filter(staff_id=staff_id), int)


async def staff_for(platform: Platform, external_id: str, now: datetime) -> Staff | None:
    """Who writes from this account (active staff only), noting when each account was last used. The note is
    written only when it would change which platform `address` picks, or when it is older than SEEN_EVERY: a
    statement on every message for nothing (issue 20). The person's accounts stay locked until the handling
    commits, as that write locked them: one person's messages are handled one after another (a burst builds
    one draft), other people's alongside."""
    idents = await _ACCOUNTS_LOCKED.all(platform.value, external_id)
    ident = next((i for i in idents if i.platform == platform.value and i.external_id == external_id), None)
    if ident is None:
        return None
    staff = await org_memo.active_staff(ident.staff_id)
    if staff is not None and _worth_noting(ident, idents, now):
        await Identity.filter(id=ident.id).update(last_seen_at=now)
    return staff


def _worth_noting(ident: Identity, idents: list[Identity], now: datetime) -> bool:
    seen = ident.last_seen_at
    if seen is None or not timedelta(0) <= now - seen < SEEN_EVERY:
        return True
    return any(o.last_seen_at is not None and o.last_seen_at >= seen for o in idents if o.id != ident.id)


async def admins_text() -> str:
    """Whom an unregistered user should ask: the administrators, else the dispatchers."""
    people = [s for s in await Staff.filter(active=True) if Role.ADMIN.value in s.roles]
    if not people:
        people = [s for s in await Staff.filter(active=True) if Role.DISPATCHER.value in s.roles]
    return "、".join(s.name for s in people[:3]) or "中心管理员"


async def address(staff_id: int, platforms: list[Platform], prefer: Platform | None) -> tuple[Platform, str] | None:
    """Where to reach someone: the preferred platform, else the one they used last, else the first known."""
    return _pick(await _ACCOUNTS_OF.all(staff_id), platforms, prefer)


async def addresses(staff_ids: list[int], platforms: list[Platform], prefer: Platform | None
                    ) -> dict[int, tuple[Platform, str]]:
    """`address` for many people at once (one notice to every grid worker), in one look-up."""
    accounts: dict[int, list[Identity]] = {}
    for ident in await Identity.filter(staff_id__in=sorted(set(staff_ids))).order_by("id"):
        accounts.setdefault(ident.staff_id, []).append(ident)
    found = {staff: _pick(idents, platforms, prefer) for staff, idents in accounts.items()}
    return {staff: where for staff, where in found.items() if where is not None}


def _pick(accounts: list[Identity], platforms: list[Platform], prefer: Platform | None) -> tuple[Platform, str] | None:
    idents = [i for i in accounts if Platform(i.platform) in platforms]
    if not idents:
        return None
    if prefer is not None:
        for ident in idents:
            if ident.platform == prefer.value:
                return prefer, ident.external_id
    idents.sort(key=lambda i: (i.last_seen_at is None, -(i.last_seen_at.timestamp() if i.last_seen_at else 0),
                               platforms.index(Platform(i.platform))))
    return Platform(idents[0].platform), idents[0].external_id
