"""/readyz, what a load balancer asks before sending a serve work: ready only with the database (and Redis, when
configured) answering and the process not draining; otherwise 503 with a short reason."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from tortoise import Tortoise

from core.config import load_settings
from core.services.base import Domain
from maotiao.readiness import READINESS
from maotiao.server import build_app
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


async def test_readyz_is_200_with_the_database_and_redis_answering(db: str, redis: Any) -> None:
    app = build_app(load_settings(db_url=db, redis_url=REDIS_URL), Domain())
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/readyz")
        assert resp.status == 200 and await resp.json() == {"status": "ready"}


async def test_readyz_is_503_draining_while_healthz_still_answers(db: str) -> None:
    app = build_app(load_settings(db_url=db), Domain())
    async with TestClient(TestServer(app)) as client:
        app[READINESS].draining = True
        resp = await client.get("/readyz")
        assert resp.status == 503 and await resp.json() == {"status": "unready", "reason": "draining"}
        assert (await client.get("/healthz")).status == 200  # alive: still answering what is on its way


async def test_readyz_is_503_when_the_configured_redis_does_not_answer(db: str) -> None:
    app = build_app(load_settings(db_url=db, redis_url=f"redis://127.0.0.1:{_closed_port()}/0"), Domain())
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/readyz")
        assert resp.status == 503 and await resp.json() == {"status": "unready", "reason": "redis unavailable"}


async def test_readyz_is_503_without_the_error_text_when_the_database_does_not_answer(
        db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    class Down:
        async def execute_query(self, _: str) -> None:
            raise ConnectionRefusedError("connect to 10.0.0.9:5432 password=hunter2 refused")

    app = build_app(load_settings(db_url=db), Domain())
    async with TestClient(TestServer(app)) as client:
        monkeypatch.setattr(Tortoise, "get_connection", lambda _name: Down())
        resp = await client.get("/readyz")
        body = await resp.text()
        assert resp.status == 503 and "database unavailable" in body and "hunter2" not in body
