"""Turning outbounds into persisted outbox rows, and cards into stored links that can be re-rendered."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from bot.cards import render
from bot.cards.shown import change_line, is_final, view
from bot.types import Outbound, Target
from core.enums import Platform, chat_platforms
from core.evidence_links import PAGE_PATH
from core.evidence_links import PATH as EVIDENCE_PATH
from core.models import CardLink, GroupChat, OutboxMessage
from core.prepared import Prepared

log = logging.getLogger(__name__)
_EVIDENCE_LINE = re.compile(rf"^.*(?:{re.escape(EVIDENCE_PATH)}|{re.escape(PAGE_PATH)})\?token=.*$\n?", re.M)


def without_links(o: Outbound) -> Outbound:
    """A group message as it may be sent: an evidence link is minted for one person, so a card loses its
    links and a text its lines that carry one (none should: this is the last line of defence)."""
    if o.target.kind != "group":
        return o
    card = o.card.model_copy(update={"links": []}) if o.card is not None and o.card.links else o.card
    text = _EVIDENCE_LINE.sub("", o.text)
    if card is o.card and text == o.text:
        return o
    log.warning("evidence links removed from a group message (target group %s)", o.target.group_id)
    return o.model_copy(update={"card": card, "text": text})


async def new_card(
    kind: str,
    staff_id: int,
    now: datetime,
    *,
    case_id: int | None = None,
    task_id: int | None = None,
    draft_id: int | None = None,
    session_id: int | None = None,
    platform: Platform | None = None,
    urgent: bool = False,
) -> Outbound:
    link = await CardLink.create(kind=kind, staff_id=staff_id, case_id=case_id, task_id=task_id,
                                 draft_id=draft_id, session_id=session_id, created_at=now)
    card = await render(link)
    link.shown = view(card)
    await link.save(update_fields=["shown"])
    return Outbound(target=Target(staff_id=staff_id, platform=platform), card=card, card_link_id=link.id,
                    urgent=urgent)


async def refresh(links: list[CardLink], *, resend: bool = False) -> list[Outbound]:
    """Re-render cards in place after their case, task or draft changed: only those whose person would see
    something new (`resend`: also the others, when the platform's copy may be behind), each with the line that
    says what changed. A card whose actions are over is shown so once and then left alone (bot/cards/shown.py)."""
    out = []
    for link in links:
        card = await render(link)
        now_shown = view(card)
        if now_shown == link.shown and not resend:
            continue
        change = change_line(link.shown, card)
        link.shown, link.active = now_shown, link.active and not is_final(link.kind, card)
        await link.save(update_fields=["shown", "active"])
        platform = Platform(link.platform) if link.platform else None
        out.append(Outbound(target=Target(staff_id=link.staff_id, platform=platform), card=card,
                            card_link_id=link.id, update=True, change=change))
    return out


_LINK = Prepared(CardLink, lambda link_id: CardLink.filter(id=link_id), int)


async def card_link(link_id: int) -> CardLink | None:
    """CardLink.get_or_none(id=…), prepared (a click and every card message's delivery read one)."""
    return await _LINK.first(link_id)


_ACTIVE_LINKS_OF_CASE = Prepared(
    CardLink, lambda case_id: CardLink.filter(case_id=case_id, active=True).order_by("id"), int)


async def links_for_cases(case_ids: set[int], skip: set[int]) -> list[CardLink]:
    if not case_ids:
        return []
    if len(case_ids) == 1:  # a unit's usual case: the prepared look-up (core/prepared.py)
        links = await _ACTIVE_LINKS_OF_CASE.all(next(iter(case_ids)))
    else:
        links = await CardLink.filter(case_id__in=list(case_ids), active=True).order_by("id")
    return [link for link in links if link.id not in skip]


async def enqueue(outbounds: list[Outbound], now: datetime, answer: bool = False) -> list[OutboxMessage]:
    """Persist in the caller's transaction; a group message becomes one row per platform it lives on. The rows
    returned are what was stored, without their ids. `answer`: what handling a person's message or click wrote,
    sent before the rest (scheduler/delivery.deliver_answers)."""
    rows: list[OutboxMessage] = []
    latest_update: dict[int, int] = {}
    for i, o in enumerate(outbounds):
        if o.update and o.card_link_id is not None:
            latest_update[o.card_link_id] = i
    for i, o in enumerate(outbounds):
        if o.update and o.card_link_id is not None and latest_update[o.card_link_id] != i:
            continue  # a later re-render of the same card supersedes this one
        o = without_links(o)
        targets = [o]
        if o.target.kind == "group" and o.target.platform is None and o.target.group_id is not None:
            group = await GroupChat.get_or_none(id=o.target.group_id)
            refs = await group.refs() if group else {}
            targets = [o.model_copy(update={"target": o.target.model_copy(update={"platform": p})})
                       for p in chat_platforms() if refs.get(p.value)]
        rows += [OutboxMessage(payload=t.model_dump(mode="json"), next_attempt_at=now, card_link_id=t.card_link_id,
                               platform=t.target.platform.value if t.target.platform else None, created_at=now,
                               answer=answer)
                 for t in targets]
    if rows:  # one statement for the unit's whole outbox, in order (ids follow it); the rows carry no id
        await OutboxMessage.bulk_create(rows)
    return rows
