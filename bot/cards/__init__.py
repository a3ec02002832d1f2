"""Neutral cards: one builder per kind, chosen here explicitly; each re-reads state when rendered (the case's
data once for the cards rendered together after a unit's writes, bot/cards/snapshot.py).

A card goes to one person's chat and stays in its history: phone and ID numbers are masked on every card,
whatever the builder put there (the signed case page, maotiao/case_page.py, shows them to those who may see)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.cards import snapshot
from bot.cards.case import render_cc, render_center, render_follow_up, render_plan
from bot.cards.draft import render_draft
from bot.cards.invite import render_invite
from bot.cards.pick import render_pick
from bot.cards.repeat import render_repeat
from bot.cards.task import render_extension, render_task
from bot.types import Card
from core.masking import mask_keeping_case_numbers as masked
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
    with snapshot.sharing():  # one builder reads the case's tasks for several fields (bot/cards/snapshot.py)
        card = await BUILDERS[link.kind](link)
    return card.model_copy(update={
        "subtitle": masked(card.subtitle), "note": masked(card.note),
        "fields": [(k, masked(v)) for k, v in card.fields],
        "links": [u.model_copy(update={"text": masked(u.text)}) for u in card.links]})
