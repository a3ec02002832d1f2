"""WeCom end to end: real wechatpy encryption, our real callback and channel, a fake WeCom on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.enums import CaseStatus, TaskStatus
from core.models import Case, InboundEvent, OutboxMessage, Task
from integrations.pacing import MemoryRateStore
from integrations.wecom.channel import member_limits
from tests.integrations.wecom_rig import AES_KEY, TOKEN, wecom_rig


async def test_whole_story_on_wecom(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        resp = await rig.say("zhouxm", "荷花村两户人家因为院墙滴水吵了好几天")
        assert resp is not None and resp.status_code == 200 and resp.text == ""
        draft = rig.card("zhouxm", "确认上报")
        assert draft.body["main_title"]["title"] == "请确认上报内容"
        assert {"keyname": "类别", "value": "邻里纠纷"} in draft.body["horizontal_content_list"]
        await rig.click("zhouxm", "确认上报")
        assert any("2026-0001" in t for t in rig.fake.texts("zhouxm"))
        await rig.click("linx", "受理并交办")
        task_card = rig.card("zhaom", "签收")
        await rig.click("zhaom", "签收")
        # the same card, updated in place with the next buttons
        assert task_card.updates, "the task card was not updated in place"
        assert [b["text"] for b in task_card.body["button_list"]] == ["反馈进展", "申请延期", "退回", "办结"]
        assert len(rig.fake.card_messages("zhaom")) == 1
        await rig.say("zhaom", "办结 0001 双方达成调解协议,院墙加装接水槽")
        case = await Case.get(number="2026-0001")
        assert case.status == CaseStatus.RESOLVED
        assert any("已办结" in t and "接水槽" in t for t in rig.fake.texts("zhouxm"))
        assert await OutboxMessage.filter(status__not="sent").count() == 0


async def test_url_verification(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        resp = await rig.member.verify_url()
        assert resp.status_code == 200 and resp.text == resp.extensions["expected"]


async def test_redelivered_callback_has_one_effect(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        xml = rig.member.text_xml("zhouxm", "邻居吵架", msg_id=424242)
        params, body = rig.member.encrypt(xml)
        for _ in range(3):  # WeCom retrying the very same request
            resp = await rig.member.client.post(rig.member.callback_url, params=params, content=body.encode())
            assert resp.status_code == 200
        await rig.settle()
        assert await InboundEvent.all().count() == 1
        assert len(rig.fake.card_messages("zhouxm")) == 1


async def test_repeated_click_event_is_deduped(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "邻居吵架")
        msg = rig.card("zhouxm", "确认上报")
        key = next(b["key"] for b in msg.body["button_list"] if b["text"] == "确认上报")
        xml = rig.member.click_xml("zhouxm", msg.body["task_id"], key, rig.fake.new_code(msg.body["task_id"]),
                                   create_time=1_800_000_000)
        await rig.member.post(xml)
        await rig.member.post(xml)
        await rig.settle()
        assert await Case.all().count() == 1


@pytest.mark.parametrize("forgery", ["signature", "corp_id", "malformed", "stale", "no_params"])
async def test_forged_or_malformed_requests_get_4xx_and_change_nothing(org, domain, forgery: str) -> None:
    from integrations.sandbox.wecom_member import WeComMember

    async with wecom_rig(domain) as rig:
        m = rig.member
        xml = m.text_xml("zhouxm", "伪造的消息")
        if forgery == "corp_id":
            m = WeComMember("wwOTHER", 1, TOKEN, AES_KEY, m.callback_url, m.client)
        params, body = m.encrypt(xml, timestamp="1000000000" if forgery == "stale" else None)
        if forgery == "signature":
            params["msg_signature"] = "0" * 40
        if forgery == "malformed":
            body = "<xml><Encrypt>not base64 at all!!</Encrypt>"
        if forgery == "no_params":
            params = {}
        resp = await m.client.post(m.callback_url, params=params, content=body.encode())
        assert 400 <= resp.status_code < 500
        await rig.settle()
        assert await InboundEvent.all().count() == 0
        assert rig.fake.inbox == {}


async def test_unknown_member_is_told_whom_to_ask(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("nobody01", "你好")
        assert "不是本中心登记的工作人员" in rig.fake.texts("nobody01")[0]
        assert await Case.all().count() == 0


async def test_expired_token_mid_run_is_refreshed(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "邻居吵架")
        rig.fake.expire_tokens()
        await rig.click("zhouxm", "确认上报")
        assert any("2026-0001" in t for t in rig.fake.texts("zhouxm"))
        assert rig.fake.calls.count("gettoken") == 2


async def test_rate_limit_storm_loses_nothing(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        rig.fake.rate_limited = 3  # three 45009 answers in a row
        await rig.say("zhouxm", "邻居吵架")
        assert rig.fake.card_messages("zhouxm") == []
        assert await OutboxMessage.filter(status="pending").count() == 1
        for _ in range(4):
            clock.advance(timedelta(seconds=61))
            await rig.settle()
        assert len(rig.fake.card_messages("zhouxm")) == 1
        assert await OutboxMessage.filter(status="sent").count() == 1


async def test_per_member_pacing_never_exceeds_the_limit(org, domain, clock) -> None:
    """WeCom drops a member's messages past the limit without an error: we must wait instead."""
    async with wecom_rig(domain, rate_per_minute=5) as rig:
        channel = rig.registry.get(rig.registry.platforms[0])
        now = [1000.0]
        channel.rates = MemoryRateStore(now=lambda: now[0])
        channel.limits = member_limits(5, 1000)
        for i in range(8):
            await rig.say("zhouxm", f"补充第{i}条")
        assert rig.fake.dropped_silently == 0 and rig.fake.calls.count("/cgi-bin/message/send") <= 5
        assert await OutboxMessage.filter(status="pending").count() > 0
        now[0] += 61
        clock.advance(timedelta(seconds=61))
        rig.fake.offset += 61
        await rig.settle()
        assert await OutboxMessage.filter(status__not="sent").count() == 0
        assert rig.fake.dropped_silently == 0


async def test_task_card_sign_then_extension_button_flow(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "邻居吵架")
        await rig.click("zhouxm", "确认上报")
        await rig.click("linx", "受理并交办")
        await rig.click("zhaom", "签收")
        await rig.click("zhaom", "申请延期")
        await rig.say("zhaom", "2天 当事人住院")
        task = await Task.get(case__number="2026-0001")
        assert task.status == TaskStatus.SIGNED and task.extension_days == 2
        await rig.click("linx", "同意延期")
        assert (await Task.get(id=task.id)).extensions_granted == 1


async def test_agreement_file_arrives_through_media_upload(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "两家因院墙滴水吵架")
        await rig.click("zhouxm", "确认上报")
        await rig.click("linx", "受理并交办")
        await rig.say("zhaom", "协议 0001 李四家加装接水槽")
        files = [m for m in rig.fake.inbox["zhaom"] if m.msgtype == "file"]
        assert files and rig.fake.media[files[0].body["media_id"]][:2] == b"PK"  # a .docx is a zip
