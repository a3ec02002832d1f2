"""`maotiao serve`: migrate, seed the demo org on an empty database, wire the channels, run until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field

from aiohttp import web

from bot.channel import ChannelRegistry
from bot.engine import Bot
from core import db
from core.calendar_import import load_calendar
from core.config import Settings
from core.services.base import Domain
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.dingtalk.stream import StreamRunner
from integrations.wecom.api import WeComAPI
from integrations.wecom.callback import WeComCallback
from integrations.wecom.channel import WeComChannel
from integrations.wecom.config import WeComSettings, load_wecom
from maotiao.server import build_app
from scheduler.embedded import EmbeddedScheduler

log = logging.getLogger("maotiao.serve")


@dataclass
class Runtime:
    settings: Settings
    domain: Domain
    bot: Bot
    registry: ChannelRegistry
    scheduler: EmbeddedScheduler
    app: web.Application
    closers: list[object] = field(default_factory=list)
    streams: list[StreamRunner] = field(default_factory=list)


def wire_wecom(rt: Runtime, wecom: WeComSettings) -> None:
    api = WeComAPI(wecom)
    rt.registry.register(WeComChannel(api))
    WeComCallback(wecom, rt.bot, on_handled=rt.scheduler.kick).setup(rt.app)
    rt.closers.append(api)
    log.info("WeCom connected: callback at /wecom/callback, API %s", wecom.api_base)


def wire_dingtalk(rt: Runtime, dingtalk: DingTalkSettings) -> None:
    api = DingTalkAPI(dingtalk)
    rt.registry.register(DingTalkChannel(api))
    rt.closers.append(api)
    rt.streams.append(StreamRunner(dingtalk, rt.bot, on_handled=rt.scheduler.kick))
    log.info("DingTalk connected: Stream via %s, API %s", dingtalk.gateway, dingtalk.api_base)


def build_runtime(settings: Settings, domain: Domain) -> Runtime:
    bot = Bot(domain)
    registry = ChannelRegistry()
    rt = Runtime(settings, domain, bot, registry, EmbeddedScheduler(bot, registry), build_app(settings, domain))
    wecom = load_wecom()
    if wecom.enabled:
        wire_wecom(rt, wecom)
    dingtalk = load_dingtalk()
    if dingtalk.enabled:
        wire_dingtalk(rt, dingtalk)
    return rt


async def serve(settings: Settings) -> int:
    from maotiao.cli import load_demo_org_if_empty

    rt = build_runtime(settings, Domain())
    await db.upgrade(settings.db_url)
    await db.init_db(settings.db_url)
    await load_calendar(rt.domain.calendar)
    if await load_demo_org_if_empty():
        log.info("empty database: loaded the demo organisation")
    runner = web.AppRunner(rt.app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    try:
        await site.start()
    except OSError as exc:
        await db.close_db()
        raise SystemExit(f"cannot listen on {settings.http_host}:{settings.http_port}: {exc.strerror}") from None
    rt.scheduler.start()
    for stream in rt.streams:
        stream.start()
    print(f"maotiao is serving on http://{settings.http_host}:{settings.http_port}/ (Ctrl-C to stop)", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print("stopping…", flush=True)
    for stream in rt.streams:
        await stream.stop()
    await rt.scheduler.stop()
    await runner.cleanup()
    for closer in rt.closers:
        await closer.aclose()  # type: ignore[attr-defined]
    await db.close_db()
    return 0
