"""DingTalk OpenAPI client and channel against mocked HTTP (respx)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from bot.channel import Delivery
from bot.types import Button, Card, Outbound, Target
from integrations.dingtalk import cards
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import load_dingtalk

BASE = "https://zwding.test"


@pytest.fixture
def api() -> DingTalkAPI:
    return DingTalkAPI(load_dingtalk(client_id="c", client_secret="s", robot_code="r", card_template_id="t",
                                     api_base=BASE))


def _token(mock: respx.MockRouter) -> respx.Route:
    return mock.post(BASE + "/v1.0/oauth2/accessToken").mock(
        return_value=httpx.Response(200, json={"accessToken": "T", "expireIn": 7200}))


def _text(user: str = "u1") -> Delivery:
    return Delivery(Outbound(target=Target(staff_id=1), text="你好"), user_id=user)


@respx.mock
async def test_private_api_host_and_token_refresh_on_401(api) -> None:
    token = _token(respx.mock)
    send = respx.post(BASE + "/v1.0/robot/oToMessages/batchSend").mock(side_effect=[
        httpx.Response(401, json={"code": "InvalidAuthentication", "message": "expired"}),
        httpx.Response(200, json={"processQueryKey": "k", "invalidStaffIdList": [], "flowControlledStaffIdList": []}),
    ])
    result = await DingTalkChannel(api).send(_text())
    assert result.ok and token.call_count == 2 and send.call_count == 2
    sent = json.loads(send.calls[-1].request.content)
    assert sent["robotCode"] == "r" and json.loads(sent["msgParam"]) == {"content": "你好"}
    assert send.calls[-1].request.headers["x-acs-dingtalk-access-token"] == "T"


@respx.mock
@pytest.mark.parametrize(
    ("response", "ok", "permanent", "retry"),
    [
        (httpx.Response(200, json={"invalidStaffIdList": ["u1"], "flowControlledStaffIdList": []}), False, True, None),
        (httpx.Response(200, json={"invalidStaffIdList": [], "flowControlledStaffIdList": ["u1"]}), False, False, 60.0),
        (httpx.Response(504, json={"code": "ServiceTimeout", "message": "3s"}), False, False, None),
        (httpx.Response(429, json={"code": "Throttling", "message": "qps"}), False, False, 60.0),
        (httpx.Response(400, json={"code": "InvalidParameter", "message": "bad"}), False, True, None),
        # Real throttling is HTTP 403 (PLATFORMS.md): transient, never dead-lettered.
        (httpx.Response(403, json={"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "qps"}), False, False, 60.0),
        (httpx.Response(403, json={"code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "qps"}),
         False, False, 60.0),
        (httpx.Response(400, json={"code": "staffId.notExisted", "message": "u1"}), False, True, None),
        (httpx.Response(200, json={"filteredStaffIdList": ["u1"], "flowControlledStaffIdList": []}), False, True, None),
    ],
)
async def test_per_user_lists_and_http_errors(api, response, ok, permanent, retry, monkeypatch) -> None:
    monkeypatch.setattr("integrations.dingtalk.api.THROTTLE_RETRIES", ())
    _token(respx.mock)
    respx.post(BASE + "/v1.0/robot/oToMessages/batchSend").mock(return_value=response)
    result = await DingTalkChannel(api).send(_text())
    assert (result.ok, result.permanent, result.retry_after) == (ok, permanent, retry)


@respx.mock
async def test_monthly_quota_is_its_own_failure(api) -> None:
    _token(respx.mock)
    respx.post(BASE + "/v1.0/robot/oToMessages/batchSend").mock(return_value=httpx.Response(403, json={
        "code": "Forbidden.AccessDenied.ApiCountLimitForOrg", "message": "调用量:10001次,额度:10000次"}))
    result = await DingTalkChannel(api).send(_text())
    assert not result.ok and result.quota_exhausted and not result.permanent and result.retry_after == 3600.0


@respx.mock
async def test_card_create_update_and_ding(api) -> None:
    from core.models import CardLink

    _token(respx.mock)
    create = respx.post(BASE + "/v1.0/card/instances/createAndDeliver").mock(return_value=httpx.Response(
        200, json={"success": True, "result": {"deliverResults": [{"success": True}]}}))
    update = respx.put(BASE + "/v1.0/card/instances").mock(return_value=httpx.Response(200, json={"success": True}))
    ding = respx.post(BASE + "/v1.0/robot/ding/send").mock(return_value=httpx.Response(200, json={}))
    card = Card(kind="task", title="交办任务", fields=[("编号", "2026-0001")],
                buttons=[Button(label="签收", action="sign:5", style="primary")])
    channel = DingTalkChannel(api)
    result = await channel.send(Delivery(Outbound(target=Target(staff_id=1), card=card, card_link_id=5, urgent=True),
                                         user_id="u1", link=CardLink(id=5, kind="task", staff_id=1), key="o77"))
    body = json.loads(create.calls[0].request.content)
    assert result.ok and result.external_id == body["outTrackId"] == "mt5-o77"  # stable per outbox row
    assert body["callbackType"] == "STREAM" and body["openSpaceId"] == "dtv1.card//IM_ROBOT.u1"
    assert json.loads(body["cardData"]["cardParamMap"]["buttons"])[0]["action"] == "sign:5"
    assert ding.called and json.loads(ding.calls[0].request.content)["receiverUserIdList"] == ["u1"]
    link = CardLink(id=5, kind="task", staff_id=1, platform="dingtalk", external_id=result.external_id)
    await channel.send(Delivery(Outbound(target=Target(staff_id=1), card=card, card_link_id=5, update=True),
                                user_id="u1", link=link))
    assert json.loads(update.calls[0].request.content)["cardUpdateOptions"] == {"updateCardDataByKey": True}


def test_card_params_are_all_strings() -> None:
    params = cards.card_params(Card(kind="x", title="t", fields=[("a", "b")], buttons=[]))
    assert all(isinstance(v, str) for v in params.values()) and json.loads(params["buttons"]) == []


@respx.mock
@pytest.mark.parametrize("via, remind_type", [("app", 1), ("sms", 2), ("call", 3)])
async def test_an_urgent_message_dings_by_app_sms_or_call(api, via: str, remind_type: int) -> None:
    _token(respx.mock)
    respx.post(BASE + "/v1.0/robot/oToMessages/batchSend").mock(return_value=httpx.Response(200, json={}))
    ding = respx.post(BASE + "/v1.0/robot/ding/send").mock(return_value=httpx.Response(200, json={}))
    outbound = Outbound(target=Target(staff_id=1), text="【逾期】案件 2026-0001 已超过截止时间", urgent=True,
                        urgent_via=via)  # type: ignore[arg-type]
    result = await DingTalkChannel(api).send(Delivery(outbound, user_id="u1", key="o1"))
    assert result.ok and json.loads(ding.calls[0].request.content)["remindType"] == remind_type
