"""The contract every platform implements, and the one place channels are registered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.types import Outbound
from core.enums import Platform
from core.models import CardLink


@dataclass
class Delivery:
    """One outbound message resolved to a platform address."""

    outbound: Outbound
    user_id: str | None = None  # the platform's user id for 1:1 messages
    group_ref: str | None = None  # the group's id on this platform (a GroupAddress ref)
    link: CardLink | None = None  # the stored card link, for new cards and in-place updates
    key: str = ""  # stable per outbox row across retries: card ids derive from it
    dedupe_seconds: int | None = None  # an earlier try may have arrived: ask the platform to drop a repeat


@dataclass
class SendResult:
    ok: bool
    permanent: bool = False  # do not retry (invalid user, revoked app, bad request)
    error: str = ""
    external_id: str | None = None  # id of a new card on the platform, for later updates
    response_code: str | None = None  # a single-use code some platforms give for updating the card
    retry_after: float | None = None  # seconds the platform asked us to wait
    ambiguous: bool = False  # failed after the request may have reached the platform (timeout, 5xx)
    quota_exhausted: bool = False  # the platform's monthly API quota is used up: hold, or use another platform
    held: bool = False  # not carried out because of a rate limit or quota (ours or the platform's): a wait, not a try


class Channel(Protocol):
    platform: Platform

    async def send(self, delivery: Delivery) -> SendResult: ...


class BatchChannel(Channel, Protocol):
    """A channel that sends one message to several people at once (a batch endpoint, so many a call)."""

    async def send_many(self, deliveries: list[Delivery]) -> list[SendResult]: ...


class SmsSender(Protocol):
    """A short-message provider (提醒方式 短信): a template filled with `params` (a case number and category,
    never names or content) sent to a mobile number. `key` is stable per outbox row."""

    async def send_sms(self, phone: str, params: dict[str, str], key: str) -> SendResult: ...


@dataclass(frozen=True)
class MirroredTask:
    """A task as the assignee's to-do list on a platform shows it (bot/mirror.py builds it)."""

    source_id: str  # ours, stable for the task: the platform finds its copy again by it
    subject: str
    description: str
    due: datetime
    done: bool  # no longer the assignee's to do (resolved, returned, released)
    detail_url: str  # the case page for the assignee ("" without a public URL)
    urgent: bool = False


@dataclass(frozen=True)
class MirrorTarget:
    user_id: str  # the assignee's user id on the platform
    alias: str | None  # their second id there, when looked up before (Identity.alias)
    ref: str | None  # the platform's id of the copy, from an earlier sync
    retry: bool = False  # an earlier try may have made the copy: look for it before making one


@dataclass(frozen=True)
class MirrorResult:
    ok: bool
    ref: str | None = None  # the copy's id on the platform
    alias: str | None = None  # the second id, when it was looked up now: kept on the identity
    permanent: bool = False
    error: str = ""
    retry_after: float | None = None


@runtime_checkable
class TaskMirrorChannel(Protocol):
    """A channel whose platform keeps a to-do list: the tasks of its users are mirrored into it."""

    platform: Platform

    @property
    def mirrors_tasks(self) -> bool: ...  # the capability may be switched off in the settings

    async def mirror_task(self, target: MirrorTarget, task: MirroredTask) -> MirrorResult: ...


class ChannelRegistry:
    """Platform → channel. Filled explicitly by the composition root; nothing registers itself."""

    def __init__(self) -> None:
        self._channels: dict[Platform, Channel] = {}
        self._labels: dict[Platform, str] = {}
        self.sms: SmsSender | None = None  # set when an SMS provider is configured

    def register(self, channel: Channel, label: str | None = None) -> None:
        """`label` is the platform's name as chat users read it (from its plug-in registration)."""
        self._channels[channel.platform] = channel
        if label:
            self._labels[channel.platform] = label

    def get(self, platform: Platform) -> Channel | None:
        return self._channels.get(platform)

    def label(self, platform: Platform) -> str:
        return self._labels.get(platform, platform.value)

    @property
    def platforms(self) -> list[Platform]:
        return list(self._channels)
