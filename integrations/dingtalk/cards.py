"""Neutral Card → the cardParamMap of our one generic template (card_template.json; every value a string).

The template loops over `fields` and `buttons`; each button's click param `action` is bound to the button's
`action` item, so it comes back as cardPrivateData.params = {"action": "sign:42"}: our typed action.
"""

from __future__ import annotations

import json
import re

from bot.types import Card
from integrations.text import split_bytes

MAX_BUTTONS = 6
_COLOR = {"primary": "blue", "default": "gray", "danger": "red"}
_OUT_TRACK = re.compile(r"[^0-9A-Za-z_\-]")
# groupMessages/send: msgParam at most 15,000 bytes (PLATFORMS.md); assumed the same for oToMessages/batchSend.
MAX_MSG_PARAM_BYTES = 15_000


def new_out_track_id(link_id: int | None, key: str) -> str:
    """The card's outTrackId, derived from the outbox row (Delivery.key): the same on every retry of that row,
    so a retry after a lost answer finds the card it already made instead of making a second one."""
    return f"mt{link_id or 0}-{_OUT_TRACK.sub('', key)[:48] or 'x'}"


def card_params(card: Card) -> dict[str, str]:
    # the template's fields are text: a link is its text and the URL, which the client opens when tapped
    fields = [{"label": k, "value": v} for k, v in card.fields] + [
        {"label": u.label, "value": f"{u.text} {u.url}"} for u in card.links]
    buttons = [{"text": b.label, "color": _COLOR[b.style], "action": b.action} for b in card.buttons[:MAX_BUTTONS]]
    return {
        "title": card.title,
        "subtitle": card.subtitle,
        "fields": json.dumps(fields, ensure_ascii=False),
        "buttons": json.dumps(buttons, ensure_ascii=False),
        "note": card.note,
        "status": "normal",
        "lastMessage": card.title,
    }


def clicked() -> dict[str, str]:
    """The card as the clicker sees it at once (the ACK's answer): buttons greyed out while the click is
    handled; the handled state follows through PUT /v1.0/card/instances a moment later."""
    return {"status": "disabled", "note": "已收到,正在处理…"}


def markdown(card: Card) -> dict[str, str]:
    lines = [f"#### {card.title}"]
    if card.subtitle:
        lines.append(card.subtitle)
    lines += [f"- **{k}**:{v}" for k, v in card.fields]
    lines += [f"- **{u.label}**:[{u.text}]({u.url})" for u in card.links]
    if card.note:
        lines.append(card.note)
    return {"title": card.title, "text": "\n".join(lines)}


def markdown_pieces(title: str, text: str) -> list[dict[str, str]]:
    """sampleMarkdown params, the text split at line boundaries so each msgParam stays within the limit."""
    overhead = len(json.dumps({"title": title, "text": ""}, ensure_ascii=False).encode()) + 64  # JSON escaping
    return [{"title": title, "text": piece} for piece in split_bytes(text, MAX_MSG_PARAM_BYTES // 2, overhead)]


def text_pieces(text: str) -> list[dict[str, str]]:
    return [{"content": piece} for piece in split_bytes(text, MAX_MSG_PARAM_BYTES // 2, 64)]
