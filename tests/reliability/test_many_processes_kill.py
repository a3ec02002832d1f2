"""Two `serve` and two `worker` processes on one PostgreSQL and one Redis, as deploy/ runs them (issue 20 #6).
In the middle of a burst of reports through the fake WeCom, one serve and one worker are killed with -9:
every report still becomes exactly one case, every card reaches its member exactly once, and nothing is
late by more than the leases (an acknowledged event a dead worker was handling — serves only store and
acknowledge, workers handle: scheduler/handoff.py — a card a dead worker had claimed) plus the worker's sweep."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiohttp.test_utils import TestServer
from arq.connections import ArqRedis
from tortoise import Tortoise

from bench.orggen import county
from core import audit, db
from core.models import Case, InboundEvent, OutboxMessage
from integrations.sandbox.wecom import FakeWeCom, Stored
from integrations.sandbox.wecom_member import WeComMember
from scheduler.worker import JOB_TIMEOUT
from tests import conftest
from tests.conftest import REDIS_URL, need_server
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN
from tests.reliability.serve_proc import serve_env
from tests.test_cli import _free_port

pytestmark = pytest.mark.redis

REPORTERS = 16  # one report each: a member's second message would join the first one's draft
KILL_SERVE_AT = 4  # reports serve 0 acknowledges before it dies
OUTBOX_LEASE, INBOUND_LEASE = 5, 3  # seconds: a dead worker's claimed card, its unhandled event
WAIT = 240  # seconds for anything to happen on a loaded 2-core machine
# The longest lease: arq keeps a killed worker's job in progress for job_timeout + 10 s (issue 20 #5). The
# outbox and inbound leases above are shorter, and the worker's sweep (every 10 s) picks up after them.
LATE_BOUND = JOB_TIMEOUT + 10


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A PostgreSQL database of the test's own (whatever MAOTIAO_TEST_DB says: two processes need a server)."""
    server = conftest.PG_URL.replace("postgres://", "postgresql://")
    name = f"maotiao_fault_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(server, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        need_server(f"PostgreSQL not reachable at {conftest.PG_URL}: {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield conftest.PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _start(cmd: str, env: dict[str, str], cwd: Path, name: str) -> subprocess.Popen[bytes]:
    with open(cwd / f"{name}.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "maotiao", cmd], env=env, cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


async def _until(what: Callable[[], bool], why: Callable[[], str], seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(why())
        await asyncio.sleep(0.2)


async def _until_db(query: Callable[[], Awaitable[bool]], why: Callable[[], str], seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not await query():
        if time.monotonic() > deadline:
            raise AssertionError(why())
        await asyncio.sleep(0.5)


async def _healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"serve did not come up: {_tail(log)}")


def _draft_card(fake: FakeWeCom, user: str) -> Stored | None:
    return next((m for m in fake.card_messages(user)
                 if any(b["text"] == "确认上报" for b in m.body.get("button_list", []))), None)


class Burst:
    """Members posting to whichever serve is up, as WeCom would after a load balancer takes a dead one out;
    `kill_at`: serve 0 is killed (-9) once it has acknowledged that many messages, with others in flight."""

    def __init__(self, members: list[WeComMember], serve0: subprocess.Popen[bytes], kill_at: int) -> None:
        self.members, self.serve0, self.kill_at = members, serve0, kill_at
        self.up, self.acked = [True, True], [0, 0]

    async def post(self, i: int, xml: str) -> None:
        for target in (i % 2, 1 - i % 2):
            if not self.up[target]:
                continue
            try:
                params, body = self.members[target].encrypt(xml)
                resp = await self.members[target].client.post(self.members[target].callback_url, params=params,
                                                              content=body.encode(), timeout=30)
            except httpx.HTTPError:
                continue  # cut off by the kill: WeCom retries it, here on the other serve
            if resp.status_code == 200:
                self.acked[target] += 1
                if target == 0 and self.acked[0] == self.kill_at:
                    _kill(self.serve0)
                    self.up[0] = False
                return
        raise AssertionError(f"no serve took message {i}")


async def test_one_of_two_serves_and_one_of_two_workers_killed_mid_burst(pg_url: str, redis: ArqRedis,
                                                                          tmp_path: Path) -> None:
    org = county(townships=2, villages=2, grids=4, officers=1)
    reporters = org.grid_workers[:REPORTERS]
    fake = FakeWeCom(CORP, SECRET, AGENT)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server, httpx.AsyncClient() as client:
        ports = [_free_port(), _free_port()]
        envs = [serve_env(port, pg_url, str(fake_server.make_url("/cgi-bin/")), MAOTIAO_REDIS_URL=REDIS_URL,
                          MAOTIAO_LOG_LEVEL="WARNING", MAOTIAO_OUTBOX_STALE_SECONDS=str(OUTBOX_LEASE),
                          MAOTIAO_INBOUND_RETRY_SECONDS=str(INBOUND_LEASE)) for port in ports]
        (tmp_path / "org.yaml").write_text(org.yaml_text, encoding="utf-8")
        for cmd in (["db", "upgrade"], ["org", "import", "org.yaml"]):
            await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "maotiao", *cmd], env=envs[0],
                                    cwd=tmp_path, check=True, capture_output=True, timeout=WAIT)
        await db.init_db(pg_url)
        try:
            for n in (0, 1):
                (tmp_path / f"s{n}").mkdir()
                procs[f"serve{n}"] = _start("serve", envs[n], tmp_path / f"s{n}", "serve")
                procs[f"worker{n}"] = _start("worker", envs[n], tmp_path, f"worker{n}")
            for n, port in enumerate(ports):
                await _healthy(port, procs[f"serve{n}"], tmp_path / f"s{n}" / "serve.log")
            burst = Burst([WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"http://127.0.0.1:{p}/wecom/callback", client)
                           for p in ports], procs["serve0"], KILL_SERVE_AT)
            # The burst: one report per member, four at a time, alternating between the serves.
            slots = asyncio.Semaphore(4)

            async def report(i: int, user: str) -> None:
                async with slots:
                    await burst.post(i, burst.members[0].text_xml(user, f"第{i}号网格的邻里纠纷,两户吵架",
                                                                  msg_id=700000 + i))

            await asyncio.gather(*(report(i, user) for i, user in enumerate(reporters)))
            assert not burst.up[0], "serve 0 was never killed"
            # Each member confirms the draft as soon as its card arrives; worker 0 dies when half have.
            confirmed: set[str] = set()
            while len(confirmed) < len(reporters):
                await _until(lambda: any(_draft_card(fake, u) for u in reporters if u not in confirmed),
                             lambda: f"no draft card for {set(reporters) - confirmed}: {_logs(tmp_path)}")
                for user in reporters:
                    card = _draft_card(fake, user)
                    if user in confirmed or card is None:
                        continue
                    key = next(b["key"] for b in card.body["button_list"] if b["text"] == "确认上报")
                    xml = burst.members[1].click_xml(user, card.body["task_id"], key, fake.new_code(card.body["task_id"]))
                    await burst.post(1, xml)
                    confirmed.add(user)
                    if len(confirmed) == len(reporters) // 2 and procs["worker0"].poll() is None:
                        _kill(procs["worker0"])

            await _until_db(lambda: _cases_and_settled(len(reporters)),
                            lambda: f"not every report became a case and every card went out: {_logs(tmp_path)}")
            await _check(fake, reporters)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=30)
            await Tortoise.close_connections()


