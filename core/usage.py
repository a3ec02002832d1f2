"""Metered platform API calls this month, as the center reads them: per platform, the calls every process
recorded (`api_usage`) against the quota the platform's adapter remembered (its settings). Platform-neutral:
the adapter supplies the label, the quota and what to do when it runs low."""

from __future__ import annotations

from datetime import datetime

from core.clock import DISPLAY_TZ
from core.models import ApiUsage, Setting

QUOTA_KEY = "api_quota:"
WARN_SHARE = 0.8  # from this share of the month's quota on, the center is warned


def month_of(now: datetime) -> str:
    return now.astimezone(DISPLAY_TZ).strftime("%Y-%m")  # quotas count natural months in Beijing time


async def calls_this_month(platform: str, now: datetime) -> int:
    row = await ApiUsage.get_or_none(platform=platform, month=month_of(now))
    return row.calls if row is not None else 0


def usage_share(used: int, quota: int) -> float:
    return used / quota if quota > 0 else 0.0


def usage_text(label: str, used: int, quota: int, now: datetime, advice: str = "") -> str:
    """One platform's line for the center (doctor, the 用量 command)."""
    month = now.astimezone(DISPLAY_TZ)
    line = f"{label} {month:%Y年%m月} 接口调用 {used:,} 次,额度 {quota:,} 次(已用 {usage_share(used, quota):.0%})"
    if used >= quota:
        return line + f";本月额度已用完:{label}消息暂存,改由其他平台送达或等到下月 1 日"
    if usage_share(used, quota) >= WARN_SHARE:
        return line + ";接近额度" + (f",{advice}" if advice else "")
    return line


async def remember_quota(platform: str, label: str, quota: int, advice: str = "") -> None:
    value = {"label": label, "quota": quota, "advice": advice}
    await Setting.update_or_create(defaults={"value": value}, key=QUOTA_KEY + platform)


async def usage_lines(now: datetime) -> list[str]:
    """Every metered platform's line, in platform order."""
    lines = []
    for row in await Setting.filter(key__startswith=QUOTA_KEY).order_by("key"):
        v = row.value if isinstance(row.value, dict) else {}
        platform = row.key[len(QUOTA_KEY):]
        used = await calls_this_month(platform, now)
        quota = v.get("quota", 0)
        lines.append(usage_text(str(v.get("label", platform)), used, quota if isinstance(quota, int) else 0, now,
                                str(v.get("advice", ""))))
    return lines
