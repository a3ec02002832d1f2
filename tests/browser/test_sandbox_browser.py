"""The sandbox in a real browser (Debian's Chromium, driven by Playwright): the full story, with
screenshots saved under test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.test_cli import ROOT, _free_port, _wait_healthy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _need_browser() -> None:
    reason = ""
    try:
        import playwright  # noqa: F401
    except ImportError:
        reason = "playwright is not installed"
    if not os.path.exists(CHROMIUM):
        reason = "Debian's chromium is not installed (apt-get install chromium)"
    if reason:
        if IN_CI:
            pytest.fail(reason + " (required under CI)")
        pytest.skip(reason)


@pytest.fixture
def sandbox(tmp_path):
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MAOTIAO_HTTP_PORT": str(port),
           "MAOTIAO_DB_URL": f"sqlite://{tmp_path / 'sb.sqlite3'}", "NO_PROXY": "127.0.0.1,localhost",
           "PYTHONPATH": str(ROOT)}  # this checkout's code, not an installed copy
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  a pipe nobody reads would fill and block serve
    proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    _wait_healthy(proc, port)
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + "/sandbox/api/personas", timeout=10) as resp:
        people = {p["name"]: str(p["id"]) for p in json.loads(resp.read())}
    yield base, people
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    log.close()


async def test_full_story_in_the_browser(sandbox: tuple[str, dict[str, str]]) -> None:
    _need_browser()
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    base, people = sandbox
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await page.goto(base)

        async def be(name: str, platform: str | None = None) -> None:
            await page.select_option("#persona", people[name])
            if platform:
                await page.select_option("#platform", platform)

        async def say(text: str) -> None:
            await page.fill("#text", text)
            await page.click("#composer button")

        async def click(label: str) -> None:
            await page.locator("#messages button", has_text=label).last.click()

        async def expect(text: str, seconds: float = 20) -> None:
            await page.locator("#messages", has_text=text).wait_for(timeout=seconds * 1000)

        await be("周小梅")
        await say("荷花村两户人家因为院墙滴水吵了好几天")
        await expect("确认上报")
        await page.screenshot(path=str(ARTIFACTS / "1-grid-worker-draft.png"))
        await click("确认上报")
        await expect("2026-0001")
        await be("林晓")
        await expect("受理并交办")
        await page.screenshot(path=str(ARTIFACTS / "2-dispatcher-card.png"))
        await click("受理并交办")
        await be("赵敏")
        await expect("签收")
        await click("签收")
        await expect("反馈进展")
        await say("办结 0001 双方达成调解协议,院墙加装接水槽")
        await be("周小梅")
        await expect("已办结")
        await page.screenshot(path=str(ARTIFACTS / "3-reporter-result.png"))
        await be("郑丽", "dingtalk")
        await say("两户村民因为宅基地地界争吵")
        await click("确认上报")
        await expect("2026-0002")
        await be("林晓")
        await page.locator("#messages button", has_text="受理并交办").last.wait_for()
        await click("受理并交办")
        now = await page.evaluate("fetch('/sandbox/api/chat?staff=" + people["林晓"] + "').then(r => r.json())")
        hour = int(now["now"][11:13])
        await page.evaluate(f"fetch('/sandbox/api/clock', {{method: 'POST', headers: {{'Content-Type': "
                            f"'application/json'}}, body: JSON.stringify({{hours: {(10 - hour) % 24 or 24}}})}})")
        for _ in range(10):
            await page.click("#jump")
            await page.wait_for_timeout(300)
        await be("韩卫国")
        await expect("书记督办", seconds=90)  # ten simulated mornings: rosters, digests with charts, jobs
        await page.screenshot(path=str(ARTIFACTS / "4-secretary-supervision.png"))
        await browser.close()
