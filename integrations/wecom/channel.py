"""WeCom channel: sends texts, markdown and template cards, updates cards in place, paces per member."""

from __future__ import annotations

import base64
import logging
import time
from collections import deque
from collections.abc import Callable

from bot.channel import Delivery, SendResult
from core.enums import Platform
from integrations.wecom import cards
from integrations.wecom.api import WeComAPI
from integrations.wecom.errors import CARD_CODE_UNUSABLE, IP_NOT_TRUSTED, RATE_LIMITED, WeComError

log = logging.getLogger(__name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Pacer:
    """WeCom silently drops a member's messages past 30/min or 1,000/h: we wait instead."""

    def __init__(self, per_minute: int, per_hour: int = 1000, now: Callable[[], float] = time.monotonic) -> None:
        self.limits = ((60.0, per_minute), (3600.0, per_hour))
        self.now = now
        self.sent: dict[str, deque[float]] = {}

    def wait(self, user: str) -> float:
        stamps = self.sent.setdefault(user, deque())
        now = self.now()
        while stamps and now - stamps[0] >= 3600.0:
            stamps.popleft()
        longest = 0.0
        for window, limit in self.limits:
            recent = [t for t in stamps if now - t < window]
            if len(recent) >= limit:
                longest = max(longest, recent[-limit] + window - now)
        return longest

    def record(self, user: str) -> None:
        self.sent.setdefault(user, deque()).append(self.now())


class WeComChannel:
    platform = Platform.WECOM

    def __init__(self, api: WeComAPI, pacer: Pacer | None = None) -> None:
        self.api = api
        self.pacer = pacer or Pacer(api.settings.per_member_per_minute)

    async def send(self, d: Delivery) -> SendResult:
        try:
            if d.group_ref:
                return await self._group(d)
            assert d.user_id is not None
            wait = self.pacer.wait(d.user_id)
            if wait > 0:
                return SendResult(False, error="按成员限速等待", retry_after=wait)
            result = await self._user(d, d.user_id)
            self.pacer.record(d.user_id)
            return result
        except WeComError as exc:
            if exc.errcode == IP_NOT_TRUSTED:
                log.error(exc.plain())
                return SendResult(False, error=exc.plain(), retry_after=600)
            retry_after = 60.0 if exc.errcode in RATE_LIMITED else None
            return SendResult(False, permanent=not exc.transient, error=exc.plain(), retry_after=retry_after,
                              ambiguous=exc.ambiguous)

    async def _group(self, d: Delivery) -> SendResult:
        o = d.outbound
        assert d.group_ref is not None
        if o.card is not None:
            await self.api.send_group(d.group_ref, "markdown", cards.markdown(o.card))
        else:
            kind = "markdown" if o.markdown else "text"
            await self.api.send_group(d.group_ref, kind, {"content": o.text})
        if o.image_png_b64:
            media_id = await self.api.upload_image(base64.b64decode(o.image_png_b64))
            await self.api.send_group(d.group_ref, "image", {"media_id": media_id})
        return SendResult(True)

    async def _user(self, d: Delivery, user: str) -> SendResult:
        o = d.outbound
        if o.file_b64:
            media_id = await self.api.upload(base64.b64decode(o.file_b64), o.file_name, "file", DOCX)
            return self._checked(await self.api.send(user, "file", {"media_id": media_id}, d.dedupe_seconds))
        if o.card is None:
            kind = "markdown" if o.markdown else "text"
            return self._checked(await self.api.send(user, kind, {"content": o.text}, d.dedupe_seconds))
        link = d.link
        if o.update and link is not None and link.response_code:
            update = ({"template_card": cards.template_card(o.card, link.external_id or cards.new_task_id(link.id))}
                      if o.card.buttons else {"button": {"replace_name": cards.final_label(o.card)}})
            try:
                await self.api.update_card(user, link.response_code, update)
                return SendResult(True, response_code="")  # the code is spent
            except WeComError as exc:
                if exc.errcode not in CARD_CODE_UNUSABLE:
                    raise
                if d.dedupe_seconds:  # our earlier try, whose answer was lost, spent the code
                    return SendResult(True, response_code="")
                log.info("card %s: update code unusable (%s), sending a fresh card", link.id, exc.errcode)
        if not o.card.buttons:
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
        if invalid:
            return SendResult(False, permanent=True, error=f"企业微信不认识该成员:{invalid}(可能已离职或不在应用可见范围)")
        return SendResult(True)
