"""Neutral cards: one builder per kind, chosen here explicitly; each re-reads state when rendered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.cards.case import render_cc, render_center, render_follow_up, render_plan
from bot.cards.draft import render_draft
from bot.cards.invite import render_invite
from bot.cards.pick import render_pick
from bot.cards.repeat import render_repeat
from bot.cards.task import render_extension, render_task
from bot.types import Card
from core.models import CardLink

BUILDERS: dict[str, Callable[[CardLink], Awaitable[Card]]] = {
    "draft": render_draft,
    "center": render_center,
    "plan": render_plan,
    "cc": render_cc,
    "follow_up": render_follow_up,
    "task": render_task,
    "extension": render_extension,
    "repeat": render_repeat,
    "invite": render_invite,
    "pick": render_pick,
}


async def render(link: CardLink) -> Card:
    return await BUILDERS[link.kind](link)
