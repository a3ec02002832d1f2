"""DingTalk's rules, enforced by the fake as the real platform does, and our adapter keeping to them."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.channel import Delivery
from bot.outbox import enqueue
from bot.types import Button, Card, Outbound, Target
from core.media_store import MediaStore
from core.models import Case, MediaFile, OutboxMessage, Staff
from integrations.dingtalk import cards
from integrations.dingtalk.template import ours, problems
from scheduler.delivery import deliver_due
from scheduler.media import fetch_media_due
from tests.integrations.dingtalk_rig import TEMPLATE, dingtalk_rig


def _channel(rig):  # type: ignore[no-untyped-def]
    from core.enums import Platform

    return rig.registry.get(Platform.DINGTALK)


async def _staff(*names: str) -> list[Staff]:
    return [await Staff.get(name=n) for n in names]


async def test_the_fake_throttles_and_our_bucket_keeps_under_it(org, domain) -> None:
    """Source: PLATFORMS.md — about 20 QPS per app per API, past it HTTP 403 Forbidden.AccessDenied.QpsLimit…"""
    async with dingtalk_rig(domain, qps_limit=5) as rig:
        raw = rig.fake
        api = _channel(rig).api
        api.settings.qps = 1000.0  # a bucket far above the platform's limit: the fake must refuse
        api.rates = type(api.rates)()
        from integrations.dingtalk.errors import DingTalkError

        refused = 0
        for i in range(8):
            try:
                await api._call("POST", "/v1.0/robot/oToMessages/batchSend", {
                    "robotCode": raw.robot_code, "userIds": ["dt1001"], "msgKey": "sampleText",
                    "msgParam": json.dumps({"content": str(i)})}, await api.token())
            except DingTalkError as exc:
                assert exc.status == 403 and exc.throttled and exc.transient
                refused += 1
        assert refused >= 3
        api.settings.qps, api.rates = 5.0, type(api.rates)()
        raw.throttled = 0
        raw._calls.clear()  # the refused burst is over
        for i in range(12):  # paced to the platform's rate: never refused
            await api.send_to_users(["dt1001"], "sampleText", {"content": f"第{i}条"})
        assert raw.throttled == 0


async def test_throttled_messages_are_retried_not_dead_lettered(org, domain, clock, monkeypatch) -> None:
    monkeypatch.setattr("integrations.dingtalk.api.THROTTLE_RETRIES", ())
    async with dingtalk_rig(domain, qps_limit=1) as rig:
        (zhou,) = await _staff("周小梅")
        rig.fake._calls["/v1.0/robot/oToMessages/batchSend"] = [__import__("time").monotonic()] * 5
        await enqueue([Outbound(target=Target(staff_id=zhou.id), text="测试限流")], clock.now())
        await deliver_due(rig.registry, clock)
        row = [r for r in await OutboxMessage.all() if r.payload.get("text") == "测试限流"][0]
        assert row.status == "pending" and "QpsLimit" in row.last_error
        rig.fake.qps_limit = None  # the burst has passed
        clock.advance(timedelta(seconds=61))
        await deliver_due(rig.registry, clock)
        assert "测试限流" in rig.fake.texts("dt1001")


async def test_monthly_quota_moves_messages_to_the_other_platform_and_admins_hear_once(org, domain, clock) -> None:
    """Source: DingTalk help centre — errcode 90020 / ApiCountLimitForOrg once the month's metered calls are
    used (standard edition 10,000)."""
    from tests.integrations.wecom_rig import wecom_rig

    async with wecom_rig(domain) as wx, dingtalk_rig(domain, registry=wx.registry) as dt:
        dt.fake.quota = dt.fake.metered  # nothing left this month
        zhou, zheng = await _staff("周小梅", "郑丽")  # 周小梅 has WeCom too; 郑丽 has only DingTalk
        for who in (zhou, zheng):
            await enqueue([Outbound(target=Target(staff_id=who.id, platform=_channel(dt).platform),
                                    text=f"给{who.name}的通知")], clock.now())
        for _ in range(5):
            await deliver_due(dt.registry, clock)
        assert "给周小梅的通知" in wx.fake.texts("zhouxm")  # went out on her other platform
        held = [r for r in await OutboxMessage.all() if r.payload.get("text") == "给郑丽的通知"][0]
        assert held.status == "pending" and "调用量" in held.last_error  # waits, not dead
        notices = [t for t in wx.fake.texts("linx") if "【平台额度】" in t]
        assert len(notices) == 1  # told once, however many messages hit the quota
        dt.fake.quota = None  # the org bought more
        clock.advance(timedelta(hours=2))
        await deliver_due(dt.registry, clock)
        assert "给郑丽的通知" in dt.fake.texts("dt1003")


async def test_identical_messages_go_out_twenty_people_a_call(org, domain, clock) -> None:
    async with dingtalk_rig(domain) as rig:
        people = [s for s in await Staff.all() if s.active]
        from core.models import Identity

        on_ding = {i.staff_id for i in await Identity.filter(platform="dingtalk")}
        targets = [s for s in people if s.id in on_ding]
        assert len(targets) >= 3
        calls_before = rig.fake.metered
        await enqueue([Outbound(target=Target(staff_id=s.id), text="今日值班:林晓") for s in targets], clock.now())
        await deliver_due(rig.registry, clock)
        assert rig.fake.metered - calls_before == 1  # one batchSend for all of them
        assert await OutboxMessage.filter(status="sent").count() == len(targets)


async def test_an_unknown_user_in_a_batch_does_not_stop_the_others(org, domain, clock) -> None:
    """Source: PLATFORMS.md — an unknown user is HTTP 400 staffId.notExisted for the whole call."""
    from core.models import Identity

    async with dingtalk_rig(domain) as rig:
        zheng, lin = await _staff("郑丽", "林晓")
        await Identity.filter(staff_id=zheng.id, platform="dingtalk").update(external_id="invalid-left")
        await enqueue([Outbound(target=Target(staff_id=s.id), text="通知") for s in (zheng, lin)], clock.now())
        await deliver_due(rig.registry, clock)
        assert "通知" in rig.fake.texts("dt2001")
        rows = {r.payload["target"]["staff_id"]: r for r in await OutboxMessage.all()}
        assert rows[zheng.id].status == "dead" and "staffId.notExisted" in rows[zheng.id].last_error


async def test_filtered_users_are_not_counted_as_delivered(org, domain, clock) -> None:
    async with dingtalk_rig(domain) as rig:
        (zheng,) = await _staff("郑丽")
        rig.fake.filtered.add("dt1003")
        await enqueue([Outbound(target=Target(staff_id=zheng.id), text="通知")], clock.now())
        await deliver_due(rig.registry, clock)
        row = (await OutboxMessage.all().order_by("id"))[0]
        assert row.status == "dead" and "filteredStaffIdList" in row.last_error


async def test_a_card_retried_after_a_lost_answer_is_one_card(org, domain, monkeypatch) -> None:
    """The fake carries out the call and then answers too slowly (or drops the connection): the retry of the
    same outbox row must not make a second card."""
    for mode in ("slow_next", "drop_next"):
        async with dingtalk_rig(domain, slow_seconds=1.0) as rig:
            _channel(rig).api._client.timeout = __import__("httpx").Timeout(0.3)
            setattr(rig.fake, mode, 1)
            await rig.say("dt1001", "邻居吵架")
            row = await OutboxMessage.filter(card_link_id__not_isnull=True).order_by("id").first()
            assert row is not None and row.status == "pending" and row.maybe_sent_at is not None
            domain.clock.advance(timedelta(seconds=5))
            await rig.settle()
            assert len(rig.fake.user_cards("dt1001")) == 1, mode
            assert await OutboxMessage.filter(status__not="sent").count() == 0
        await OutboxMessage.all().delete()
        from core.models import CardLink, Draft, InboundEvent

        await CardLink.all().delete()
        await Draft.all().delete()
        await InboundEvent.all().delete()


async def test_card_callback_is_answered_with_the_handled_card_at_once(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "荷花村两户因为院墙滴水吵架")
        out_track, _ = rig.card("dt1001", "确认上报")
        before = rig.fake.cards[out_track]["params"]
        frame = await rig.user.click("dt1001", out_track, "确认上报")
        await rig.settle()
        ack = next(a for a in rig.fake.acks if a["headers"].get("messageId") == frame.message_id)
        response = json.loads(ack["data"])["response"]
        assert response["cardUpdateOptions"] == {"updateCardDataByKey": True}
        answered = response["cardData"]["cardParamMap"]
        # the clicker sees the reported state in the answer itself, not an interim "processing" card
        assert answered["status"] == "normal" and "处理" not in answered["note"]
        assert "确认上报" in before["buttons"] and "确认上报" not in answered["buttons"]
        assert rig.fake.ack_problems == []
        assert rig.fake.cards[out_track]["params"]["buttons"] == answered["buttons"]
        assert await Case.all().count() == 1


async def test_a_click_handled_slowly_is_answered_processing_then_updated(org, domain, monkeypatch) -> None:
    from integrations.dingtalk import stream

    monkeypatch.setattr(stream, "CLICK_ANSWER_SECONDS", 0.0)  # handling takes longer than the answer may wait
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "荷花村两户因为院墙滴水吵架")
        out_track, _ = rig.card("dt1001", "确认上报")
        frame = await rig.user.click("dt1001", out_track, "确认上报")
        await rig.settle()
        ack = next(a for a in rig.fake.acks if a["headers"].get("messageId") == frame.message_id)
        assert json.loads(ack["data"])["response"]["cardData"]["cardParamMap"]["status"] == "disabled"
        params = rig.fake.cards[out_track]["params"]
        assert params["status"] == "normal" and "处理" not in params["note"]  # the handled state replaced it
        assert "确认上报" not in params["buttons"]


async def test_a_click_that_changes_nothing_still_gives_the_buttons_back(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "邻居吵架")
        out_track, _ = rig.card("dt1001", "确认上报")
        await rig.user.click("dt1001", out_track, "修改")  # asks for text; the card itself does not change
        await rig.settle()
        assert rig.fake.cards[out_track]["params"]["status"] == "normal"


async def test_the_fake_refuses_unknown_templates_and_undeclared_variables(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        api = _channel(rig).api
        from integrations.dingtalk.errors import DingTalkError

        card = Card(kind="task", title="t", buttons=[Button(label="签收", action="sign:1")])
        api.settings.card_template_id = "not-imported"
        try:
            await api.create_card("mt1-a", "dt1001", cards.card_params(card))
            raise AssertionError("an unknown template id was accepted")
        except DingTalkError as exc:
            assert exc.status == 400 and exc.code == "param.templateUnpublished"
        api.settings.card_template_id = TEMPLATE
        try:
            await api.create_card("mt1-b", "dt1001", {**cards.card_params(card), "kind": "task"})
            raise AssertionError("an undeclared variable was accepted")
        except DingTalkError as exc:
            assert exc.status == 400 and "kind" in exc.message


def test_the_template_is_an_importable_advanced_export_and_our_params_fit_it() -> None:
    raw = json.loads(open(__import__("integrations.dingtalk.template", fromlist=["PATH"]).PATH, encoding="utf-8").read())
    editor = json.loads(raw["editorData"])
    assert editor["schemaVersion"] == "3.0.0" and {"componentsMap", "componentsTree"} <= set(editor["schema"])
    template = ours()
    mapped = {c["componentName"] for c in editor["schema"]["componentsMap"]}
    assert template.components <= mapped  # every component the tree uses is declared in the map
    assert template.referenced <= set(template.variables)  # every variable the components use is declared
    assert template.button_params == {"action": "action"} and template.button_list == "buttons"
    card = Card(kind="task", title="交办任务", subtitle="待签收", fields=[("类别", "邻里纠纷")],
                buttons=[Button(label="签收", action="sign:5", style="primary")], note="请在期限内签收")
    params = cards.card_params(card)
    assert set(params) == set(template.variables) and problems(template, params) == []
    assert problems(template, cards.clicked()) == []


async def test_evidence_photos_are_downloaded_and_kept(org, domain, tmp_path) -> None:
    """Source: PLATFORMS.md / robot_1_0.RobotMessageFileDownload — downloadCode → downloadUrl."""
    async with dingtalk_rig(domain) as rig:
        await rig.user.picture("dt1001", b"\xff\xd8\xff evidence")
        await rig.settle()
        store = MediaStore(tmp_path)
        assert await fetch_media_due(rig.registry, domain.clock, store) == 1
        row = await MediaFile.get(platform="dingtalk")
        assert row.status == "stored" and row.kind == "image" and store.read(row.path) == b"\xff\xd8\xff evidence"


async def test_legacy_token_is_fetched_once_for_many_uploads(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        api = _channel(rig).api
        for _ in range(3):
            await api.upload_image(b"\x89PNG chart")
        assert rig.fake.oapi_tokens == 1
        rig.fake.tokens.clear()  # expired: fetched again once
        await api.upload_image(b"\x89PNG chart")
        assert rig.fake.oapi_tokens == 2


async def test_long_group_digest_is_split_within_the_msg_param_limit(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        text = "\n".join(f"第{i}行:" + "矛盾纠纷调处化解" * 20 for i in range(200))
        result = await _channel(rig).send(Delivery(Outbound(target=Target(kind="group", group_id=1), text=text,
                                                            markdown=True), group_ref="cidG"))
        assert result.ok
        sent = rig.fake.groups["cidG"]
        assert len(sent) > 1 and "\n".join(m["param"]["text"] for m in sent) == text


async def test_ding_failed_list_is_read(org, domain, caplog) -> None:
    async with dingtalk_rig(domain) as rig:
        await _channel(rig)._ding("invalid-x", "加急")
        assert "DING did not reach invalid-x" in caplog.text


async def test_calls_this_month_are_counted(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "邻居吵架")
        meter = _channel(rig).api.meter
        used = await meter.this_month()
        assert used == rig.fake.metered > 0


async def test_a_batch_never_overtakes_a_persons_earlier_message(org, domain, clock) -> None:
    async with dingtalk_rig(domain) as rig:
        zhou, lin, zhao = await _staff("周小梅", "林晓", "赵敏")
        await enqueue([Outbound(target=Target(staff_id=zhou.id), text="第一条")], clock.now())
        await enqueue([Outbound(target=Target(staff_id=s.id), text="群发") for s in (zhou, lin, zhao)], clock.now())
        for _ in range(3):
            await deliver_due(rig.registry, clock)
        assert rig.fake.texts("dt1001") == ["第一条", "群发"]
        assert rig.fake.texts("dt2001") == ["群发"] and rig.fake.texts("dt2101") == ["群发"]
