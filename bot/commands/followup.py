"""回访 buttons: 满意 / 基本满意 / 不满意. 不满意 first asks why: the reason is recorded with the 回访 and reaches
the center and the officers who handled the case."""

from __future__ import annotations

import functools

from bot.context import ActionHandler, Ctx
from bot.conversation import Waiting
from bot.intake.kinds import is_chatter
from bot.types import Act, ButtonAct
from core.enums import CaseStatus, Platform, Satisfaction
from core.models import CardLink, Case
from core.services import aftercare

_CHOICE = {Act.SATISFIED: Satisfaction.SATISFIED, Act.BASICALLY: Satisfaction.BASICALLY,
           Act.UNSATISFIED: Satisfaction.UNSATISFIED}
ASK_REASON = "请简要说明不满意的原因,将转告承办人员(案件 {number},回复「取消」放弃)"


async def record(ctx: Ctx, case_id: int, choice: Satisfaction, note: str = "") -> None:
    outcome = await aftercare.record_follow_up(ctx.domain, ctx.actor, case_id, choice, note,
                                               source=Platform(ctx.inbound.platform))
    ctx.took(outcome)


async def _on_button(choice: Satisfaction, ctx: Ctx, link: CardLink) -> None:
    assert link.case_id is not None
    case = await Case.get(id=link.case_id)
    if choice is Satisfaction.UNSATISFIED and CaseStatus(case.status) is CaseStatus.RESOLVED:
        await ctx.expect(Waiting.UNSATISFIED_REASON, case_id=case.id)
        ctx.reply(ASK_REASON.format(number=case.number))
        return
    await record(ctx, case.id, choice)


async def on_reason_text(ctx: Ctx, case_id: int, text: str) -> None:
    if is_chatter(text):  # "好的" says nothing the officers could act on
        ctx.reply("请写明不满意的原因(回复「取消」放弃)")
        return
    await ctx.done()
    await record(ctx, case_id, Satisfaction.UNSATISFIED, text)


ACTIONS: dict[ButtonAct, ActionHandler] = {act: functools.partial(_on_button, choice) for act, choice in _CHOICE.items()}
