"""Issue 16 #8/#9: a 消息未送达 notice goes only to the dispatchers of the center that owns the message,
with personal numbers masked and parties' names shortened, and says nothing of a 涉敏 case's content."""

from __future__ import annotations

import pytest

from bot.outbox import enqueue, new_card
from bot.types import Outbound, Target
from core.enums import Flag, Platform, Severity
from core.models import Case, Region
from core.services import intake, triage
from tests.bot.harness import Harness
from tests.conftest import staff_id, who

W = Platform.WECOM
PRIVATE = "当事人电话138 1234 5678 身份证330102199001011234"


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def _unreachable(h: Harness, name: str) -> int:
    _, uid = await h.ident(name, W)
    h.channels[W].invalid_users.add(uid)
    return await staff_id(name)


async def _deliver(h: Harness) -> None:
    await h.flush()
    await h.flush()  # the notices of a pass that sent nothing else go out on the next one


async def _notices(h: Harness, name: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if "消息未送达" in s.text]


async def _case(h: Harness, *, sensitive: bool = False) -> Case:
    flags = frozenset({Flag.SENSITIVE}) if sensitive else frozenset()
    data = intake.ReportInput("王小明与李大海因宅基地界址争执", parties=[{"name": "王小明"}, {"name": "李大海"}],
                              flags=flags)
    out = await intake.report(h.domain, await who("周小梅"), data, source=W)
    assert out.case is not None
    return out.case


async def _at_the_district(h: Harness) -> Case:
    """A 重大 case: once accepted, the district center (邓华) handles it."""
    data = intake.ReportInput("王小明与李大海因宅基地界址争执", parties=[{"name": "王小明"}, {"name": "李大海"}],
                              severity=Severity.MAJOR)
    out = await intake.report(h.domain, await who("周小梅"), data, source=W)
    assert out.case is not None
    await triage.accept(h.domain, await who("林晓"), out.case.id, source=W)
    case = await Case.get(id=out.case.id)
    assert (await Region.get(id=case.handling_region_id)).name == "西溪区"
    return case


async def test_a_text_about_no_case_is_reported_to_the_recipients_own_center_masked(h: Harness) -> None:
    qian = await _unreachable(h, "钱伟")
    await enqueue([Outbound(target=Target(staff_id=qian), text=PRIVATE)], h.domain.clock.now())
    await _deliver(h)
    notices = await _notices(h, "林晓")
    assert len(notices) == 1 and "钱伟" in notices[0]
    assert "138****5678" in notices[0] and "330102********1234" in notices[0]
    assert "1234 5678" not in notices[0] and "199001011234" not in notices[0]
    assert await _notices(h, "邓华") == []  # the district's dispatcher has no business with a township message


async def test_a_card_is_reported_to_the_center_now_handling_its_case(h: Harness) -> None:
    case = await _at_the_district(h)
    await h.flush()
    qian = await _unreachable(h, "钱伟")
    await enqueue([await new_card("cc", qian, h.domain.clock.now(), case_id=case.id)], h.domain.clock.now())
    await _deliver(h)
    notices = await _notices(h, "邓华")
    assert len(notices) == 1 and "案件 2026-0001" in notices[0] and "钱伟" in notices[0]
    assert await _notices(h, "林晓") == []


async def test_a_text_naming_a_case_is_reported_to_its_center_with_names_shortened(h: Harness) -> None:
    case = await _at_the_district(h)
    qian = await _unreachable(h, "钱伟")
    text = f"案件 {case.number}:王小明({PRIVATE})要求重新测量"
    await enqueue([Outbound(target=Target(staff_id=qian), text=text)], h.domain.clock.now())
    await _deliver(h)
    notices = await _notices(h, "邓华")
    assert len(notices) == 1 and "案件 2026-0001" in notices[0]
    assert "王小明" not in notices[0] and "王**" in notices[0] and "13812345678" not in notices[0]
    assert await _notices(h, "林晓") == []


async def test_a_sensitive_cases_notice_carries_no_content(h: Harness) -> None:
    case = await _case(h, sensitive=True)
    qian = await _unreachable(h, "钱伟")
    now = h.domain.clock.now()
    await enqueue([Outbound(target=Target(staff_id=qian), text=f"案件 {case.number} 当事人王小明 {PRIVATE}"),
                   await new_card("cc", qian, now, case_id=case.id)], now)
    await _deliver(h)
    notices = await _notices(h, "林晓")
    assert len(notices) == 2
    for notice in notices:
        assert "一条关于案件 2026-0001 的消息" in notice
        assert "王" not in notice and "宅基地" not in notice and "138" not in notice
    assert await _notices(h, "邓华") == []
