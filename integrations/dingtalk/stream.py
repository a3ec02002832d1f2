"""The real dingtalk-stream SDK, run as a task on our event loop (its one blocking call in a worker thread).

We keep the SDK's connection opening, frame parsing, handler dispatch and ACK format, and replace only
its `start()` loop, which cannot be cancelled and has no watchdog: ours stops cleanly, reconnects after
`disconnect`, dropped sockets and silent stalls, routes frames side by side, and stores each frame before
its ACK goes back. (It once ran in a thread of its own; each ACK then also waited on two hops between
threads and on the GIL behind the handling: at 200 frames/s, p99 65 ms then, 21 ms now; bench/README.md.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from urllib.parse import quote_plus

import dingtalk_stream
import websockets
from dingtalk_stream.frames import AckMessage, CallbackMessage, SystemMessage
from tortoise.transactions import in_transaction

from bot.cards import render
from bot.engine import Bot
from bot.handling import Handling, Submitter, acknowledging
from bot.outbox import enqueue, refresh
from bot.types import Card, Inbound, Outbound
from core.clock import Clock
from core.models import CardLink, GroupAddress, GroupChat, OutboxMessage
from integrations.dingtalk import DINGTALK, cards
from integrations.dingtalk.config import DingTalkSettings
from integrations.dingtalk.inbound import MalformedFrame, bot_message, card_click
from integrations.lease import AlwaysHeld, Keeper, Lease

log = logging.getLogger(__name__)
BOT_TOPIC = dingtalk_stream.ChatbotMessage.TOPIC
CARD_TOPIC = dingtalk_stream.CallbackHandler.TOPIC_CARD_CALLBACK
RECONNECT_DELAY = 1.0
# A click handled within this answers the callback with the card's new state; past it, the interim card.
CLICK_ANSWER_SECONDS = 1.5
PONG_TIMEOUT = 10.0
SYSTEM_TYPE = SystemMessage.TYPE


Answer = str | dict[str, object]


def _card_answer(stored: bool, params: dict[str, str] | None = None) -> dict[str, object]:
    """A card callback is answered with a JSON object, as every official example does: the card as the
    clicker sees it at once. Usually that is the handled state (`params`); when handling takes longer than
    CLICK_ANSWER_SECONDS, the buttons greyed out with "正在处理", and the handled state follows through
    PUT /v1.0/card/instances."""
    if not stored:
        return {}
    return {"cardUpdateOptions": {"updateCardDataByKey": True},
            "cardData": {"cardParamMap": params if params is not None else cards.clicked()}}


async def _handled_card(task: asyncio.Future[None], link_id: int, clock: Clock) -> dict[str, str] | None:
    """The clicked card after its click was handled, if that took at most CLICK_ANSWER_SECONDS; the updates
    of that card already queued are then answered here and not sent again (each is a metered call)."""
    done, _ = await asyncio.wait({task}, timeout=CLICK_ANSWER_SECONDS)
    if not done:
        return None
    link = await CardLink.get_or_none(id=link_id, platform=DINGTALK.value)
    if link is None or not link.external_id:
        return None
    queued = await OutboxMessage.filter(card_link_id=link.id, status="pending").order_by("-id").first()
    card = queued.payload.get("card") if queued is not None and queued.payload.get("update") else None
    # The newest queued update is what the handler chose to show (a form page is no re-render of the link);
    # without one, the card rendered now, after every queued update: as new as they are.
    params = cards.card_params(Card.model_validate(card) if isinstance(card, dict) else await render(link))
    if queued is not None:
        await OutboxMessage.filter(card_link_id=link.id, status="pending", id__lte=queued.id).update(
            status="sent", sent_at=clock.now(), platform=DINGTALK.value,
            last_error="answered in the card callback")
    return params


class _Handler(dingtalk_stream.CallbackHandler):  # type: ignore[misc]
    def __init__(self, runner: StreamRunner, parse: Callable[[CallbackMessage], Inbound | tuple[Inbound, str | None]],
                 card: bool = False):
        super().__init__()
        self.runner = runner
        self.parse = parse
        self.card = card

    def _answer(self, text: str, stored: bool = False) -> Answer:
        return _card_answer(stored) if self.card else text

    async def process(self, message: CallbackMessage) -> tuple[int, Answer]:
        try:
            parsed = self.parse(message)
        except MalformedFrame as exc:
            log.warning("malformed DingTalk frame ignored: %s", exc)
            return AckMessage.STATUS_OK, self._answer("ignored")  # acknowledged so it is not redelivered forever
        inbound, group = parsed if isinstance(parsed, tuple) else (parsed, None)
        try:
            task = await self.runner.persist(inbound, group)
        except Exception:  # not stored: do not ACK 200, so the platform redelivers
            log.exception("could not store DingTalk frame %s", inbound.event_id)
            return AckMessage.STATUS_SYSTEM_EXCEPTION, self._answer("retry")
        if self.card and task is not None and inbound.action is not None:
            try:
                params = await _handled_card(task, inbound.action.link_id, self.runner.bot.domain.clock)
            except Exception:  # the click is stored and handled; only the at-once answer falls back
                log.exception("could not render the clicked card %s", inbound.action.link_id)
                params = None
            return AckMessage.STATUS_OK, _card_answer(True, params)
        return AckMessage.STATUS_OK, self._answer("OK", stored=True)


class _RefreshClicked:
    """Handles as the bot does, then makes sure a clicked DingTalk card is re-rendered: the ACK greyed its
    buttons, and a click that changed nothing (a refusal, a repeat) would otherwise leave them so."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.domain = bot.domain

    async def handle(self, row_id: int, inbound: Inbound) -> list[Outbound]:
        """What was written to send: the handling's answers and the clicked card's re-render."""
        out = await self.bot.handle(row_id, inbound)
        action = inbound.action
        if action is None or any(o.update and o.card_link_id == action.link_id for o in out):
            return out
        link = await CardLink.get_or_none(id=action.link_id, platform=DINGTALK.value)
        if link is not None and link.external_id:
            async with in_transaction():
                again = await refresh([link], resend=True)
                await enqueue(again, self.domain.clock.now())
            return [*out, *again]
        return out


