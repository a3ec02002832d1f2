"""Stream frames → Inbound: bot messages (text, picture, richText, audio) and card clicks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from dingtalk_stream import ChatbotMessage
from dingtalk_stream.frames import CallbackMessage

from bot.types import Attachment, CardAction, Inbound, InvalidAction
from core.text import scrub
from integrations.dingtalk import DINGTALK


class MalformedFrame(ValueError):
    pass


def _when(ms: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(ms) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)


def bot_message(frame: CallbackMessage) -> tuple[Inbound, str | None]:
    """A 1:1 message or an @-mention in a group. Returns the inbound and the group's conversation id."""
    data = scrub(frame.data) if isinstance(frame.data, dict) else {}  # U+0000: PostgreSQL refuses it
    try:
        msg = ChatbotMessage.from_dict(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise MalformedFrame(f"bad bot message: {exc}") from None
    sender = msg.sender_staff_id or ""
    if not sender or not msg.message_id:
        raise MalformedFrame("bot message without senderStaffId or msgId")
    text = ""
    attachments: list[Attachment] = []
    kind = msg.message_type
    if kind == "text" and msg.text is not None:
        text = (msg.text.content or "").strip()
    elif kind == "picture" and msg.image_content is not None:
        attachments.append(Attachment("image", msg.image_content.download_code or ""))
    elif kind == "richText" and msg.rich_text_content is not None:
        for part in msg.rich_text_content.rich_text_list or []:
            if isinstance(part, dict) and part.get("text"):
                text += str(part["text"])
            elif isinstance(part, dict) and part.get("downloadCode"):
                attachments.append(Attachment("image", str(part["downloadCode"])))
    elif kind == "audio":
        content = msg.extensions.get("content") or {}
        attachments.append(Attachment("voice", str(content.get("downloadCode", "")),
                                      str(content.get("recognition", ""))))
    elif kind in ("file", "video"):
        content = msg.extensions.get("content") or {}
        attachments.append(Attachment(kind, str(content.get("downloadCode", ""))))
    is_group = str(msg.conversation_type) == "2"
    inbound = Inbound(
        platform=DINGTALK, event_id=f"msg:{msg.message_id}", sender=sender, received_at=_when(msg.create_at),
        text=text, conversation=msg.conversation_id or "", is_group=is_group, attachments=tuple(attachments),
        extra={"group_title": msg.conversation_title or ""} if is_group else {},
    )
    return inbound, (msg.conversation_id if is_group else None)


def card_click(frame: CallbackMessage) -> Inbound:
    data = scrub(frame.data) if isinstance(frame.data, dict) else {}
    user = str(data.get("userId") or "")
    try:
        content = scrub(json.loads(data.get("content") or "{}"))  # a JSON string inside the frame
        params = content["cardPrivateData"]["params"]
        action = CardAction.decode(str(params["action"]))
    except (ValueError, KeyError, TypeError, InvalidAction) as exc:
        raise MalformedFrame(f"bad card callback: {exc}") from None
    if not user:
        raise MalformedFrame("card callback without userId")
    message_id = frame.headers.message_id or ""
    return Inbound(platform=DINGTALK, event_id=f"card:{message_id}", sender=user,
                   received_at=_when(frame.headers.time), action=action)
