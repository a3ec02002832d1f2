"""`maotiao serve`: migrate, seed the demo org on an empty database, run the HTTP server until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from core import db
from core.calendar_import import load_calendar
from core.config import Settings
from core.services.base import Domain
from maotiao.server import build_app

log = logging.getLogger("maotiao.serve")


async def serve(settings: Settings) -> int:
    from maotiao.cli import load_demo_org_if_empty

    await db.upgrade(settings.db_url)
    await db.init_db(settings.db_url)
    domain = Domain()
    await load_calendar(domain.calendar)
    if await load_demo_org_if_empty():
        log.info("empty database: loaded the demo organisation")
    runner = web.AppRunner(build_app(settings, domain), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    try:
        await site.start()
    except OSError as exc:
        await db.close_db()
        raise SystemExit(f"cannot listen on {settings.http_host}:{settings.http_port}: {exc.strerror}") from None
    print(f"maotiao is serving on http://{settings.http_host}:{settings.http_port}/ (Ctrl-C to stop)", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    print("stopping…", flush=True)
    await runner.cleanup()
    await db.close_db()
    return 0
