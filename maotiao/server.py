"""The HTTP server `maotiao serve` runs: /healthz, /readyz, the intake API, the dashboard, evidence links and case pages (the
platforms attach their callbacks)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from aiohttp.web_log import AccessLogger
from tortoise import Tortoise

from core import db
from core.config import Settings
from core.enums import Platform
from core.services.base import Domain
from integrations.api import routes as api_routes
from integrations.plugin import SignIn
from maotiao import case_page, dashboard, evidence, readiness

MAX_BODY = 1024 * 1024
# What the sandbox page polls every second or so: an access line each would bury everything else.
POLLED = frozenset({"/sandbox/api/chat", "/sandbox/api/ledger"})
log = logging.getLogger(__name__)


class QuietAccessLogger(AccessLogger):
    """The access log, without the page's polls that succeeded (a failing poll is still logged)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if request.method == "GET" and request.path in POLLED and response.status < 400:
            return
        super().log(request, response, time)


@web.middleware
async def database_outage(request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """With the database down nothing can be stored, so nothing is acknowledged: a clean 503 that platform
    callbacks and API clients retry, not a 500 with a traceback per request."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:
        if not db.unavailable(exc):
            raise
        log.warning("database unavailable, refused %s %s: %s", request.method, request.path, exc)
        return web.json_response({"error": "unavailable", "message": "数据库暂时不可用,请稍后重试", "field": None},
                                 status=503, headers={"Retry-After": "5"})


async def healthz(_: web.Request) -> web.Response:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # the probe reports any database failure as unhealthy
        return web.json_response({"status": "error", "db": str(exc)[:200]}, status=503)
    return web.json_response({"status": "ok"})


def build_app(settings: Settings, domain: Domain, sign_ins: Mapping[Platform, SignIn] | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[database_outage])
    app.router.add_get("/healthz", healthz)  # liveness: the process and its database
    readiness.setup(app, settings.redis_url)  # /readyz: send work here? (503 while draining, see runtime.py)
    api_routes.setup(app, domain, settings.api_key_map)
    dashboard.setup(app, domain, sign_ins, settings.public_url)  # /dashboard, off unless MAOTIAO_DASHBOARD_PASSWORD_HASH is set
    evidence.setup(app, settings)  # /evidence?token=…: a kept file for the person a card's link was minted for
    case_page.setup(app)  # /case?token=…: a case's read-only page for the person its link was minted for
    return app
