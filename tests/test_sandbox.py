"""`maotiao serve` with no credentials: the sandbox plays the whole story through the fake platforms,
the real WeCom callback and the real DingTalk Stream SDK, driven over its HTTP page API."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.test_cli import ROOT, _free_port, _wait_healthy

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)  # what the page sends: a (shrunk) JPEG


class Page:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.people = {p["name"]: p for p in self.get("/sandbox/api/personas")}

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=10) as resp:
            return json.loads(resp.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def chat(self, name: str) -> dict[str, Any]:
        return self.get(f"/sandbox/api/chat?staff={self.people[name]['id']}")

    def wait_for(self, name: str, predicate: Any, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for m in reversed(self.chat(name)["messages"]):
                if predicate(m):
                    return m
            time.sleep(0.2)
        raise AssertionError(f"{name} never saw {what}: {self.chat(name)['messages'][-3:]}")

    def wait_group(self, group: str, platform: str, text: str) -> None:
        deadline, found = time.monotonic() + 20, []
        while time.monotonic() < deadline:
            found = next(g["messages"] for g in self.chat("林晓")["groups"] if g["name"] == group)
            if any(m["platform"] == platform and text in m["text"] for m in found):
                return
            time.sleep(0.2)
        raise AssertionError(f"{group} never got {text} on {platform}: {found[-3:]}")

    def fetch(self, path: str) -> tuple[bytes, dict[str, str]]:
        with urllib.request.urlopen(self.base + path, timeout=10) as resp:
            return resp.read(), dict(resp.headers)

    def refused(self, path: str, body: dict[str, Any]) -> int:
        try:
            self.post(path, body)
        except urllib.error.HTTPError as exc:
            return exc.code
        return 200

    def say(self, name: str, text: str, platform: str = "wecom") -> None:
        self.post("/sandbox/api/say", {"staff": self.people[name]["id"], "platform": platform, "text": text})

    def click(self, name: str, label: str) -> None:
        card = self.wait_for(name, lambda m: m.get("card") and any(b["text"] == label for b in m["card"]["buttons"]),
                             f"a card with {label}")
        key = next(b["key"] for b in card["card"]["buttons"] if b["text"] == label)
        self.post("/sandbox/api/click", {"staff": self.people[name]["id"], "platform": card["platform"],
                                         "card": card["card"]["id"], "key": key})


@dataclass
class Served:
    page: Page
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")


def faked_clock() -> dict[str, str]:
    """libfaketime's variables, for a child given an environment of its own: a suite run under `faketime` (to
    try it at New Year or in quiet hours) must move serve's clock too, not only the test's."""
    return {k: v for k, v in os.environ.items() if k.startswith("FAKETIME") or k == "LD_PRELOAD"}


@contextmanager
def sandbox_serve(tmp_path: Path) -> Iterator[Served]:
    """`maotiao serve` as a newcomer starts it (no credentials: the sandbox), this checkout's code, its output in
    a file; stopped with Ctrl-C, and it must stop cleanly.

    The sandbox starts on the wall clock, so a test begun at 22:00 Beijing time would run in quiet hours, where
    reminders and 抄送 notices are rightly held: every test starts from the next working day's 09:00 instead,
    with the page's own "到下一个工作日早上 9 点" jump, and so never depends on the hour CI runs at."""
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MAOTIAO_HTTP_PORT": str(port),
           "MAOTIAO_DB_URL": f"sqlite://{tmp_path / 'sb.sqlite3'}", "NO_PROXY": "127.0.0.1,localhost",
           "PYTHONPATH": str(ROOT),  # this checkout's code, not an installed copy
           **faked_clock()}
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:  # a file: a pipe nobody reads would fill and block serve
        proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=tmp_path,
                                stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            _wait_healthy(proc, port)
            page = Page(port)
            page.post("/sandbox/api/clock", {"jump": "workday_morning"})
            yield Served(page, log_path)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    assert proc.returncode == 0, log_path.read_text(encoding="utf-8")[-2000:]


