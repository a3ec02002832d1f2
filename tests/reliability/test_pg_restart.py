"""PostgreSQL stopped and started again under `serve` in the middle of a burst of WeCom callbacks: while it is
down the callbacks are refused quickly and cleanly (WeCom retries them), and afterwards every message has
been handled exactly once, with nothing half-written and the audit chain intact."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiohttp.test_utils import TestServer

from bot.engine import Bot
from bot.types import Inbound
from core.enums import Platform
from core.models import InboundEvent
from integrations.sandbox.wecom import FakeWeCom
from integrations.sandbox.wecom_member import WeComMember
from scheduler.embedded import sweep_inbound
from tests.conftest import DEMO_ORG, need_server
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
from tests.reliability.pg_cluster import PrivatePostgres
from tests.reliability.serve_proc import serve_env
from tests.reliability.test_kill9 import _healthy
from tests.test_cli import _free_port

USERS = ["zhouxm", "wudw", "fengj"]
TOTAL, DOWN_AT, UP_AT = 45, 15, 30


@pytest.fixture
def pg() -> Iterator[PrivatePostgres]:
    try:
        server = PrivatePostgres()
        server.start()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        need_server(f"cannot run a private PostgreSQL server to restart: {exc}")
    yield server
    server.destroy()


def _serve(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    with open(cwd / "serve.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT)


async def _query(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"), timeout=10)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def test_postgres_restart_mid_burst(pg: PrivatePostgres, tmp_path: Path) -> None:
    await _query(pg.url, "CREATE DATABASE maotiao")
    db_url = pg.url.rsplit("/", 1)[0] + "/maotiao"
    fake = FakeWeCom(CORP, SECRET, AGENT)
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        port = _free_port()
        env = serve_env(port, db_url, str(fake_server.make_url("/cgi-bin/")), MAOTIAO_INBOUND_RETRY_SECONDS="1")
        await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "maotiao", "org", "import", str(DEMO_ORG)],
                                env=env, cwd=tmp_path, check=True, capture_output=True, timeout=60)
        proc = _serve(env, tmp_path)
        try:
            await _healthy(port)
            refused: list[tuple[int, float]] = []  # (status, seconds) of answers while the database was down
            pending: list[str] = []
            async with httpx.AsyncClient() as client:
                member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"http://127.0.0.1:{port}/wecom/callback", client)
                for i in range(TOTAL):
                    if i == DOWN_AT:
                        await asyncio.to_thread(pg.stop)
                    if i == UP_AT:
                        await asyncio.to_thread(pg.start)
                    xml = member.text_xml(USERS[i % len(USERS)], f"第{i}户反映邻居院墙滴水引发纠纷", msg_id=700000 + i)
                    params, body = member.encrypt(xml)
                    started = time.monotonic()
                    try:
                        resp = await client.post(member.callback_url, params=params, content=body.encode(), timeout=5)
                        status = resp.status_code
                    except httpx.HTTPError:
                        status = 0
                    if status != 200:
                        refused.append((status, time.monotonic() - started))
                        pending.append(xml)
                    await asyncio.sleep(0.05)
                for _ in range(3):  # WeCom's retries, a little later
                    await asyncio.sleep(1)
                    retry, pending = pending, []
                    for xml in retry:
                        resp = await member.post(xml)
                        if resp is None or resp.status_code != 200:
                            pending.append(xml)
                assert not pending, f"{len(pending)} callbacks still refused after PostgreSQL came back"
                for _ in range(300):  # the sweeper finishes what the outage cut off (a bound, on a loaded machine)
                    rows = await _query(db_url, "SELECT count(*) AS n FROM inbound_event WHERE status <> 'handled'")
                    if rows[0]["n"] == 0:
                        break
                    await asyncio.sleep(0.2)
                assert (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)
            await asyncio.to_thread(proc.wait, 30)
    serve_log = (tmp_path / "serve.log").read_text(errors="replace")
    assert refused, "the outage refused nothing: the test did not test"
    assert {s for s, _ in refused} == {503}, (refused, serve_log[-3000:])
    assert max(t for _, t in refused) < 5, "a refusal took longer than WeCom waits"
    events = {r["event_id"]: r["status"] for r in await _query(db_url, "SELECT event_id, status FROM inbound_event")}
    assert set(events) == {f"msg:{700000 + i}" for i in range(TOTAL)}
    assert set(events.values()) == {"handled"}, {k: v for k, v in events.items() if v != "handled"}
    texts = [t for r in await _query(db_url, "SELECT texts FROM draft") for t in json.loads(r["texts"])]
    for i in range(TOTAL):
        assert texts.count(f"第{i}户反映邻居院墙滴水引发纠纷") == 1, (i, serve_log[-3000:])
    verify = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "maotiao", "audit", "verify"], env=env,
                                     cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr


async def test_an_event_cut_off_by_the_outage_stays_queued_not_failed(org, domain, monkeypatch) -> None:
    """The sweeper retrying an event while the database is still away must not give up on it."""
    bot = Bot(domain)
    inbound = Inbound(platform=Platform.WECOM, event_id="msg:1", sender="zhouxm", text="邻居吵架",
                      received_at=domain.clock.now())
    row_id = await bot.record(inbound)
    assert row_id is not None

    async def outage(*_: object) -> None:
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(bot, "handle", outage)
    domain.clock.advance(timedelta(minutes=5))
    await sweep_inbound(bot)
    assert (await InboundEvent.get(id=row_id)).status == "received"
    monkeypatch.undo()
    await sweep_inbound(bot)
    assert (await InboundEvent.get(id=row_id)).status == "handled"
