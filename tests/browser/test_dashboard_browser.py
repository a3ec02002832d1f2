"""The 综合信息指挥室 screen in a real browser (Debian's Chromium through Playwright): sign-in, the tiles,
the village tree, auto-refresh, a phone-sized screen, and no personal data anywhere on the page."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from maotiao.dashboard import hash_password
from tests.browser.test_sandbox_browser import ARTIFACTS, CHROMIUM, FLAGS, _need_browser
from tests.test_cli import _free_port, _wait_healthy
from tests.test_sandbox import Page, faked_clock

PASSWORD = "zhihuishi-2026"
SECRET_NAME, SECRET_PHONE = "欧阳锋", "13912345678"


def _post_case(base: str, text: str, n: int) -> None:
    body = {"content": f"{text},当事人{SECRET_NAME}电话{SECRET_PHONE}", "location": "荷花村", "category": "neighbor",
            "external_id": f"screen-{n}", "parties": [{"name": SECRET_NAME, "phone": SECRET_PHONE}]}
    req = urllib.request.Request(base + "/api/v1/cases", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer screen-test-secret-2026", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201


@pytest.fixture
def served(tmp_path):
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "MAOTIAO_HTTP_PORT": str(port),
           "MAOTIAO_DB_URL": f"sqlite://{tmp_path / 'screen.sqlite3'}", "NO_PROXY": "127.0.0.1,localhost",
           "MAOTIAO_API_KEYS": "hotline:screen-test-secret-2026", "MAOTIAO_DASHBOARD_PASSWORD_HASH": hash_password(PASSWORD),
           **faked_clock()}
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115  a pipe nobody reads would fill and block serve
    proc = subprocess.Popen([sys.executable, "-m", "maotiao", "serve"], env=env, cwd=tmp_path, stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    _wait_healthy(proc, port)
    # The tiles count today's cases (Beijing time): begun just before midnight, the test's cases would be
    # yesterday's by the time the page shows them. The sandbox's clock starts at the next working day's 09:00.
    Page(port).post("/sandbox/api/clock", {"jump": "workday_morning"})
    base = f"http://127.0.0.1:{port}"
    for i, text in enumerate(("院墙滴水", "过道宽窄", "噪音扰民")):
        _post_case(base, text, i)
    yield base
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    log.close()


async def test_center_screen_in_the_browser(served: str) -> None:
    _need_browser()
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport={"width": 1600, "height": 900})
        page = await context.new_page()
        await page.goto(served + "/dashboard?refresh=2")
        await page.locator("#login").wait_for()
        await page.fill("#password", "not-the-password")
        await page.click("#login button")
        await page.locator("#login-error", has_text="密码错误").wait_for()
        await page.fill("#password", PASSWORD)
        await page.click("#login button")
        await page.locator("#t-new", has_text="3").wait_for(timeout=20_000)
        cookie = next(c for c in await context.cookies() if c["name"] == "maotiao_dashboard")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/dashboard"
        assert await page.evaluate("document.cookie") == ""  # not readable from scripts
        village = page.locator(".v[data-village='荷花村']")
        assert (await village.inner_text()).startswith("3")
        assert "茶园乡社会矛盾纠纷调处化解中心" in await page.inner_text("#center")
        await page.locator("#trend polyline").first.wait_for()
        await page.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"), full_page=True)
        _post_case(served, "楼上漏水", 9)
        await page.locator("#t-new", has_text="4").wait_for(timeout=30_000)  # auto-refresh, no reload
        text = await page.inner_text("body")
        html = await page.content()
        for leak in (SECRET_NAME, SECRET_PHONE, "院墙滴水", "噪音扰民"):
            assert leak not in text and leak not in html, leak
        phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        await phone.add_cookies([cookie])  # the same session on a leader's phone
        mobile = await phone.new_page()
        await mobile.goto(served + "/dashboard")
        await mobile.locator("#t-new", has_text="4").wait_for(timeout=20_000)
        width = await mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 400  # no sideways scrolling on a phone
        await mobile.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
        await page.click("#logout")
        await page.locator("#login-error", has_text="已退出").wait_for()
        await page.reload()
        await page.locator("#login").wait_for()
        await browser.close()


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


async def test_villages_are_shaded_by_open_cases_and_outlined_by_their_warning(org, domain, monkeypatch) -> None:
    """What a leader reads off the tree: the more open cases, the redder the village; a village with a
    spike is outlined in its grade's colour; a village with nothing open keeps the quiet colour."""
    _need_browser()
    from aiohttp.test_utils import TestServer
    from playwright.async_api import async_playwright

    from core.config import load_settings
    from maotiao.server import build_app
    from tests.api.test_dashboard import shaded_villages

    monkeypatch.setenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", hash_password(PASSWORD))
    await shaded_villages(domain)
    ARTIFACTS.mkdir(exist_ok=True)
    server = TestServer(build_app(load_settings(), domain), host="127.0.0.1")
    await server.start_server()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page(viewport={"width": 1600, "height": 900})
            await page.goto(str(server.make_url("/dashboard")))
            await page.fill("#password", PASSWORD)
            await page.click("#login button")
            await page.locator(".v[data-village='荷花村']").wait_for(timeout=20_000)
            seen = {}
            for name in ("荷花村", "桂香村", "新河社区"):
                cell = page.locator(f".v[data-village='{name}']")
                style = await cell.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).borderTopColor,"
                                            " e.className, e.querySelector('b').textContent]")
                seen[name] = (_rgb(style[0]), _rgb(style[1]), style[2], style[3])
            await page.locator("#tree").screenshot(path=str(ARTIFACTS / "dashboard-villages.png"))
            await browser.close()
    finally:
        await server.close()
    lotus, osmanthus, river = seen["荷花村"], seen["桂香村"], seen["新河社区"]
    assert (lotus[3], osmanthus[3], river[3]) == ("5", "2", "0")
    assert river[0] == (27, 58, 107)  # nothing open: the panel's quiet blue
    assert lotus[0][0] > osmanthus[0][0] > river[0][0] and lotus[0][2] < osmanthus[0][2] < river[0][2]  # redder with more
    assert lotus[2] == "v w-orange" and lotus[1] == (255, 167, 38)  # 橙色预警 outline
    assert osmanthus[2] == river[2] == "v"  # no warning, no outline class


