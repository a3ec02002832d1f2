"""People named in a command, looked up by name among active staff; an unknown or ambiguous name is answered
in the asker's words ("调解员「张三」不在名单中") and the command stops."""

from __future__ import annotations

import re

from bot.context import Ctx
from core.models import Staff

SEPARATORS = re.compile(r"[、,,\s]+")


async def person(ctx: Ctx, name: str, what: str) -> int | None:
    found = await Staff.filter(name=name, active=True)
    if len(found) != 1:
        ctx.reply(f"{what}「{name}」{'不在名单中' if not found else '有重名,请联系调度员'}")
        return None
    return found[0].id


async def people(ctx: Ctx, names: str, what: str) -> list[int] | None:
    ids = []
    for name in (n for n in SEPARATORS.split(names) if n):
        found = await person(ctx, name, what)
        if found is None:
            return None
        ids.append(found)
    return ids
