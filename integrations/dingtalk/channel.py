"""DingTalk channel: robot 1:1 and group messages (identical ones batched, 20 people a call), interactive cards
created and updated, DING, inbound media, tasks mirrored into 钉钉待办 (integrations/dingtalk/todo.py)."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from bot.channel import Delivery, MirroredTask, MirrorResult, MirrorTarget, SendResult
from bot.types import Outbound
from integrations.dingtalk import DINGTALK, cards, todo
from integrations.dingtalk.api import MAX_USERS_PER_BATCH, DingTalkAPI
from integrations.dingtalk.errors import DingTalkError

log = logging.getLogger(__name__)
THROTTLED_RETRY_SECONDS = 60.0
QUOTA_RETRY_SECONDS = 3600.0  # the monthly quota: look again hourly (an org may buy more at any time)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REMIND_TYPE = {"app": 1, "sms": 2, "call": 3}  # DING's remindType for Outbound.urgent_via
OUT_TRACK_EXISTS = ("outTrackId", "exist")  # assumed wording of a createAndDeliver repeat (README)


def _failed(exc: DingTalkError) -> SendResult:
    if exc.quota_exhausted:
        return SendResult(False, error=exc.plain(), retry_after=QUOTA_RETRY_SECONDS, quota_exhausted=True,
                          held=True)
    if exc.unknown_user:
        return SendResult(False, permanent=True, error=f"钉钉不认识该用户(staffId.notExisted):{exc.message}")
    retry = THROTTLED_RETRY_SECONDS if exc.throttled else None
    return SendResult(False, permanent=not exc.transient, error=exc.plain(), retry_after=retry,
                      ambiguous=exc.ambiguous, held=exc.throttled)


def batchable(o: Outbound) -> bool:
    """A plain message the same for everyone: one batchSend reaches up to 20 of them."""
    return o.card is None and not o.file_b64 and not o.image_png_b64 and not o.urgent and not o.update


class DingTalkChannel:
    platform = DINGTALK

    def __init__(self, api: DingTalkAPI) -> None:
        self.api = api

    @property
    def mirrors_tasks(self) -> bool:
        """Tasks also go to the assignee's 钉钉待办 (DINGTALK_TODO, on by default)."""
        return self.api.settings.todo

    async def mirror_task(self, target: MirrorTarget, task: MirroredTask) -> MirrorResult:
        return await todo.mirror(self.api, target, task)

    async def fetch_media(self, ref: str, kind: str) -> tuple[bytes, str, str]:
        data, mime = await self.api.download(ref)
        return data, mime, f"{kind}-{ref[-12:]}"

    async def send(self, d: Delivery) -> SendResult:
        try:
            if d.group_ref:
                return await self._group(d)
            assert d.user_id is not None
            return await self._user(d, d.user_id)
        except DingTalkError as exc:
            return _failed(exc)

    async def send_many(self, deliveries: list[Delivery]) -> list[SendResult]:
        """The same plain message to several people: batchSend with up to 20 userIds a call, each person's
        result read from the answer's lists. Anything else is sent one by one."""
        results: list[SendResult] = []
        for start in range(0, len(deliveries), MAX_USERS_PER_BATCH):
            chunk = deliveries[start:start + MAX_USERS_PER_BATCH]
            if len(chunk) == 1 or not batchable(chunk[0].outbound) or any(d.user_id is None for d in chunk):
                results += [await self.send(d) for d in chunk]
                continue
            results += await self._batch(chunk)
        return results

    async def _batch(self, chunk: list[Delivery]) -> list[SendResult]:
        users = [str(d.user_id) for d in chunk]
        outcomes: dict[str, SendResult] = {u: SendResult(True) for u in users}
        try:
            for key, param in self._plain(chunk[0].outbound):
                resp = await self.api.send_to_users(users, key, param)
                for user in users:
                    if outcomes[user].ok:
                        outcomes[user] = self._per_user(resp, user)
                users = [u for u in users if outcomes[u].ok]
                if not users:
                    break
        except DingTalkError as exc:
            if exc.unknown_user:  # one unknown user refuses the whole call: the others are sent one by one
                return [await self.send(d) for d in chunk]
            return [_failed(exc) for _ in chunk]
        return [outcomes[str(d.user_id)] for d in chunk]

    @staticmethod
    def _plain(o: Outbound) -> list[tuple[str, dict[str, str]]]:
        if o.markdown:
            return [("sampleMarkdown", p) for p in cards.markdown_pieces(o.text[:20], o.text)]
        return [("sampleText", p) for p in cards.text_pieces(o.text)]

    async def _group(self, d: Delivery) -> SendResult:
        o = d.outbound
        assert d.group_ref is not None
        if o.card is not None:
            card = cards.markdown(o.card)
            pieces = [("sampleMarkdown", p) for p in cards.markdown_pieces(card["title"], card["text"])]
        else:
            pieces = self._plain(o)
        for key, param in pieces:  # msgParam at most 15,000 bytes: long digests go in pieces
            await self.api.send_to_group(d.group_ref, key, param)
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
            result = SendResult(True)
            for key, param in self._plain(o):
                result = self._per_user(await self.api.send_to_users([user], key, param), user)
                if not result.ok:
                    break
        elif o.update and d.link is not None and d.link.external_id and d.link.platform == self.platform.value:
            await self.api.update_card(d.link.external_id, cards.card_params(o.card))
            result = SendResult(True)
        else:
            result = await self._new_card(d, user, o)
        if result.ok and o.urgent:
            await self._ding(user, o.card.title if o.card else o.text, REMIND_TYPE[o.urgent_via])
        return result

    async def _new_card(self, d: Delivery, user: str, o: Outbound) -> SendResult:
        assert o.card is not None
        out_track_id = cards.new_out_track_id(d.link.id if d.link else None, d.key)
        params = cards.card_params(o.card)
        try:
            resp = await self.api.create_card(out_track_id, user, params)
        except DingTalkError as exc:
            if not (exc.status == 400 and all(w in f"{exc.code} {exc.message}" for w in OUT_TRACK_EXISTS)):
                raise
            # An earlier try of this very row made the card and its answer was lost: bring it up to date.
            await self.api.update_card(out_track_id, params)
            return SendResult(True, external_id=out_track_id)
        delivered = [r for r in resp.get("result", {}).get("deliverResults", []) if r.get("success")]
        if not delivered:
            return SendResult(False, error=f"钉钉卡片未送达:{json.dumps(resp, ensure_ascii=False)[:300]}")
        return SendResult(True, external_id=out_track_id)

    async def _ding(self, user: str, content: str, remind_type: int = 1) -> None:
        try:
            resp = await self.api.ding([user], content, remind_type)
        except DingTalkError as exc:  # the message itself went out; a failed DING is logged, not retried
            log.warning("DING to %s failed: %s", user, exc.plain())
            return
        if user in _listed(resp.get("failedList")):
            log.warning("DING did not reach %s: %s", user, resp.get("failedList"))

    @staticmethod
    def _per_user(resp: dict[str, Any], user: str) -> SendResult:
        """HTTP 200 even when this recipient was not reached: read the per-user lists."""
        if user in _listed(resp.get("invalidStaffIdList")):
            return SendResult(False, permanent=True, error=f"钉钉不认识该用户:{user}")
        if user in _listed(resp.get("filteredStaffIdList")):  # not delivered (e.g. the person blocked the bot)
            return SendResult(False, permanent=True, error=f"钉钉未投递给该用户(filteredStaffIdList):{user}")
        if user in _listed(resp.get("flowControlledStaffIdList")):
            return SendResult(False, error="钉钉对该用户限流,稍后重试", retry_after=THROTTLED_RETRY_SECONDS, held=True)
        return SendResult(True)


def _listed(value: object) -> set[str]:
    """User ids in a list, or in a map (its keys, or lists among its values): DING's failedList is a map."""
    if isinstance(value, list):
        return {str(v) for v in value}
    if isinstance(value, dict):
        out = {str(k) for k in value}
        for v in value.values():
            out |= _listed(v) if isinstance(v, list | dict) else set()
        return out
    return set()