async def _cases_and_settled(reports: int) -> bool:
    return (await Case.all().count() == reports
            and not await InboundEvent.filter(status="received").exists()
            and not await OutboxMessage.filter(status__in=["pending", "sending"]).exists())


async def _check(fake: FakeWeCom, reporters: list[str]) -> None:
    # Every report is exactly one case, by its own member.
    cases = await Case.all()
    assert len({c.reporter_id for c in cases}) == len(cases) == len(reporters)
    for i in range(len(reporters)):
        assert len([c for c in cases if f"第{i}号网格" in c.content]) == 1, i
    assert set(await InboundEvent.all().values_list("status", flat=True)) == {"handled"}
    # Every card reached its member once: everything in the outbox was sent, nobody saw anything twice.
    rows = await OutboxMessage.all()
    assert {r.status for r in rows} == {"sent"}, [(r.id, r.status, r.last_error) for r in rows if r.status != "sent"]
    for user, box in fake.inbox.items():
        seen = [(m.msgtype, str(m.body.get("task_id") or m.body)) for m in box]
        assert len(seen) == len(set(seen)), (user, seen)
    delivered = sum(len(box) for box in fake.inbox.values())
    sends = len([r for r in rows if not r.payload.get("update")])
    assert delivered == sends, (delivered, sends)
    # Nothing late by more than the lease: from a message's acknowledgement to its handling, from a card's
    # commit to its sending.
    events = await InboundEvent.all()
    late = max((e.handled_at - e.received_at).total_seconds() for e in events if e.handled_at is not None)
    assert late < LATE_BOUND, f"a message was handled {late:.0f} s after it was acknowledged (bound {LATE_BOUND} s)"
    late = max((r.sent_at - r.created_at).total_seconds() for r in rows if r.sent_at is not None)
    assert late < LATE_BOUND, f"a card went out {late:.0f} s after it was written (bound {LATE_BOUND} s)"
    result = await audit.verify()
    assert result.ok, result.problems


def _tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:]


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.relative_to(tmp_path)}\n{_tail(p, 1500)}" for p in sorted(tmp_path.rglob("*.log")))

