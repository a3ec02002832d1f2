"""Schema migrations: a fresh database upgrades to the models exactly, and upgrading twice is harmless."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from core import db
from core.models import Identity, Region
from tests.conftest import BACKEND, PG_URL, need_server


@pytest.fixture
async def fresh_url(tmp_path):
    if BACKEND != "postgres":
        yield f"sqlite://{tmp_path / 'm.sqlite3'}"
        return
    name = f"maotiao_mig_{uuid.uuid4().hex[:8]}"
    admin = PG_URL.replace("postgres://", "postgresql://")
    try:
        conn = await asyncpg.connect(admin)
    except OSError as exc:
        need_server(f"PostgreSQL not reachable: {exc}")
    await conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


@pytest.mark.db
async def test_upgrade_creates_a_working_schema_and_is_idempotent(fresh_url: str) -> None:
    await db.upgrade(fresh_url)
    await db.upgrade(fresh_url)
    await db.init_db(fresh_url)
    try:
        await Region.create(name="x", full_name="x", level="district", path="/1/")
        assert await Region.all().count() == 1
    finally:
        await db.close_db()


async def test_migrations_match_the_models() -> None:
    """Forgetting `python -m tortoise -c core.db.TORTOISE_ORM makemigrations` after a model change fails here."""
    config = db.tortoise_config("sqlite://:memory:")
    await Tortoise.init(config=config)
    try:
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        writers = await detector.changes()
        assert writers == [] or all(not w.operations for w in writers), [w.name for w in writers]
    finally:
        await Tortoise.close_connections()


def test_model_docstrings_survive_migration_sql() -> None:
    """Tortoise puts model docstrings into SQL comments and splits scripts on ';': keep them plain."""
    from tortoise.models import Model

    import core.models as models

    bad = [name for name in models.__all__
           if issubclass(cls := getattr(models, name), Model) and any(c in (cls.__doc__ or "") for c in ";'")]
    assert bad == []


@pytest.mark.db
async def test_upgrading_a_database_with_experts_keeps_them_in_the_pool(fresh_url: str) -> None:
    """0002 adds staff.is_expert: experts stored under 0001 must still be suggested afterwards."""
    from tortoise.migrations.api import migrate

    from core.routing import suggest_experts

    try:
        await migrate(config=db.tortoise_config(fresh_url), target="models.0001_initial")
        conn = Tortoise.get_connection("default")
        await conn.execute_script(
            "INSERT INTO staff (name, title, roles, expertise, active) VALUES "
            "('陈医生', '', '[\"expert\"]', '[\"medical\"]', TRUE), "
            "('赵敏', '', '[\"officer\"]', '[]', TRUE)")
        # rows that refer to staff (ON DELETE CASCADE) must survive however the column is added
        await conn.execute_script("INSERT INTO identity (staff_id, platform, external_id) VALUES (1, 'wecom', 'chenys')")
    finally:
        await Tortoise.close_connections()
    await db.upgrade(fresh_url)
    await db.init_db(fresh_url)
    try:
        assert [s.name for s in await suggest_experts("medical")] == ["陈医生"]
        assert await suggest_experts("labor_wage") == []
        assert await Identity.filter(staff_id=1, external_id="chenys").exists()
    finally:
        await db.close_db()


@pytest.mark.db
async def test_upgrading_to_mediation_records_keeps_cases_and_dates_old_backlog(fresh_url: str) -> None:
    """0007 adds mediation columns to case and department: a populated database keeps every row (SQLite
    must not rebuild the tables), and cases already in the 积案库 get their date from the audit trail."""
    from tortoise.migrations.api import migrate

    from core.models import Case, Department

    try:
        await migrate(config=db.tortoise_config(fresh_url), target="models.0003_indexes_for_history")
        conn = Tortoise.get_connection("default")
        await conn.execute_script(
            "INSERT INTO region (name, full_name, level, path, active) VALUES ('乡', '乡', 'township', '/1/', TRUE);"
            "INSERT INTO department (name, region_id, role, categories, active) VALUES ('司法所', 1, '', '[]', TRUE);"
            "INSERT INTO staff (name, title, roles, expertise, active) VALUES ('韩卫国', '', '[\"leader\"]', '[]', TRUE);"
            "INSERT INTO identity (staff_id, platform, external_id) VALUES (1, 'wecom', 'hanwg');"
            "INSERT INTO \"case\" (number, year, seq, source, status, category, severity, flags, content, parties,"
            " location_text, region_id, step, handling_region_id, step_started_at, step_limits, reporter_contact,"
            " plan, return_note, result_note, settled_on_spot, reopen_count, repeat_count, proxy_feedback, backlog,"
            " backlog_leader_id, created_at, updated_at) VALUES ('2026-0001', 2026, 1, 'petition', 'dispatched',"
            " 'other', 'general', '[]', '积案', '[]', '', 1, 'township', 1, '2026-03-01T00:00:00+00:00', '{}', '{}',"
            " '', '', '', FALSE, 0, 0, '', TRUE, 1, '2026-03-01T00:00:00+00:00', '2026-03-01T00:00:00+00:00');"
            "INSERT INTO \"case\" (number, year, seq, source, status, category, severity, flags, content, parties,"
            " location_text, region_id, step, handling_region_id, step_started_at, step_limits, reporter_contact,"
            " plan, return_note, result_note, settled_on_spot, reopen_count, repeat_count, proxy_feedback, backlog,"
            " created_at, updated_at) VALUES ('2026-0002', 2026, 2, 'petition', 'reported', 'other', 'general', '[]',"
            " '又来了', '[]', '', 1, 'township', 1, '2026-03-03T00:00:00+00:00', '{}', '{}', '', '', '', FALSE, 0, 0, '',"
            " FALSE, '2026-03-03T00:00:00+00:00', '2026-03-03T00:00:00+00:00');"
            "INSERT INTO task (case_id, assignee_id, cc, content, deadline, reminder_method, status, is_lead,"
            " created_at, progress_count, result_note, return_reason, extension_reason, extensions_granted)"
            " VALUES (1, 1, '[]', 'x', '2026-03-09T00:00:00+00:00', 'card', 'signed', TRUE,"
            " '2026-03-01T00:00:00+00:00', 0, '', '', '', 0);"
            "INSERT INTO audit_event (seq, at, actor_name, source, action, entity, entity_id, case_id, before, after,"
            " prev_hash, hash) VALUES (1, '2026-03-05T02:00:00+00:00', '韩卫国', 'wecom', 'add_to_backlog', 'case', 1,"
            " 1, '{}', '{}', '', '')")
    finally:
        await Tortoise.close_connections()
    await db.upgrade(fresh_url)
    await db.init_db(fresh_url)
    try:
        case = await Case.get(number="2026-0001")
        assert case.backlog_at is not None and case.backlog_at.isoformat().startswith("2026-03-05T02:00")
        assert case.mediation_org_id is None and case.difficulty is None
        assert await Identity.filter(staff_id=1).exists()
        # the second report at the same place and category two days later is a repeat; the first is not
        assert (case.recent_repeat, (await Case.get(number="2026-0002")).recent_repeat) == (False, True)
        assert await Case.all().count() == 2 and (await Department.get(name="司法所")).kind in (None, "department")
        assert await Tortoise.get_connection("default").execute_query_dict("SELECT id FROM task") == [{"id": 1}]
    finally:
        await db.close_db()


@pytest.mark.db
async def test_upgrading_moves_group_chat_ids_into_addresses_keyed_by_platform(fresh_url: str) -> None:
    """0008 replaces group_chat's one column per platform with group_address rows: every group keeps the ids
    it had (an empty one was never an address), and SQLite dropping the columns must not cascade them away."""
    from tortoise.migrations.api import migrate

    from core.models import GroupAddress, GroupChat

    try:
        await migrate(config=db.tortoise_config(fresh_url), target="models.0007_mediation_records")
        conn = Tortoise.get_connection("default")
        await conn.execute_script(
            "INSERT INTO group_chat (name, wecom_chatid, dingtalk_conversation, receives, active) VALUES "
            "('指挥室群', 'wrOgQ1', 'cidABC', '[\"digest\"]', TRUE), "
            "('预警群', 'wrOgQ2', NULL, '[\"warning\"]', TRUE), "
            "('钉钉群', '', 'cidXYZ', '[]', FALSE)")
    finally:
        await Tortoise.close_connections()
    await db.upgrade(fresh_url)
    await db.init_db(fresh_url)
    try:
        refs = {g.name: await g.refs() for g in await GroupChat.all()}
        assert refs == {"指挥室群": {"wecom": "wrOgQ1", "dingtalk": "cidABC"}, "预警群": {"wecom": "wrOgQ2"},
                        "钉钉群": {"dingtalk": "cidXYZ"}}
        assert (await GroupChat.get(name="预警群")).receives == ["warning"]
        assert await GroupAddress.all().count() == 4
    finally:
        await db.close_db()


@pytest.mark.db
async def test_an_upgraded_database_keeps_the_organisation_version(fresh_url: str) -> None:
    """Migration 0024 installs the triggers: a write to staff moves the version processes compare against."""
    from core import org_version

    await db.upgrade(fresh_url)
    await db.init_db(fresh_url)
    try:
        before = await org_version.current()
        assert before is not None
        await Region.create(name="x", full_name="x", level="district", path="/1/")
        after = await org_version.current()
        assert after is not None and after[0] == before[0] and after[1] > before[1]
    finally:
        await db.close_db()
