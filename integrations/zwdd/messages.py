"""Work-notification message bodies (the `msg` parameter of /message/workNotification): text, markdown,
link, OA and action_card, the five types the platform lists, at most 2048 bytes of JSON. Field names follow
the public samples quoted in README.md (OA: message_url / pc_message_url / head / body)."""

from __future__ import annotations

import json
from typing import Any

from integrations.zwdd.errors import Kind, ZwddError

MAX_MSG_BYTES = 2048
OA_HEAD_COLOR = "FF4876FF"  # ARGB, as in the public OA sample


def encode_unchecked(msg: dict[str, Any]) -> str:
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":"))


def encode(msg: dict[str, Any]) -> str:
    """The JSON string sent as `msg`; refused here, before any request, when the platform would refuse it."""
    text = encode_unchecked(msg)
    size = len(text.encode("utf-8"))
    if size > MAX_MSG_BYTES:
        raise ZwddError(0, "MSG_TOO_LONG", f"消息 {size} 字节,超过浙政钉上限 {MAX_MSG_BYTES} 字节", kind=Kind.PERMANENT)
    return text


def text(content: str) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": content}}


def markdown(title: str, body: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"title": title, "text": body}}


def link(title: str, body: str, url: str, pic_url: str = "") -> dict[str, Any]:
    return {"msgtype": "link", "link": {"messageUrl": url, "picUrl": pic_url, "title": title, "text": body}}


def oa(title: str, content: str, url: str, *, pc_url: str = "", head: str = "",
       form: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """An OA message: opening it opens `url` (mobile) / `pc_url` (desktop) — the action page."""
    body: dict[str, Any] = {"title": title, "content": content}
    if form:
        body["form"] = [{"key": f"{key}:", "value": value} for key, value in form]
    return {"msgtype": "oa", "oa": {"message_url": url, "pc_message_url": pc_url or url,
                                     "head": {"bgcolor": OA_HEAD_COLOR, "text": head or title}, "body": body}}


def action_card(title: str, body: str, button: str, url: str, pc_url: str = "") -> dict[str, Any]:
    return {"msgtype": "action_card", "action_card": {"title": title, "markdown": body, "single_title": button,
                                                       "single_url": url, "single_pc_url": pc_url or url}}
