"""Every case action from every state: allowed ones change the state as the table says; the rest
are refused (or answered as already done) and change nothing, not even the audit trail."""

from __future__ import annotations

import pytest

from core.enums import CaseStatus, Platform, ResultType, Satisfaction
from core.errors import DomainError
from core.models import AuditEvent, Case, Task
from core.services import aftercare, handling, intake, ladder, triage
from core.transitions import CASE_TRANSITIONS, CaseAction
from tests.conftest import staff_id, who
from tests.core.flows import case_in

W = Platform.WECOM


async def _act(d, action: CaseAction, case: Case):
    if action is CaseAction.RESUBMIT:
        return await intake.resubmit(d, await who("周小梅"), case.id, "在荷花村三组", source=W)
    if action is CaseAction.ACCEPT:
        return await triage.accept(d, await who("林晓"), case.id, source=W)
    if action is CaseAction.RETURN_TO_REPORTER:
        return await triage.return_to_reporter(d, await who("林晓"), case.id, "请补充", source=W)
    if action is CaseAction.APPROVE_PLAN:
        return await triage.approve_plan(d, await who("唐志刚"), case.id, "司法所牵头", source=W)
    if action is CaseAction.DISPATCH:
        assignment = triage.Assignment(await staff_id("孙婷"))
        return await triage.dispatch(d, await who("林晓"), case.id, [assignment], source=W)
    if action is CaseAction.ESCALATE:
        return await ladder.escalate(d, await who("林晓"), case.id, "本级调解未果", source=W)
    if action is CaseAction.RESOLVE:
        task = await Task.filter(case_id=case.id, is_lead=True).order_by("-id").first()
        if task is None:
            raise DomainError("no task to resolve in this state")  # nothing the officer could click
        return await handling.resolve_task(d, await who("赵敏"), task.id, ResultType.SETTLED, "已化解", source=W)
    satisfaction = Satisfaction.SATISFIED if action is CaseAction.FOLLOW_UP_SATISFIED else Satisfaction.UNSATISFIED
    return await aftercare.record_follow_up(d, await who("周小梅"), case.id, satisfaction, source=W)


ACTIONS = [a for a in CaseAction if a is not CaseAction.ALL_TASKS_WITHDRAWN]


@pytest.mark.parametrize("state", list(CaseStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.value)
async def test_case_transition_table(org, domain, state: CaseStatus, action: CaseAction) -> None:
    case = await case_in(domain, state)
    events_before = await AuditEvent.all().count()
    expected = CASE_TRANSITIONS.get((state, action))
    if expected is not None:
        out = await _act(domain, action, case)
        assert out.changed, out.message
        after = await Case.get(id=case.id)
        assert after.status == expected.value
        assert await AuditEvent.all().count() > events_before
        return
    try:
        out = await _act(domain, action, case)
    except DomainError as exc:
        assert exc.message  # a refusal explains itself
    else:
        assert not out.changed and out.message
    assert (await Case.get(id=case.id)).status == state.value
    assert await AuditEvent.all().count() == events_before


async def test_important_case_waits_for_leader_then_dispatches(org, domain) -> None:
    case = await case_in(domain, CaseStatus.AWAITING_APPROVAL)
    with pytest.raises(DomainError, match="领导审定"):
        await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)
    await triage.approve_plan(domain, await who("唐志刚"), case.id, "司法所牵头,联村干部配合", source=W)
    out = await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("赵敏"))], source=W)
    assert out.changed and (await Case.get(id=case.id)).plan == "司法所牵头,联村干部配合"
