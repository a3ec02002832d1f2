"""回访 buttons: 满意 / 基本满意 / 不满意."""

from __future__ import annotations

import functools

from bot.context import ActionHandler, Ctx
from bot.types import Act, ButtonAct
from core.enums import Platform, Satisfaction
from core.models import CardLink
from core.services import aftercare

_CHOICE = {Act.SATISFIED: Satisfaction.SATISFIED, Act.BASICALLY: Satisfaction.BASICALLY,
           Act.UNSATISFIED: Satisfaction.UNSATISFIED}


async def _record(choice: Satisfaction, ctx: Ctx, link: CardLink) -> None:
    assert link.case_id is not None
    outcome = await aftercare.record_follow_up(ctx.domain, ctx.actor, link.case_id, choice,
                                               source=Platform(ctx.inbound.platform))
    ctx.took(outcome)


ACTIONS: dict[ButtonAct, ActionHandler] = {act: functools.partial(_record, choice) for act, choice in _CHOICE.items()}
