"""Records and evaluation at scale: the half-year 考核通报 over a province-year, next to its 10 s floor.

    .venv/bin/python bench/bulletin.py [--sizes district,province] [--db postgres://…/test]

History comes from bench/scale.py's generator (1,000,000 cases and 2,000,000 tasks over 2026 for a
province), then is given what the bulletin reads: grid workers as reporters, chat drafts with their
first-message times, petitions and referrals, 当场调处, follow-ups, mediators, the 积案库 and 书记督办.
Timed (median of several runs): the half-year bulletin (every query, the rankings and the .docx), the
same for a month, 1减2降1升 alone for the half-year, one case's 卷宗 and 登记表, and the 指挥室 screen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG, pg  # noqa: E402
from bench.scale import SIZES, history, timed  # noqa: E402
from bot.documents.bulletin import bulletin_docx  # noqa: E402
from bot.documents.casefile import casefile_docx  # noqa: E402
from bot.documents.register import case_docx  # noqa: E402
from core.models import Case  # noqa: E402
from core.reports import bulletin, casefile, indicators, register, screen  # noqa: E402
from core.reports.periods import Kind  # noqa: E402

NOW = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
FLOOR_SECONDS = 10.0  # the bound for the half-year bulletin over a province-year

ENRICH = """
UPDATE "case" c SET reporter_id = s.id FROM staff s WHERE s.region_id = c.region_id;
UPDATE "case" c SET recent_repeat = (x.prev_at IS NOT NULL AND x.prev_at < c.created_at
                                     AND x.prev_at >= c.created_at - interval '30 days')
FROM (SELECT id, LAG(created_at) OVER (PARTITION BY region_id, category ORDER BY created_at, id) AS prev_at
      FROM "case") x WHERE x.id = c.id;
CREATE TEMP TABLE who AS SELECT
    (SELECT min(id) FROM staff WHERE roles::text LIKE '%dispatcher%') AS dispatcher,
    (SELECT min(id) FROM staff WHERE roles::text LIKE '%secretary%') AS secretary;
UPDATE "case" c SET
    source = CASE WHEN c.id % 33 = 0 THEN 'petition' WHEN c.id % 97 = 0 THEN 'referral' ELSE c.source END,
    first_receiver_id = who.dispatcher,
    settled_on_spot = (c.id % 5 = 0 AND c.status = 'closed'),
    resolved_level = CASE WHEN c.id % 5 = 0 AND c.status = 'closed' THEN 'grid' ELSE c.resolved_level END,
    satisfaction = CASE WHEN c.status = 'closed' AND c.id % 4 = 0
                        THEN (ARRAY['satisfied', 'basically', 'unsatisfied'])[1 + (c.id / 4) % 3] END,
    backlog = (c.id % 200 = 0), backlog_leader_id = CASE WHEN c.id % 200 = 0 THEN who.secretary END,
    backlog_at = CASE WHEN c.id % 200 = 0 THEN c.created_at + interval '10 days' END,
    backlog_struck_at = CASE WHEN c.id % 400 = 0 THEN c.created_at + interval '40 days' END,
    supervised_at = CASE WHEN c.status = 'dispatched' AND c.id % 7 = 0 THEN c.created_at + interval '8 days' END,
    supervisor_id = CASE WHEN c.status = 'dispatched' AND c.id % 7 = 0 THEN who.secretary END
FROM who;
INSERT INTO case_mediator (case_id, staff_id, lead, created_at)
SELECT c.id, o.ids[1 + c.id % cardinality(o.ids)], true, c.created_at FROM "case" c, o
WHERE c.status = 'closed' AND c.id % 3 = 1;
INSERT INTO draft (staff_id, status, texts, attachments, case_id, repeat_checked, created_at, updated_at)
SELECT c.reporter_id, 'submitted', '[]', '[]', c.id, false, c.created_at - (c.id % 40) * interval '1 hour', c.created_at
FROM "case" c WHERE c.id % 2 = 0 AND c.reporter_id IS NOT NULL;
ANALYZE;
"""


async def _bulletin(kind: Kind, day: date) -> int:
    built = await bulletin.build(kind, day, NOW)
    return len(bulletin_docx(built))


async def run(size: str, db_url: str) -> None:
    n, tasks, _ = SIZES[size]
    async with history(size, db_url, events_per_case=1, extra_sql=ENRICH) as (dsn, _, took):
        conn = await asyncpg.connect(pg(dsn))
        half = await conn.fetchval("SELECT count(*) FROM \"case\" WHERE created_at < '2026-07-01'")
        await conn.close()
        print(f"{size}: {n:,} cases ({half:,} in the first half-year), {n * tasks:,} tasks, generated in {took:.0f} s")
        sample = await Case.filter(status="closed").order_by("id").offset(n // 2).first()
        assert sample is not None
        first = await _bulletin(Kind.HALFYEAR, date(2026, 3, 1))
        print(f"  (half-year bulletin .docx: {first / 1024:.0f} KiB)")
        median = await timed("half-year 考核通报 (queries, rankings, .docx)", lambda: _bulletin(Kind.HALFYEAR, date(2026, 3, 1)), 3)
        print(f"  {'':<46} floor {FLOOR_SECONDS * 1000:9.0f} ms: {'within' if median <= FLOOR_SECONDS * 1000 else 'OVER'}")
        await timed("monthly 考核通报 (2026-06)", lambda: _bulletin(Kind.MONTHLY, date(2026, 6, 15)), 3)
        await timed("1减2降1升, half-year by month and township", lambda: indicators.build(date(2026, 1, 1), date(2026, 6, 30)), 3)
        await timed("one case's 卷宗 (.docx)", lambda: _casefile(sample), 5)
        await timed("one case's 三级四步登记表 (.docx)", lambda: _register(sample), 5)
        await timed("the 指挥室 screen (no cache)", lambda: screen.build(NOW), 5)
        await Tortoise.close_connections()


async def _casefile(case: Case) -> int:
    return len(await casefile_docx(await casefile.build(case)))


async def _register(case: Case) -> int:
    return len(case_docx(await register.for_case(case), "full"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG)
    parser.add_argument("--sizes", default="district,province")
    a = parser.parse_args()
    for name in a.sizes.split(","):
        asyncio.run(run(name, a.db))
