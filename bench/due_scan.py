"""How long one due-scan takes as stored open tasks grow 10k → 100k → 1M while what is due stays fixed.

    .venv/bin/python bench/due_scan.py [--db postgres://postgres@127.0.0.1:5432/test] [--sizes 10000,100000,1000000]

Creates its own database (PostgreSQL: a scratch database dropped afterwards), fills it with open tasks
whose reminders, deadlines and nudges lie in the future, plus DUE tasks that are due now, and prints the
median of repeated scans. The scan must grow with what is due, not with what is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.db import tortoise_config  # noqa: E402
from core.models import Case, Region, Staff, Task  # noqa: E402
from scheduler.sweep import due_items  # noqa: E402

DUE = 100
BATCH = 20_000


async def fill(total: int, now: datetime, case_id: int, staff_id: int, start: int) -> None:
    future = now + timedelta(days=30)
    for offset in range(start, total, BATCH):
        rows = []
        for i in range(offset, min(total, offset + BATCH)):
            due = i < DUE
            at = now - timedelta(minutes=1) if due else future + timedelta(seconds=i)
            rows.append(Task(case_id=case_id, assignee_id=staff_id, cc=[], content="x", deadline=at, overdue_at=at,
                             remind_at=at, nudge_at=None, status="pending", created_at=now))
        await Task.bulk_create(rows, batch_size=BATCH)


async def main(db_url: str, sizes: list[int]) -> None:
    scratch = None
    if db_url.startswith("postgres"):
        scratch = f"bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(db_url.replace("postgres://", "postgresql://"))
        await admin.execute(f'CREATE DATABASE "{scratch}"')
        db_url = db_url.rsplit("/", 1)[0] + "/" + scratch
    await Tortoise.init(config=tortoise_config(db_url))
    await Tortoise.generate_schemas()
    now = datetime.now(UTC)
    region = await Region.create(name="区", full_name="区", level="district", path="/1/")
    staff = await Staff.create(name="承办", roles=["officer"], region_id=region.id)
    case = await Case.create(number="2026-0001", year=2026, seq=1, source="api", status="dispatched",
                             category="other", severity="general", content="x", region_id=region.id, step="district",
                             handling_region_id=region.id, step_started_at=now, created_at=now, updated_at=now)
    print(f"database: {'PostgreSQL' if scratch else db_url}; due items fixed at {DUE} per rule")
    print(f"{'stored open tasks':>18} | {'scan median ms':>14} | {'items found':>11}")
    filled = 0
    base = None
    for size in sizes:
        t0 = time.perf_counter()
        await fill(size, now, case.id, staff.id, filled)
        filled = size
        if scratch:
            await Tortoise.get_connection("default").execute_script("ANALYZE task")
        fill_s = time.perf_counter() - t0
        times = []
        found = 0
        for _ in range(15):
            t = time.perf_counter()
            found = len(await due_items(now))
            times.append((time.perf_counter() - t) * 1000)
        med = statistics.median(times)
        base = base or med
        print(f"{size:>18,} | {med:>14.2f} | {found:>11} (x{med / base:.2f} of the smallest; filled in {fill_s:.0f}s)")
    await Tortoise.close_connections()
    if scratch:
        await admin.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    asyncio.run(main(args.db, [int(s) for s in args.sizes.split(",")]))
