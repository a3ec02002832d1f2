"""Mediation records: who may record them, what is refused, and that refusals change nothing."""

from __future__ import annotations

import pytest

from core.enums import Difficulty, Performance, Platform
from core.errors import InvalidInput, NotFound, Refused
from core.models import AuditEvent, CaseMediator, Department
from core.services import records
from tests.conftest import staff_id, who
from tests.core.flows import dispatched

W = Platform.WECOM


async def test_assignee_records_mediators_and_the_first_is_lead(org, domain) -> None:
    case, _ = await dispatched(domain)
    committee = await Department.get(name="茶园乡人民调解委员会")
    ids = [await staff_id("何永和"), await staff_id("王律师")]
    out = await records.record_mediation(domain, await who("赵敏"), case.id, mediator_ids=ids, org_id=committee.id,
                                         difficulty=Difficulty.GENERAL, source=W)
    assert out.changed and "何永和、王律师" in out.message
    rows = await CaseMediator.filter(case_id=case.id).order_by("id")
    assert [(r.staff_id, r.lead) for r in rows] == [(ids[0], True), (ids[1], False)]
    ev = await AuditEvent.filter(action="record_mediation").first()
    assert ev is not None and ev.after["mediators"] == sorted(ids)
    # recording again replaces the list
    await records.record_mediation(domain, await who("林晓"), case.id, mediator_ids=[ids[1]], source=W)
    assert await CaseMediator.filter(case_id=case.id).values_list("staff_id", flat=True) == [ids[1]]


@pytest.mark.parametrize(("who_name", "kwargs", "error"), [
    ("孙婷", {}, Refused),  # neither handler nor center
    ("赵敏", {"mediator_ids": []}, InvalidInput),
    ("赵敏", {"org": "司法所"}, InvalidInput),  # a 职能部门 is not a mediation body
    ("赵敏", {"mediator_ids": [99999]}, NotFound),
    ("赵敏", {"lead": "王律师"}, InvalidInput),  # lead must be among the mediators
])
async def test_refusals_change_nothing(org, domain, who_name: str, kwargs: dict[str, object], error: type) -> None:
    case, _ = await dispatched(domain)
    ids = kwargs.get("mediator_ids", [await staff_id("何永和")])
    org_id = (await Department.get(name=str(kwargs["org"]))).id if "org" in kwargs else None
    lead = await staff_id(str(kwargs["lead"])) if "lead" in kwargs else None
    before = await AuditEvent.all().count()
    with pytest.raises(error):
        await records.record_mediation(domain, await who(who_name), case.id, mediator_ids=ids,  # type: ignore[arg-type]
                                       org_id=org_id, lead_id=lead, source=W)
    assert await CaseMediator.all().count() == 0 and await AuditEvent.all().count() == before


async def test_performance_is_recorded_once(org, domain) -> None:
    case, _ = await dispatched(domain)
    zhao = await who("赵敏")
    assert (await records.record_performance(domain, zhao, case.id, Performance.PARTIAL, source=W)).changed
    again = await records.record_performance(domain, zhao, case.id, Performance.PARTIAL, source=W)
    assert not again.changed and "部分履行" in again.message
