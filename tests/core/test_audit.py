"""The audit trail: who, what, when, from which channel, before/after — and tampering is caught."""

from __future__ import annotations

from tortoise import Tortoise

from core import audit
from core.models import AuditChainHead, AuditEvent
from tests.core.flows import dispatched


async def test_every_change_is_recorded_with_channel_and_diff(org, domain) -> None:
    case, task = await dispatched(domain)
    events = await AuditEvent.filter(case_id=case.id).order_by("seq")
    assert [e.action for e in events] == ["report", "accept", "dispatch", "dispatch"]
    accept = events[1]
    assert accept.actor_name == "林晓" and accept.source == "wecom"
    assert accept.before["status"] == "reported" and accept.after["status"] == "accepted"
    assert (await audit.verify()).ok


async def _raw(sql: str) -> None:
    await Tortoise.get_connection("default").execute_script(sql)


async def test_altered_event_is_named(org, domain) -> None:
    await dispatched(domain)
    await _raw("""UPDATE audit_event SET actor_name = '别人' WHERE seq = 2""")
    result = await audit.verify()
    assert not result.ok and result.bad_seq == 2 and "altered" in result.problem


async def test_altered_json_is_caught(org, domain) -> None:
    await dispatched(domain)
    event = await AuditEvent.get(seq=3)
    event.after = {**event.after, "assignee": "孙婷"}
    await event.save()
    result = await audit.verify()
    assert not result.ok and result.bad_seq == 3


async def test_removed_event_is_named(org, domain) -> None:
    await dispatched(domain)
    await _raw("DELETE FROM audit_event WHERE seq = 2")
    result = await audit.verify()
    assert not result.ok and result.bad_seq == 2 and "missing" in result.problem


async def test_removed_tail_is_caught(org, domain) -> None:
    await dispatched(domain)
    last = await AuditEvent.all().order_by("-seq").first()
    await _raw(f"DELETE FROM audit_event WHERE seq = {last.seq}")
    result = await audit.verify()
    assert not result.ok and "removed" in result.problem
    assert (await AuditChainHead.get(chain=last.chain)).seq == last.seq


async def test_a_head_put_back_by_hand_is_passed_over_and_the_chain_goes_on_from_its_last_event(org, domain) -> None:
    case, _ = await dispatched(domain)
    last = await AuditEvent.filter(case_id=case.id).order_by("-seq").first()
    await AuditChainHead.filter(chain=last.chain).update(seq=1, hash="stale")  # behind the chain by hand
    await dispatched(domain, officer="钱伟")  # a second case in the same township
    newer = await AuditEvent.filter(chain=last.chain, seq__gt=last.seq).order_by("seq")
    assert newer and newer[0].seq == last.seq + 1 and newer[0].prev_hash == last.hash
    assert (await AuditChainHead.get(chain=last.chain)).seq == newer[-1].seq
    assert (await audit.verify()).ok


async def test_a_deleted_head_is_made_again_from_the_chain(org, domain) -> None:
    case, _ = await dispatched(domain)
    last = await AuditEvent.filter(case_id=case.id).order_by("-seq").first()
    await AuditChainHead.filter(chain=last.chain).delete()
    await dispatched(domain, officer="钱伟")
    newer = await AuditEvent.filter(chain=last.chain, seq__gt=last.seq).order_by("seq")
    assert newer and newer[0].prev_hash == last.hash
    assert (await audit.verify()).ok
