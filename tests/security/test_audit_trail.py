"""Attacks on the audit trail by someone who can write the database (same database: the head rows roll back
too), caught against signed checkpoints kept outside it; and the head-row failures that broke every verb."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from core import audit, audit_checkpoint
from core.config import load_settings
from core.enums import Platform
from core.models import AuditChainHead, AuditEvent
from core.org_import import import_org
from core.services import intake
from tests.conftest import BACKEND, ROOT, who
from tests.core.flows import dispatched

KEY = "k" * 40


@pytest.fixture
def settings(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_settings(audit_key=KEY, audit_checkpoint_file=str(tmp_path / "audit.checkpoints"))


def _log(settings) -> audit_checkpoint.CheckpointLog:  # type: ignore[no-untyped-def]
    return audit_checkpoint.CheckpointLog(settings.audit_checkpoint_file, KEY.encode())


async def _sql(sql: str) -> None:
    await Tortoise.get_connection("default").execute_script(sql)


async def _anchored_case(domain, settings) -> AuditEvent:  # type: ignore[no-untyped-def]
    case, _ = await dispatched(domain)
    assert await _log(settings).write(datetime.now(UTC)) is not None
    return await AuditEvent.filter(case_id=case.id).order_by("-seq").first()


async def _roll_head_back(chain: int, seq: int) -> None:
    prev = await AuditEvent.get_or_none(chain=chain, seq=seq)
    await AuditChainHead.filter(chain=chain).update(seq=seq, hash=prev.hash if prev else audit.GENESIS)


async def test_tail_truncation_with_the_head_rolled_back_is_caught(org, domain, settings) -> None:
    last = await _anchored_case(domain, settings)
    await _sql(f"DELETE FROM audit_event WHERE chain = {last.chain} AND seq >= {last.seq - 1}")
    await _roll_head_back(last.chain, last.seq - 2)
    assert (await audit.verify()).ok, "the database alone cannot see this (documented)"
    result = await audit_checkpoint.verify(settings)
    assert not result.ok and any(f"#{last.seq - 1}–#{last.seq} were removed" in p for p in result.problems)


async def test_deleting_every_event_and_head_is_caught(org, domain, settings) -> None:
    await _anchored_case(domain, settings)
    await _sql("DELETE FROM audit_event; DELETE FROM audit_chain_head")
    result = await audit_checkpoint.verify(settings)
    assert not result.ok and result.result.checked == 0
    assert any("were removed" in p for p in result.problems)


async def test_a_rewritten_and_rehashed_chain_is_caught(org, domain, settings) -> None:
    last = await _anchored_case(domain, settings)
    prev = audit.GENESIS
    for event in await AuditEvent.filter(chain=last.chain).order_by("seq"):
        if event.seq == 2:
            event.actor_name = "别人"  # the lie, then every hash after it made to fit
        event.prev_hash = prev
        event.hash = audit.event_hash(event)
        await event.save()
        prev = event.hash
    await AuditChainHead.filter(chain=last.chain).update(hash=prev)
    assert (await audit.verify()).ok, "the database alone cannot see this (documented)"
    result = await audit_checkpoint.verify(settings)
    assert not result.ok and any("rewritten" in p for p in result.problems)


async def test_a_restored_old_backup_is_caught_and_never_checkpointed(org, domain, settings) -> None:
    await _anchored_case(domain, settings)
    cut = await AuditEvent.all().order_by("-id").first()
    await dispatched(domain, officer="钱伟")  # a second case after the restore point...
    assert await _log(settings).write(datetime.now(UTC)) is not None
    await _sql(f"DELETE FROM audit_event WHERE id > {cut.id}")  # ...is lost when the old backup comes back
    await _roll_head_back(cut.chain, cut.seq)
    writer = _log(settings)
    line = await writer.write(datetime.now(UTC) + timedelta(days=2))  # a full line is due, heads and all
    assert line is not None and line["heads"][str(cut.chain)][0] > cut.seq, "the rollback was checkpointed"
    result = await audit_checkpoint.verify(settings)
    assert not result.ok and any("were removed" in p for p in result.problems)


def _put(path: Path, lines: list[str] | None) -> list[str]:
    """The checkpoint file's lines; with `lines`, replaced by them (an empty list removes the file)."""
    if lines is None:
        return path.read_text().splitlines()
    if lines:
        path.write_text("\n".join(lines) + "\n")
    else:
        path.unlink()
    return lines


