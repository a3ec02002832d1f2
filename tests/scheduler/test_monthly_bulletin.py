"""The monthly 考核通报 summary reaches the groups fed `bulletin` (the demo 领导群) on the first working day's
morning, once, and carries no party data and no 涉敏 case."""

from __future__ import annotations

import pytest

from core.enums import Flag, Platform
from core.models import Case, GroupChat
from core.services import aftercare
from scheduler.embedded import EmbeddedScheduler
from scheduler.rhythm import monthly_bulletin
from tests.bot.harness import Harness
from tests.conftest import cst, who
from tests.core.flows import dispatched

W = Platform.WECOM


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


async def tick(h: Harness) -> None:
    await EmbeddedScheduler(h.bot, h.registry).tick()


async def group_texts(h: Harness, name: str) -> list[str]:
    chat = (await (await GroupChat.get(name=name)).refs())["wecom"]
    return [s.text for s in h.channels[W].sent if s.to == chat and s.text]


async def _november_cases(h: Harness) -> tuple[str, str]:
    first, _ = await dispatched(h.domain)
    sensitive, _ = await dispatched(h.domain)
    await Case.filter(id=first.id).update(parties=[{"name": "张三丰"}], content="张三丰 电话 13912345678 反映漏水")
    await Case.filter(id=sensitive.id).update(flags=[Flag.SENSITIVE.value])
    for case in (first, sensitive):
        await aftercare.supervise(h.domain, await who("韩卫国"), case.id, source=W)
    return first.number, sensitive.number


async def test_leaders_group_gets_last_months_bulletin_once_on_the_first_working_morning(h: Harness, clock) -> None:
    first, sensitive = await _november_cases(h)
    clock.set(cst(2026, 12, 1, 7, 50))  # Tuesday 1 December: the month's first working day
    await tick(h)
    assert not [t for t in await group_texts(h, "茶园乡领导群") if "考核通报" in t]
    clock.set(cst(2026, 12, 1, 8, 5))
    await tick(h)
    await tick(h)
    clock.set(cst(2026, 12, 1, 15, 0))
    await tick(h)
    sent = [t for t in await group_texts(h, "茶园乡领导群") if "考核通报" in t]
    assert len(sent) == 1
    assert "2026年11月01日—11月30日" in sent[0] and f"书记督办:{first};另有涉敏 1 件" in sent[0]
    assert "张三丰" not in sent[0] and "13912345678" not in sent[0] and sensitive not in sent[0]
    assert not [t for t in await group_texts(h, "茶园乡矛调工作群") if "考核通报" in t]  # not fed `bulletin`


async def test_no_bulletin_on_a_day_that_is_not_the_first_working_day(h: Harness, clock) -> None:
    clock.set(cst(2026, 12, 2, 9, 0))
    assert await monthly_bulletin(h.domain) == 0
    clock.set(cst(2026, 11, 2, 9, 0))  # Monday 2 November: first working day (the 1st is a Sunday)
    assert await monthly_bulletin(h.domain) == 1  # the one group fed `bulletin`
    assert await monthly_bulletin(h.domain) == 0
