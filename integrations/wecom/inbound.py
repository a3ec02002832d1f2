"""WeCom callback XML → Inbound. Card clicks (template_card_event) are parsed here: wechatpy does not know them."""

from __future__ import annotations

from datetime import UTC, datetime

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
        return WeComMessage.model_validate({k: v or "" for k, v in flat.items()})
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
        return Inbound(action=action, card_token=msg.response_code or None,
                       extra={"card_ref": msg.task_id}, **base)  # type: ignore[arg-type]
    return None
