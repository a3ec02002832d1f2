"""End to end through `serve` and the fake WeCom, clicking as people do: a grid worker reports, gets the
draft card, confirms; the township's dispatcher gets the center card and clicks 受理并交办; the officer's
task card arrives. Each hop is timed from our request to the card's arrival at the fake platform."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from integrations.sandbox.wecom import FakeWeCom, Stored
from integrations.sandbox.wecom_member import WeComMember

NUMBER = re.compile(r"\d{4}-\d{4}")
T = TypeVar("T")


@dataclass
class Timing:
    draft: float = 0.0  # report → the worker's draft card
    center: float = 0.0  # 确认上报 → the dispatcher's card
    officer: float = 0.0  # 受理并交办 → the officer's task card
    total: float = 0.0  # report → the officer's task card, our reaction time included


@dataclass
class StoryDriver:
    fake: FakeWeCom
    member: WeComMember
    timeout: float = 30.0
    seen: set[str] = field(default_factory=set)  # task_ids of cards already used
    _waiting: list[asyncio.Future[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Woken by each arrival rather than polling every inbox every few ms: polling six waiters over hundreds
        # of stored messages took CPU from the processes being measured on the same two cores.
        self.fake.on_store.append(self._arrived)

    def _arrived(self, _: Stored) -> None:
        waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():
                future.set_result(None)

    def _cards(self, user: str | None = None) -> list[Stored]:
        boxes = [self.fake.inbox.get(user, [])] if user else list(self.fake.inbox.values())
        return [m for box in boxes for m in box if m.msgtype == "template_card"]

    async def _wait(self, find: Callable[[], T | None], what: str) -> T:
        deadline = time.monotonic() + self.timeout
        while (found := find()) is None:
            arrival = asyncio.get_running_loop().create_future()
            self._waiting.append(arrival)  # no await since find(): nothing can have arrived in between
            try:
                await asyncio.wait_for(arrival, max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                raise TimeoutError(what) from None
        return found

    def _with_button(self, user: str | None, label: str, title: str = "", number: str = "") -> Stored | None:
        for m in self._cards(user):
            if m.body["task_id"] in self.seen or title not in m.body["main_title"]["title"]:
                continue
            if number and {"keyname": "编号", "value": number} not in m.body.get("horizontal_content_list", []):
                continue
            if any(b["text"] == label for b in m.body.get("button_list", [])):
                return m
        return None

    async def _click(self, card: Stored, label: str) -> float:
        self.seen.add(card.body["task_id"])
        key = next(b["key"] for b in card.body["button_list"] if b["text"] == label)
        started = time.time()
        await self.member.click(card.to, card.body["task_id"], key, self.fake.new_code(card.body["task_id"]))
        return started

    async def run(self, worker: str, text: str) -> Timing:
        t = Timing()
        start = time.time()
        await self.member.text(worker, text)
        draft = await self._wait(lambda: self._with_button(worker, "确认上报"), f"{worker}: no draft card")
        t.draft = draft.at - start
        texts_before = len(self.fake.texts(worker))
        confirmed = await self._click(draft, "确认上报")

        def number_or_repeat() -> str | Stored | None:
            found = next((m.group(0) for x in self.fake.texts(worker)[texts_before:] if (m := NUMBER.search(x))), None)
            return found or self._with_button(worker, "不是,新上报")

        number = await self._wait(number_or_repeat, f"{worker}: no case number")
        if isinstance(number, Stored):  # a recent case at the same place and category: this one is new
            await self._click(number, "不是,新上报")
            number = await self._wait(number_or_repeat, f"{worker}: no case number after the repeat question")
        center = await self._wait(lambda: self._with_button(None, "受理并交办", number=str(number)),
                                  f"{number}: no center card")
        t.center = center.at - confirmed
        accepted = await self._click(center, "受理并交办")
        task = await self._wait(lambda: self._with_button(None, "签收", title=f"交办任务 {number}"),
                                f"{number}: no task card")
        t.officer = task.at - accepted
        t.total = task.at - start
        return t
