"""DingTalk channel: robot 1:1 and group messages, interactive cards created and updated, DING."""

from __future__ import annotations

import base64
import logging

from bot.channel import Delivery, SendResult
from core.enums import Platform
from integrations.dingtalk import cards
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.errors import DingTalkError

log = logging.getLogger(__name__)
THROTTLED_RETRY_SECONDS = 60.0
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DingTalkChannel:
    platform = Platform.DINGTALK

    def __init__(self, api: DingTalkAPI) -> None:
        self.api = api

    async def send(self, d: Delivery) -> SendResult:
        try:
            if d.group_ref:
                return await self._group(d)
            assert d.user_id is not None
            return await self._user(d, d.user_id)
        except DingTalkError as exc:
            return SendResult(False, permanent=not exc.transient, error=exc.plain())

    async def _group(self, d: Delivery) -> SendResult:
        o = d.outbound
        assert d.group_ref is not None
        if o.card is not None:
            await self.api.send_to_group(d.group_ref, "sampleMarkdown", cards.markdown(o.card))
        elif o.markdown:
            await self.api.send_to_group(d.group_ref, "sampleMarkdown", {"title": o.text[:20], "text": o.text})
        else:
            await self.api.send_to_group(d.group_ref, "sampleText", {"content": o.text})
        if o.image_png_b64:
            media_id = await self.api.upload_image(base64.b64decode(o.image_png_b64))
            await self.api.send_to_group(d.group_ref, "sampleImageMsg", {"photoURL": media_id})
        return SendResult(True)

    async def _user(self, d: Delivery, user: str) -> SendResult:
        o = d.outbound
        if o.file_b64:
            media_id = await self.api.upload(base64.b64decode(o.file_b64), o.file_name, "file", DOCX)
            extension = o.file_name.rsplit(".", 1)[-1]
            return self._per_user(await self.api.send_to_users(
                [user], "sampleFile", {"mediaId": media_id, "fileName": o.file_name, "fileType": extension}), user)
        if o.card is None:
            key, param = ("sampleMarkdown", {"title": o.text[:20], "text": o.text}) if o.markdown else (
                "sampleText", {"content": o.text})
            result = self._per_user(await self.api.send_to_users([user], key, param), user)
        elif o.update and d.link is not None and d.link.external_id and d.link.platform == self.platform.value:
            await self.api.update_card(d.link.external_id, cards.card_params(o.card))
            result = SendResult(True)
        else:
            out_track_id = cards.new_out_track_id(d.link.id if d.link else None)
            resp = await self.api.create_card(out_track_id, user, cards.card_params(o.card))
            delivered = [r for r in resp.get("result", {}).get("deliverResults", []) if r.get("success")]
            if not delivered:
                return SendResult(False, error=f"钉钉卡片未送达:{resp}")
            result = SendResult(True, external_id=out_track_id)
        if result.ok and o.urgent:
            try:
                await self.api.ding(user, o.card.title if o.card else o.text)
            except DingTalkError as exc:  # the message itself went out; a failed DING is logged, not retried
                log.warning("DING to %s failed: %s", user, exc.plain())
        return result

    @staticmethod
    def _per_user(resp: dict[str, object], user: str) -> SendResult:
        """HTTP 200 even when this recipient was throttled or unknown: read the per-user lists."""
        if user in (resp.get("invalidStaffIdList") or []):  # type: ignore[operator]
            return SendResult(False, permanent=True, error=f"钉钉不认识该用户:{user}")
        if user in (resp.get("flowControlledStaffIdList") or []):  # type: ignore[operator]
            return SendResult(False, error="钉钉对该用户限流,稍后重试", retry_after=THROTTLED_RETRY_SECONDS)
        return SendResult(True)
