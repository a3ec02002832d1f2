"""Two `serve`s starting together both upgrade the database on start (maotiao/runtime.py `_prepare`): on
PostgreSQL each upgrade waits for an advisory lock, so they run one after the other and the later one finds
nothing to do, instead of both applying the same migration."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from core.db import UPGRADE_LOCK
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(conftest.BACKEND != "postgres", reason="PostgreSQL only (MAOTIAO_TEST_DB=postgres)")


def _dsn(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest.fixture
async def empty_db() -> AsyncIterator[str]:
    """A database of its own with no tables: every migration is pending."""
    async with conftest.scratch_pg_database("upgrade") as url:
        yield url


def _upgrade(db_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAOTIAO_")}
    env.update(MAOTIAO_DB_URL=db_url, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "maotiao", "db", "upgrade"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


async def _exit(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = await asyncio.to_thread(proc.communicate, timeout=180)
    return proc.returncode, out


async def test_db_upgrade_waits_for_the_upgrade_lock_and_then_migrates(empty_db: str) -> None:
    holder = await asyncpg.connect(_dsn(empty_db))
    proc = None
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", UPGRADE_LOCK)
        proc = _upgrade(empty_db)
        waiting = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                   "AND classid = 0 AND objid = $1")
        async with asyncio.timeout(120):  # a bound for a loaded machine, not a wait
            while not await holder.fetchval(waiting, UPGRADE_LOCK):
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                await asyncio.sleep(0.05)
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        assert await holder.fetchval(tables) == 0  # nothing migrated while another holds the lock
        await holder.execute("SELECT pg_advisory_unlock($1)", UPGRADE_LOCK)
        code, out = await _exit(proc)
        assert code == 0, out
        assert await holder.fetchval(tables) > 10
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        await holder.close()


async def test_two_upgrades_started_together_both_succeed(empty_db: str) -> None:
    procs = [_upgrade(empty_db), _upgrade(empty_db)]
    try:
        results = [await _exit(p) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [code for code, _ in results] == [0, 0], results


async def test_pending_migrations_are_seen_from_outside_before_and_not_after_an_upgrade(empty_db: str) -> None:
    from core import schema_state

    assert await schema_state.pending(empty_db) is True
    code, out = await _exit(_upgrade(empty_db))
    assert code == 0, out
    assert await schema_state.pending(empty_db) is False
