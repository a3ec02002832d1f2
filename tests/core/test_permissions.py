"""Each verb checks role and region scope; a refusal explains itself and changes nothing."""

from __future__ import annotations

import pytest

from core.enums import CaseStatus, Platform, ResultType
from core.errors import Refused
from core.models import AuditEvent, Case, Task
from core.services import aftercare, handling, intake, ladder, triage
from tests.conftest import staff_id, who
from tests.core.flows import dispatched, reported

W = Platform.WECOM


@pytest.mark.parametrize("name", ["周小梅", "赵敏", "何永和"])
async def test_only_center_roles_accept(org, domain, name: str) -> None:
    case = await reported(domain)
    before = await AuditEvent.all().count()
    with pytest.raises(Refused, match="没有权限"):
        await triage.accept(domain, await who(name), case.id, source=W)
    assert (await Case.get(id=case.id)).status == CaseStatus.REPORTED
    assert await AuditEvent.all().count() == before


async def test_officer_cannot_touch_someone_elses_task(org, domain) -> None:
    _, task = await dispatched(domain, officer="赵敏")
    for verb in (
        handling.sign(domain, await who("孙婷"), task.id, source=W),
        handling.resolve_task(domain, await who("孙婷"), task.id, ResultType.SETTLED, "好了", source=W),
        handling.return_task(domain, await who("林晓"), task.id, "不对", source=W),
    ):
        with pytest.raises(Refused, match="不是您的任务"):
            await verb
    assert (await Task.get(id=task.id)).status == "pending"


async def test_township_dispatcher_loses_scope_after_escalation_to_district(org, domain) -> None:
    case = await reported(domain)
    # grid → village → township → district
    for _ in range(3):
        await ladder.escalate(domain, await who("林晓"), case.id, "本级调解未果", source=W)
    case = await Case.get(id=case.id)
    assert case.step == "district"
    with pytest.raises(Refused, match="管辖范围"):
        await triage.accept(domain, await who("林晓"), case.id, source=W)
    out = await triage.accept(domain, await who("邓华"), case.id, source=W)  # the district dispatcher
    assert out.changed


async def test_only_the_reporter_resubmits(org, domain) -> None:
    case = await reported(domain)
    await triage.return_to_reporter(domain, await who("林晓"), case.id, "请补充地点", source=W)
    with pytest.raises(Refused, match="不是您上报的"):
        await intake.resubmit(domain, await who("吴大伟"), case.id, "补充", source=W)


async def test_supervision_needs_secretary_or_leader(org, domain) -> None:
    case, _ = await dispatched(domain)
    with pytest.raises(Refused):
        await aftercare.supervise(domain, await who("林晓"), case.id, source=W)
    out = await aftercare.supervise(domain, await who("韩卫国"), case.id, source=W)
    assert out.changed


async def test_leader_out_of_region_is_refused(org, domain) -> None:
    """A leader of one township cannot act on a case held by another township."""
    from core.models import Region, Staff

    district = await Region.get(name="西溪区")
    other = await Region.create(name="梅林镇", full_name="西溪区/梅林镇", level="township", parent_id=district.id)
    other.path = f"{district.path}{other.id}/"
    await other.save()
    outsider = await Staff.create(name="外镇领导", roles=["leader"], region_id=other.id)
    case = await reported(domain, reporter="周小梅")
    from core.services.base import actor_for

    with pytest.raises(Refused, match="管辖范围"):
        await triage.accept(domain, await actor_for(outsider), case.id, source=W)
    assert await staff_id("外镇领导") == outsider.id
