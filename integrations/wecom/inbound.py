"""WeCom callback XML → Inbound. Card clicks (template_card_event) are parsed here: wechatpy does not know them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import xmltodict
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.types import Attachment, CardAction, Inbound, InvalidAction
from integrations.wecom import WECOM


class MalformedMessage(ValueError):
    pass


class WeComMessage(BaseModel):
    """The fields of a decrypted callback that we use; anything else is ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    to_user: str = Field("", alias="ToUserName")
    from_user: str = Field(alias="FromUserName")
    create_time: int = Field(alias="CreateTime")
    msg_type: str = Field(alias="MsgType")
    msg_id: str | None = Field(None, alias="MsgId")
    content: str = Field("", alias="Content")
    media_id: str = Field("", alias="MediaId")
    recognition: str = Field("", alias="Recognition")  # Official Accounts only: self-built apps never get it
    label: str = Field("", alias="Label")
    event: str = Field("", alias="Event")
    event_key: str = Field("", alias="EventKey")
    task_id: str = Field("", alias="TaskId")
    response_code: str = Field("", alias="ResponseCode")
    agent_id: str = Field("", alias="AgentID")
    selected: dict[str, list[str]] = Field(default_factory=dict)  # SelectedItems of a submitted form card


MAX_SELECTED = 3  # select_list holds at most 3 drop-downs (document/path/90236, multiple_interaction)
MAX_OPTION_IDS = 20  # a vote card's checkbox: at most 20 options
_KEY_BYTES, _OPTION_BYTES = 1024, 128  # question_key ≤ 1024 bytes, option id ≤ 128 bytes (90236)


def _selected(root: dict[str, Any]) -> dict[str, list[str]]:
    """SelectedItems → {QuestionKey: [OptionId, …]}, bounded as WeCom bounds what it sends."""
    items = root.get("SelectedItems")
    found = items.get("SelectedItem") if isinstance(items, dict) else None
    if not found:
        return {}
    if not isinstance(found, list) or len(found) > MAX_SELECTED:
        raise MalformedMessage("SelectedItems: more items than a card can hold")
    out: dict[str, list[str]] = {}
    for item in found:
        key = item.get("QuestionKey") if isinstance(item, dict) else None
        options = item.get("OptionIds") if isinstance(item, dict) else None
        ids = options.get("OptionId") if isinstance(options, dict) else None
        if not isinstance(key, str) or len(key.encode()) > _KEY_BYTES or not isinstance(ids, list) \
                or len(ids) > MAX_OPTION_IDS or not all(isinstance(i, str) and len(i.encode()) <= _OPTION_BYTES
                                                        for i in ids):
            raise MalformedMessage("SelectedItems: an item is not QuestionKey + OptionIds")
        out[key] = list(ids)
    return out


def parse_xml(xml: str) -> WeComMessage:
    try:
        data = xmltodict.parse(xml, force_list=("SelectedItem", "OptionId"))
    except Exception as exc:  # expat raises several types on bad input
        raise MalformedMessage(f"not XML: {exc}") from None
    root = data.get("xml") if isinstance(data, dict) else None
    if not isinstance(root, dict):
        raise MalformedMessage("no <xml> root")
    flat = {k: v for k, v in root.items() if isinstance(v, str | None)}
    try:
        return WeComMessage.model_validate({**{k: v or "" for k, v in flat.items()}, "selected": _selected(root)})
    except ValidationError as exc:
        raise MalformedMessage(str(exc.errors()[0]["loc"])) from None


def event_id(msg: WeComMessage) -> str:
    """MsgId for messages; events have none, so FromUserName + CreateTime (+ EventKey + TaskId)."""
    if msg.msg_id:
        return f"msg:{msg.msg_id}"
    return f"evt:{msg.from_user}:{msg.create_time}:{msg.event}:{msg.event_key}:{msg.task_id}"


def to_inbound(msg: WeComMessage) -> Inbound | None:
    """None for what the bot ignores (enter_agent, subscribe, unknown types)."""
    received = datetime.fromtimestamp(msg.create_time, UTC)
    base = {"platform": WECOM, "event_id": event_id(msg), "sender": msg.from_user, "received_at": received}
    if msg.msg_type == "text":
        return Inbound(text=msg.content, **base)  # type: ignore[arg-type]
    if msg.msg_type == "image":
        return Inbound(attachments=(Attachment("image", msg.media_id),), **base)  # type: ignore[arg-type]
    if msg.msg_type in ("voice", "video"):
        att = Attachment(msg.msg_type, msg.media_id, msg.recognition)  # type: ignore[arg-type]
        return Inbound(attachments=(att,), **base)  # type: ignore[arg-type]
    if msg.msg_type == "location":
        return Inbound(attachments=(Attachment("location", "", msg.label),), **base)  # type: ignore[arg-type]
    if msg.msg_type == "event" and msg.event == "template_card_event":
        try:
            action = CardAction.decode(msg.event_key)
        except InvalidAction as exc:
            raise MalformedMessage(f"bad EventKey: {exc}") from None
        # card_ref: which card was clicked; an older card of the same link (superseded) has another TaskId
        return Inbound(action=action, card_token=msg.response_code or None, selected=msg.selected,
                       extra={"card_ref": msg.task_id}, **base)  # type: ignore[arg-type]
    return None
