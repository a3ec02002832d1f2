"""The HTTP server `maotiao serve` runs: /healthz and the intake API (later: platform callbacks)."""

from __future__ import annotations

from aiohttp import web
from tortoise import Tortoise

from core.config import Settings
from core.services.base import Domain
from integrations.api import routes as api_routes

MAX_BODY = 1024 * 1024


async def healthz(_: web.Request) -> web.Response:
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # the probe reports any database failure as unhealthy
        return web.json_response({"status": "error", "db": str(exc)[:200]}, status=503)
    return web.json_response({"status": "ok"})


def build_app(settings: Settings, domain: Domain) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get("/healthz", healthz)
    api_routes.setup(app, domain, settings.api_key_list)
    return app
