"""回访 buttons: 满意 / 基本满意 / 不满意."""

from __future__ import annotations

from bot.context import Ctx
from bot.types import Act
from core.enums import Platform, Satisfaction
from core.models import CardLink
from core.services import aftercare

_CHOICE = {Act.SATISFIED: Satisfaction.SATISFIED, Act.BASICALLY: Satisfaction.BASICALLY,
           Act.UNSATISFIED: Satisfaction.UNSATISFIED}


async def on_action(ctx: Ctx, act: Act, link: CardLink) -> None:
    assert link.case_id is not None
    outcome = await aftercare.record_follow_up(ctx.domain, ctx.actor, link.case_id, _CHOICE[act],
                                               source=Platform(ctx.inbound.platform))
    ctx.took(outcome)
