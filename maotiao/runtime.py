"""`maotiao serve`: migrate, seed the demo org on an empty database, wire the channels, run until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field

from aiohttp import web

from bot.engine import Bot
from bot.intake import model as intake_model
from core import db
from core.calendar_import import load_calendar
from core.clock import OffsetClock
from core.config import Settings
from core.services.base import Domain
from integrations.dingtalk.stream import StreamRunner
from integrations.registry import Platforms, build_platforms
from integrations.sandbox.runtime import start_sandbox
from integrations.wecom.callback import WeComCallback
from maotiao import sandbox_api
from maotiao.server import build_app
from scheduler.embedded import EmbeddedScheduler

log = logging.getLogger("maotiao.serve")


@dataclass
class Runtime:
    settings: Settings
    domain: Domain
    bot: Bot
    platforms: Platforms
    scheduler: EmbeddedScheduler
    app: web.Application
    streams: list[StreamRunner] = field(default_factory=list)


def build_runtime(settings: Settings, domain: Domain, platforms: Platforms | None = None) -> Runtime:
    bot = Bot(domain)
    platforms = platforms or build_platforms()
    # With Redis, `maotiao worker` runs the time-driven jobs; serve still delivers replies at once.
    scheduler = EmbeddedScheduler(bot, platforms.registry, run_jobs=settings.redis_url is None)
    rt = Runtime(settings, domain, bot, platforms, scheduler, build_app(settings, domain))
    if platforms.wecom is not None:
        WeComCallback(platforms.wecom, bot, on_handled=scheduler.kick_delivery).setup(rt.app)
        log.info("WeCom connected: callback at /wecom/callback, API %s", platforms.wecom.api_base)
    if platforms.dingtalk is not None:
        rt.streams.append(StreamRunner(platforms.dingtalk, bot, on_handled=scheduler.kick_delivery))
        log.info("DingTalk connected: Stream via %s", platforms.dingtalk.gateway)
    return rt


async def serve(settings: Settings) -> int:
    from maotiao.cli import load_demo_org_if_empty

    try:  # once per process, before anything is accepted: a bad model file stops start-up
        model = intake_model.use(settings.intake_model)
    except intake_model.ModelError as exc:
        raise SystemExit(f"MAOTIAO_INTAKE_MODEL: {exc}") from None
    log.info("intake model %s (%s)", model.version, model.path)
    platforms = build_platforms()
    sandbox = None
    domain = Domain()
    if platforms.wecom is None and platforms.dingtalk is None:
        # No credentials: fake WeCom and DingTalk on loopback, reached through the same integration code.
        sandbox = await start_sandbox()
        platforms = build_platforms(sandbox.wecom_settings, sandbox.dingtalk_settings)
        domain = Domain(clock=OffsetClock())
    rt = build_runtime(settings, domain, platforms)
    if sandbox is not None:
        if settings.http_host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("the sandbox page lets anyone who reaches it act as any person: it is meant for "
                        "MAOTIAO_HTTP_HOST=127.0.0.1, not %s", settings.http_host)
        sandbox.connect_callback(f"http://127.0.0.1:{settings.http_port}/wecom/callback")
        sandbox_api.setup(rt.app, sandbox, domain.clock, rt.scheduler.kick)  # type: ignore[arg-type]
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
    if sandbox is not None:
        print(f"sandbox: no WECOM_*/DINGTALK_* credentials, so fake WeCom and DingTalk run inside this process. "
              f"Open http://{settings.http_host}:{settings.http_port}/ in a browser, pick a person and chat.", flush=True)
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
    await rt.platforms.aclose()
    if sandbox is not None:
        await sandbox.aclose()
    await db.close_db()
    return 0
