"""Neutral Card → the cardParamMap of our one generic card template (every value a string).

The template (integrations/dingtalk/card_template.json) loops over `fields` and `buttons`; a button's
`params` come back on click as cardPrivateData.params, carrying our typed action.
"""

from __future__ import annotations

import json
import uuid

from bot.types import Card

MAX_BUTTONS = 6


def new_out_track_id(link_id: int | None) -> str:
    return f"mt{link_id or 0}-{uuid.uuid4().hex[:16]}"


def card_params(card: Card) -> dict[str, str]:
    fields = [{"label": k, "value": v} for k, v in card.fields]
    buttons = [{"text": b.label, "style": b.style, "params": {"action": b.action}} for b in card.buttons[:MAX_BUTTONS]]
    return {
        "title": card.title,
        "subtitle": card.subtitle,
        "fields": json.dumps(fields, ensure_ascii=False),
        "buttons": json.dumps(buttons, ensure_ascii=False),
        "note": card.note,
        "kind": card.kind,
    }


def markdown(card: Card) -> dict[str, str]:
    lines = [f"#### {card.title}"]
    if card.subtitle:
        lines.append(card.subtitle)
    lines += [f"- **{k}**:{v}" for k, v in card.fields]
    if card.note:
        lines.append(card.note)
    return {"title": card.title, "text": "\n".join(lines)}
