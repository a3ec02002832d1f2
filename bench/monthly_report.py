"""How long a monthly 会商研判 report takes over 100,000 cases (and their tasks), on PostgreSQL.

    .venv/bin/python bench/monthly_report.py [--db postgres://postgres@127.0.0.1:5432/test] [--cases 100000]

Fills a scratch database with cases spread over a year across the demo organisation's grids, a lead
task each, a third of them resolved; then times the digest (counts, GROUP BYs, KPIs) and the KPI tables
by department, person, village and level for one month, and the ledger spreadsheet for that month.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import integrations.registry  # noqa: F401  declares the chat platforms
from bot.reports import ledger  # noqa: E402
from core.db import tortoise_config  # noqa: E402
from core.enums import Category  # noqa: E402
from core.models import Case, Region, Staff, Task  # noqa: E402
from core.org_import import import_org  # noqa: E402
from core.reports import digest, kpi  # noqa: E402
from core.reports.periods import Kind, period_of  # noqa: E402

BATCH = 5000
DEMO = Path(__file__).resolve().parent.parent / "core" / "data" / "demo-org.yaml"


async def fill(n: int) -> None:
    rng = random.Random(7)
    grids = await Region.filter(level="grid")
    officers = [s for s in await Staff.all() if "officer" in s.roles]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cats = [c.value for c in Category]
    for offset in range(0, n, BATCH):
        cases = []
        for i in range(offset, min(n, offset + BATCH)):
            created = start + timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
            grid = rng.choice(grids)
            resolved = rng.random() < 0.33
            cases.append(Case(
                number=f"B-{i}", year=2026, seq=i + 1, source="grid_chat", status="resolved" if resolved else "dispatched",
                category=rng.choice(cats), severity="general", content="测试", region_id=grid.id, step="township",
                handling_region_id=grid.id, step_started_at=created, created_at=created, updated_at=created,
                resolved_at=created + timedelta(days=3) if resolved else None,
                result_type="settled" if resolved else None, resolved_level="township" if resolved else None,
                satisfaction=rng.choice([None, "satisfied", "basically", "unsatisfied"]) if resolved else None))
        await Case.bulk_create(cases, batch_size=BATCH)
    ids = await Case.all().order_by("id").values_list("id", "created_at", "status")
    for offset in range(0, len(ids), BATCH):
        tasks = []
        for cid, created, status in ids[offset:offset + BATCH]:
            officer = rng.choice(officers)
            tasks.append(Task(case_id=cid, assignee_id=officer.id, department_id=officer.department_id, cc=[],
                              content="测试", deadline=created + timedelta(days=7), status="resolved"
                              if status == "resolved" else "signed", created_at=created,
                              signed_at=created + timedelta(hours=2),
                              resolved_at=created + timedelta(days=3) if status == "resolved" else None))
        await Task.bulk_create(tasks, batch_size=BATCH)


async def timed(label: str, fn, repeat: int = 5) -> None:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - t) * 1000)
    print(f"{label:<40} median {statistics.median(times):8.1f} ms")


async def main(db_url: str, n: int) -> None:
    scratch = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(db_url.replace("postgres://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        await Tortoise.init(config=tortoise_config(db_url.rsplit("/", 1)[0] + "/" + scratch))
        await Tortoise.generate_schemas()
        await import_org(DEMO.read_text(encoding="utf-8"))
        t = time.perf_counter()
        await fill(n)
        await Tortoise.get_connection("default").execute_script('ANALYZE "case"; ANALYZE task;')
        print(f"filled {n:,} cases and {n:,} tasks in {time.perf_counter() - t:.0f}s (PostgreSQL)")
        day = date(2026, 6, 15)
        p = period_of(Kind.MONTHLY, day)
        now = datetime(2026, 12, 1, tzinfo=UTC)
        month_cases = await Case.filter(created_at__gte=p.start, created_at__lt=p.end).count()
        print(f"one month ({p.label}) holds {month_cases:,} cases")
        await timed("monthly digest (counts, groups, KPIs)", lambda: digest.build(Kind.MONTHLY, day, now))
        await timed("KPIs by department", lambda: kpi.by_department(p.start, p.end))
        await timed("KPIs by person", lambda: kpi.by_person(p.start, p.end))
        await timed("KPIs by village", lambda: kpi.by_village(p.start, p.end))
        built = await digest.build(Kind.MONTHLY, day, now)
        await timed("ledger .xlsx for the month", lambda: ledger.xlsx(built), repeat=3)
        await Tortoise.close_connections()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.db, args.cases))
