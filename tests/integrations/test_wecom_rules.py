"""WeCom's rules, enforced by the fake as the real platform does, and our adapter keeping to them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.channel import Delivery
from bot.types import Outbound, Target
from core.media_store import MediaStore
from core.models import Case, Draft, MediaFile, OutboxMessage, Setting
from integrations import text_only
from integrations.pacing import RedisRateStore
from integrations.wecom.channel import member_limits
from integrations.wecom.errors import WeComError
from scheduler.media import fetch_media_due
from tests.conftest import REDIS_URL, need_server
from tests.integrations.wecom_rig import wecom_rig

HOURS = 3600.0


async def test_fake_drops_messages_past_the_member_limit_without_an_error(org, domain) -> None:
    """Source: 发送应用消息 频率限制 (document/path/90236): the excess is discarded, the answer is still ok."""
    async with wecom_rig(domain, rate_per_minute=3) as rig:
        api = rig.registry.get(rig.registry.platforms[0]).api
        answers = [await api.send("zhouxm", "text", {"content": f"第{i}条"}) for i in range(5)]
        assert all(a["errcode"] == 0 and a["msgid"] for a in answers)
        assert rig.fake.texts("zhouxm") == ["第0条", "第1条", "第2条"] and rig.fake.dropped_silently == 2


async def test_expired_update_code_sends_a_change_line_and_the_card_keeps_working(org, domain) -> None:
    """Source: 更新模版卡片消息 (document/path/94888): a response_code serves once, for 72 hours. Past that the
    change arrives as one line, not the whole card again; the card in the chat still acts on the current state."""
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "邻居吵架")
        old = rig.card("zhouxm", "确认上报")
        rig.fake.offset += 73 * HOURS  # the code the send gave us has expired
        await rig.say("zhouxm", "补充:已经吵了三天")
        assert len(rig.fake.card_messages("zhouxm")) == 1 and not old.updates  # the expired code could not update it
        line = rig.fake.texts("zhouxm")[-1]
        assert line.startswith("【请确认上报内容】") and "已经吵了三天" in line and len(line) <= 300
        await rig.click("zhouxm", "确认上报")  # the click brings a fresh code: the card is updated in place
        case = await Case.get()
        assert "已经吵了三天" in case.content and old.updates and old.body["button_list"] == []


async def test_used_code_answers_42022_and_a_change_line_follows(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "邻居吵架")
        card = rig.card("zhouxm", "确认上报")
        code = card.response_code
        assert code is not None
        task, _, issued = rig.fake.codes[code]
        rig.fake.codes[code] = (task, True, issued)  # spent elsewhere
        await rig.say("zhouxm", "补充:已经吵了三天")
        assert len(rig.fake.card_messages("zhouxm")) == 1
        assert rig.fake.texts("zhouxm")[-1].startswith("【请确认上报内容】")
        assert await OutboxMessage.filter(status__not="sent").count() == 0


async def test_long_text_goes_out_in_pieces_within_2048_bytes(org, domain) -> None:
    """Source: document/path/90236: text and markdown content at most 2048 bytes, else 45002."""
    async with wecom_rig(domain) as rig:
        api = rig.registry.get(rig.registry.platforms[0]).api
        from integrations.wecom.errors import WeComError

        with pytest.raises(WeComError) as refused:
            await api.send("zhouxm", "markdown", {"content": "长" * 1000})
        assert refused.value.errcode == 45002
        lines = [f"第{i}行:" + "矛盾纠纷调处化解" * 6 for i in range(60)]
        channel = rig.registry.get(rig.registry.platforms[0])
        result = await channel.send(Delivery(Outbound(target=Target(staff_id=1), text="\n".join(lines), markdown=True),
                                             user_id="zhouxm", key="o1"))
        assert result.ok
        got = rig.fake.texts("zhouxm")
        assert len(got) > 1 and all(len(t.encode()) <= 2048 for t in got)
        assert "\n".join(got).split("\n") == lines  # cut at line boundaries, nothing lost, in order


async def test_configuration_error_50001_is_not_retried(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        channel = rig.registry.get(rig.registry.platforms[0])
        rig.fake.errcodes = [50001]
        result = await channel.send(Delivery(Outbound(target=Target(staff_id=1), text="hi"), user_id="zhouxm"))
        assert not result.ok and result.permanent and "50001" in result.error


async def test_media_upload_refreshes_an_expired_token(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        api = rig.registry.get(rig.registry.platforms[0]).api
        await api.token()
        rig.fake.expire_tokens()
        media_id = await api.upload(b"PK\x03\x04docx", "a.docx", "file", "application/octet-stream")
        assert rig.fake.media[media_id].startswith(b"PK") and rig.fake.calls.count("gettoken") == 2


async def test_voice_is_kept_and_the_worker_is_asked_for_words(org, domain, tmp_path) -> None:
    """Source: 接收消息 (document/path/90239): a self-built app gets MediaId and Format, no Recognition;
    temporary media live 3 days (document/path/90254)."""
    async with wecom_rig(domain) as rig:
        media_id = rig.fake.incoming_media(b"#!AMR\n" + b"\x00" * 64)
        await rig.member.post(rig.member.voice_xml("zhouxm", media_id))
        await rig.settle()
        assert any("收到语音,请再用一两句文字说明情况" in t for t in rig.fake.texts("zhouxm"))
        row = await MediaFile.get(ref=media_id)
        assert row.status == "pending" and row.kind == "voice"
        store = MediaStore(tmp_path)
        assert await fetch_media_due(rig.registry, domain.clock, store) == 1
        row = await MediaFile.get(id=row.id)
        assert row.status == "stored" and store.read(row.path).startswith(b"#!AMR")
        await rig.say("zhouxm", "荷花村两户因为排水沟吵架")
        await rig.click("zhouxm", "确认上报")
        case = await Case.get(number="2026-0001")
        assert (await MediaFile.get(id=row.id)).case_id == case.id  # the evidence follows the case


async def test_media_past_three_days_fails_but_the_report_stays(org, domain, clock, tmp_path) -> None:
    async with wecom_rig(domain) as rig:
        media_id = rig.fake.incoming_media(b"\xff\xd8jpeg", "image/jpeg", "p.jpg")
        await rig.member.post(rig.member.image_xml("zhouxm", media_id))
        await rig.settle()
        rig.fake.offset += 4 * 24 * HOURS
        clock.advance(timedelta(days=4))
        assert await fetch_media_due(rig.registry, domain.clock, MediaStore(tmp_path)) == 0
        row = await MediaFile.get(ref=media_id)
        assert row.status == "failed" and "40007" in row.error
        draft = await Draft.get(staff_id=row.staff_id)
        assert draft.attachments == [{"kind": "image", "ref": media_id}]


async def test_text_only_members_get_plain_text_instead_of_markdown_and_cards(org, domain) -> None:
    """Members on the WeChat plugin see 暂不支持此消息类型 for markdown (PLATFORMS.md)."""
    await Setting.filter(key="text_only").update(value={"wecom": ["zhouxm"]})
    text_only.forget()
    try:
        async with wecom_rig(domain) as rig:
            await rig.say("zhouxm", "邻居吵架")
            assert rig.fake.card_messages("zhouxm") == []
            kinds = {m.msgtype for m in rig.fake.inbox["zhouxm"]}
            assert kinds == {"text"}
            shown = "\n".join(rig.fake.texts("zhouxm"))
            assert "请确认上报内容" in shown and "**" not in shown and "<font" not in shown
            assert "可办理:确认上报" in shown  # the buttons it cannot show are named
    finally:
        text_only.forget()


async def test_member_limits_hold_across_processes_sharing_redis() -> None:
    """Two processes (two stores, one Redis) together never go past a member's limit."""
    try:
        a, b = RedisRateStore(REDIS_URL, prefix="test:rate:"), RedisRateStore(REDIS_URL, prefix="test:rate:")
        await a.redis.delete("test:rate:m1")
    except (OSError, ConnectionError) as exc:
        need_server(f"Redis not reachable at {REDIS_URL}: {exc}")
    try:
        limits = member_limits(30, 1000)
        waits = await asyncio.gather(*[(a if i % 2 else b).windows("m1", limits) for i in range(45)])
        assert sum(1 for w in waits if w == 0) == 30
        assert all(0 < w <= 60 for w in waits if w)
        for _ in range(5):  # a token bucket shared the same way
            await a.bucket("api", 2.0, 2)
        assert await b.bucket("api", 2.0, 2) > 0
        # One notice to many members reserves each member's share in one round trip, under the same limits.
        many = await asyncio.gather(a.windows_many(["m1", "m2", "m3"], limits), b.windows_many(["m2", "m3"], limits))
        assert many[0][0] > 0 and many[0][1:] == [0.0, 0.0] and many[1] == [0.0, 0.0]
        assert (await a.windows_many(["m2"], limits, 29))[0] > 0  # two already, 29 more would be 31 this minute
        assert await b.windows_many(["m2"], limits, 28) == [0.0]
    finally:
        await a.redis.delete("test:rate:m1", "test:rate:m2", "test:rate:m3", "test:rate:api")
        await a.aclose()
        await b.aclose()


