"""One officer's task on 浙政钉 in a real browser: the work notification's link opens the action page, where
she signs and closes the task with the page's own buttons and text box (no script on that page)."""

from __future__ import annotations

import json

from tests.browser.test_sandbox_browser import ARTIFACTS, CHROMIUM, FLAGS, _need_browser, sandbox  # noqa: F401

REPORT = "新河社区养殖场把污水直接排进河道,河水发黑发臭,附近村民意见很大"


async def test_an_officer_on_zwdd_signs_and_closes_her_task_on_the_action_page(
        sandbox: tuple[str, dict[str, str]]) -> None:  # noqa: F811
    _need_browser()
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    base, people = sandbox
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        await page.goto(base)

        async def api(path: str, body: dict[str, object] | None = None) -> object:
            if body is None:
                return await page.evaluate(f"fetch({json.dumps(path)}).then(r => r.json())")
            return await page.evaluate(
                f"fetch({json.dumps(path)}, {{method: 'POST', headers: {{'Content-Type': 'application/json'}}, "
                f"body: {json.dumps(json.dumps(body))}}}).then(r => r.json())")

        async def cards(name: str, platform: str) -> list[dict[str, object]]:
            chat = await api(f"/sandbox/api/chat?staff={people[name]}")
            assert isinstance(chat, dict)
            return [m["card"] for m in chat["messages"] if m.get("card") and m["platform"] == platform]

        async def wait_card(name: str, platform: str, label: str) -> dict[str, object]:
            for _ in range(100):
                found = [c for c in await cards(name, platform) if any(b["text"] == label for b in c["buttons"])]
                if found:
                    return found[-1]
                await page.wait_for_timeout(200)
            raise AssertionError(f"{name} got no {platform} card with {label}")

        await api("/sandbox/api/say", {"staff": int(people["马丽"]), "platform": "zwdd", "text": "我的待办"})
        await api("/sandbox/api/say", {"staff": int(people["冯建"]), "platform": "wecom", "text": REPORT})
        draft = await wait_card("冯建", "wecom", "确认上报")
        await api("/sandbox/api/click", {"staff": int(people["冯建"]), "platform": "wecom", "card": draft["id"],
                                         "key": next(b["key"] for b in draft["buttons"] if b["text"] == "确认上报")})
        center = await wait_card("林晓", "wecom", "受理并交办")
        await api("/sandbox/api/click", {"staff": int(people["林晓"]), "platform": "wecom", "card": center["id"],
                                         "key": next(b["key"] for b in center["buttons"] if b["text"] == "受理并交办")})
        task = await wait_card("马丽", "zwdd", "签收")
        await page.goto(str(task["url"]))  # she taps the work notification
        await page.screenshot(path=str(ARTIFACTS / "zwdd-1-task-page.png"))
        await page.locator("button", has_text="签收").click()
        await page.locator(".reply").first.wait_for()
        await page.locator("button", has_text="办结").click()
        await page.locator(".reply", has_text="办结情况").wait_for()
        await page.fill("textarea", "已责令养殖场停止直排并清理河道,村民认可")
        await page.locator("button", has_text="发送").click()
        await page.locator(".reply", has_text="办结").first.wait_for()
        await page.screenshot(path=str(ARTIFACTS / "zwdd-2-resolved.png"))
        await page.goto(str(task["url"]))
        assert await page.locator("form button", has_text="签收").count() == 0
        await page.locator("text=此卡片无需再操作").wait_for()
        await browser.close()
