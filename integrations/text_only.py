"""Who reads their messages where markdown and cards do not show (WeCom members using the WeChat plugin see
"暂不支持此消息类型" for markdown): the org file's `text_only` (true for everyone, or per person), stored by the
org import as the setting "text_only" = {"all": bool, "wecom": [userid, ...], "dingtalk": [...]}."""

from __future__ import annotations

import time

from tortoise.exceptions import ConfigurationError

from core.db import has_database
from core.enums import Platform
from core.models import Setting

KEY = "text_only"
CACHE_SECONDS = 30.0
_cache: tuple[float, dict[str, object]] | None = None


async def _setting() -> dict[str, object]:
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > CACHE_SECONDS:
        try:
            if not has_database():
                raise ConfigurationError("no database")
            row = await Setting.get_or_none(key=KEY)
        except ConfigurationError:  # no database in this process (API-only tools and tests): nobody is text-only
            return {}
        _cache = (now, dict(row.value) if row is not None else {})
    return _cache[1]


def forget() -> None:
    """Read the setting again on the next send (after an org import, and in tests)."""
    global _cache
    _cache = None


async def wanted(platform: Platform, user_id: str) -> bool:
    value = await _setting()
    users = value.get(platform.value)
    return bool(value.get("all")) or (isinstance(users, list) and user_id in users)
