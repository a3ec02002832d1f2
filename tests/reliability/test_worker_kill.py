"""`maotiao worker` processes on real Redis, killed with -9 and the Redis queue flushed between them: every
due reminder and overdue notice still reaches the officer, exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from arq.connections import ArqRedis
from tortoise import Tortoise

from core import db
from core.clock import ManualClock
from core.models import OutboxMessage, Task
from core.org_import import import_org
from core.services.base import Domain
from core.workdays import WorkCalendar
from integrations.sandbox.wecom import FakeWeCom
from scheduler.worker import STOP_DEADLINE, STOP_GRACE
from tests.bot.harness import Harness
from tests.conftest import DEMO_ORG, REDIS_URL
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, SECRET, TOKEN

pytestmark = pytest.mark.redis


def _worker(env: dict[str, str], cwd: Path, name: str) -> subprocess.Popen[bytes]:
    with open(cwd / f"{name}.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "maotiao", "worker"], env=env, cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


async def _until(what: Callable[[], bool], seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError(why)
        await asyncio.sleep(0.1)


async def _until_settled(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while await OutboxMessage.filter(status__in=["pending", "sending"]).exists():
        if time.monotonic() > deadline:
            rows = await OutboxMessage.filter(status__in=["pending", "sending"]).values("id", "status", "last_error")
            raise AssertionError(f"the outbox never settled: {rows}")
        await asyncio.sleep(0.1)


async def test_killed_workers_and_a_flushed_queue_lose_no_reminder(redis: ArqRedis, tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'w.sqlite3'}"
    await db.upgrade(url)
    await db.init_db(url)
    fake = FakeWeCom(CORP, SECRET, AGENT)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        # No quiet hours, so the test means the same at any hour of the day.
        await import_org(DEMO_ORG.read_text(encoding="utf-8") + '\nquiet_hours: "0:00-0:00"\n')
        clock = ManualClock(datetime.now(UTC))
        h = Harness(Domain(clock=clock, calendar=WorkCalendar()))
        for reporter, text in (("周小梅", "邻居家漏水到楼下"), ("吴大伟", "两户因为养狗吵架")):
            await h.say(reporter, text)
            await h.click(reporter, "确认上报")
            await h.click("林晓", "受理并交办")
        tasks = await Task.all().prefetch_related("case")
        numbers = sorted(t.case.number for t in tasks)
        assert len(numbers) == 2
        await Task.all().update(remind_at=datetime.now(UTC) - timedelta(seconds=1))

        def got(kind: str) -> list[str]:
            return [t for box in fake.inbox.values() for m in box if kind in (t := str(m.body.get("content", "")))]

        async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
            env = {**{k: v for k, v in os.environ.items() if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_"))},
                   "MAOTIAO_DB_URL": url, "MAOTIAO_REDIS_URL": REDIS_URL, "MAOTIAO_OUTBOX_STALE_SECONDS": "2",
                   "WECOM_CORP_ID": CORP, "WECOM_AGENT_ID": str(AGENT), "WECOM_SECRET": SECRET,
                   "WECOM_TOKEN": TOKEN, "WECOM_AES_KEY": AES_KEY,
                   "WECOM_API_BASE": str(fake_server.make_url("/cgi-bin/")), "NO_PROXY": "127.0.0.1,localhost"}
            procs.append(_worker(env, tmp_path, "a"))
            await _until(lambda: len(got("到期提醒")) >= 2, 30, "the first worker sent no reminders")
            _kill(procs[-1])
            await redis.flushdb()  # Redis restarted empty
            await Task.all().update(overdue_at=datetime.now(UTC) - timedelta(seconds=1))  # due while none runs
            procs.append(_worker(env, tmp_path, "b"))
            await _until(lambda: len(got("【逾期】")) >= 1, 30, "the second worker sent no overdue notice")
            _kill(procs[-1])  # perhaps in the middle of the second one
            await redis.flushdb()
            procs.append(_worker(env, tmp_path, "c"))
            # Every case's own notice (the cc notices alone could make two while one case's are still queued).
            await _until(lambda: all(got(f"【逾期】案件 {n}") for n in numbers), 40, "the overdue notices were lost")
            # Every row settled (sent or dead, and the notices about the dead ones sent): a duplicate would be out.
            await _until_settled(40)
            # The last worker is up (the notices may all have gone out before it even started) ...
            await _until(lambda: "Starting worker" in (tmp_path / "c.log").read_text(), 60, "worker c never started")
            procs[-1].send_signal(signal.SIGTERM)  # ... and a clean stop (systemd's) ends it promptly
            assert await asyncio.to_thread(procs[-1].wait, STOP_GRACE + STOP_DEADLINE + 5) == 0
        for number in numbers:
            assert len([t for t in got("到期提醒") if number in t]) == 1, (number, got("到期提醒"))
            assert len([t for t in got(f"【逾期】案件 {number}")]) == 1, (number, got("【逾期】"))
        for user, box in fake.inbox.items():  # and nobody (officer or cc) got anything twice
            contents = [str(m.body.get("content", "")) for m in box]
            assert len(contents) == len(set(contents)), (user, contents)
        for task in await Task.all():
            assert task.reminded_at is not None and task.overdue_notified_at is not None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        await Tortoise.close_connections()
