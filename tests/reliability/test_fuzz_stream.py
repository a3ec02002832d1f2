"""Fuzzing the DingTalk Stream path through the real dingtalk-stream SDK: frames with random or mangled
data on every topic, and raw junk on the socket. The client never dies or reconnects over it, every
well-enveloped frame is ACKed (so DingTalk does not redeliver it forever), and a frame our parser
refuses stores nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dingtalk_stream.frames import CallbackMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import InboundEvent
from integrations.dingtalk.inbound import MalformedFrame, bot_message, card_click
from integrations.dingtalk.stream import BOT_TOPIC, CARD_TOPIC
from tests.integrations.dingtalk_rig import DingTalkRig, dingtalk_rig

FUZZ = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                      max_size=4), max_leaves=12)
VALID_TEXT = {"conversationId": "cid1to1-zhouxm", "conversationType": "1", "msgId": "m1", "senderStaffId": "zhouxm",
              "createAt": 1764000000000, "msgtype": "text", "text": {"content": "邻居吵架"}}
VALID_CLICK = {"outTrackId": "mt1-x", "userId": "zhaom", "type": "actionCallback",
               "content": json.dumps({"cardPrivateData": {"params": {"action": "x"}}})}


@pytest.fixture
async def rig(org, domain) -> AsyncIterator[DingTalkRig]:
    async with dingtalk_rig(domain) as r:
        yield r


@st.composite
def frames(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    topic = draw(st.sampled_from([BOT_TOPIC, CARD_TOPIC, "/v1.0/unknown/topic"]))
    if draw(st.booleans()):
        return topic, draw(st.dictionaries(st.text(max_size=16), json_values, max_size=8))
    data = dict(draw(st.sampled_from([VALID_TEXT, VALID_CLICK])))
    for key in draw(st.lists(st.sampled_from(sorted(data)), unique=True, max_size=3)):
        if draw(st.booleans()):
            del data[key]
        else:
            data[key] = draw(json_values)
    data["msgId"] = draw(st.text(min_size=1, max_size=20)) if "msgId" in data else data.get("msgId")
    return topic, data


def _refused(topic: str, data: dict[str, Any]) -> bool:
    frame = CallbackMessage.from_dict({"headers": {"topic": topic, "messageId": "x"}, "data": json.dumps(data)})
    frame.data = data
    try:
        (bot_message if topic == BOT_TOPIC else card_click)(frame)
    except MalformedFrame:
        return True
    return topic not in (BOT_TOPIC, CARD_TOPIC)


async def _acked(rig: DingTalkRig, frame: Any, seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.02)):
        if frame.acked:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"frame not ACKed: {frame.data}")


@FUZZ
@given(case=frames())
async def test_random_frames_are_acked_and_refusals_store_nothing(rig: DingTalkRig,
                                                                 case: tuple[str, dict[str, Any]]) -> None:
    topic, data = case
    before = await InboundEvent.all().count()
    frame = await rig.fake.push(topic, data)
    if topic in (BOT_TOPIC, CARD_TOPIC):
        await _acked(rig, frame)
    else:
        await asyncio.sleep(0.05)
    await rig.runner.drain()
    if _refused(topic, data):
        assert await InboundEvent.all().count() == before, data
    assert rig.runner.connections == 1, "the stream client reconnected: a frame broke it"


@FUZZ
@given(raw=st.text(max_size=200) | json_values.map(json.dumps) | st.builds(
    lambda data, headers: json.dumps({"specVersion": "1.0", "type": "CALLBACK", "headers": headers, "data": data}),
    st.text(max_size=50) | json_values.map(json.dumps),
    st.dictionaries(st.sampled_from(["topic", "messageId", "contentType", "time"]), st.text(max_size=30))))
async def test_raw_junk_on_the_socket_does_not_break_the_client(rig: DingTalkRig, raw: str) -> None:
    await rig.fake.push_raw(raw)
    frame = await rig.user.text("zhouxm", "还在吗")  # the client still takes real messages afterwards
    await _acked(rig, frame)
    assert rig.runner.connections == 1, f"the stream client reconnected after {raw!r}"
