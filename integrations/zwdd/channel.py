"""浙政钉 channel: work notifications to people, robot messages to groups, DING for 加急.

No public material shows an interactive card or any way for a message to carry buttons on 浙政钉, so a card
becomes an OA work notification whose link opens the action page (maotiao/action_page.py): the same card,
drawn as a page, with the buttons that person may press now. A card "update" cannot change a notification
already shown: it is a new, short notification with the same kind of link (the page always shows the current
state). Without a public URL and a link secret there is no page to open, and cards are not sent (the serve
start refuses that configuration; see plugin.py).

Rules the platform documents (README.md): `bizMsgId` unique per message — ours is derived from the outbox
row, so a retry after a lost answer is answered "重复" and counts as sent; at most 2048 bytes of `msg`.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from bot.channel import Delivery, MirroredTask, MirrorResult, MirrorTarget, SendResult
from bot.types import Card, Outbound
from core import evidence_links
from integrations.text import plain_text, split_bytes
from integrations.zwdd import ZWDD, messages, todo
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.errors import Kind, ZwddError

log = logging.getLogger(__name__)
TEXT_ROOM = messages.MAX_MSG_BYTES - 64  # the JSON around a text's content
FORM_ROWS = 6  # an OA body's key-value rows shown in the notification itself; the page shows all
FORM_VALUE_CHARS = 60


def biz_msg_id(key: str, piece: int = 0) -> str:
    """Stable for one outbox row (and one piece of it) across retries; short and opaque."""
    return hashlib.sha256(f"{key}#{piece}".encode()).hexdigest()[:32]


def _short(value: str) -> str:
    return value if len(value) <= FORM_VALUE_CHARS else value[: FORM_VALUE_CHARS - 1] + "…"


def card_notification(card: Card, url: str, *, update: bool) -> dict[str, Any]:
    """An OA notification for a card: title, up to FORM_ROWS fields, and what can be done on the page."""
    content = card.subtitle or ""
    if card.buttons:
        content += ("\n" if content else "") + "点击办理:" + " / ".join(b.label for b in card.buttons)
    form = [(k, _short(v)) for k, v in card.fields[:FORM_ROWS]]
    head = ("【更新】" if update else "") + card.title
    msg = messages.oa(card.title, content or "点击查看详情", url, head=head[:20], form=form)
    while len(messages.encode_unchecked(msg).encode()) > messages.MAX_MSG_BYTES and form:
        form = form[:-1]
        msg = messages.oa(card.title, content or "点击查看详情", url, head=head[:20], form=form)
    return msg


def group_markdown(o: Outbound) -> dict[str, Any]:
    if o.card is not None:
        card = o.card
        lines = [f"#### {card.title}"] + ([card.subtitle] if card.subtitle else [])
        lines += [f"- {k}:{v}" for k, v in card.fields] + ([card.note] if card.note else [])
        return messages.markdown(card.title, "\n".join(lines))
    if o.markdown:
        return messages.markdown(o.text.split("\n", 1)[0][:30] or "通知", o.text)
    return messages.text(o.text)


class ZwddChannel:
    platform = ZWDD

    def __init__(self, api: ZwddAPI) -> None:
        self.api = api

    @property
    def mirrors_tasks(self) -> bool:
        return True

    async def mirror_task(self, target: MirrorTarget, task: MirroredTask) -> MirrorResult:
        """The task in the assignee's 浙政钉 待办 (integrations/zwdd/todo.py)."""
        return await todo.mirror(self.api, target, task)

    async def send(self, d: Delivery) -> SendResult:
        try:
            if d.group_ref:
                await self.api.send_group(d.group_ref, self._fit(group_markdown(d.outbound)))
                return SendResult(True)
            assert d.user_id is not None
            return await self._user(d, d.user_id)
        except ZwddError as exc:
            return self._failed(exc)

    @staticmethod
    def _fit(msg: dict[str, Any]) -> dict[str, Any]:
        """A group message over the limit is cut (the platform would refuse it whole)."""
        kind = msg["msgtype"]
        field = "text" if kind == "markdown" else "content"
        while len(messages.encode_unchecked(msg).encode()) > messages.MAX_MSG_BYTES:
            body = msg[kind][field]
            msg[kind][field] = body[: max(0, len(body) - 200)] + "…"
        return msg

    @staticmethod
    def _failed(exc: ZwddError) -> SendResult:
        if exc.kind is Kind.CONFIGURATION:
            log.error(exc.plain())
            return SendResult(False, error=exc.plain(), retry_after=600)
        throttled = exc.kind is Kind.THROTTLED
        return SendResult(False, permanent=not exc.transient, error=exc.plain(),
                          retry_after=60.0 if throttled else None, held=throttled, ambiguous=exc.ambiguous)

    async def _user(self, d: Delivery, user: str) -> SendResult:
        o = d.outbound
        if o.card is not None:
            sent = await self._card(d, user, o.card)
        elif o.file_b64:
            text = f"【文件】《{o.file_name}》已生成。浙政钉工作通知不能附带文件,请在电脑端登录中心系统下载或向中心索取。"
            sent = await self._texts(d, user, text)
        else:
            sent = await self._texts(d, user, plain_text(o.text) if o.markdown else o.text)
        if sent.ok and o.urgent:
            summary = o.card.title if o.card is not None else o.text
            await self.api.ding([user], summary[:200], sms=o.urgent_via != "app")
        return sent

    async def _texts(self, d: Delivery, user: str, text: str) -> SendResult:
        for i, piece in enumerate(split_bytes(text, TEXT_ROOM)):
            await self.api.notify([user], messages.text(piece), biz_msg_id(d.key, i))
        return SendResult(True)

    async def _card(self, d: Delivery, user: str, card: Card) -> SendResult:
        signer = evidence_links.current()
        staff_id = d.outbound.target.staff_id
        if signer is None or staff_id is None:
            return SendResult(False, permanent=True,
                              error="浙政钉卡片需要办理页链接:请设置 MAOTIAO_PUBLIC_URL 和 MAOTIAO_LINK_SECRET")
        url = signer.act_url(staff_id, d.link.id if d.link is not None else 0, self.platform.value)
        msg = card_notification(card, url, update=d.outbound.update)
        await self.api.notify([user], msg, biz_msg_id(d.key))
        return SendResult(True)
