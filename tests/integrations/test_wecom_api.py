"""WeCom API client and channel against mocked HTTP (respx): tokens, error codes, card rules."""

from __future__ import annotations

import httpx
import pytest
import respx

from bot.channel import Delivery
from bot.types import Button, Card, Outbound, Target
from integrations.pacing import MemoryRateStore
from integrations.wecom import cards
from integrations.wecom.api import WeComAPI
from integrations.wecom.channel import WeComChannel, member_limits
from integrations.wecom.config import load_wecom
from integrations.wecom.inbound import MalformedMessage, parse_xml, to_inbound

BASE = "https://wecom.test/cgi-bin/"


@pytest.fixture
def api() -> WeComAPI:
    return WeComAPI(load_wecom(corp_id="ww1", agent_id=5, secret="s", token="t",
                               aes_key="a" * 43, api_base=BASE))


def _token_route(mock: respx.MockRouter) -> respx.Route:
    return mock.get(BASE + "gettoken").mock(return_value=httpx.Response(
        200, json={"errcode": 0, "access_token": "TOKEN", "expires_in": 7200}))


def _card(buttons: int = 2, fields: int = 3) -> Card:
    return Card(kind="task", title="交办任务 2026-0001", subtitle="待签收",
                fields=[(f"字段{i}", "值" * 40) for i in range(fields)],
                buttons=[Button(label=f"按钮{i}", action=f"sign:{i}") for i in range(buttons)])


@respx.mock
async def test_token_is_cached_and_refreshed_on_expiry_codes(api: WeComAPI) -> None:
    token = _token_route(respx.mock)
    send = respx.post(BASE + "message/send").mock(side_effect=[
        httpx.Response(200, json={"errcode": 0, "msgid": "1"}),
        httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"}),
        httpx.Response(200, json={"errcode": 0, "msgid": "2"}),
    ])
    await api.send("u1", "text", {"content": "a"})
    await api.send("u1", "text", {"content": "b"})
    assert token.call_count == 2 and send.call_count == 3


@respx.mock
@pytest.mark.parametrize(
    ("answer", "permanent", "retry_after", "words"),
    [
        ({"errcode": 45009, "errmsg": "freq"}, False, 60.0, "限流"),
        ({"errcode": 60020, "errmsg": "ip"}, False, 600, "企业可信IP"),
        ({"errcode": 0, "invaliduser": "u1"}, True, None, "不认识该成员"),
        ({"errcode": 40003, "errmsg": "invalid userid"}, True, None, "40003"),
        ({"errcode": -1, "errmsg": "system busy"}, False, None, "-1"),
    ],
)
async def test_error_codes_become_delivery_decisions(api, answer, permanent, retry_after, words) -> None:
    _token_route(respx.mock)
    respx.post(BASE + "message/send").mock(return_value=httpx.Response(200, json=answer))
    result = await WeComChannel(api).send(Delivery(Outbound(target=Target(staff_id=1), text="hi"), user_id="u1"))
    assert not result.ok and result.permanent is permanent and result.retry_after == retry_after
    assert words in result.error


@respx.mock
async def test_http_5xx_and_timeouts_are_transient(api) -> None:
    _token_route(respx.mock)
    respx.post(BASE + "message/send").mock(side_effect=[httpx.Response(502), httpx.ConnectTimeout("slow")])
    channel = WeComChannel(api)
    for _ in range(2):
        result = await channel.send(Delivery(Outbound(target=Target(staff_id=1), text="hi"), user_id="u1"))
        assert not result.ok and not result.permanent


@respx.mock
async def test_spent_update_code_falls_back_to_a_fresh_card(api) -> None:
    from core.models import CardLink

    _token_route(respx.mock)
    respx.post(BASE + "message/update_template_card").mock(
        return_value=httpx.Response(200, json={"errcode": 42022, "errmsg": "response_code has been used"}))
    send = respx.post(BASE + "message/send").mock(
        return_value=httpx.Response(200, json={"errcode": 0, "msgid": "m", "response_code": "RC2"}))
    link = CardLink(id=7, kind="task", staff_id=1, platform="wecom", external_id="mt7-old", response_code="RC1")
    out = Outbound(target=Target(staff_id=1), card=_card(), card_link_id=7, update=True)
    result = await WeComChannel(api).send(Delivery(out, user_id="u1", link=link))
    assert result.ok and result.response_code == "RC2" and result.external_id.startswith("mt7-")
    assert send.called


def test_card_rendering_respects_wecom_limits() -> None:
    body = cards.template_card(_card(buttons=9, fields=8), cards.new_task_id(12))
    assert len(body["button_list"]) == 6 and len(body["horizontal_content_list"]) == 6
    assert all(len(h["keyname"]) <= 5 and len(h["value"]) <= 26 for h in body["horizontal_content_list"])
    assert len(body["sub_title_text"]) <= 112 and body["task_id"].startswith("mt12-")
    assert body["button_list"][0]["key"] == "sign:0"


