"""Scale: the same operations over a district-year and a province-year of history, on PostgreSQL.

    .venv/bin/python bench/scale.py [--sizes district,province] [--db postgres://…/test]

district: 10,000 cases, 40,000 tasks, 200,000 audit events; province: 1,000,000 cases, 2,000,000 tasks,
5,000,000 audit events. History is generated in the database (generate_series) over 2026 across a
generated county's grids, 5% of tasks still open; then, with 100 tasks due, each operation is timed
(median of several runs): a report taken in through the intake verb (numbering, audit chain, repeat check),
a grid worker's chat message, the scheduler's due-scan, yesterday's daily digest, a monthly digest and the
month's KPIs by department. Last, `maotiao serve` runs on the big database for 30 s (its scheduler scans,
the morning jobs, 50 API intakes) and its peak memory is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import integrations.registry  # noqa: F401  declares the chat platforms
from bench.common import PG, Serve, base_env, free_port, pg, scratch_db  # noqa: E402
from bench.orggen import County, county  # noqa: E402
from bot.engine import Bot  # noqa: E402
from bot.types import Inbound  # noqa: E402
from core import db  # noqa: E402
from core.clock import ManualClock  # noqa: E402
from core.enums import CaseSource, Category, Platform  # noqa: E402
from core.org_import import import_org  # noqa: E402
from core.reports import digest, kpi  # noqa: E402
from core.reports.periods import Kind, period_of  # noqa: E402
from core.services import intake  # noqa: E402
from core.services.base import Actor, Domain  # noqa: E402
from core.workdays import WorkCalendar  # noqa: E402
from scheduler.sweep import current_due  # noqa: E402

SIZES = {"district": (10_000, 4, 20), "province": (1_000_000, 2, 5)}  # cases, tasks per case, events per case
NOW = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)  # 10:00 Beijing, a Tuesday
CATEGORIES = "ARRAY['neighbor','marriage_family','debt','land_homestead','labor_wage','property_mgmt','consumer','traffic']"

FILL = """
CREATE TEMP TABLE g AS SELECT array_agg(id ORDER BY id) AS ids FROM region WHERE level = 'grid';
CREATE TEMP TABLE o AS SELECT array_agg(id ORDER BY id) AS ids, array_agg(department_id ORDER BY id) AS deps
    FROM staff WHERE roles::text LIKE '%officer%';
INSERT INTO "case" (number, year, seq, source, status, category, severity, flags, content, parties, location_text,
    step, step_started_at, step_limits, reporter_contact, plan, return_note, settled_on_spot,
    reopen_count, repeat_count, proxy_feedback, backlog, created_at, updated_at, handling_region_id, region_id,
    resolved_at, result_type, resolved_level, result_note)
SELECT '2026-' || i, 2026, i, 'grid_chat', CASE WHEN i % 20 = 0 THEN 'dispatched' ELSE 'closed' END,
    ({cats})[1 + i % 8], 'general', '[]', '历史案件', '[]', '', 'township', t, '{{}}', '{{}}', '', '', false,
    0, 0, '', false, t, t, g.ids[1 + i % cardinality(g.ids)], g.ids[1 + i % cardinality(g.ids)],
    CASE WHEN i % 20 = 0 THEN NULL ELSE t + interval '3 days' END,
    CASE WHEN i % 20 = 0 THEN NULL ELSE 'settled' END, CASE WHEN i % 20 = 0 THEN NULL ELSE 'township' END, ''
FROM g, generate_series(1, {n}) AS i,
     LATERAL (SELECT timestamptz '2026-01-01 00:00+00' + (i::float / {n}) * interval '330 days' AS t) AS ts;
INSERT INTO task (cc, content, deadline, reminder_method, status, is_lead, created_at, signed_at, progress_count,
    result_note, return_reason, extension_reason, extensions_granted, assignee_id, case_id, department_id,
    remind_at, overdue_at, resolved_at)
SELECT '[]', '历史任务', c.created_at + interval '7 days', 'app', CASE WHEN c.status = 'closed' THEN 'resolved' ELSE 'signed' END,
    j = 1, c.created_at, c.created_at + interval '2 hours', 0, '', '', '', 0,
    o.ids[1 + (c.id * 7 + j) % cardinality(o.ids)], c.id, o.deps[1 + (c.id * 7 + j) % cardinality(o.ids)],
    CASE WHEN c.status = 'closed' THEN NULL ELSE timestamptz '2026-12-20 00:00+00' + (c.id % 1000) * interval '1 minute' END,
    CASE WHEN c.status = 'closed' THEN NULL ELSE timestamptz '2026-12-22 00:00+00' END,
    CASE WHEN c.status = 'closed' THEN c.created_at + interval '3 days' ELSE NULL END
FROM o, "case" c, generate_series(1, {tasks}) AS j;
INSERT INTO audit_event (seq, at, actor_name, source, action, entity, entity_id, case_id, before, after, prev_hash, hash)
SELECT s, timestamptz '2026-01-01 00:00+00' + (s::float / {events}) * interval '330 days', '历史', 'system', 'history',
    'case', 1 + s % {n}, 1 + s % {n}, '{{}}', '{{}}', md5((s - 1)::text) || md5((s - 1)::text), md5(s::text) || md5(s::text)
