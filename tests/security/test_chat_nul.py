"""A chat message holding U+0000 (which PostgreSQL refuses in text and JSON) is stored and answered without
it, and one of only zero-width characters is not a report."""

from __future__ import annotations

import json

from core.models import Case, Draft, InboundEvent
from tests.integrations.dingtalk_rig import dingtalk_rig
from tests.integrations.wecom_rig import wecom_rig


async def test_a_dingtalk_message_with_nul_is_stored_and_answered(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        frame = await rig.user.text("dt1001", "荷花村两户人家\x00因为院墙滴水吵了好几天")
        await rig.settle()
        assert frame.acked
        event = await InboundEvent.get()
        assert event.status == "handled" and "\x00" not in json.dumps(event.payload)
        out_track, params = rig.card("dt1001", "确认上报")
        assert "\x00" not in json.dumps(params)
        await rig.click("dt1001", "确认上报")
        case = await Case.get(number="2026-0001")
        assert case.content.startswith("荷花村两户人家因为院墙滴水")


async def test_nul_in_the_sender_or_card_params_is_scrubbed_too(org, domain) -> None:
    async with dingtalk_rig(domain) as rig:
        await rig.say("dt1001", "邻居吵架")
        out_track, params = rig.card("dt1001", "确认上报")
        buttons = json.loads(params["buttons"])
        for b in buttons:  # the template binds the click's `action` param to each button's `action` item
            b["action"] = f"{b['action']}\x00"
        rig.fake.cards[out_track]["params"]["buttons"] = json.dumps(buttons)
        await rig.click("dt1001", "确认上报")
        assert await Case.filter(number="2026-0001").exists()
        assert await InboundEvent.filter(status="handled").count() == await InboundEvent.all().count()


async def test_zero_width_chat_text_is_not_a_report(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", "\u200b\u200c\u200d")
        assert rig.fake.card_messages("zhouxm") == [], "an invisible message became a report draft"
        assert await Draft.filter(status="open").count() == 0