class _Client(dingtalk_stream.DingTalkStreamClient):  # type: ignore[misc]
    def __init__(self, runner: StreamRunner) -> None:
        cred = dingtalk_stream.Credential(runner.settings.client_id, runner.settings.client_secret)
        super().__init__(cred, logger=logging.getLogger("dingtalk_stream.client"))
        self.runner = runner
        self._routing: set[asyncio.Task[str]] = set()

    def get_host_ip(self) -> str:
        """The SDK probes a public address for this; on a government intranet that is pointless."""
        return ""

    async def start(self) -> None:
        self.pre_start()
        runner = self.runner
        while await runner.hold_lease():
            connection = await asyncio.to_thread(self.open_connection)  # the SDK's blocking requests call
            if not connection:
                await runner.pause(RECONNECT_DELAY)
                continue
            uri = f'{connection["endpoint"]}?ticket={quote_plus(connection["ticket"])}'
            try:
                async with websockets.connect(uri) as ws:
                    self.websocket = ws
                    if runner.keeper.held.is_set():  # the lease may have been lost while connecting
                        runner.on_connected()
                        await self._read(ws)
            except (OSError, websockets.exceptions.WebSocketException) as exc:
                log.warning("DingTalk stream connection lost: %s", exc)
            except Exception:  # anything else (a bad endpoint, an SDK bug): reconnect rather than die silently
                log.exception("DingTalk stream failed; reconnecting")
            self.websocket = None  # type: ignore[assignment]
            if not runner.stopping:
                await runner.pause(RECONNECT_DELAY)

    async def _read(self, ws: websockets.ClientConnection) -> None:
        while not self.runner.stopping:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=self.runner.settings.watchdog_seconds)
            except TimeoutError:
                try:  # silent for too long: is anyone there?
                    pong = await ws.ping()
                    await asyncio.wait_for(pong, timeout=min(PONG_TIMEOUT, self.runner.settings.watchdog_seconds))
                    continue
                except (TimeoutError, websockets.exceptions.ConnectionClosed):
                    log.warning("DingTalk stream stalled: reconnecting")
                    self.runner.stalls += 1
                    return
            try:
                frame = json.loads(raw)
            except ValueError:
                frame = None
            if not isinstance(frame, dict):
                log.warning("DingTalk stream: ignored a frame that is not a JSON object: %.200r", raw)
                continue
            if frame.get("type") != SYSTEM_TYPE:  # callbacks side by side: a slow store holds up no other ACK
                task = asyncio.create_task(self._route(frame))
                self._routing.add(task)
                task.add_done_callback(self._routing.discard)
            elif await self._route(frame) == self.TAG_DISCONNECT:
                log.info("DingTalk asked us to reconnect")
                return

    async def drain(self) -> None:
        """Wait for the frames being routed (stored and ACKed) now."""
        while self._routing:
            await asyncio.gather(*list(self._routing), return_exceptions=True)

    async def _route(self, frame: dict[str, object]) -> str:
        try:
            return str(await self.route_message(frame))
        except Exception:  # a frame the SDK cannot route must not end the client (nothing would restart it)
            log.exception("DingTalk stream: could not route a frame; it is not ACKed")
            return ""


