"""The six task fields on the center's card in the sandbox (`maotiao serve`, no credentials): the dispatcher
sets them on the card through the page's API, the reminder goes by SMS at the chosen time, and the page's panel
shows the SMS the provider's fake accepted (number masked) and the 待办 the task was mirrored into."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from core.clock import DISPLAY_TZ
from tests.test_sandbox import Page, sandbox_serve


def _submit(page: Page, name: str, card: dict[str, Any], **chosen: str) -> None:
    c = card["card"]
    page.post("/sandbox/api/click", {"staff": page.people[name]["id"], "platform": card["platform"], "card": c["id"],
                                     "key": c["buttons"][-1]["key"], "selected": chosen})


def _set_task_on_the_card(page: Page) -> None:
    page.click("林晓", "设定任务")
    form = page.wait_for("林晓", lambda m: m.get("card") and (m["card"].get("selects") or any(
        b["text"] == "默认+短信提醒" for b in m["card"]["buttons"])), "the form")
    if not form["card"].get("selects"):  # a platform without drop-downs: a preset, the rest in words
        page.click("林晓", "默认+短信提醒")
        return
    _submit(page, "林晓", form, d="3w")
    second = page.wait_for("林晓", lambda m: m.get("card") and any(
        s["key"] == "m" for s in m["card"].get("selects", [])), "the form's second page")
    _submit(page, "林晓", second, r="1d", m="sms")


def _at(shown: str) -> datetime:
    """A time as the sandbox shows it ("2026-12-10 18:00", maybe followed by more) in Beijing time."""
    return datetime.strptime(shown[:16], "%Y-%m-%d %H:%M").replace(tzinfo=DISPLAY_TZ)


def test_a_task_set_on_the_card_in_the_sandbox_shows_its_sms_and_todo(tmp_path) -> None:
    with sandbox_serve(tmp_path) as served:
        page = served.page
        number = page.chat("周小梅")["now"][:4] + "-0001"  # the sandbox runs on today's date
        page.say("周小梅", "两户人家因为院墙滴水吵了好几天")
        page.click("周小梅", "确认上报")
        _set_task_on_the_card(page)
        task = page.wait_for("赵敏", lambda m: m.get("card") and any(b["text"] == "签收" for b in m["card"]["buttons"]),
                             "the task card")
        remind = next(v for k, v in task["card"]["fields"] if k == "提醒")
        assert remind.endswith("(短信)"), remind
        hours = (_at(remind) - _at(page.chat("林晓")["now"])).total_seconds() / 3600
        page.post("/sandbox/api/clock", {"hours": hours + 0.25})  # a quarter of an hour past the reminder
        deadline = time.monotonic() + 30
        outside: dict[str, Any] = page.get("/sandbox/api/outside")
        while not (outside["todos"] and outside["sms"]) and time.monotonic() < deadline:
            time.sleep(0.2)
            outside = page.get("/sandbox/api/outside")
        todo, = outside["todos"]
        assert todo["user"] == "赵敏" and number in todo["subject"] and todo["source_id"].startswith("maotiao-task-")
        sms = outside["sms"][0]
        assert sms["to"] == "赵敏" and "****" in sms["phone"] and sms["params"] == {"number": number,
                                                                                   "category": "邻里纠纷"}