def test_the_whole_story_in_the_sandbox(tmp_path) -> None:
    with sandbox_serve(tmp_path) as served:
        page = served.page
        assert "演示沙箱" in urllib.request.urlopen(page.base + "/", timeout=10).read().decode()
        year = page.chat("周小梅")["now"][:4]  # the sandbox runs on today's date: case numbers carry its year
        page.say("周小梅", "两户人家因为院墙滴水吵了好几天")
        page.wait_for("周小梅", lambda m: m.get("card") is not None, "the draft")
        page.post("/sandbox/api/photo", {"staff": page.people["周小梅"]["id"], "platform": "wecom",
                                         "name": "院墙.jpg", "data": base64.b64encode(JPEG).decode()})
        page.wait_for("周小梅", lambda m: m.get("card") and ["附件", "1个"] in m["card"]["fields"],
                      "the photo joining the draft")
        assert page.refused("/sandbox/api/photo", {"staff": page.people["周小梅"]["id"], "platform": "wecom",
                                                   "data": base64.b64encode(b"MZ not a photo").decode()}) == 400
        page.click("周小梅", "确认上报")
        page.wait_for("周小梅", lambda m: f"{year}-" in (m.get("text") or ""), "the case number")
        page.click("林晓", "受理并交办")
        page.click("赵敏", "签收")
        page.wait_for("赵敏", lambda m: m.get("card") and any(b["text"] == "办结" for b in m["card"]["buttons"]),
                      "the task card updated with 办结")
        page.say("赵敏", "协议 0001 双方同意加装接水槽,互不追究")
        sent = page.wait_for("赵敏", lambda m: m.get("file") is not None, "the 协议书 as a file")
        assert sent["file"]["name"].endswith(".docx") and "协议书" in sent["file"]["name"]
        data, headers = page.fetch(sent["file"]["url"])
        assert data[:2] == b"PK" and "attachment" in headers["Content-Disposition"]
        page.say("赵敏", "办结 0001 双方达成调解协议")
        page.wait_for("周小梅", lambda m: "已办结" in (m.get("text") or ""), "the result")
        # 浙政钉: typed on the action page (entered through 免登), answered as a work notification
        page.say("马丽", "我的待办", platform="zwdd")
        page.wait_for("马丽", lambda m: m["platform"] == "zwdd" and "待办" in (m.get("text") or ""), "a 浙政钉 reply")
        # a second case is left open; the clock jumps until it is overdue and reaches the secretary
        page.say("郑丽", "两户村民因为宅基地地界争吵", platform="dingtalk")
        page.click("郑丽", "确认上报")
        page.click("林晓", "受理并交办")
        hour = int(page.chat("林晓")["now"][11:13])
        page.post("/sandbox/api/clock", {"hours": (10 - hour) % 24 or 24})  # daytime: no quiet hours
        for _ in range(10):
            page.post("/sandbox/api/clock", {"hours": 24})
        page.wait_for("韩卫国", lambda m: "书记督办" in (m.get("text") or "") or "督办" in json.dumps(m, ensure_ascii=False),
                      "the supervision notice")
        # the sandbox made the demo groups in its fake WeCom as the app would, so group messages arrive there
        page.wait_group("茶园乡矛调工作群", "wecom", "【今日值班】")
        ledger = page.get(f"/sandbox/api/ledger?staff={page.people['林晓']['id']}")
        assert {c["number"] for c in ledger} >= {f"{year}-0001", f"{year}-0002"}
        assert any("发来证据:照片" in line for c in ledger for line in c["timeline"])
        seen = [m.get("text") or "" for name in page.people for m in page.chat(name)["messages"]]
        assert any("<font" in t for t in seen)  # the platform's markup, which the page renders (browser test)
    out = served.log()
    assert "sandbox" in out and "not created" not in out
    assert "POST /sandbox/api/say" in out and "/sandbox/api/chat" not in out  # the page's polls are not logged


def test_a_day_from_the_small_hours_with_quiet_hours_and_the_roster(tmp_path) -> None:
    """From whatever time it is: jump into quiet hours (the page says what is held), an hour on, then to the
    next working day's 09:00, where the morning roster names the people on duty (the demo roster follows
    today), and the daily digest says 无新增 rather than sending a blank chart."""
    with sandbox_serve(tmp_path) as served:
        page = served.page
        start = page.chat("林晓")
        hour = int(start["now"][11:13])
        moved = page.post("/sandbox/api/clock", {"hours": (3 - hour) % 24 or 24})  # 03:xx
        assert moved["now"][11:13] == "03" and moved["quiet"]["active"]
        assert "免打扰时段(22:00-07:00)" in page.chat("林晓")["quiet"]["text"]
        assert page.post("/sandbox/api/clock", {"jump": "hour"})["now"][11:13] == "04"
        assert page.refused("/sandbox/api/clock", {"jump": "next week"}) == 400
        morning = page.post("/sandbox/api/clock", {"jump": "workday_morning"})
        assert morning["now"][11:16] in ("09:00", "09:01") and not morning["quiet"]["active"]
        page.wait_group("茶园乡矛调工作群", "wecom", "【今日值班】")
        groups = {g["name"]: g["messages"] for g in page.chat("林晓")["groups"]}
        roster = next(m["text"] for m in groups["茶园乡矛调工作群"] if "【今日值班】" in m["text"])
        assert "未排班" not in roster and "值班领导 -" not in roster and "值班人员 -" not in roster, roster
        page.wait_group("茶园乡矛调工作群", "wecom", "无新增")