class StreamRunner:
    """The Stream client as a task on our event loop. Its one blocking call (opening a connection) runs in a
    worker thread; everything else is asyncio, so a frame is stored right here, where the database lives,
    with no hop between loops or threads before its ACK.

    DingTalk splits frames between the connections of one client id, so of several serve processes only the
    holder of the lease `dingtalk-stream:<client id>` connects (integrations/lease.py); the others wait and
    take over when its lease is released or expires. A holder whose renewal fails closes its connection."""

    def __init__(self, settings: DingTalkSettings, bot: Bot, on_handled: Callable[[], None] = lambda: None,
                 lease: Lease | None = None, handoff: Submitter | None = None) -> None:
        self.settings = settings
        self.bot = bot
        self.handling = Handling(_RefreshClicked(bot), on_handled)  # type: ignore[arg-type]
        # Messages go to the workers when serve only acknowledges (scheduler/handoff.py); a card click is
        # handled here all the same, because its callback is answered with the card the click left.
        self.messages: Submitter = handoff or self.handling
        self.stopping = False
        self.connections = 0
        self.stalls = 0
        self.connected = threading.Event()  # for tests waiting from a thread
        self._wake = asyncio.Event()
        self._client: _Client | None = None
        self._task: asyncio.Task[None] | None = None
        self.keeper = Keeper(lease or AlwaysHeld(lease_name(settings)), self._lease_lost)

    def start(self) -> None:
        self.keeper.start()
        dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = (
            self.settings.gateway + "/v1.0/gateway/connections/open")
        client = _Client(self)
        client.register_callback_handler(BOT_TOPIC, _Handler(self, bot_message))
        client.register_callback_handler(CARD_TOPIC, _Handler(self, card_click, card=True))
        self._client = client
        self._task = asyncio.create_task(client.start(), name="dingtalk-stream")

    async def hold_lease(self) -> bool:
        """Wait until this process holds the lease; False once stopping."""
        while not self.stopping and not self.keeper.held.is_set():
            held = asyncio.ensure_future(self.keeper.held.wait())
            woken = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({held, woken}, return_when=asyncio.FIRST_COMPLETED)
            held.cancel()
            woken.cancel()
        return not self.stopping

    async def _lease_lost(self) -> None:
        ws = self._client.websocket if self._client else None
        if ws is not None:
            await ws.close()  # _Client.start then waits for the lease again

    def on_connected(self) -> None:
        self.connections += 1
        self.connected.set()

    async def pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def persist(self, inbound: Inbound, group: str | None) -> asyncio.Future[None] | None:
        """Store the frame and start handling it; the SDK sends the ACK when the frame's handler returns (and
        withholds it when this raises). The future is done once it was handled; None for a redelivery (handled
        already) or when a backlog left it in the database for later."""
        with acknowledging():  # handling gives way to acknowledgements
            row_id = await self.bot.record(inbound)
            if group:
                await remember_group(group, inbound.extra.get("group_title", ""))
        if row_id is None:
            return None
        return (self.handling if inbound.action is not None else self.messages).submit(row_id, inbound)

    async def drain(self) -> None:
        if self._client is not None:
            await self._client.drain()
        await self.handling.drain()
        await self.messages.drain()

    async def stop(self) -> None:
        self.stopping = True
        self._wake.set()
        ws = self._client.websocket if self._client else None
        if ws is not None:
            await ws.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=15)
            except TimeoutError:
                log.warning("DingTalk stream did not stop in time; cancelled")
        await self.keeper.stop()  # after the connection closed: the next holder never overlaps with it
        await self.drain()


def lease_name(settings: DingTalkSettings) -> str:
    return f"dingtalk-stream:{settings.client_id}"


async def remember_group(conversation_id: str, title: str) -> None:
    """A group @-mentioned the bot: keep its conversation id for broadcasts, matched by the group's name."""
    platform = DINGTALK.value
    if await GroupAddress.filter(platform=platform, ref=conversation_id).exists():
        return
    group = await GroupChat.get_or_none(name=title)
    if group is not None and not await GroupAddress.filter(group_id=group.id, platform=platform).exists():
        await GroupAddress.create(group_id=group.id, platform=platform, ref=conversation_id)
    else:
        log.info("DingTalk group %r (%s) is not in the org file; not used for broadcasts", title, conversation_id)
