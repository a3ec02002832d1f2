"""浙政钉 end to end: our real channel and signing client against the fake gateway, serve's action page and
免登 entry, and people who open their work notifications' links and press the page's buttons."""

from __future__ import annotations

import re

import httpx

from core.enums import CaseStatus, TaskStatus
from core.models import Case, Identity, InboundEvent, Task
from integrations.sandbox.zwdd_person import buttons, replies
from tests.integrations.zwdd_rig import zwdd_rig

OFFICER = "82106"  # 马丽, 生态环境办, in the demo organisation
REPORT = "新河社区养殖场把污水直接排进河道,河水发黑发臭,附近村民意见很大"


async def _officer_on_zwdd_only() -> None:
    await Identity.filter(staff__name="马丽").exclude(platform="zwdd").delete()


async def test_a_case_moves_between_staff_on_wecom_dingtalk_and_zwdd(org, domain) -> None:
    from tests.integrations.dingtalk_rig import dingtalk_rig
    from tests.integrations.wecom_rig import wecom_rig

    await _officer_on_zwdd_only()
    async with wecom_rig(domain) as wx:
        async with dingtalk_rig(domain, registry=wx.registry) as dt, zwdd_rig(domain, registry=wx.registry) as zw:
            await dt.say("dt2001", "我的待办")  # the dispatcher works on DingTalk today
            await wx.say("fengj", REPORT)  # the grid worker reports on WeCom
            await wx.click("fengj", "确认上报")
            await dt.settle()
            await dt.click("dt2001", "受理并交办")
            await zw.settle()
            task = await Task.get(case__number="2026-0001")
            assert task.status == TaskStatus.PENDING and (await task.assignee).name == "马丽"
            todos = zw.fake.open_todos(OFFICER)  # also in her 浙政钉 待办, opening the case page
            assert len(todos) == 1 and "/case?token=" in todos[0]["url"]
            # the task card is a work notification whose link opens the card as a page with its buttons
            page = await zw.person.open(zw.url(OFFICER, "签收"))
            assert page.status_code == 200 and set(buttons(page.text)) >= {"签收", "退回"}
            signed = await zw.click(OFFICER, "签收")
            assert (await Task.get(id=task.id)).status == TaskStatus.SIGNED
            assert "签收" in "".join(replies(signed.text))
            asked = await zw.person.press(str(signed.url), "办结")
            assert asked is not None and any("办结情况" in r for r in replies(asked.text))
            done = await zw.person.write(asked, "已责令养殖场停止直排并清理河道,村民认可")
            assert done.status_code == 200
            await wx.settle()
            assert (await Task.get(id=task.id)).status == TaskStatus.RESOLVED
            await zw.settle()
            assert zw.fake.open_todos(OFFICER) == []  # the 待办 is finished with the task
            assert any("已办结" in t for t in wx.fake.texts("fengj"))  # the reporter hears it on WeCom
            closed = await zw.person.open(str(signed.url))
            assert buttons(closed.text) == {}  # the card's actions no longer apply: no buttons left


async def test_a_report_typed_on_the_zwdd_page_after_mianding_becomes_a_draft(org, domain) -> None:
    await Identity.create(staff_id=(await Identity.get(external_id="fengj")).staff_id, platform="zwdd",
                          external_id="81004")
    async with zwdd_rig(domain) as zw:
        home = await zw.person.home("81004")
        assert home.status_code == 200 and "我的待办" in home.text
        await zw.person.write(home, REPORT)
        await zw.settle()
        draft_page = await zw.person.open(zw.url("81004", "确认上报"))
        await zw.person.press(str(draft_page.url), "确认上报")
        await zw.settle()
        assert await Case.filter(status=CaseStatus.REPORTED).count() == 1


async def test_the_same_form_sent_twice_acts_once(org, domain) -> None:
    from tests.integrations.wecom_rig import wecom_rig

    await _officer_on_zwdd_only()
    async with wecom_rig(domain) as wx, zwdd_rig(domain, registry=wx.registry) as zw:
        await wx.say("fengj", REPORT)
        await wx.click("fengj", "确认上报")
        await wx.click("linx", "受理并交办")
        await zw.settle()
        page = await zw.person.open(zw.url(OFFICER, "签收"))
        form = buttons(page.text)["签收"]
        first = await zw.person.client.post(str(page.url), data=form)
        again = await zw.person.client.post(str(page.url), data=form)  # a double tap, a reload
        assert first.status_code == again.status_code == 200
        assert any("已提交过" in r for r in replies(again.text))
        assert await InboundEvent.filter(platform="zwdd").count() == 1


async def test_forged_or_foreign_action_page_requests_change_nothing(org, domain) -> None:
    from tests.integrations.wecom_rig import wecom_rig

    await _officer_on_zwdd_only()
    async with wecom_rig(domain) as wx, zwdd_rig(domain, registry=wx.registry) as zw:
        await wx.say("fengj", REPORT)
        await wx.click("fengj", "确认上报")
        await wx.click("linx", "受理并交办")
        await zw.settle()
        url = zw.url(OFFICER, "签收")
        page = await zw.person.open(url)
        form = buttons(page.text)["签收"]
        token = form["token"]
        c = zw.person.client
        staff, link, rest = token.split(".", 2)
        tampered = f"{staff}.{int(link) + 1}.{rest}"
        assert (await c.get(f"{zw.base}/act", params={"token": tampered})).status_code == 403
        assert (await c.get(f"{zw.base}/act", params={"token": "x" * 60})).status_code == 403
        assert (await c.post(f"{zw.base}/act", data={**form, "token": tampered})).status_code == 403
        foreign = re.sub(r":\d+$", ":1", form["act"])  # the same button on someone else's card
        assert (await c.post(str(page.url), data={**form, "act": foreign})).status_code == 403
        assert (await c.post(str(page.url), data={**form, "form": "0" * 24 + "." + "A" * 43})).status_code == 400
        assert (await c.post(str(page.url), data={**form, "act": "\x00nonsense"})).status_code == 400
        for junk in (b"", b"--x\r\nnot a part", b"\x00" * 64):  # a multipart body without its boundary: 400
            bad = await c.post(f"{zw.base}/act", content=junk, headers={"Content-Type": "multipart/form-data; boundary=x"})
            assert bad.status_code == 400 and "表单无效" in bad.text
        assert (await Task.get(case__number="2026-0001")).status == TaskStatus.PENDING
        # 免登: a used code, an account that is not staff
        code = zw.fake.issue_code(OFFICER)
        ok = await c.get(f"{zw.base}/zwdd/login", params={"authCode": code})
        assert ok.status_code == 303 and "/act?token=" in ok.headers["Location"]
        assert (await c.get(f"{zw.base}/zwdd/login", params={"authCode": code})).status_code == 403
        stranger = zw.fake.issue_code("99999")
        assert (await c.get(f"{zw.base}/zwdd/login", params={"authCode": stranger})).status_code == 403
        assert (await c.get(f"{zw.base}/zwdd/login")).status_code == 400


def test_zwdd_needs_links_to_run() -> None:
    from integrations.registry import Platforms
    from integrations.zwdd import ZWDD
    from integrations.zwdd.config import load_zwdd

    platforms = Platforms()
    platforms.settings[ZWDD] = load_zwdd(app_key="k", app_secret="s", tenant_id="1", sender_id="2")
    assert platforms.need_links() == ["浙政钉"]
    assert isinstance(httpx.Response(200), httpx.Response)
