"""How many metered platform API calls this deployment made this month (DingTalk's standard edition allows
10,000 a natural month; past that every metered call answers ApiCountLimitForOrg / 90020).

Calls are counted in memory and added to the `api_usage` table every few seconds, so counting costs no
database write per call; every process adds its own share, so the table holds the deployment's total."""

from __future__ import annotations

import logging
import time

from tortoise.exceptions import ConfigurationError, IntegrityError
from tortoise.expressions import F

from core.clock import Clock, SystemClock
from core.db import has_database
from core.models import ApiUsage
from core.usage import calls_this_month, month_of, remember_quota

log = logging.getLogger(__name__)
FLUSH_SECONDS = 5.0


class UsageMeter:
    """Counts one platform's metered calls; `quota` (with the platform's label and advice) is remembered in the
    database with the first flush, so the center's views show the quota this deployment is configured with."""

    def __init__(self, platform: str, clock: Clock | None = None, *, quota: int | None = None, label: str = "",
                 advice: str = "") -> None:
        self.platform = platform
        self.clock: Clock = clock or SystemClock()
        self.pending: dict[str, int] = {}
        self._flushed = time.monotonic()
        self._quota = (label or platform, quota, advice) if quota is not None else None

    async def count(self, n: int = 1) -> None:
        month = month_of(self.clock.now())
        self.pending[month] = self.pending.get(month, 0) + n
        if time.monotonic() - self._flushed >= FLUSH_SECONDS:
            await self.flush()

    async def flush(self) -> None:
        self._flushed = time.monotonic()
        pending, self.pending = self.pending, {}
        try:
            if not has_database():
                raise ConfigurationError("no database")
            if self._quota is not None:
                label, quota, advice = self._quota
                await remember_quota(self.platform, label, quota or 0, advice)
                self._quota = None
            for month, n in pending.items():
                await _add(self.platform, month, n)
        except ConfigurationError:  # no database in this process (API-only use, tests): keep counting in memory
            for month, n in pending.items():
                self.pending[month] = self.pending.get(month, 0) + n
        except Exception:  # a database hiccup must not fail a send; the count waits for the next flush
            log.warning("could not record %s API usage; kept for the next flush", self.platform, exc_info=True)
            for month, n in pending.items():
                self.pending[month] = self.pending.get(month, 0) + n

    async def this_month(self) -> int:
        """Calls used this month by the whole deployment (every process's flushed share plus ours)."""
        await self.flush()
        return await calls_this_month(self.platform, self.clock.now()) + sum(self.pending.values())


async def _add(platform: str, month: str, n: int) -> None:
    if await ApiUsage.filter(platform=platform, month=month).update(calls=F("calls") + n):
        return
    try:
        await ApiUsage.create(platform=platform, month=month, calls=n)
    except IntegrityError:  # another process created the row in between
        await ApiUsage.filter(platform=platform, month=month).update(calls=F("calls") + n)
