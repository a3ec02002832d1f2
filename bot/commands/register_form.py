"""登记表 <编号>: the case's 三级四步登记表 as a .docx file (the form `maotiao report register --case` prints),
for the center's dispatchers and leaders, for cases in their scope. It goes to the asker alone, parties named
as the center's privacy setting says."""

from __future__ import annotations

import base64

from bot.commands.args import case_number
from bot.context import Ctx
from bot.types import Outbound, Target
from core.enums import Role
from core.models import Case
from core.permissions import can_view
from core.privacy import Audience, party_mode
from core.reports import register

ASKERS = (Role.DISPATCHER, Role.LEADER)


async def send(ctx: Ctx, rest: str) -> None:
    if not ctx.actor.has(*ASKERS):
        ctx.reply("登记表由中心调度员或领导调阅")
        return
    number = case_number(rest, ctx.now)
    if number is None:
        ctx.reply("请在「登记表」后写案件编号,如:登记表 0042")
        return
    case = await Case.get_or_none(number=number)
    if case is None or not await can_view(ctx.actor, case):
        ctx.reply(f"找不到案件 {number},或您无权查看")
        return
    reg = await register.for_case(case)
    from bot.documents.register import case_docx  # python-docx on the first document, not at start-up

    data = case_docx(reg, await party_mode(Audience.CENTER))
    ctx.reply(f"案件 {case.number} 的《矛盾纠纷调处三级四步登记表》随后以文件发送给您")
    ctx.out.append(Outbound(target=Target(staff_id=ctx.staff.id, platform=ctx.inbound.platform),
                            file_b64=base64.b64encode(data).decode(), file_name=f"三级四步登记表-{case.number}.docx"))
