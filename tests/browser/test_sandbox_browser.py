"""The sandbox in a real browser (Debian's Chromium, driven by Playwright): the full story, with
screenshots saved under test-artifacts/."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.test_sandbox import sandbox_serve

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
    """The sandbox as tests/test_sandbox.py serves it: from the next working day's 09:00, whatever the hour."""
    with sandbox_serve(tmp_path) as served:
        yield served.page.base, {name: str(p["id"]) for name, p in served.page.people.items()}


def _photo() -> bytes:
    """A real picture, as a phone would send (the page decodes and shrinks it before sending)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 160, 90)).save(out, format="PNG")
    return out.getvalue()


async def test_full_story_in_the_browser(sandbox: tuple[str, dict[str, str]]) -> None:
    """A day played with the page's own controls only: a report with a photo, the 协议书 downloaded, the
    clock moved to the next working morning (the roster names who is on duty), an hour at a time into quiet
    hours (the header says what is held), then day by day until the secretary supervises."""
    _need_browser()
    from playwright.async_api import async_playwright, expect

    ARTIFACTS.mkdir(exist_ok=True)
    base, people = sandbox
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        await page.goto(base)

        async def be(name: str, platform: str | None = None) -> None:
            await page.select_option("#persona", people[name])
            if platform:
                await page.select_option("#platform", platform)
            # the page shows a chat after its answer arrives: wait for this person's, not the last one's
            await page.locator(f'#messages[data-staff="{people[name]}"]').wait_for(timeout=20_000)

        async def say(text: str) -> None:
            await page.fill("#text", text)
            await page.click("#composer button")

        async def click(label: str) -> None:
            await page.locator("#messages button", has_text=label).last.click()

        async def expect_text(text: str, seconds: float = 20) -> None:
            await page.locator("#messages", has_text=text).wait_for(timeout=seconds * 1000)

        async def rendered_markup() -> int:
            """No raw markup on screen; how many coloured spans the page made of <font color=…>."""
            shown = await page.locator("main").inner_text()
            assert "<font" not in shown and "&lt;" not in shown, shown[-500:]
            return await page.locator("main span[style^='color:']").count()

        async def jump(button: str) -> str:
            """Press a clock button and wait until the header shows the new time."""
            before = await page.locator("#now").inner_text()
            await page.click(button)
            await expect(page.locator("#now")).not_to_have_text(before, timeout=20_000)
            return await page.locator("#now").inner_text()

        await expect(page.locator("#now")).to_contain_text("模拟时间 ")
        year = (await page.locator("#now").inner_text()).split()[1][:4]  # case numbers carry the sandbox's year
        await be("周小梅")
        await say("荷花村两户人家因为院墙滴水吵了好几天")
        await expect_text("确认上报")
        await page.set_input_files("#photo", {"name": "院墙.png", "mimeType": "image/png", "buffer": _photo()})
        await expect_text("[照片] 院墙.png")
        await page.locator("#messages .card", has_text="附件").last.wait_for(timeout=20_000)
        await page.screenshot(path=str(ARTIFACTS / "1-grid-worker-draft.png"))
        await click("确认上报")
        await expect_text(f"{year}-0001")
        await be("林晓")
        await expect_text("受理并交办")
        await page.screenshot(path=str(ARTIFACTS / "2-dispatcher-card.png"))
        await click("受理并交办")
        await be("赵敏")
        await expect_text("签收")
        await click("签收")
        await expect_text("反馈进展")
        await say("协议 0001 李四家加装接水槽,张三不再追究")
        link = page.locator("#messages .file a", has_text="协议书").last
        await link.wait_for(timeout=20_000)
        async with page.expect_download() as info:
            await link.click()
        assert (await info.value).suggested_filename.endswith(".docx")
        await say("办结 0001 双方达成调解协议,院墙加装接水槽")
        await expect_text("已办结(牵头)")  # the task card's final state
        coloured = await rendered_markup()
        await be("周小梅")
        await expect_text("已办结")
        coloured += await rendered_markup()
        await be("唐志刚")  # the village's liaison leader: a 抄送 card, a markdown message with <font color>
        await expect_text("抄送")
        coloured += await rendered_markup()
        await page.screenshot(path=str(ARTIFACTS / "3-reporter-result.png"))
        await be("郑丽", "dingtalk")
        await say("两户村民因为宅基地地界争吵")
        await click("确认上报")
        await expect_text(f"{year}-0002")
        await be("林晓")
        await page.locator("#messages button", has_text="受理并交办").last.wait_for()
        await click("受理并交办")

        assert " 09:0" in await jump("#jump-morning")
        roster = page.locator("#groups .bubble", has_text="【今日值班】").last
        await roster.wait_for(timeout=60_000)
        assert "值班领导 " in await roster.inner_text()  # the demo roster follows today: names, not 未排班
        await page.locator("#groups img").first.wait_for(timeout=60_000)  # the digest's chart
        for _ in range(16):  # an hour at a time, into the evening's quiet hours
            if await page.locator("#quiet").inner_text():
                break
            await jump("#jump-hour")
        await expect(page.locator("#quiet")).to_contain_text("免打扰时段", timeout=20_000)
        await page.screenshot(path=str(ARTIFACTS / "4-quiet-hours.png"))
        await jump("#jump-morning")
        await expect(page.locator("#quiet")).to_have_text("")
        for _ in range(10):
            await jump("#jump")
        await be("韩卫国")
        await expect_text("书记督办", seconds=90)  # ten simulated mornings: rosters, digests with charts, jobs
        await page.screenshot(path=str(ARTIFACTS / "5-secretary-supervision.png"))
        coloured += await rendered_markup()
        assert coloured  # the platform's <font color> markup (in these chats) came out as coloured text
        await browser.close()