async def test_signing_in_through_the_chat_platforms_in_the_browser(org, domain, monkeypatch) -> None:
    """Inside DingTalk's app the screen signs a leader in by itself; elsewhere 「企业微信免登」 does it in one click;
    an officer who tries is told why not, and the page does not go round in circles."""
    _need_browser()
    from playwright.async_api import async_playwright

    from tests.api.test_dashboard_signin import signin_rig

    monkeypatch.setenv("MAOTIAO_DASHBOARD_PASSWORD_HASH", hash_password(PASSWORD))
    async with signin_rig(domain) as rig, async_playwright() as pw:
        url = str(rig.client.make_url("/dashboard"))
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        rig.dingtalk.signed_in = "dt3001"  # 唐志刚 is signed in to DingTalk on this phone
        in_app = await browser.new_context(user_agent="Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 DingTalk(7.6.0)",
                                           viewport={"width": 390, "height": 844})
        phone = await in_app.new_page()
        await phone.goto(url)
        await phone.locator("#t-new").wait_for(timeout=20_000)
        await phone.locator("#screen").wait_for(state="visible")
        assert "authCode" not in phone.url and phone.url.endswith("/dashboard")  # the code is not left in history

        desk = await (await browser.new_context(viewport={"width": 1600, "height": 900})).new_page()
        await desk.goto(url)
        await desk.locator("#login").wait_for(state="visible")
        assert await desk.locator("#platforms a").all_inner_texts() == ["企业微信免登", "钉钉免登"]
        rig.wecom.signed_in = "zhouxm"  # 周小梅, a grid worker
        await desk.click("#platforms a[data-platform='wecom']")
        await desk.locator("#login-error", has_text="指挥室大屏仅限中心工作人员和领导查看").wait_for(timeout=20_000)
        assert await desk.locator("#screen").is_hidden()
        rig.wecom.signed_in = "linx"  # 林晓, the center's dispatcher
        await desk.click("#platforms a[data-platform='wecom']")
        await desk.locator("#screen").wait_for(state="visible", timeout=20_000)
        await desk.screenshot(path=str(ARTIFACTS / "dashboard-signin.png"))
        await browser.close()
