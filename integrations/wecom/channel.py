"""WeCom channel: sends texts, markdown and template cards, updates cards in place, paces per member."""

from __future__ import annotations

import base64
import logging
from typing import Any

from bot.channel import Delivery, SendResult
from bot.types import Outbound
from integrations import text_only
from integrations.pacing import MemoryRateStore, RateStore, Windows
from integrations.text import plain_text, split_bytes
from integrations.wecom import WECOM, cards
from integrations.wecom.api import WeComAPI
from integrations.wecom.errors import (
    CARD_CODE_UNUSABLE,
    CHAT_UNKNOWN,
    CONFIG_ERROR,
    IP_NOT_TRUSTED,
    RATE_LIMITED,
    WeComError,
)
from integrations.wecom.media import fetch_media

log = logging.getLogger(__name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# text and markdown content: at most 2048 bytes, else errcode 45002 (document/path/90236, 消息类型)
MAX_CONTENT_BYTES = 2048
PIECE_DEDUPE_SECONDS = 1800  # a long message goes out in pieces: a retry must not repeat the pieces that arrived
MAX_MEMBERS_A_CALL = 1000  # message/send's touser "a|b|…" names at most 1,000 members (document/path/90236)
HELD = "按成员限速等待"


def member_limits(per_minute: int, per_hour: int) -> Windows:
    """Per app per member: 30 messages a minute and 1,000 an hour; WeCom drops the excess silently
    (document/path/90236 and the 发送应用消息 频率限制 section; PLATFORMS.md)."""
    return ((60.0, per_minute), (3600.0, per_hour))


class WeComChannel:
    platform = WECOM

    def __init__(self, api: WeComAPI, rates: RateStore | None = None) -> None:
        self.api = api
        self.rates = rates or MemoryRateStore()
        self.limits = member_limits(api.settings.per_member_per_minute, api.settings.per_member_per_hour)

    async def fetch_media(self, ref: str, kind: str) -> tuple[bytes, str, str]:
        return await fetch_media(self.api, ref)

    async def send(self, d: Delivery) -> SendResult:
        try:
            if d.group_ref:
                return await self._group(d)
            assert d.user_id is not None
            plain = await text_only.wanted(self.platform, d.user_id)
            pieces = self._pieces(d.outbound, plain)
            # Reserve the member's share before sending, in the store every process shares: past the limit
            # WeCom would answer ok and drop the message.
            wait = await self.rates.windows(self._member(d.user_id), self.limits, max(1, len(pieces)))
            if wait > 0:
                return SendResult(False, error=HELD, retry_after=min(wait, 3600.0), held=True)
            if pieces:
                return await self._pieces_out(d, d.user_id, pieces)
            return await self._user(d, d.user_id, plain)
        except WeComError as exc:
            return self._failed(exc)

    async def send_many(self, deliveries: list[Delivery]) -> list[SendResult]:
        """The same plain message to several members: one message/send names up to 1,000 of them (touser "a|b",
        document/path/90236), each member's share of their limit reserved first and each one's outcome read from
        the answer (`invaliduser`). A Monday's screening reminder to 300 grid workers is one call, not 300.
        Anything else (a card, a file, a group, a text that goes in pieces, a retry asking WeCom to dedupe) is
        sent one by one; members reading plain text get their own call. A batch whose answer was lost is retried
        one by one with WeCom's duplicate check, which compares whole requests: a member may then get that plain
        notice twice (never a card: cards are not batched)."""
        results: dict[int, SendResult] = {}
        together: dict[tuple[str, str], list[int]] = {}  # (msgtype, content) → the deliveries' indexes
        for i, d in enumerate(deliveries):
            pieces = [] if d.group_ref or d.user_id is None or d.dedupe_seconds or d.outbound.card is not None \
                else self._pieces(d.outbound, await text_only.wanted(self.platform, d.user_id))
            if len(pieces) == 1:
                together.setdefault(pieces[0], []).append(i)
            else:
                results[i] = await self.send(d)
        for (kind, content), members in together.items():
            results.update(await self._together([(i, str(deliveries[i].user_id)) for i in members], kind, content))
        return [results[i] for i in range(len(deliveries))]

    async def _together(self, members: list[tuple[int, str]], kind: str, content: str) -> dict[int, SendResult]:
        waits = await self.rates.windows_many([self._member(u) for _, u in members], self.limits)
        out = {i: SendResult(False, error=HELD, retry_after=min(w, 3600.0), held=True)
               for (i, _), w in zip(members, waits, strict=True) if w > 0}
        ready = [m for m, w in zip(members, waits, strict=True) if w <= 0]
        for start in range(0, len(ready), MAX_MEMBERS_A_CALL):
            chunk = ready[start:start + MAX_MEMBERS_A_CALL]
            try:
                resp = await self.api.send("|".join(u for _, u in chunk), kind, {"content": content})
            except WeComError as exc:  # the whole call: 81013 (every member unknown), 45009, an outage
                out.update({i: self._failed(exc) for i, _ in chunk})
                continue
            invalid = {u.lower() for u in str(resp.get("invaliduser") or "").split("|") if u}  # lower case (90236)
            out.update({i: self._unknown(u) if u.lower() in invalid else SendResult(True) for i, u in chunk})
        return out

    def _member(self, user: str) -> str:
        """A member's key in the rate store: the limits are per app per member."""
        return f"wecom:{self.api.settings.agent_id}:{user}"

    @staticmethod
    def _unknown(invalid: str) -> SendResult:
        return SendResult(False, permanent=True, error=f"企业微信不认识该成员:{invalid}(可能已离职或不在应用可见范围)")

    @staticmethod
    def _failed(exc: WeComError) -> SendResult:
        if exc.errcode in (IP_NOT_TRUSTED, CONFIG_ERROR):
            log.error(exc.plain())
        if exc.errcode == IP_NOT_TRUSTED:
            return SendResult(False, error=exc.plain(), retry_after=600)
        limited = exc.errcode in RATE_LIMITED
        return SendResult(False, permanent=not exc.transient, error=exc.plain(), retry_after=60.0 if limited else None,
                          held=limited, ambiguous=exc.ambiguous)

    @staticmethod
    def _pieces(o: Outbound, plain: bool) -> list[tuple[str, str]]:
        """(msgtype, content) pieces for a text or markdown message (cards and files are not split)."""
        if o.file_b64 or (o.card is not None and not plain):
            return []
        if o.card is not None and o.update and o.change:  # a text card already in the chat: what changed
            return [("text", o.change)]
        if o.card is not None:
            body, kind = plain_text(cards.markdown(o.card)["content"]), "text"
            if o.card.buttons:  # the buttons cannot be shown: name what can be done
                body += "\n可办理:" + " / ".join(b.label for b in o.card.buttons) + "(请在企业微信客户端中操作,或回复文字)"
        else:
            kind = "markdown" if o.markdown and not plain else "text"
            body = plain_text(o.text) if o.markdown and plain else o.text
        return [(kind, piece) for piece in split_bytes(body, MAX_CONTENT_BYTES)]

    async def _pieces_out(self, d: Delivery, user: str, pieces: list[tuple[str, str]]) -> SendResult:
        dedupe = d.dedupe_seconds
        if len(pieces) > 1:
            dedupe = max(dedupe or 0, PIECE_DEDUPE_SECONDS)
        for kind, content in pieces:
            result = self._checked(await self.api.send(user, kind, {"content": content}, dedupe))
            if not result.ok:
                return result
        return SendResult(True)

    async def _group(self, d: Delivery) -> SendResult:
        assert d.group_ref is not None
        try:
            return await self._group_out(d, d.group_ref)
        except WeComError as exc:
            if exc.errcode not in CHAT_UNKNOWN:
                raise
            # Not a chat this app created (an ordinary group's id, a made-up one): no retry can help.
            return SendResult(False, permanent=True, error=f"群 chatid {d.group_ref}:{exc.plain()}")

    async def _group_out(self, d: Delivery, ref: str) -> SendResult:
        o = d.outbound
        if o.card is not None:
            kind, body = "markdown", cards.markdown(o.card)["content"]
        else:
            kind, body = ("markdown" if o.markdown else "text"), o.text
        for piece in split_bytes(body, MAX_CONTENT_BYTES):
            await self.api.send_group(ref, kind, {"content": piece})
        if o.image_png_b64:
            media_id = await self.api.upload_image(base64.b64decode(o.image_png_b64))
            await self.api.send_group(ref, "image", {"media_id": media_id})
        return SendResult(True)

    async def _user(self, d: Delivery, user: str, plain: bool) -> SendResult:
        o = d.outbound
        if o.file_b64:
            media_id = await self.api.upload(base64.b64decode(o.file_b64), o.file_name, "file", DOCX)
            return self._checked(await self.api.send(user, "file", {"media_id": media_id}, d.dedupe_seconds))
        assert o.card is not None
        link = d.link
        if o.update and link is not None and link.response_code:
            update: dict[str, Any] = (
                {"template_card": cards.template_card(o.card, link.external_id or cards.new_task_id(link.id))}
                if o.card.buttons or o.card.selects else {"button": {"replace_name": cards.final_label(o.card)}})
            try:
                await self.api.update_card(user, link.response_code, update)
                return SendResult(True, response_code="")  # the code is spent
            except WeComError as exc:
                if exc.errcode not in CARD_CODE_UNUSABLE:
                    raise
                if d.dedupe_seconds:  # our earlier try, whose answer was lost, spent the code
                    return SendResult(True, response_code="")
                log.info("card %s: update code unusable (%s)", link.id, exc.errcode)
        if o.update and o.change:
            # The code is spent or older than 72 h: one line of what changed, not the whole card again. The card
            # in the chat keeps working: a click on it brings a fresh code and the card is brought up to date.
            return self._checked(await self.api.send(user, "text", {"content": o.change}, d.dedupe_seconds))
        if not (o.card.buttons or o.card.selects):
            return self._checked(await self.api.send(user, "markdown", cards.markdown(o.card), d.dedupe_seconds))
        task_id = cards.new_task_id(link.id if link else None, d.key)
        resp = await self.api.send(user, "template_card", cards.template_card(o.card, task_id), d.dedupe_seconds)
        result = self._checked(resp)
        if result.ok:
            result.external_id = task_id
            result.response_code = str(resp.get("response_code") or "")
        return result

    @staticmethod
    def _checked(resp: dict[str, object]) -> SendResult:
        invalid = str(resp.get("invaliduser") or "")
        return WeComChannel._unknown(invalid) if invalid else SendResult(True)