async def test_org_file_marks_text_only_readers(db) -> None:
    from core.org_import import import_org
    from tests.conftest import DEMO_ORG

    text = DEMO_ORG.read_text(encoding="utf-8").replace("wecom: zhouxm,", "wecom: zhouxm, text_only: true,")
    await import_org(text)
    assert (await Setting.get(key="text_only")).value == {"all": False, "wecom": ["zhouxm"], "dingtalk": ["dt1001"], "zwdd": []}


async def test_the_center_card_lists_the_evidence_item(org, domain, tmp_path) -> None:
    async with wecom_rig(domain) as rig:
        media_id = rig.fake.incoming_media(b"\xff\xd8jpeg", "image/jpeg", "p.jpg")
        await rig.member.post(rig.member.image_xml("zhouxm", media_id))
        await rig.say("zhouxm", "荷花村两户因为排水沟吵架")
        await fetch_media_due(rig.registry, domain.clock, MediaStore(tmp_path))
        await rig.click("zhouxm", "确认上报")
        center = rig.card("linx", "受理并交办")
        shown = [h["value"] for h in center.body["horizontal_content_list"] if h["keyname"] == "证据1"]
        text = shown[0] if shown else center.body.get("sub_title_text", "")
        assert "照片" in text and "已保存" in text
        assert "evidence" not in str(center.body)  # no public URL in the tests: listed without a link


