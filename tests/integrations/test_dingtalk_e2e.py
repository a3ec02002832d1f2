"""DingTalk end to end: the real dingtalk-stream SDK against a fake gateway and OpenAPI on loopback."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from core.enums import CaseStatus, TaskStatus
from core.models import Case, GroupChat, InboundEvent, OutboxMessage, Task
from tests.integrations.dingtalk_rig import dingtalk_rig


async def test_whole_story_on_dingtalk(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "荷花村两户人家因为院墙滴水吵了好几天")
        out_track, params = rig.card("dt1001", "确认上报")
        assert params["title"] == "请确认上报内容" and all(isinstance(v, str) for v in params.values())
        assert {"label": "类别", "value": "邻里纠纷"} in json.loads(params["fields"])
        await rig.click("dt1001", "确认上报")
        assert any("2026-0001" in t for t in rig.fake.texts("dt1001"))
        await rig.click("dt2001", "受理并交办")
        task_track, _ = rig.card("dt2101", "签收")
        await rig.click("dt2101", "签收")
        card = rig.fake.cards[task_track]
        assert card["updates"] >= 1  # updated in place, not re-sent
        assert [b["text"] for b in json.loads(card["params"]["buttons"])] == ["反馈进展", "申请延期", "退回", "办结"]
        await rig.say("dt2101", "办结 0001 双方达成协议")
        assert (await Case.get(number="2026-0001")).status == CaseStatus.RESOLVED
        assert any("已办结" in t for t in rig.fake.texts("dt1001"))
        assert all(a["code"] == 200 for a in rig.fake.acks if a["headers"].get("messageId", "").startswith("mid"))


async def test_disconnect_mid_story_reconnects_and_loses_nothing(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "邻居吵架")
        await rig.fake.disconnect()
        frame = await rig.user.text("dt1001", "补充:已经吵了三天")  # sent while we reconnect
        await rig.settle()
        assert rig.fake.connections >= 2 and frame.acked
        await rig.click("dt1001", "确认上报")
        case = await Case.get(number="2026-0001")
        assert "已经吵了三天" in case.content


async def test_redelivered_frame_has_one_effect(org, domain) -> None:
    async with dingtalk_rig(domain, redeliver_after=0.0) as rig:
        frame = await rig.user.text("dt1001", "邻居吵架")
        await rig.settle()
        frame.acked = False  # the platform lost our ACK and sends it again
        await rig.fake.redeliver_due()
        await rig.settle()
        assert frame.deliveries == 2
        assert await InboundEvent.all().count() == 1
        assert len(rig.fake.user_cards("dt1001")) == 1


async def test_throttled_recipient_gets_it_later(org, domain, clock) -> None:
    async with dingtalk_rig(domain) as rig:
        rig.fake.throttle["dt1001"] = 1
        await rig.say("dt1001", "邻居吵架")
        await rig.click("dt1001", "确认上报")  # the confirmation text is throttled once
        assert not any("2026-0001" in t for t in rig.fake.texts("dt1001"))
        clock.advance(timedelta(seconds=61))
        await rig.settle()
        assert any("2026-0001" in t for t in rig.fake.texts("dt1001"))
        assert await OutboxMessage.filter(status__not="sent").count() == 0


async def test_silent_stall_triggers_the_watchdog(org, domain) -> None:
    async with dingtalk_rig(domain, watchdog=0.3, blackhole=True) as rig:
        for _ in range(100):  # the first link answers nothing, not even pings: the watchdog gives up on it
            if rig.runner.stalls >= 1 and rig.fake.connections >= 2:
                break
            await asyncio.sleep(0.05)
        assert rig.runner.stalls >= 1 and rig.fake.connections >= 2
        rig.fake.blackhole = False
        await rig.fake.drop()  # the next connection is healthy
        await rig.say("dt1001", "邻居吵架")
        assert rig.fake.user_cards("dt1001")


async def test_group_mention_records_the_conversation(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.user.text("dt2001", "值班", group="cidNEWGROUP", title="茶园乡领导群")
        await rig.settle()
        group = await GroupChat.get(name="茶园乡领导群")
        assert (await group.refs())["dingtalk"] == "cidNEWGROUP"
        assert any("值班领导" in t for t in rig.fake.texts("dt2001"))  # answered 1:1, not in the group
        assert rig.fake.groups == {}


async def test_voice_message_uses_its_recognition(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.user.audio("dt1001", "两户村民因为排水沟吵起来了")
        await rig.settle()
        _, params = rig.card("dt1001", "确认上报")
        assert "排水沟" in params["fields"]


async def test_cross_platform_reported_on_dingtalk_handled_on_wecom(org, domain) -> None:
    from bot.channel import ChannelRegistry
    from tests.integrations.wecom_rig import wecom_rig

    async with wecom_rig(domain) as wx:
        registry: ChannelRegistry = wx.registry
        async with dingtalk_rig(domain, registry=registry) as dt:
            await dt.say("dt1003", "桂香村两户因为宅基地地界争吵")  # 郑丽 is on DingTalk only
            await dt.click("dt1003", "确认上报")
            await wx.settle()
            await wx.click("linx", "受理并交办")  # the dispatcher works on WeCom
            await wx.click("qianw", "签收")  # 钱伟 of 自然资源所 is on WeCom only
            await wx.say("qianw", "办结 0001 已勘定界址,双方认可")
            await dt.settle()
            assert (await Task.get(case__number="2026-0001")).status == TaskStatus.RESOLVED
            assert any("已办结" in t for t in dt.fake.texts("dt1003"))


async def test_digest_with_chart_reaches_both_platforms_groups(org, domain, clock) -> None:
    from bot.channel import ChannelRegistry
    from core.enums import Platform
    from core.models import GroupChat, Staff
    from core.services import intake
    from core.services.base import actor_for
    from scheduler.rhythm import publish_digests
    from tests.conftest import cst
    from tests.integrations.wecom_rig import wecom_rig

    async with wecom_rig(domain) as wx:
        registry: ChannelRegistry = wx.registry
        async with dingtalk_rig(domain, registry=registry) as dt:
            zhou = await actor_for(await Staff.get(name="周小梅"))
            await intake.report(domain, zhou, intake.ReportInput("邻居漏水到楼下"), source=Platform.WECOM)
            clock.set(cst(2026, 11, 30, 8, 40))  # Monday: yesterday's daily and last week's digest (a case to chart)
            assert await publish_digests(domain) == 2  # two periods, one group (on both platforms)
            await dt.settle()
            group = await GroupChat.get(name="茶园乡矛调工作群")
            wx_msgs = wx.fake.groups[(await group.refs())["wecom"]]
            assert [m.msgtype for m in wx_msgs] == ["markdown", "image", "markdown", "image"]
            assert wx.fake.media[wx_msgs[1].body["media_id"]][:4] == b"\x89PNG"
            dt_msgs = dt.fake.groups[(await group.refs())["dingtalk"]]
            assert [m["msgKey"] for m in dt_msgs] == ["sampleMarkdown", "sampleImageMsg"] * 2
            assert dt_msgs[1]["param"]["photoURL"] in dt.fake.media
            assert "每周梳理" in dt_msgs[2]["param"]["text"]


async def test_agreement_file_arrives_on_dingtalk(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "两家因院墙滴水吵架")
        await rig.click("dt1001", "确认上报")
        await rig.click("dt2001", "受理并交办")
        await rig.say("dt2101", "协议 0001 李四家加装接水槽")
        files = [m for m in rig.fake.inbox["dt2101"] if m.get("msgKey") == "sampleFile"]
        assert files and files[0]["param"]["fileType"] == "docx"
        assert rig.fake.media[files[0]["param"]["mediaId"]][:2] == b"PK"


async def test_a_slow_store_does_not_hold_up_the_next_ack(org, domain, monkeypatch) -> None:
    """Frames are routed side by side, as the SDK's own loop does: one stuck insert delays only its own ACK."""
    async with dingtalk_rig(domain) as rig:
        release = asyncio.Event()
        record = rig.runner.bot.record

        async def slow_for_the_first(inbound):  # type: ignore[no-untyped-def]
            if "第一条" in inbound.text:
                await release.wait()
            return await record(inbound)

        monkeypatch.setattr(rig.runner.bot, "record", slow_for_the_first)
        first = await rig.user.text("dt1001", "第一条")
        second = await rig.user.text("dt1001", "第二条")
        try:
            for _ in range(250):
                if second.acked:
                    break
                await asyncio.sleep(0.02)
            assert second.acked and not first.acked
        finally:
            release.set()
        await rig.settle()
        assert first.acked