def test_card_title_is_cut_at_36_and_desc_at_44_characters_not_shorter() -> None:
    """The doc's suggested lengths for a button_interaction card (90236): the client cuts longer text itself,
    WeCom does not refuse it, so we only render within them; text that fits is left whole."""
    long_card = Card(kind="task", title="甲" * 50, subtitle="乙" * 60, buttons=[Button(label="签收", action="sign:0")])
    title = cards.template_card(long_card, cards.new_task_id(1))["main_title"]
    assert len(title["title"]) == 36 and title["title"] == "甲" * 35 + "…"
    assert len(title["desc"]) == 44 and title["desc"] == "乙" * 43 + "…"
    fitting = Card(kind="task", title="甲" * 36, subtitle="乙" * 44, buttons=[Button(label="签收", action="sign:0")])
    title = cards.template_card(fitting, cards.new_task_id(2))["main_title"]
    assert title == {"title": "甲" * 36, "desc": "乙" * 44}


async def test_member_pacing_waits_instead_of_dropping() -> None:
    now = [0.0]
    store = MemoryRateStore(now=lambda: now[0])
    limits = member_limits(2, 3)
    for _ in range(2):
        assert await store.windows("u", limits) == 0
    assert await store.windows("u", limits) == pytest.approx(60.0)  # the minute is full
    now[0] = 60.0
    assert await store.windows("u", limits) == 0
    now[0] = 120.0
    assert await store.windows("u", limits) == pytest.approx(3480.0)  # the hour is full until t=3600
    assert await store.windows("u", limits, n=4) == float("inf")  # can never fit


@pytest.mark.parametrize("xml", ["", "not xml", "<xml></xml>", "<xml><FromUserName>u</FromUserName></xml>",
                                 "<a><b/></a>"])
def test_malformed_xml_is_rejected(xml: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_xml(xml)


def test_card_event_with_a_forged_key_is_rejected() -> None:
    xml = ("<xml><ToUserName>c</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>"
           "<MsgType>event</MsgType><Event>template_card_event</Event><EventKey>drop table</EventKey>"
           "<TaskId>t</TaskId></xml>")
    with pytest.raises(MalformedMessage):
        to_inbound(parse_xml(xml))


def test_voice_without_recognition_and_ignored_events() -> None:
    voice = ("<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>voice</MsgType>"
             "<MediaId>m</MediaId><Format>amr</Format><MsgId>9</MsgId></xml>")
    inbound = to_inbound(parse_xml(voice))
    assert inbound is not None and inbound.attachments[0].ref == "m" and inbound.event_id == "msg:9"
    assert inbound.attachments[0].text == ""  # a self-built app gets no transcript
    enter = ("<xml><FromUserName>u</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
             "<Event>enter_agent</Event></xml>")
    assert to_inbound(parse_xml(enter)) is None


# The callback XML of a submitted multiple_interaction card, as the 模板卡片事件推送 doc shows it (SelectedItems:
# one SelectedItem per drop-down, QuestionKey + OptionIds/OptionId).
FORM_XML = ("<xml><ToUserName><![CDATA[c]]></ToUserName><FromUserName><![CDATA[linx]]></FromUserName>"
            "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[tform1:7]]></EventKey>"
            "<TaskId><![CDATA[mt7-a]]></TaskId><CardType><![CDATA[multiple_interaction]]></CardType>"
            "<ResponseCode><![CDATA[rc]]></ResponseCode><AgentID>1</AgentID><SelectedItems>{items}</SelectedItems></xml>")


def _item(key: str, *ids: str) -> str:
    options = "".join(f"<OptionId><![CDATA[{i}]]></OptionId>" for i in ids)
    return f"<SelectedItem><QuestionKey><![CDATA[{key}]]></QuestionKey><OptionIds>{options}</OptionIds></SelectedItem>"


def test_a_submitted_form_card_carries_what_was_picked() -> None:
    xml = FORM_XML.format(items=_item("a", "d3") + _item("c", "s4") + _item("d", "3w"))
    inbound = to_inbound(parse_xml(xml))
    assert inbound is not None and inbound.action is not None and inbound.action.link_id == 7
    assert inbound.selected == {"a": ["d3"], "c": ["s4"], "d": ["3w"]} and inbound.card_token == "rc"


@pytest.mark.parametrize("items", [
    "".join(_item(k, "x") for k in "abcd"),  # more drop-downs than a card holds
    "<SelectedItem><QuestionKey>a</QuestionKey><OptionIds>d3</OptionIds></SelectedItem>",
    "<SelectedItem>a</SelectedItem>",
    _item("a", "x" * 129),
])
def test_a_form_event_not_of_the_documented_shape_is_rejected(items: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_xml(FORM_XML.format(items=items))


def test_a_form_card_renders_as_multiple_interaction_within_its_limits() -> None:
    from bot.types import Select

    selects = [Select(key=k, title="一个很长的选择器标题啊啊", options=[(f"o{i}", "选项" * 12) for i in range(12)])
               for k in "abcd"]
    card = Card(kind="center", title="交办任务 2026-0001", selects=selects,
                submit=Button(label="下一步", action="tform1:7"), buttons=[Button(label="按默认交办", action="tform2:7")])
    body = cards.template_card(card, cards.new_task_id(7))
    assert body["card_type"] == "multiple_interaction" and "button_list" not in body
    assert len(body["select_list"]) == 3 and all(len(q["option_list"]) == 10 for q in body["select_list"])
    assert all(len(o["text"]) <= 16 for q in body["select_list"] for o in q["option_list"])
    assert body["submit_button"] == {"text": "下一步", "key": "tform1:7"}
