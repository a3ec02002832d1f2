"""What one person's card shows, remembered per card link (CardLink.shown), so a card is sent only when what
*that person* sees changed; and the short line that says what changed, for a platform that can no longer update
the card in place (its update code spent or expired) — one line instead of the whole card again.

A card whose actions are over (a kind that asks one decision, rendered with no buttons) is final: it is shown
once in that state and its link goes inactive, so its person — an officer who returned or was released from the
task, a leader whose plan card was decided, a dispatcher whose extension card was answered — hears no more."""

from __future__ import annotations

from typing import Any

from bot.types import Card

# Kinds that ask their person for one decision: once rendered without buttons they have nothing more to say.
ONE_DECISION = frozenset({"draft", "plan", "follow_up", "task", "extension", "repeat", "invite"})
CHANGE_CHARS = 300  # a change line stays short: a phone shows it whole


def view(card: Card) -> dict[str, Any]:
    """What the person sees. Link URLs are left out: they are minted anew on every render."""
    return {"title": card.title, "subtitle": card.subtitle, "fields": [[k, v] for k, v in card.fields],
            "links": [[u.label, u.text] for u in card.links], "note": card.note,
            "buttons": [[b.label, b.action] for b in card.buttons],
            "selects": [[x.key, x.selected, [list(o) for o in x.options]] for x in card.selects],
            "submit": [card.submit.label, card.submit.action] if card.submit else None}


def is_final(kind: str, card: Card) -> bool:
    return kind in ONE_DECISION and not card.buttons


def _pairs(shown: dict[str, Any], key: str) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in shown.get(key) or []]


def change_line(before: dict[str, Any] | None, card: Card) -> str:
    """One short line with what `card` shows beyond `before`; "" when the whole card must go out again: nothing
    was sent before, or the card offers an action the earlier one did not (a line cannot carry a button)."""
    if before is None or card.selects:  # a form: its drop-downs cannot travel in a line
        return ""
    actions_before = {a for _, a in _pairs(before, "buttons")}
    if any(b.action not in actions_before for b in card.buttons):
        return ""
    old = dict(_pairs(before, "fields") + _pairs(before, "links"))
    changed = [f"{k}:{v}" for k, v in [*card.fields, *((u.label, u.text) for u in card.links)] if old.get(k) != v]
    parts = [card.subtitle] if card.subtitle and card.subtitle != before.get("subtitle") else []
    parts += changed
    if actions_before and not card.buttons:
        parts.append("该卡片已无可办理的操作")
    return _cut(f"【{card.title}】" + (";".join(parts) or card.subtitle))


def _cut(text: str) -> str:
    return text if len(text) <= CHANGE_CHARS else text[: CHANGE_CHARS - 1] + "…"
