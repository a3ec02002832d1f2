"""How many metered platform API calls this deployment made this month (DingTalk's standard edition allows
10,000 a natural month; past that every metered call answers ApiCountLimitForOrg / 90020).

Calls are counted in memory and added to the `api_usage` table every few seconds, so counting costs no
database write per call; every process adds its own share, so the table holds the deployment's total."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from tortoise.exceptions import ConfigurationError, IntegrityError
from tortoise.expressions import F

from core.clock import DISPLAY_TZ, Clock, SystemClock
from core.models import ApiUsage

log = logging.getLogger(__name__)
FLUSH_SECONDS = 5.0


def month_of(now: datetime) -> str:
    return now.astimezone(DISPLAY_TZ).strftime("%Y-%m")  # DingTalk counts natural months in Beijing time


class UsageMeter:
    def __init__(self, platform: str, clock: Clock | None = None) -> None:
        self.platform = platform
        self.clock: Clock = clock or SystemClock()
        self.pending: dict[str, int] = {}
        self._flushed = time.monotonic()

    async def count(self, n: int = 1) -> None:
        month = month_of(self.clock.now())
        self.pending[month] = self.pending.get(month, 0) + n
        if time.monotonic() - self._flushed >= FLUSH_SECONDS:
            await self.flush()

    async def flush(self) -> None:
        self._flushed = time.monotonic()
        pending, self.pending = self.pending, {}
        try:
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


async def calls_this_month(platform: str, now: datetime) -> int:
    row = await ApiUsage.get_or_none(platform=platform, month=month_of(now))
    return row.calls if row is not None else 0


WARN_SHARE = 0.8  # from this share of the month's quota on, the center is warned


def usage_share(used: int, quota: int) -> float:
    return used / quota if quota > 0 else 0.0


def usage_text(used: int, quota: int, now: datetime) -> str:
    """What the center reads about DingTalk's metered calls this month (doctor, the 用量 command)."""
    month = now.astimezone(DISPLAY_TZ)
    line = f"钉钉 {month:%Y年%m月} 接口调用 {used:,} 次,额度 {quota:,} 次(已用 {usage_share(used, quota):.0%})"
    if used >= quota:
        return line + ";本月额度已用完:钉钉消息暂存,改由其他平台送达或等到下月 1 日"
    if usage_share(used, quota) >= WARN_SHARE:
        return line + ";接近额度,可在钉钉开发者后台 → 资源管理 查看用量明细或购买增购包"
    return line
