"""The six task fields chosen on the center's card, end to end on each platform: a case posted to the intake
API reaches the dispatcher's chat as a card; 设定任务 turns it into the form (WeCom: multiple_interaction drop-downs,
two pages of three; DingTalk: presets, the rest in words); the task card shows what was chosen; the reminder goes
at the chosen time by the chosen method (SMS through the provider's fake with the case number and category only,
or DING); the task is in the assignee's DingTalk 待办 under its sourceId. Bad choices change nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.clock import DISPLAY_TZ, ManualClock
from core.config import load_settings
from core.enums import CaseStatus
from core.models import Case, Department, Staff, Task
from integrations.aliyun_sms.sender import AliyunSms
from integrations.sandbox.aliyun_sms import FakeAliyunSms
from maotiao.server import build_app
from scheduler.jobs import remind_task
from tests.integrations.dingtalk_rig import dingtalk_rig
from tests.integrations.wecom_rig import WeComRig, wecom_rig

HOTLINE = "hotline-secret-0123456789"
NEIGHBOURS = "荷花村两户人家因为院墙滴水吵了好几天,今天又吵到村委会"


@pytest.fixture
async def sms() -> AsyncIterator[FakeAliyunSms]:
    fake = FakeAliyunSms()
    await fake.start()
    yield fake
    await fake.aclose()


@pytest.fixture
async def api(org, domain) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    async with TestClient(TestServer(build_app(load_settings(api_keys=f"hotline:{HOTLINE}"), domain))) as c:
        yield c


async def _post_case(api: TestClient) -> str:
    resp = await api.post("/api/v1/cases", json={"content": NEIGHBOURS, "location": "荷花村", "external_id": "12345-9"},
                          headers={"Authorization": f"Bearer {HOTLINE}"})
    assert resp.status == 201, await resp.text()
    return str((await resp.json())["number"])


async def _arrives(settle, seen) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `seen()` holds, driving delivery as the scheduler does; fails after 10 s."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not seen():
        assert loop.time() - start < 10, "the dispatcher's card did not arrive within seconds"
        await settle()
    return loop.time() - start


def _horizontal(body: dict) -> dict[str, str]:  # type: ignore[type-arg]
    fields = {h["keyname"]: h["value"] for h in body.get("horizontal_content_list", [])}
    for line in str(body.get("sub_title_text", "")).splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key, value)
    return fields


async def _form_on_wecom(rig: WeComRig, number: str) -> None:
    await _arrives(rig.settle, lambda: any(number in json.dumps(m.body, ensure_ascii=False)
                                           for m in rig.fake.card_messages("linx")))
    await rig.click("linx", "设定任务")
    page1 = rig.form("linx")
    assert [q["title"] for q in page1.body["select_list"]] == ["执行人", "抄送人", "截止时间"]
    deadlines = next(q for q in page1.body["select_list"] if q["question_key"] == "d")
    assert deadlines["selected_id"] == "5w"  # the org file's default for a general case, preselected
    assert {o["text"] for o in deadlines["option_list"]} >= {"1个工作日", "3个工作日", "5个工作日", "10个工作日"}


async def test_wecom_dispatch_with_all_six_fields_from_the_card_and_the_sms_reminder(
        org, domain, api: TestClient, sms: FakeAliyunSms, clock: ManualClock) -> None:
    async with wecom_rig(domain) as rig:
        sender = AliyunSms(sms.settings())
        rig.registry.sms = sender
        number = await _post_case(api)
        await _form_on_wecom(rig, number)
        judicial = await Department.get(name="司法所")
        sun = await Staff.get(name="孙婷")
        await rig.submit("linx", a=f"d{judicial.id}", c=f"s{sun.id}", d="3w")
        page2 = rig.form("linx")
        assert [q["title"] for q in page2.body["select_list"]] == ["提醒时间(截止前)", "提醒方式"]
        assert "司法所" in page2.body["main_title"]["desc"] and "孙婷" in page2.body["main_title"]["desc"]
        assert not await Task.exists(case__number=number)  # nothing happens before the second page is sent
        await rig.submit("linx", r="1d", m="sms")
        task = await Task.get(case__number=number)
        assert (task.cc, task.reminder_method) == ([sun.id], "sms")
        deadline = task.deadline.astimezone(DISPLAY_TZ)
        assert (deadline.month, deadline.day, deadline.hour) == (11, 26, 18)  # 3 working days from Monday
        assert task.remind_at is not None and task.deadline - task.remind_at == timedelta(days=1)
        shown = _horizontal(rig.card("zhaom", "签收").body)
        assert shown["抄送"] == "孙婷" and shown["截止时间"].startswith("2026-11-26")
        assert shown["提醒"].startswith("2026-11-25") and shown["提醒"].endswith("(短信)")
        assert shown["诉求内容"].startswith("荷花村两户人家")
        center = rig.fake.cards[page2.body["task_id"]].body  # the form became the center card again
        assert center["card_type"] == "button_interaction" and "承办" in _horizontal(center)
        clock.set(task.remind_at - timedelta(minutes=1))
        assert not await remind_task(domain, task.id)  # not before the chosen time
        clock.set(task.remind_at + timedelta(minutes=1))
        assert await remind_task(domain, task.id)
        await rig.settle()
        assert sms.sent == [{"phone": "13800000101", "params": {"number": number, "category": "邻里纠纷"},
                             "out_id": sms.sent[0]["out_id"]}]
        assert any("【到期提醒】" in t for t in rig.fake.texts("zhaom"))
        await sender.aclose()


@pytest.mark.parametrize("case", ["reminder_after_deadline", "department_closed", "cc_left"])
async def test_a_bad_choice_on_the_wecom_form_is_answered_in_chinese_and_changes_nothing(
        org, domain, api: TestClient, case: str) -> None:
    async with wecom_rig(domain) as rig:
        number = await _post_case(api)
        await _form_on_wecom(rig, number)
        sun = await Staff.get(name="孙婷")
        await rig.submit("linx", c=f"s{sun.id}", d="1w")
        if case == "department_closed":  # between the two pages: the choice on the card is no longer valid
            await Department.filter(name="司法所").update(active=False)
        if case == "cc_left":
            await Staff.filter(id=sun.id).update(active=False)
        await rig.submit("linx", r="2d" if case == "reminder_after_deadline" else "2h")
        answer = {"reminder_after_deadline": "提醒时间必须在当前时间与截止时间之间",
                  "department_closed": "没有找到承办人或部门「司法所」", "cc_left": "抄送人「孙婷」不在组织名单中"}[case]
        assert any(answer in t for t in rig.fake.texts("linx")), rig.fake.texts("linx")
        found = await Case.get(number=number)
        assert found.status == CaseStatus.REPORTED and not await Task.exists(case_id=found.id)
        assert rig.form("linx").body["select_list"][0]["title"] == "执行人"  # the form again, to choose anew


async def test_dingtalk_dispatch_from_the_card_presets_dings_at_the_reminder_and_makes_the_todo(
        org, domain, api: TestClient, clock: ManualClock) -> None:
    async with dingtalk_rig(domain) as rig:
        number = await _post_case(api)
        await _arrives(rig.settle, lambda: any(number in json.dumps(p, ensure_ascii=False)
                                               for _, p in rig.fake.user_cards("dt2001")))
        await rig.click("dt2001", "设定任务")
        _, form = rig.card("dt2001", "默认+加急提醒")
        assert "交办 " in form["note"] and "诉求" in form["note"]  # the rest is set in words, said on the card
        shown = {f["label"]: f["value"] for f in json.loads(form["fields"])}
        assert (shown["执行人"], shown["截止时间"], shown["抄送人"]) == ("司法所", "5个工作日", "按规则(唐志刚)")
        await rig.click("dt2001", "默认+加急提醒")
        task = await Task.get(case__number=number)
        assert task.reminder_method == "urgent" and task.remind_at is not None
        _, card = rig.card("dt2101", "签收")
        fields = {f["label"]: f["value"] for f in json.loads(card["fields"])}
        assert fields["提醒"].endswith("(加急)") and fields["截止时间"].startswith("2026-11-30")
        todo, = rig.fake.todos_of("dt2101")
        assert todo["sourceId"] == f"maotiao-task-{task.id}"
        assert not any("到期提醒" in d["content"] for d in rig.fake.dings)  # the task card was DINGed, no reminder yet
        clock.set(task.remind_at + timedelta(minutes=1))
        assert await remind_task(domain, task.id)
        await rig.settle()
        assert any(d["remindType"] == 1 and d["receiverUserIdList"] == ["dt2101"] and "到期提醒" in d["content"]
                   for d in rig.fake.dings)
