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


# multiple_interaction (90236): select_list 1–3 drop-downs, each option_list 1–10 options, option id ≤ 128 bytes
# and unique, option text ≤ 16 characters suggested, submit_button text ≤ 10 and key ≤ 1024 bytes. The card has no
# horizontal_content_list or sub_title_text: what it says goes in main_title. Assumed (not documented): a select's
# title is cut like a keyname would be wrapped by the client, so we keep it to 10 characters.
MAX_SELECTS, MAX_OPTIONS, OPTION, SELECT_TITLE = 3, 10, 16, 10


def form_card(card: Card, task_id: str) -> dict[str, Any]:
    """A card with drop-downs (Card.selects) as WeCom's multiple_interaction; its presets (buttons) are not shown."""
    assert card.submit is not None
    return {
        "card_type": "multiple_interaction",
        "main_title": {"title": _cut(card.title, TITLE), "desc": _cut(card.subtitle, DESC)},
        "task_id": task_id,
        "select_list": [{
            "question_key": s.key, "title": _cut(s.title, SELECT_TITLE),
            **({"selected_id": s.selected} if s.selected else {}),
            "option_list": [{"id": i, "text": _cut(t, OPTION)} for i, t in s.options[:MAX_OPTIONS]],
        } for s in card.selects[:MAX_SELECTS] if s.options],
        "submit_button": {"text": _cut(card.submit.label, BUTTON), "key": card.submit.action},
    }


def template_card(card: Card, task_id: str) -> dict[str, Any]:
    if card.selects and card.submit is not None:
        return form_card(card, task_id)
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
