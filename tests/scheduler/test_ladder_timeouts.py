"""三级四步 when a step's time runs out, through the scheduler's job: who is told, in what order."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from core.enums import CaseStatus, Platform
from core.models import Case, EscalationRecord, OutboxMessage, Staff, Task
from core.services import ladder
from scheduler import jobs
from tests.bot.harness import Harness
from tests.conftest import cst, who
from tests.scheduler.test_rules import dispatched


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _sent_since(row_id: int) -> list[tuple[str, str]]:
    """(recipient, text) of the messages written after row_id, in order; cards as [kind]."""
    names = {s.id: s.name for s in await Staff.all()}
    out = []
    for row in await OutboxMessage.filter(id__gt=row_id).order_by("id"):
        p = row.payload
        to = names.get(p["target"]["staff_id"], f"group {p['target']['group_id']}")
        out.append((to, p["text"] or f"[{p['card']['kind']}]{' update' if p['update'] else ''}"))
    return out


async def _last_row() -> int:
    last = await OutboxMessage.all().order_by("-id").first()
    return last.id if last else 0


async def test_a_step_running_out_with_a_task_overdue_escalates_and_the_secretary_is_told_first(
    h: Harness, clock
) -> None:
    task = await dispatched(h)  # at the township (7 working days, to Wed 12-02 18:00); deadline Mon 11-30 18:00
    clock.set(cst(2026, 12, 2, 18, 1))
    mark = await _last_row()
    assert await jobs.escalate_case(h.domain, task.case_id)
    case = await Case.get(id=task.case_id)
    assert case.status == CaseStatus.ESCALATED and case.step == "district" and case.supervised_at is not None
    assert (await Task.get(id=task.id)).status == "released"
    sent = await _sent_since(mark)
    assert sent[0] == ("韩卫国", f"【书记督办】案件 2026-0001 逾期且乡镇(街道)级时限已过,已上报西溪区并列入 "
                                f"{case.meeting_date} 党政联席周会商")
    assert ("赵敏", "案件 2026-0001 已上报西溪区,您的任务已撤回") in sent
    assert ("周小梅", "您上报的 2026-0001 已上报至西溪区处理") in sent


async def _past_the_step(clock, case_id: int) -> None:
    due = (await Case.get(id=case_id)).step_due_at
    assert due is not None
    clock.set(due + timedelta(minutes=1))


async def test_at_the_top_of_the_ladder_the_secretary_supervises_instead(h: Harness, clock) -> None:
    task = await dispatched(h)
    await ladder.escalate(h.domain, await who("林晓"), task.case_id, "两次调解均未达成一致", source=Platform.WECOM)
    await _past_the_step(clock, task.case_id)
    mark = await _last_row()
    assert await jobs.escalate_case(h.domain, task.case_id)
    case = await Case.get(id=task.case_id)
    assert case.step == "district" and case.supervised_at is not None and case.step_due_at is None
    assert await EscalationRecord.filter(case_id=case.id).count() == 1
    assert ("韩卫国", f"【书记督办】案件 2026-0001 在区(县)级调处时限内未化解,已无上级可上报,已列入 {case.meeting_date} "
                    "党政联席周会商,请督办") in await _sent_since(mark)


async def test_at_the_top_and_already_supervised_nothing_more_happens(h: Harness, clock) -> None:
    task = await dispatched(h)
    await ladder.escalate(h.domain, await who("林晓"), task.case_id, "两次调解均未达成一致", source=Platform.WECOM)
    await Case.filter(id=task.case_id).update(supervised_at=clock.now())
    await _past_the_step(clock, task.case_id)
    mark = await _last_row()
    assert not await jobs.escalate_case(h.domain, task.case_id)
    assert (await Case.get(id=task.case_id)).step_due_at is None  # the clock stops all the same
    assert await _sent_since(mark) == []


async def test_a_step_not_yet_due_is_left_alone(h: Harness, clock) -> None:
    task = await dispatched(h)
    await Case.filter(id=task.case_id).update(step_due_at=clock.now() + timedelta(minutes=1))
    assert not await jobs.escalate_case(h.domain, task.case_id)
    assert (await Case.get(id=task.case_id)).step == "township"


async def test_a_step_due_in_the_column_but_held_by_its_task_is_re_armed_not_escalated(h: Harness, clock) -> None:
    """The job asks the step clock again: a stale due time (written before an extension, or by an older
    version) neither withdraws the task nor loses the clock."""
    task = await dispatched(h)
    await Case.filter(id=task.case_id).update(step_due_at=clock.now() - timedelta(minutes=1))
    assert not await jobs.escalate_case(h.domain, task.case_id)
    case = await Case.get(id=task.case_id)
    assert case.step == "township" and (await Task.get(id=task.id)).status == "pending"
    assert case.step_due_at == cst(2026, 12, 2, 18, 0)  # the township's 7 working days


async def test_two_schedulers_on_one_due_step_escalate_it_once(h: Harness, clock) -> None:
    """Two processes' ticks reach the same due case at once: one climbs one step, the other finds it claimed
    (before, both escalated: village → township → district, and a false record for the skipped step)."""
    task = await dispatched(h)
    await _past_the_step(clock, task.case_id)
    done = await asyncio.gather(jobs.escalate_case(h.domain, task.case_id), jobs.escalate_case(h.domain, task.case_id))
    assert sorted(done) == [False, True]
    assert await EscalationRecord.filter(case_id=task.case_id).count() == 1