async def test_forged_removed_or_foreign_checkpoints_are_caught(org, domain, settings) -> None:
    await _anchored_case(domain, settings)
    await dispatched(domain, officer="钱伟")
    assert await _log(settings).write(datetime.now(UTC)) is not None
    await dispatched(domain, officer="李强")
    assert await _log(settings).write(datetime.now(UTC)) is not None
    path = Path(settings.audit_checkpoint_file)
    lines = _put(path, None)
    assert (await audit_checkpoint.verify(settings)).ok
    _put(path, [lines[0], lines[2]])  # the middle checkpoint taken out
    assert any("do" in p and "follow" in p for p in (await audit_checkpoint.verify(settings)).problems)
    forged = json.loads(lines[2])
    forged["heads"] = {c: [1, audit.GENESIS] for c in forged["heads"]}
    _put(path, [lines[0], lines[1], json.dumps(forged)])
    assert any("signature" in p for p in (await audit_checkpoint.verify(settings)).problems)
    _put(path, lines)
    other = load_settings(audit_key="o" * 40, audit_checkpoint_file=settings.audit_checkpoint_file)
    assert any("another key" in p for p in (await audit_checkpoint.verify(other)).problems)
    _put(path, [])
    assert any("no checkpoint" in p for p in (await audit_checkpoint.verify(settings)).problems)


async def test_a_lost_head_row_is_recovered_from_the_chain(org, domain) -> None:
    case, _ = await dispatched(domain)
    last = await AuditEvent.filter(case_id=case.id).order_by("-seq").first()
    await _sql("DELETE FROM audit_chain_head")
    out = await intake.report(domain, await who("周小梅"), intake.ReportInput("又一起邻里纠纷"), source=Platform.WECOM)
    new = await AuditEvent.get(case_id=out.case.id)
    assert (new.chain, new.seq, new.prev_hash) == (last.chain, last.seq + 1, last.hash)
    assert (await audit.verify()).ok


async def test_a_rolled_back_head_does_not_break_every_verb(org, domain) -> None:
    case, _ = await dispatched(domain)
    last = await AuditEvent.filter(case_id=case.id).order_by("-seq").first()
    await _roll_head_back(last.chain, 1)
    out = await intake.report(domain, await who("周小梅"), intake.ReportInput("又一起邻里纠纷"), source=Platform.WECOM)
    new = await AuditEvent.get(case_id=out.case.id)
    assert (new.seq, new.prev_hash) == (last.seq + 1, last.hash)
    assert (await audit.verify()).ok


async def test_two_writers_share_one_file_without_repeating_each_other(org, domain, settings) -> None:
    await dispatched(domain)
    first, second = _log(settings), _log(settings)
    assert await first.write(datetime.now(UTC)) is not None
    assert await second.write(datetime.now(UTC)) is None  # it read the first one's line: nothing moved
    await dispatched(domain, officer="钱伟")
    line = await second.write(datetime.now(UTC))
    assert line is not None and line["n"] == 2
    assert await first.write(datetime.now(UTC)) is None
    assert (await audit_checkpoint.verify(settings)).ok


async def test_each_township_has_its_own_chain_and_lock(db, domain) -> None:
    await import_org((ROOT / "tests" / "fixtures" / "two-towns.yaml").read_text(encoding="utf-8"))
    a = await intake.report(domain, await who("石调度"), intake.ReportInput("石门镇的纠纷", region_id=await _village("石门镇")),
                            source=Platform.WECOM)
    b = await intake.report(domain, await who("柳调度"), intake.ReportInput("柳岸街道的纠纷", region_id=await _village("柳岸街道")),
                            source=Platform.WECOM)
    ea, eb = await AuditEvent.get(case_id=a.case.id), await AuditEvent.get(case_id=b.case.id)
    assert ea.chain != eb.chain and ea.seq == eb.seq == 1
    if BACKEND != "postgres":
        return  # SQLite has one writer at a time whatever we lock
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_shimen_head() -> None:
        async with in_transaction():
            await AuditChainHead.select_for_update().get(chain=ea.chain)
            held.set()
            await release.wait()

    holder = asyncio.create_task(hold_shimen_head())
    await held.wait()
    try:  # the other township is not held up by it
        await asyncio.wait_for(intake.report(domain, await who("柳调度"), intake.ReportInput("又一起", region_id=await _village("柳岸街道")),
                                             source=Platform.WECOM), timeout=10)
    finally:
        release.set()
        await holder


async def _village(township: str) -> int:
    from core.models import Region

    return (await Region.get(full_name=f"东湖区/{township}/新村")).id


async def test_the_daily_full_checkpoint_goes_to_the_admins_group(org, domain, settings) -> None:
    """A copy off this host: the groups that receive `audit` get the full checkpoint's number and code."""
    from core.models import GroupAddress, GroupChat, OutboxMessage
    from maotiao.checkpoints import Checkpoints

    group = await GroupChat.create(name="管理员群", receives=["audit"])
    await GroupAddress.create(group=group, platform="wecom", ref="admins01")
    await dispatched(domain)
    checkpoints = Checkpoints(_log(settings), 300)
    line = await checkpoints.once()
    assert line is not None and line["full"]
    sent = [m.payload for m in await OutboxMessage.all()]
    assert len(sent) == 1 and line["mac"][:16] in json.dumps(sent[0], ensure_ascii=False)
    await dispatched(domain, officer="钱伟")
    line = await checkpoints.once()
    assert line is not None and not line["full"]
    assert await OutboxMessage.all().count() == 1, "every 5-minute checkpoint went to the group"
