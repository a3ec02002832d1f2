"""协议 <编号> <条款> / 司法确认 <编号> <条款>: the document is generated, kept with the case, and sent."""

from __future__ import annotations

import base64

from bot.commands.args import case_args
from bot.context import Ctx
from bot.types import Outbound, Target
from core.enums import LIVE_TASK_STATUSES, Platform
from core.errors import Refused
from core.models import Task
from core.permissions import check_case
from core.services.lookup import case_by_number


async def make(ctx: Ctx, rest: str, kind: str) -> None:
    args = case_args(rest, ctx.now)
    if args is None:
        ctx.reply("格式:协议 0042 双方同意……(写明协议条款);司法确认 0042 ……")
        return
    case = await case_by_number(args.number)
    live = [s.value for s in LIVE_TASK_STATUSES]
    if not await Task.filter(case_id=case.id, assignee_id=ctx.staff.id, status__in=live).exists():
        try:
            await check_case(ctx.actor, "dispatch", case)
        except Refused:
            ctx.reply(f"只有案件 {case.number} 的承办人或中心可以制作协议书")
            return
    from bot import documents  # python-docx on the first document, not at start-up

    doc = await documents.create(case, kind, args.rest, ctx.staff.id, ctx.now, source=Platform(ctx.inbound.platform))
    ctx.reply(f"已生成《{documents.KINDS[kind]}》{doc.number},文件随后发送给您")
    ctx.out.append(Outbound(target=Target(staff_id=ctx.staff.id, platform=ctx.inbound.platform),
                            file_b64=base64.b64encode(doc.content).decode(), file_name=doc.filename))