FROM generate_series(1, {events}) AS s;
INSERT INTO audit_chain_head (chain, seq, hash) VALUES (0, {events}, md5({events}::text) || md5({events}::text))
    ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
INSERT INTO counter (key, value) VALUES ('case:2026', {n}) ON CONFLICT (key) DO UPDATE SET value = excluded.value;
UPDATE task SET remind_at = timestamptz '2026-12-15 01:00+00'
    WHERE id IN (SELECT id FROM task WHERE status = 'signed' ORDER BY id LIMIT 100);
ANALYZE;
"""


async def timed(label: str, fn: Callable[[], Awaitable[object]], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - t) * 1000)
    median = statistics.median(times)
    print(f"  {label:<46} {median:9.1f} ms")
    return median


@asynccontextmanager
async def history(size: str, db_url: str, *, events_per_case: int | None = None,
                  extra_sql: str = "") -> AsyncIterator[tuple[str, County, float]]:
    """A scratch database with the generated county and `size` of history (plus `extra_sql` run after it):
    its DSN, the county, and how long generating took."""
    n, tasks, per_case = SIZES[size]
    org = county(townships=20)
    async with scratch_db(db_url) as dsn:
        await db.upgrade(dsn)
        await db.init_db(dsn)
        await import_org(org.yaml_text)
        await Tortoise.get_connection("default").execute_query("SELECT 1")
        t = time.perf_counter()
        conn = await asyncpg.connect(pg(dsn))
        events = n * (per_case if events_per_case is None else events_per_case)
        await conn.execute(FILL.format(n=n, tasks=tasks, events=events, cats=CATEGORIES) + extra_sql)
        await conn.close()
        yield dsn, org, time.perf_counter() - t


async def run(size: str, db_url: str) -> None:
    async with history(size, db_url) as (dsn, org, took):
        conn = await asyncpg.connect(pg(dsn))
        counts = [await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in ("case", "task", "audit_event")]
        size_mb = await conn.fetchval("SELECT pg_database_size(current_database()) / 1048576")
        await conn.close()
        print(f"{size}: {counts[0]:,} cases, {counts[1]:,} tasks, {counts[2]:,} audit events "
              f"({size_mb:,} MB, generated in {took:.0f} s)")
        clock = ManualClock(NOW)
        d = Domain(clock=clock, calendar=WorkCalendar())
        actor = Actor.system("基准")
        grids = org.grid_workers
        counter = iter(range(10**6))

        async def one_intake() -> None:
            i = next(counter)
            region = await _grid_region(i)
            await intake.report(d, actor, intake.ReportInput(content=f"邻居因噪音争吵{i}", category=Category.NEIGHBOR,
                                                             region_id=region, source=CaseSource.HOTLINE_12345),
                                source=Platform.API)

        async def one_message() -> None:
            i = next(counter)
            await Bot(d).receive(Inbound(platform=Platform.WECOM, event_id=f"bench:{i}", sender=grids[i % len(grids)],
                                         received_at=NOW, text="两户因为宅基地边界有争议"))

        p = period_of(Kind.MONTHLY, date(2026, 6, 15))
        await timed("intake of one report (verb, audit, repeat check)", one_intake)
        await timed("a grid worker's chat message (draft card)", one_message)
        await timed("scheduler due-scan (100 due)", lambda: current_due(d))
        await timed("daily digest for yesterday", lambda: digest.build(Kind.DAILY, date(2026, 12, 15), NOW))
        await timed("monthly digest (2026-06)", lambda: digest.build(Kind.MONTHLY, date(2026, 6, 15), NOW), 3)
        await timed("KPIs by department for 2026-06", lambda: kpi.by_department(p.start, p.end), 3)
        await Tortoise.close_connections()
        await serve_memory(dsn)


async def _grid_region(i: int) -> int:
    from core.models import Region

    grid = await Region.filter(level="grid").order_by("id").offset(i % 100).first()
    assert grid is not None
    return grid.id


async def serve_memory(dsn: str) -> None:
    port = free_port()
    serve = Serve(base_env(dsn, port, MAOTIAO_API_KEYS="bench:bench-secret-0123456789", MAOTIAO_SANDBOX="1"),
                  Path(tempfile.mkdtemp(prefix="bench-scale-")))
    try:
        await serve.ready()
        async with httpx.AsyncClient() as c:
            for i in range(50):
                resp = await c.post(f"http://127.0.0.1:{port}/api/v1/cases", headers={"Authorization": "Bearer bench-secret-0123456789"},
                                    json={"content": f"小区噪音纠纷{i}", "location": "生成区"})
                assert resp.status_code in (200, 201), resp.text
        await asyncio.sleep(30)  # the embedded scheduler's scans, morning jobs and audits over the big history
        rss, peak = serve.memory_mib()
        print(f"  serve on it for 30 s: {rss:.0f} MiB resident, {peak:.0f} MiB peak")
    finally:
        serve.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--sizes", default="district,province")
    a = parser.parse_args()
    for name in a.sizes.split(","):
        asyncio.run(run(name, a.db))
