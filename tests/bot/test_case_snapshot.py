"""A case's data read once for all its cards (issue 20 #7, bot/cards/snapshot.py): the cards of a case held by
several people cost the reads of one, and never show a state older than the unit's own writes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from tortoise import Tortoise

from bot import router
from bot.cards import render
from bot.notify import notifications
from bot.types import Card
from core.enums import TaskStatus
from core.events import MediationRecorded
from core.models import CardLink, Case
from tests.bot.harness import Harness

_TABLE = re.compile(r'\bFROM "(\w+)"', re.I)


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


@contextmanager
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """SELECTs sent to the database meanwhile, by the table they read (transactions' clients included)."""
    seen: Counter[str] = Counter()
    client = type(Tortoise.get_connection("default"))
    for name in ("execute_query", "execute_query_dict"):
        owner = next(c for c in client.__mro__ if name in vars(c))
        original = vars(owner)[name]

        async def counted(self: Any, query: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            match = _TABLE.search(query)
            if match and query.lstrip().upper().startswith("SELECT"):
                seen[match.group(1)] += 1
            return await _original(self, query, *args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
    try:
        yield seen
    finally:
        monkeypatch.undo()


async def _dispatched(h: Harness) -> Case:
    """Reported, accepted and dispatched: 林晓 holds the center card, 赵敏 the task, 唐志刚 the 抄送."""
    await h.say("周小梅", "三组老王和老赵因为过道宽窄吵了好几天,今天又在路口吵起来")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    return await Case.get(number="2026-0001")


async def test_the_cards_of_a_case_held_by_three_people_read_its_data_once(h: Harness, monkeypatch) -> None:
    case = await _dispatched(h)
    links = await CardLink.filter(case_id=case.id, active=True).order_by("id")
    assert sorted(link.kind for link in links) == ["cc", "center", "task"]
    with reads(monkeypatch) as alone:  # as before: each card read the case again
        one_by_one: list[Card] = [await render(link) for link in links]
    assert alone["task"] >= 3 and alone["case"] >= 3 and alone["media_file"] >= 2
    with reads(monkeypatch) as shared:  # after a unit's writes: every touched case's cards re-rendered
        await notifications([MediationRecorded(case.id)], h.domain.clock.now(), set())
    assert shared["case"] == 1 and shared["task"] == 1 and shared["media_file"] == 1
    assert shared["key_person_case"] == 1
    again = [await render(link) for link in await CardLink.filter(case_id=case.id, active=True).order_by("id")]
    assert again == one_by_one  # the same cards, whichever way they were read


async def test_a_card_rendered_after_the_units_write_shows_the_new_state(h: Harness, monkeypatch) -> None:
    await _dispatched(h)
    clicked: list[Card] = []  # what the click's own unit read before its write (to see the button still applies)

    async def watched(link: CardLink) -> Card:
        card = await render(link)
        clicked.append(card)
        return card

    monkeypatch.setattr(router, "render", watched)
    officer = await h.click("赵敏", "签收")
    center = await h.since("林晓", {p: 0 for p in h.channels})
    assert [[b.label for b in c.buttons] for c in clicked] == [["签收", "退回"]]  # read before the write
    assert officer.cards, "the task card was not brought up to date after the write"
    task = officer.cards[-1]
    assert task.update and task.card is not None and task.card.subtitle.startswith(TaskStatus.SIGNED.label)
    assert [b.label for b in task.card.buttons] == ["反馈进展", "申请延期", "退回", "办结"]
    assert center.cards[-1].card is not None and f"牵头,{TaskStatus.SIGNED.label}" in dict(center.cards[-1].card.fields)["承办"]
