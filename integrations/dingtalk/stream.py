"""The real dingtalk-stream SDK in its own thread and event loop: its blocking calls never stall ours.

We keep the SDK's connection opening, frame parsing, handler dispatch and ACK format, and replace only
its `start()` loop, which cannot be cancelled and has no watchdog: ours stops cleanly, reconnects after
`disconnect`, dropped sockets and silent stalls, and persists each frame (on the main loop, where the
database lives) before the ACK goes back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from urllib.parse import quote_plus

import dingtalk_stream
import websockets
from dingtalk_stream.frames import AckMessage, CallbackMessage, SystemMessage

from bot.engine import Bot
from bot.handling import Handling
from bot.types import Inbound
from core.models import GroupChat
from integrations.dingtalk.config import DingTalkSettings
from integrations.dingtalk.inbound import MalformedFrame, bot_message, card_click

log = logging.getLogger(__name__)
BOT_TOPIC = dingtalk_stream.ChatbotMessage.TOPIC
CARD_TOPIC = dingtalk_stream.CallbackHandler.TOPIC_CARD_CALLBACK
RECONNECT_DELAY = 1.0
PONG_TIMEOUT = 10.0
SYSTEM_TYPE = SystemMessage.TYPE


class _Handler(dingtalk_stream.CallbackHandler):  # type: ignore[misc]
    def __init__(self, runner: StreamRunner, parse: Callable[[CallbackMessage], Inbound | tuple[Inbound, str | None]]):
        super().__init__()
        self.runner = runner
        self.parse = parse

    async def process(self, message: CallbackMessage) -> tuple[int, str]:
        try:
            parsed = self.parse(message)
        except MalformedFrame as exc:
            log.warning("malformed DingTalk frame ignored: %s", exc)
            return AckMessage.STATUS_OK, "ignored"  # acknowledged so it is not redelivered forever
        inbound, group = parsed if isinstance(parsed, tuple) else (parsed, None)
        try:
            await self.runner.persist(inbound, group)
        except Exception:  # not stored: do not ACK 200, so the platform redelivers
            log.exception("could not store DingTalk frame %s", inbound.event_id)
            return AckMessage.STATUS_SYSTEM_EXCEPTION, "retry"
        return AckMessage.STATUS_OK, "OK"


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
        while not runner.stopping:
            connection = await asyncio.to_thread(self.open_connection)  # the SDK's blocking requests call
            if not connection:
                await runner.pause(RECONNECT_DELAY)
                continue
            uri = f'{connection["endpoint"]}?ticket={quote_plus(connection["ticket"])}'
            try:
                async with websockets.connect(uri) as ws:
                    self.websocket = ws
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

    async def _route(self, frame: dict[str, object]) -> str:
        try:
            return str(await self.route_message(frame))
        except Exception:  # a frame the SDK cannot route must not end the client (nothing would restart it)
            log.exception("DingTalk stream: could not route a frame; it is not ACKed")
            return ""


class StreamRunner:
    def __init__(self, settings: DingTalkSettings, bot: Bot, on_handled: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self.bot = bot
        self.handling = Handling(bot, on_handled)
        self.stopping = False
        self.connections = 0
        self.stalls = 0
        self.connected = threading.Event()
        self._main: asyncio.AbstractEventLoop | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._wake: asyncio.Event | None = None
        self._client: _Client | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Call on the main loop: frames are stored by a task here, in the context the database lives in."""
        self._main = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[Inbound, str | None, Future[None]]] = asyncio.Queue()
        self._receiver = asyncio.create_task(self._receive())
        dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = (
            self.settings.gateway + "/v1.0/gateway/connections/open")
        client = _Client(self)
        client.register_callback_handler(BOT_TOPIC, _Handler(self, bot_message))
        client.register_callback_handler(CARD_TOPIC, _Handler(self, card_click))
        self._client = client
        self._thread = threading.Thread(target=self._run, name="dingtalk-stream", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._wake = asyncio.Event()
        assert self._client is not None
        try:
            loop.run_until_complete(self._client.start())
        finally:
            loop.close()

    def on_connected(self) -> None:
        self.connections += 1
        self.connected.set()

    async def pause(self, seconds: float) -> None:
        assert self._wake is not None
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def persist(self, inbound: Inbound, group: str | None) -> None:
        """Called in the SDK's loop: store on the main loop and wait for it, then the SDK sends the ACK."""
        assert self._main is not None
        done: Future[None] = Future()
        self._main.call_soon_threadsafe(self._queue.put_nowait, (inbound, group, done))
        await asyncio.wrap_future(done)

    async def _receive(self) -> None:
        """Store frames as they come, side by side: one slow insert must not hold up the ACKs behind it."""
        while True:
            inbound, group, done = await self._queue.get()
            task = asyncio.create_task(self._store(inbound, group, done))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _store(self, inbound: Inbound, group: str | None, done: Future[None]) -> None:
        try:
            await self._record(inbound, group)
        except Exception as exc:  # reported back to the SDK thread, which then withholds the ACK
            done.set_exception(exc)
        else:
            done.set_result(None)

    async def _record(self, inbound: Inbound, group: str | None) -> None:
        row_id = await self.bot.record(inbound)
        if group:
            await remember_group(group, inbound.extra.get("group_title", ""))
        if row_id is not None:
            self.handling.submit(row_id, inbound)

    async def drain(self) -> None:
        while self._tasks:  # frames being stored
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.handling.drain()

    def _close_from_thread(self) -> None:
        assert self._wake is not None
        self._wake.set()
        ws = self._client.websocket if self._client else None
        if ws is not None:
            asyncio.ensure_future(ws.close())

    async def stop(self) -> None:
        self.stopping = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._close_from_thread)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 15)
        self._receiver.cancel()
        await asyncio.gather(self._receiver, return_exceptions=True)
        await self.drain()


async def remember_group(conversation_id: str, title: str) -> None:
    """A group @-mentioned the bot: keep its conversation id for broadcasts, matched by the group's name."""
    if await GroupChat.filter(dingtalk_conversation=conversation_id).exists():
        return
    updated = await GroupChat.filter(name=title, dingtalk_conversation=None).update(dingtalk_conversation=conversation_id)
    if not updated:
        log.info("DingTalk group %r (%s) is not in the org file; not used for broadcasts", title, conversation_id)