@pytest.mark.parametrize("change, problem", [
    ({"select_list": [{"question_key": k, "option_list": [{"id": "1", "text": "一"}]} for k in "abcd"]}, "1 to 3"),
    ({"select_list": [{"question_key": "a", "option_list": [{"id": str(i), "text": "一"} for i in range(11)]}]},
     "1 to 10"),
    ({"select_list": [{"question_key": "a", "option_list": [{"id": "x" * 129, "text": "一"}]}]}, "128 bytes"),
    ({"select_list": [{"question_key": "a", "option_list": [{"id": "1", "text": "一"}, {"id": "1", "text": "二"}]}]},
     "repeated"),
    ({"submit_button": {"text": "提交"}}, "submit_button"),
])
async def test_fake_refuses_a_form_card_outside_the_documented_shape(org, domain, change, problem) -> None:
    """Source: 发送应用消息, 多项选择型 (document/path/90236): select_list at most 3 drop-downs, option_list 1–10
    options, option ids unique and at most 128 bytes, a submit_button with a key."""
    async with wecom_rig(domain) as rig:
        api = rig.registry.get(rig.registry.platforms[0]).api
        card = {"card_type": "multiple_interaction", "main_title": {"title": "交办"}, "task_id": "form-1",
                "select_list": [{"question_key": "a", "option_list": [{"id": "1", "text": "一"}]}],
                "submit_button": {"text": "提交", "key": "tform1:1"}, **change}
        with pytest.raises(WeComError) as info:
            await api.send("linx", "template_card", card)
        assert problem in str(info.value)
        assert rig.fake.card_messages("linx") == []
