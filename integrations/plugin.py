"""What a chat platform plug-in is: the entry each integrations/<platform>/plugin.py exports as PLUGIN, and
what the rest of the code base hands it. integrations/registry.py lists the plug-ins; nothing else does."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

import httpx
from aiohttp import web

from bot.channel import Channel
from core.clock import Clock
from core.enums import Platform
from integrations.checklist import Check
from integrations.lease import AlwaysHeld, LeaseFactory
from integrations.pacing import RateStore

if TYPE_CHECKING:
    from bot.engine import Bot
    from bot.handling import Submitter


class PlatformSettings(Protocol):
    @property
    def enabled(self) -> bool: ...


S = TypeVar("S", bound=PlatformSettings)


class PlatformAPI(Protocol):
    async def aclose(self) -> None: ...


class Runner(Protocol):
    """An inbound connection serve keeps open in the background (started once listening, stopped at exit)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class Wiring:
    """What a platform's inbound is attached to: serve's HTTP app (for callback routes), the bot that records
    and handles what arrives, the kick that sends its replies at once, serve's log, and the leases that let
    only one of several serve processes hold a connection the platform allows once (integrations/lease.py).
    `handoff`, when given, is where stored events go instead of this process's own handling: the workers
    (scheduler/handoff.py)."""

    app: web.Application
    bot: Bot
    on_handled: Callable[[], None]
    log: logging.Logger
    lease: LeaseFactory = AlwaysHeld
    handoff: Submitter | None = None


class FakePlatform(Protocol):
    """A platform's fake for the sandbox, serving on loopback, with simulated people on it. Items are the
    sandbox page's JSON (maotiao/sandbox_api.py): {"platform", "at", "from", "text" | "card" | "file"} for a
    person's chat (file: {"media", "name"}, a document the bot sent), {"platform", "at", "text", "media"} for a
    group's (media: an id that media() answers, or "")."""

    @property
    def settings(self) -> Any: ...  # settings that point the real integration at the fake

    def connect(self, server: str, client: httpx.AsyncClient) -> None: ...  # serve listens at `server` now

    def messages(self, user: str) -> list[dict[str, Any]]: ...

    def group_messages(self, ref: str) -> list[dict[str, Any]]: ...

    def media(self, media_id: str) -> bytes | None: ...

    async def say(self, user: str, text: str) -> None: ...

    async def photo(self, user: str, data: bytes, name: str) -> None: ...  # the person sends the bot a picture

    # False: no such card. `selected`: a form card's drop-downs as the person set them (key → option id)
    async def click(self, user: str, card: str, key: str, selected: dict[str, str] | None = None) -> bool: ...


@runtime_checkable
class KeepsTodos(Protocol):
    """A fake whose platform keeps a to-do list (待办) we mirror tasks into: what is in it, for the sandbox page
    ({"platform", "user", "subject", "due", "done", "source_id", "updates"})."""

    def todos(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class DoctorContext:
    """What `maotiao doctor` hands a platform's checks: the groups the center sends to there (name, id), the
    public URL its callback should answer at (if configured), the clock, and whether the database is usable."""

    groups: list[tuple[str, str]]
    public_url: str
    clock: Clock
    with_db: bool


@dataclass(frozen=True)
class GroupPlan:
    """A group chat to make on one platform for one of the center's groups."""

    name: str
    members: list[str]  # the people's user ids on the platform, the owner first
    chat_id: str  # the id to ask for, where the platform lets the creator choose it


class GroupRefused(Exception):
    """The platform will not make (or check) the chat; the message says why, in Chinese, for the administrator."""


class GroupMaker(Protocol):
    """Makes group chats the app owns, where a platform sends group messages only to those (`maotiao groups
    create`). Failures are GroupRefused."""

    async def exists(self, ref: str) -> bool: ...  # the app made this chat and can send to it

    def plan(self, name: str, ref: str | None, members: list[str]) -> GroupPlan: ...  # GroupRefused: cannot be

    async def create(self, plan: GroupPlan) -> str: ...  # → the chat's id

    async def aclose(self) -> None: ...


class SignInUnavailable(Exception):
    """The platform could not be asked who a sign-in code belongs to (down, refusing the app): try again later."""


class SignIn(Protocol):
    """免登 for the dashboard (maotiao/dashboard.py): the platform's authorize page the browser goes to (inside the
    platform's own app it comes straight back, signed in), the query parameter the one-time code returns in, the
    word in the user agent of the platform's in-app browser (the page goes there without asking), and the code
    exchanged server-side for the person's user id."""

    @property
    def label(self) -> str: ...  # the platform's name on the sign-in button

    @property
    def code_param(self) -> str: ...

    @property
    def in_app(self) -> str: ...

    def authorize_url(self, redirect_uri: str, state: str) -> str: ...

    async def user_id(self, code: str) -> str | None: ...  # None: unknown, used or expired; SignInUnavailable


Serve = Callable[[web.Application], Awaitable[str]]  # serves an app on a loopback port, answers its base URL


@dataclass(frozen=True)
class PlatformPlugin(Generic[S]):
    platform: Platform
    label: str  # the platform's name as chat users read it (notices such as 【平台额度】)
    name: str  # the platform's name in serve's log and messages
    env_prefix: str  # its settings' environment variables (`<env_prefix>*`)
    org_staff_key: str  # org file: a person's account on the platform (core/org_schema.py reads `<value>`)
    org_group_key: str  # org file: a group's chat id on the platform (read as `<value>_…`)
    load: Callable[[], S]  # its settings from the environment; ConfigError when they are inconsistent
    connect: Callable[[S, RateStore | None], tuple[Channel, PlatformAPI]]  # settings → channel and its API
    secrets: Callable[[S], list[str | None]]  # the settings' values the log must never show
    attach: Callable[[S, Wiring], Runner | None]  # inbound: add routes to the app, or answer a background runner
    sandbox: Callable[[Serve], Awaitable[FakePlatform]]  # start its fake (imports test code: call lazily)
    doctor: Callable[[S, DoctorContext], Awaitable[list[Check]]]  # its lines of `maotiao doctor`
    groups: Callable[[S], GroupMaker] | None = None  # where group messages reach only chats the app made
    sign_in: Callable[[S, Any], SignIn] | None = None  # 免登 for the dashboard, given its settings and connect()'s API
    # Its messages cannot carry buttons: cards open the action page, so serve needs MAOTIAO_PUBLIC_URL and
    # MAOTIAO_LINK_SECRET to connect it (maotiao/action_page.py).
    needs_links: bool = False
