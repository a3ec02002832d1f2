"""Every township has its own 司法所: a dispatcher who names a department gets the one of the case's township,
never a namesake elsewhere, and a name that stays ambiguous gets a question, not an error."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.notify import notifications
from bot.outbox import enqueue
from core.enums import Platform
from core.models import Case, Region, Staff, Task
from core.org_import import import_org
from core.services import intake
from core.services.base import Domain, actor_for
from tests.bot.harness import Harness
from tests.conftest import ROOT, who


@pytest.fixture
async def h(db: str, domain: Domain) -> AsyncIterator[Harness]:
    await import_org((ROOT / "tests" / "fixtures" / "two-towns.yaml").read_text(encoding="utf-8"))
    yield Harness(domain)


async def _case_in(h: Harness, town: str) -> Case:
    """Reported by the township's own grid worker 王芳 (both townships have one), so its center card goes out."""
    village = await Region.get(full_name=f"东湖区/{town}/新村")
    reporter = await Staff.get(name="王芳", region__full_name=f"东湖区/{town}/新村/第一网格")
    text = "新村两户因为宅基地边界吵架,已经推搡起来"
    out = await intake.report(h.domain, await actor_for(reporter), intake.ReportInput(text, region_id=village.id),
                              source=Platform.WECOM)
    now = h.domain.clock.now()
    await enqueue(await notifications(out.events, now, set()), now)
    await h.flush()
    return out.case


@pytest.mark.parametrize("town, dispatcher, officer", [("柳岸街道", "柳调度", "柳司法"), ("石门镇", "石调度", "石司法")])
async def test_dispatch_to_a_department_name_goes_to_the_cases_own_township(
        h: Harness, town: str, dispatcher: str, officer: str) -> None:
    case = await _case_in(h, town)
    seen = await h.say(dispatcher, f"交办 {case.number} 给司法所")
    assert any(f"已交办给 {officer}" in t for t in seen.texts), seen.texts
    task = await Task.get(case_id=case.id).prefetch_related("assignee")
    assert task.assignee.name == officer


async def test_reassign_by_department_name_stays_in_the_cases_township(h: Harness) -> None:
    case = await _case_in(h, "柳岸街道")
    await h.click("柳调度", "改派")
    seen = await h.say("柳调度", "司法所")
    assert not any("石司法" in t for t in seen.texts), seen.texts
    assert {t.assignee_id for t in await Task.filter(case_id=case.id)} <= {(await who("柳司法")).staff_id}


async def test_a_mediation_organisation_named_in_two_townships_is_the_cases_own(h: Harness) -> None:
    case = await _case_in(h, "柳岸街道")
    seen = await h.say("柳调度", f"调解记录 {case.number} 调解员 柳司法 组织 司法所")
    assert any("司法所 不是调解组织" in t for t in seen.texts), seen.texts
