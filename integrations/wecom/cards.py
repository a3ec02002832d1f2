"""Neutral Card → WeCom template_card (button_interaction) or markdown, within WeCom's size rules."""

from __future__ import annotations

import re
import uuid
from typing import Any

from bot.types import Card

MAX_BUTTONS = 6
MAX_FIELDS = 6
MAX_LINKS = 3  # of the six horizontal items, how many may be links (type 1: keyname, value, url)
_STYLE = {"primary": 1, "default": 2, "danger": 3}
_TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def new_task_id(link_id: int | None, key: str = "") -> str:
    """A card's task_id; with a delivery key it is the same on every retry, so WeCom can drop a repeat."""
    task_id = f"mt{link_id or 0}-{key or uuid.uuid4().hex[:12]}"
    assert _TASK_ID.match(task_id)
    return task_id


# The doc's suggested lengths for button_interaction (document/path/90236): title 36, desc 44, keyname 5,
# value 26, sub_title_text 112, button text 10 characters. Longer text is cut by the client, so we cut there.
TITLE, DESC, KEYNAME, VALUE, SUBTITLE, BUTTON = 36, 44, 5, 26, 112, 10


def template_card(card: Card, task_id: str) -> dict[str, Any]:
    links = card.links[:MAX_LINKS]
    room = MAX_FIELDS - len(links)
    shown, rest = card.fields[:room], card.fields[room:]
    sub = "\n".join([*(f"{k}:{v}" for k, v in rest), card.note] if (rest or card.note) else [])
    body: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": _cut(card.title, TITLE), "desc": _cut(card.subtitle, DESC)},
        "horizontal_content_list": [{"keyname": _cut(k, KEYNAME), "value": _cut(v, VALUE)} for k, v in shown] + [
            {"type": 1, "keyname": _cut(u.label, KEYNAME), "value": _cut(u.text, VALUE), "url": u.url} for u in links],
        "task_id": task_id,
        "button_list": [
            {"text": _cut(b.label, BUTTON), "style": _STYLE[b.style], "key": b.action} for b in card.buttons[:MAX_BUTTONS]
        ],
    }
    if sub:
        body["sub_title_text"] = _cut(sub, SUBTITLE)
    return body


def markdown(card: Card) -> dict[str, str]:
    lines = [f"**{card.title}**"]
    if card.subtitle:
        lines.append(f"<font color=\"comment\">{card.subtitle}</font>")
    lines += [f"> {k}:{v}" for k, v in card.fields]
    lines += [f"> {u.label}:[{u.text}]({u.url})" for u in card.links]
    if card.note:
        lines.append(card.note)
    return {"content": "\n".join(lines)}


def final_label(card: Card) -> str:
    """The greyed-out button text when a card has no actions left (e.g. 已办结)."""
    return _cut(card.subtitle or "已处理", BUTTON)
