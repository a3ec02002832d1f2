"""The monthly-quota notice reaches the administrators once a month, however many deliveries hit the quota at
the same moment (delivery runs four lanes at once, and several workers may deliver)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.enums import Platform, Role
from core.models import OutboxMessage, Staff
from scheduler.delivery import quota_notice


async def _notices() -> int:
    return len([r for r in await OutboxMessage.all() if "【平台额度】" in (r.payload.get("text") or "")])


async def test_deliveries_hitting_the_quota_together_tell_each_administrator_once(org, clock) -> None:
    admins = len([s for s in await Staff.filter(active=True) if Role.ADMIN.value in s.roles])
    assert admins
    await asyncio.gather(*(quota_notice(Platform.DINGTALK, clock.now(), "钉钉") for _ in range(4)))
    assert await _notices() == admins
    await quota_notice(Platform.DINGTALK, clock.now() + timedelta(days=40), "钉钉")  # next month: told again
    assert await _notices() == 2 * admins
