"""`maotiao serve`: migrate, decide production or sandbox (maotiao/mode.py), wire the channels, run until
stopped.

Stopping drains (SIGTERM, what `docker stop` and orchestrators send): /readyz turns 503 at once so the proxy
stops sending, callbacks still arriving are answered for MAOTIAO_SHUTDOWN_GRACE_SECONDS (a second signal cuts
that short), then nothing new is taken and the handling in flight gets up to MAOTIAO_SHUTDOWN_DRAIN_SECONDS to
finish. Ctrl-C (SIGINT) skips the grace: a person at a terminal, not a load balancer, is waiting. Whatever is
cut off was stored before it was acknowledged and is handled again by the sweeper."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from dataclasses import dataclass, field

from aiohttp import web

from bot import handling
from bot.engine import Bot
from bot.intake import model as intake_model
from core import db, evidence_links, schema_state
from core.audit_checkpoint import CheckpointLog, load_key
from core.calendar_import import load_calendar
from core.clock import OffsetClock, local
from core.config import ConfigError, Settings
from core.models import Region
from core.services.base import Domain
from core.startup import settle_heap
from integrations.api import routes as api_routes
from integrations.lease import AlwaysHeld, lease_factory
from integrations.plugin import Runner, Wiring
from integrations.registry import Platforms, build_platforms, credentials, names
from integrations.sandbox.runtime import Sandbox, start_sandbox
from maotiao import action_page, evidence, logredact, mode, sandbox_api
from maotiao.checkpoints import Checkpoints
from maotiao.demo_roster import keep_demo_roster
from maotiao.readiness import READINESS
from maotiao.server import QuietAccessLogger, build_app
from scheduler.embedded import EmbeddedScheduler
from scheduler.handoff import Handoff
from scheduler.nudge import Nudger

log = logging.getLogger("maotiao.serve")


@dataclass
class Runtime:
    settings: Settings
    domain: Domain
    bot: Bot
    platforms: Platforms
    scheduler: EmbeddedScheduler
    app: web.Application
    streams: list[Runner] = field(default_factory=list)  # the platforms' background inbound, e.g. a Stream
    handoff: Handoff | None = None  # with Redis: where stored events go to be handled by the workers


def build_runtime(settings: Settings, domain: Domain, platforms: Platforms | None = None,
                  in_process_jobs: bool = False) -> Runtime:
    bot = Bot(domain)
    platforms = platforms or build_platforms()
    # With Redis (outside the sandbox) only `maotiao worker` runs the timed jobs, handles what the platforms
    # deliver and delivers the outbox; serve nudges the workers (scheduler/nudge.py, scheduler/handoff.py).
    nudge = Nudger(settings.redis_url) if settings.redis_url and not in_process_jobs else None
    scheduler = EmbeddedScheduler(bot, platforms.registry, run_jobs=nudge is None, nudge=nudge,
                                  webhooks=platforms.webhooks)
    rt = Runtime(settings, domain, bot, platforms, scheduler, build_app(settings, domain, platforms.sign_ins))
    rt.app[api_routes.KICK_KEY].append(scheduler.kick_delivery)  # an API case's cards go out at once
    action_page.setup(rt.app, bot, scheduler.kick_delivery)  # /act: cards as pages where messages have no buttons
    # One Stream connection per client id across serve processes; the sandbox's fakes are this process's own.
    lease = AlwaysHeld if in_process_jobs else lease_factory(settings.redis_url, settings.db_url)
    # With Redis the workers handle too: serve only stores and acknowledges (scheduler/handoff.py).
    rt.handoff = Handoff(nudge) if nudge is not None else None
    rt.streams += platforms.attach(Wiring(rt.app, bot, scheduler.kick_delivery, log, lease, rt.handoff))
    return rt


async def upgrade(db_url: str) -> None:
    """Apply pending migrations in a child process (`maotiao db upgrade`), so the memory applying them takes is
    given back when it ends (core/schema_state.py); in this process only when no other one can see the database
    (an in-memory SQLite). Nothing pending: nothing runs."""
    found = await schema_state.pending(db_url)
    if found is None:
        await db.upgrade(db_url)
        return
    if not found:
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "maotiao", "db", "upgrade", env={**os.environ, "MAOTIAO_DB_URL": db_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await child.communicate()
    if child.returncode != 0:
        tail = out.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError("maotiao db upgrade failed: " + " | ".join(tail))
    log.info("database upgraded (in a child process: the memory it took went with it)")


async def _prepare(settings: Settings) -> tuple[str, Platforms]:
    """Migrate, decide the mode, mark the database: nothing is served before this has passed."""
    platforms = build_platforms()
    await upgrade(settings.db_url)
    await db.init_db(settings.db_url)
    try:
        chosen = await mode.decide(settings, platforms.connected)
        await mode.claim(chosen)
    except BaseException:
        await db.close_db()
        await platforms.aclose()
        raise
    return chosen, platforms


async def _start_sandbox(settings: Settings) -> tuple[Sandbox, Platforms, Domain]:
    from maotiao.cli import load_demo_org_if_empty

    sandbox = await start_sandbox()  # each platform's fake on loopback, reached through the same code
    logredact.register(*sandbox.secrets())
    if await load_demo_org_if_empty():
        log.info("empty database: loaded the demo organisation")
    await sandbox.create_groups()  # each start's fakes are new: their group chats are made as the app would
    if settings.redis_url:
        log.info("sandbox: its clock moves in this process, so the scheduler runs here too (Redis unused)")
    if not mode.is_loopback(settings.http_host):
        log.warning("the sandbox lets anyone who reaches %s act as any person (--sandbox was given)",
                    settings.http_host)
    clock = OffsetClock()
    await keep_demo_roster(local(clock.now()).date())  # the demo's rotation, laid over today
    sms = sandbox.sms.settings() if sandbox.sms is not None else None
    return sandbox, build_platforms(sandbox.settings, sms=sms), Domain(clock=clock)


def _use_intake_model(settings: Settings) -> None:
    model = intake_model.use_at_start(settings.intake_model)  # once, before anything is accepted
    log.info("intake model %s (%s)", model.version, model.path)


def _checkpoints(settings: Settings, rt: Runtime) -> Checkpoints | None:
    key = load_key(settings)
    if key is None:
        log.info("audit checkpoints off: no MAOTIAO_AUDIT_KEY (a sandbox needs none)")
        return None
    return Checkpoints(CheckpointLog(settings.audit_checkpoint_file, key), settings.audit_checkpoint_seconds,
                       rt.scheduler.kick_delivery)


async def _listen(settings: Settings, rt: Runtime) -> web.AppRunner:
    runner = web.AppRunner(rt.app, handle_signals=False, shutdown_timeout=settings.shutdown_drain_seconds,
                           access_log_class=QuietAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, settings.http_host, settings.http_port)
    try:
        await site.start()
    except OSError as exc:
        await db.close_db()
        raise SystemExit(f"cannot listen on {settings.http_host}:{settings.http_port}: {exc.strerror}") from None
    return runner


def _announce(settings: Settings, sandboxed: bool) -> None:
    print(f"maotiao is serving on http://{settings.http_host}:{settings.http_port}/ (Ctrl-C to stop)", flush=True)
    if sandboxed:
        print(f"sandbox: no {credentials()} credentials, so fake {names()} run inside this process and "
              f"this database is marked as a sandbox's (never served as production). Open "
              f"http://{settings.http_host}:{settings.http_port}/ in a browser, pick a person and chat.", flush=True)


@dataclass
class _Signals:
    """The first SIGTERM/SIGINT starts stopping; another one cuts the grace short."""

    first: asyncio.Event = field(default_factory=asyncio.Event)
    again: asyncio.Event = field(default_factory=asyncio.Event)
    graceful: bool = True  # SIGTERM (a load balancer's stop), not Ctrl-C

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._hit, sig)

    def _hit(self, sig: signal.Signals) -> None:
        if self.first.is_set():
            self.again.set()
            return
        self.graceful = sig == signal.SIGTERM
        self.first.set()


async def _drain(settings: Settings, rt: Runtime, signals: _Signals) -> None:
    """Out of the load balancer first, still answering what is on its way; then wait for handling in flight."""
    rt.app[READINESS].draining = True
    grace = settings.shutdown_grace_seconds if signals.graceful else 0
    log.info("draining: /readyz answers 503; still answering for %.0f s", grace)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(signals.again.wait(), grace)


async def _stop(settings: Settings, rt: Runtime, runner: web.AppRunner, checkpoints: Checkpoints | None,
                sandbox: Sandbox | None) -> None:
    for stream in rt.streams:
        await stream.stop()
    await runner.cleanup()  # stops listening; requests in progress finish (up to the drain bound)
    if rt.handoff is not None:  # the workers are asked to handle what was stored last
        await rt.handoff.drain()
    if not await handling.drain_all(settings.shutdown_drain_seconds):
        log.warning("stopping with %d event(s) still being handled after %.0f s: the sweeper handles them again",
                    handling.in_flight(), settings.shutdown_drain_seconds)
    if checkpoints is not None:
        await checkpoints.stop()
    await rt.scheduler.stop()
    await rt.platforms.aclose()
    if sandbox is not None:
        await sandbox.aclose()
    await db.close_db()


async def serve(settings: Settings) -> int:
    _use_intake_model(settings)
    chosen, platforms = await _prepare(settings)
    sandbox, domain = None, Domain()
    if chosen == mode.SANDBOX:
        await platforms.aclose()
        sandbox, platforms, domain = await _start_sandbox(settings)
    elif not await Region.exists():
        log.warning("no organisation in this database yet: import one with `maotiao org import FILE`")
    rt = build_runtime(settings, domain, platforms, in_process_jobs=sandbox is not None)
    links = settings
    if sandbox is not None and not settings.public_url:  # the sandbox's links (action pages, 待办 details) are its own
        links = settings.model_copy(update={"public_url": f"http://127.0.0.1:{settings.http_port}"})
    evidence.configure(links, production=sandbox is None)  # /evidence links: refused start if unsignable
    if evidence_links.current() is None and (needing := rt.platforms.need_links()):
        raise ConfigError(f"{', '.join(needing)}: cards open the action page (/act), whose links need "
                          "MAOTIAO_PUBLIC_URL and MAOTIAO_LINK_SECRET; set both, or unset that platform's credentials")
    if sandbox is not None:
        sandbox.connect(f"http://127.0.0.1:{settings.http_port}")
        sandbox_api.setup(rt.app, sandbox, domain.clock, rt.scheduler.kick, settings,  # type: ignore[arg-type]
                          domain.calendar)
    await load_calendar(rt.domain.calendar)
    checkpoints = _checkpoints(settings, rt)
    runner = await _listen(settings, rt)
    rt.scheduler.start()
    if checkpoints is not None:
        checkpoints.start()
    for stream in rt.streams:
        stream.start()
    signals = _Signals()
    signals.install()
    settle_heap()
    _announce(settings, sandbox is not None)
    await signals.first.wait()
    print("stopping…", flush=True)
    await _drain(settings, rt, signals)
    await _stop(settings, rt, runner, checkpoints, sandbox)
    return 0
