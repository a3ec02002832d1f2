"""A killed worker's job is taken over within about a minute, and `deliver` always finishes inside that."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from arq.worker import create_worker

from scheduler import worker as worker_module
from scheduler.worker import DELIVER_BUDGET, JOB_TIMEOUT, WorkerSettings


async def test_a_killed_workers_job_is_taken_over_after_job_timeout_plus_ten_seconds() -> None:
    w = create_worker(WorkerSettings, handle_signals=False)  # type: ignore[arg-type]
    try:
        assert JOB_TIMEOUT <= 60
        # arq's in-progress key (what keeps other workers off a dead worker's job) lives this long
        assert w.in_progress_timeout_s == JOB_TIMEOUT + 10
        assert all((f.timeout_s or JOB_TIMEOUT) <= JOB_TIMEOUT for f in w.functions.values())
        assert DELIVER_BUDGET <= JOB_TIMEOUT / 2  # the last pass, webhooks and media fit in the rest
    finally:
        await w.close()


class _Redis:
    async def incr(self, key: str) -> int:
        return 1


async def test_deliver_stops_starting_passes_once_its_budget_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    passes = 0

    async def endless(registry: Any, clock: Any) -> int:  # an outbox that never runs dry
        nonlocal passes
        passes += 1
        await asyncio.sleep(0)
        return 1

    async def no_answers(registry: Any, clock: Any) -> tuple[int, bool]:
        return 0, True

    monkeypatch.setattr(worker_module, "deliver_due", endless)
    monkeypatch.setattr(worker_module, "deliver_answers", no_answers)
    monkeypatch.setattr(worker_module, "DELIVER_BUDGET", 0.2)
    ctx = {"redis": _Redis(), "registry": None, "domain": type("D", (), {"clock": None})()}
    loop = asyncio.get_running_loop()
    started = loop.time()
    total = await asyncio.wait_for(worker_module.deliver(ctx), timeout=JOB_TIMEOUT)
    assert total == passes > 1
    assert loop.time() - started >= 0.2
