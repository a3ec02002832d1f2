"""走访 / 巡查 in one message: "走访 东村3组 王大爷 反映邻里排水问题已协调", a photo alongside if the platform
sends one with the words. The reply counts; it never repeats the words (they may name residents)."""

from __future__ import annotations

from datetime import datetime

from bot.context import Ctx
from core.clock import DISPLAY_TZ, local
from core.enums import Platform
from core.services import visits

USAGE = "格式:{word} 地点 对象 情况,例如:{word} 东村3组 王大爷 反映邻里排水问题已协调(可同时附照片)"


async def record(ctx: Ctx, kind: str, rest: str) -> None:
    word = visits.KINDS[kind]
    if not rest:
        ctx.reply(USAGE.format(word=word))
        return
    photos = [a.ref for a in ctx.inbound.attachments if a.kind == "image" and a.ref]
    await visits.record_visit(ctx.domain, ctx.actor, kind, rest, photos, region_id=ctx.staff.region_id,
                              source=Platform(ctx.inbound.platform))
    today = local(ctx.now)
    month = datetime(today.year, today.month, 1, tzinfo=DISPLAY_TZ)
    n = await visits.count_this_month(ctx.staff.id, month)
    ctx.reply(f"已记录{word}" + (f"(附照片 {len(photos)} 张)" if photos else "") + f",本月第 {n} 次走访巡查记录")
