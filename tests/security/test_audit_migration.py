"""0004 on a database written before it: the one global chain becomes chain 0 and still verifies, its head
carries over, new events go to their township's chain, API cases get their key's label back."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from core import audit, db
from core.models import AuditChainHead, AuditEvent, Case, Region
from tests.test_migrations import fresh_url  # noqa: F401  (fixture)

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC).isoformat()
CASE_COLUMNS = {
    "number": "'2026-0001'", "year": "2026", "seq": "1", "source": "'hotline_12345'", "external_ref": "'h-1'",
    "status": "'reported'", "category": "'other'", "severity": "'general'", "flags": "'[]'", "content": "'油烟'",
    "parties": "'[]'", "location_text": "''", "step": "'village'", "step_started_at": f"'{NOW}'",
    "step_limits": "'{}'", "reporter_contact": "'{}'", "plan": "''", "return_note": "''", "result_note": "''",
    "settled_on_spot": "FALSE", "reopen_count": "0", "repeat_count": "0", "proxy_feedback": "''",
    "backlog": "FALSE", "created_at": f"'{NOW}'", "updated_at": f"'{NOW}'", "handling_region_id": "3",
    "region_id": "3",
}


def _old_events() -> list[AuditEvent]:
    """Three events as the code before 0004 chained them (one global chain, no `chain` in the hash)."""
    events, prev = [], audit.GENESIS
    for seq, (action, actor) in enumerate([("report", "接口:hotline"), ("accept", "林晓"), ("dispatch", "林晓")], 1):
        e = AuditEvent(chain=0, seq=seq, at=datetime.fromisoformat(NOW), actor_id=None, actor_name=actor,
                       source="api", action=action, entity="case", entity_id=1, case_id=1, before={},
                       after={"n": seq}, prev_hash=prev)
        e.hash = audit.event_hash(e)
        events.append(e)
        prev = e.hash
    return events


@pytest.mark.db
async def test_upgrading_keeps_the_old_chain_verifiable(fresh_url: str) -> None:  # noqa: F811
    events = _old_events()
    try:
        await migrate(config=db.tortoise_config(fresh_url), target="models.0003_indexes_for_history")
        conn = Tortoise.get_connection("default")
        await conn.execute_script(
            "INSERT INTO region (id, name, full_name, level, path, active) VALUES "
            "(1, '区', '区', 'district', '/1/', TRUE), (2, '乡', '区/乡', 'township', '/1/2/', TRUE), "
            "(3, '村', '区/乡/村', 'village', '/1/2/3/', TRUE)")
        await conn.execute_script(f"INSERT INTO \"case\" ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join(CASE_COLUMNS.values())})")
        for e in events:
            await conn.execute_script(
                "INSERT INTO audit_event (seq, at, actor_id, actor_name, source, action, entity, entity_id, case_id, "
                f"before, after, prev_hash, hash) VALUES ({e.seq}, '{NOW}', NULL, '{e.actor_name}', 'api', "
                f"'{e.action}', 'case', 1, 1, '{{}}', '{json.dumps(e.after)}', '{e.prev_hash}', '{e.hash}')")
        await conn.execute_script(f"INSERT INTO audit_head (id, seq, hash) VALUES (1, 3, '{events[-1].hash}')")
    finally:
        await Tortoise.close_connections()
    await db.upgrade(fresh_url)
    await db.init_db(fresh_url)
    try:
        result = await audit.verify()
        assert result.ok and result.checked == 3, result.problems
        head = await AuditChainHead.get(chain=0)
        assert (head.seq, head.hash) == (3, events[-1].hash)
        assert (await Case.get(number="2026-0001")).api_client == "hotline"
        new = await audit.append(at=datetime.now(UTC), actor_id=None, actor_name="系统", source="cli",
                                 action="note", entity="case", entity_id=1, case_id=1, before={}, after={})
        assert (new.chain, new.seq) == ((await Region.get(level="township")).id, 1)
        assert (await audit.verify()).ok
        assert await AuditEvent.filter(case_id=1).count() == 4  # served by the index the rebuild recreated
    finally:
        await db.close_db()
