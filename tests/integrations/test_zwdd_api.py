"""The 浙政钉 API client against mocked HTTP (respx): answer envelopes, error classes, token caching and
refresh, idempotent retries, request fields."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from integrations.zwdd import messages
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.config import load_zwdd
from integrations.zwdd.errors import Kind, ZwddError
from integrations.zwdd.models import Todo

BASE = "https://gw.test"


@pytest.fixture
async def api():
    client = ZwddAPI(load_zwdd(app_key="ak", app_secret="sk", tenant_id="196729", sender_id="100", api_base=BASE))
    yield client
    await client.aclose()


def _ok(data: object) -> httpx.Response:
    return httpx.Response(200, json={"success": True, "content": {"success": True, "data": data, "responseCode": "0"}})


def _biz(code: str, message: str) -> httpx.Response:
    return httpx.Response(200, json={"success": True, "content": {"success": False, "responseCode": code,
                                                                  "responseMessage": message}})


def _token(token: str = "app_T") -> httpx.Response:
    return _ok({"accessToken": token, "expiresIn": "7200"})


def _form(route: respx.Route, index: int = -1) -> dict[str, str]:
    return dict(parse_qsl(route.calls[index].request.content.decode(), keep_blank_values=True))


@respx.mock
async def test_concurrent_callers_share_one_token_fetch(api) -> None:
    token = respx.get(BASE + "/gettoken.json").mock(side_effect=lambda request: _token())
    user = respx.post(BASE + "/rpc/oauth2/dingtalk_app_user.json").mock(
        side_effect=lambda request: _ok({"accountId": 7788, "lastName": "王网格"}))
    users = await asyncio.gather(*(api.user_by_auth_code(f"code{i}") for i in range(20)))
    assert token.call_count == 1 and user.call_count == 20
    assert {u.account_id for u in users} == {"7788"} and users[0].name == "王网格"
    assert dict(parse_qsl(token.calls[0].request.url.query.decode())) == {"appkey": "ak", "appsecret": "sk"}
    assert _form(user)["access_token"] == "app_T"


@respx.mock
async def test_expired_token_refreshed_once_for_many_callers(api) -> None:
    tokens = iter(["app_old", "app_new"])
    fetch = respx.get(BASE + "/gettoken.json").mock(side_effect=lambda request: _token(next(tokens)))

    def answer(request: httpx.Request) -> httpx.Response:
        if _form_of(request)["access_token"] == "app_old":
            return _biz("240133", "应用accessToken失效或不存在")
        return _ok({"accountId": 1, "lastName": "甲"})

    respx.post(BASE + "/rpc/oauth2/getuserinfo_bycode.json").mock(side_effect=answer)
    await api.token()
    await asyncio.gather(*(api.user_by_login_code(f"c{i}") for i in range(10)))
    assert fetch.call_count == 2  # one refresh, not ten


def _form_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode(), keep_blank_values=True))


@respx.mock
async def test_a_fresh_token_refused_again_is_a_configuration_error(api) -> None:
    respx.get(BASE + "/gettoken.json").mock(side_effect=lambda request: _token())
    respx.post(BASE + "/rpc/oauth2/dingtalk_app_user.json").mock(return_value=_biz("240133", "应用accessToken失效或不存在"))
    with pytest.raises(ZwddError) as caught:
        await api.user_by_auth_code("c")
    assert caught.value.kind is Kind.CONFIGURATION


@respx.mock
async def test_used_or_expired_auth_code_is_reported_as_such(api) -> None:
    respx.get(BASE + "/gettoken.json").mock(return_value=_token())
    respx.post(BASE + "/rpc/oauth2/dingtalk_app_user.json").mock(return_value=_biz("240111", "code失效或不存在"))
    with pytest.raises(ZwddError) as caught:
        await api.user_by_auth_code("used")
    assert caught.value.auth_code_invalid and caught.value.kind is Kind.PERMANENT


@respx.mock
async def test_token_refetched_before_its_lifetime_ends() -> None:
    now = [1_000_000.0]
    api = ZwddAPI(load_zwdd(app_key="ak", app_secret="sk", tenant_id="1", sender_id="2", api_base=BASE),
                  clock=lambda: now[0])
    fetch = respx.get(BASE + "/gettoken.json").mock(side_effect=lambda request: _token())
    await api.token()
    now[0] += 7200 - 301  # inside the 300 s margin
    await api.token()
    assert fetch.call_count == 1
    now[0] += 2
    await api.token()
    assert fetch.call_count == 2
    await api.aclose()


@respx.mock
@pytest.mark.parametrize(
    ("response", "kind", "ambiguous"),
    [
        (httpx.Response(403, json={"success": False, "errorCode": "OPF-B001-05-16-0009", "errorMsg": "SignatureDoesNotMatch"}),
         Kind.CONFIGURATION, False),
        (httpx.Response(200, json={"success": False, "Code": "InvalidApiKey", "Message": "unknown apiKey"}),
         Kind.CONFIGURATION, False),
        (httpx.Response(203, json={"success": True, "content": {"msgId": "x"}}), Kind.PERMANENT, False),
        (httpx.Response(429, json={"success": False, "errorCode": "Throttling", "errorMsg": "请求过于频繁"}),
         Kind.THROTTLED, False),
        (httpx.Response(200, json={"success": False, "errorCode": "X", "errorMsg": "QpsLimit exceeded"}),
         Kind.THROTTLED, False),
        (httpx.Response(503, text="busy"), Kind.TRANSIENT, True),
        (httpx.Response(502, json={"success": False, "errorCode": "BadGateway", "errorMsg": "x"}), Kind.TRANSIENT, True),
        (httpx.Response(200, json={"success": False, "errorCode": "NonceUsed", "errorMsg": "nonce"}), Kind.TRANSIENT, False),
        (_biz("RECEIVER_NOT_FOUND", "接收人不存在"), Kind.PERMANENT, False),
        (httpx.Response(200, text="<html>"), Kind.PERMANENT, False),
    ],
)
async def test_answers_are_classified(api, response, kind, ambiguous) -> None:
    respx.post(BASE + "/message/workNotification").mock(return_value=response)
    with pytest.raises(ZwddError) as caught:
        await api.notify(["7788"], messages.text("请签收"), "out-1")
    assert caught.value.kind is kind and caught.value.ambiguous is ambiguous
    assert caught.value.transient is (kind in (Kind.TRANSIENT, Kind.THROTTLED))
    assert "sk" not in caught.value.plain()


@respx.mock
async def test_connection_refused_is_retried_timeouts_are_ambiguous(api) -> None:
    route = respx.post(BASE + "/message/workNotification").mock(side_effect=[
        httpx.ConnectError("refused"), httpx.Response(200, json={"success": True, "content": {"msgId": "m9"}})])
    sent = await api.notify(["7788"], messages.text("hi"), "out-2")
    assert sent.msg_id == "m9" and route.call_count == 2
    assert route.calls[0].request.headers["X-Hmac-Auth-Nonce"] != route.calls[1].request.headers["X-Hmac-Auth-Nonce"]
    respx.post(BASE + "/message/workNotification").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(ZwddError) as caught:
        await api.notify(["7788"], messages.text("hi"), "out-3")
    assert caught.value.ambiguous and caught.value.kind is Kind.TRANSIENT


@respx.mock
async def test_work_notification_fields_and_duplicate_means_delivered(api) -> None:
    route = respx.post(BASE + "/message/workNotification").mock(side_effect=[
        httpx.Response(200, json={"success": True, "content": {"msgId": "m1"}}), _biz("DUPLICATE", "bizMsgId重复")])
    msg = messages.oa("新任务 #12", "邻里纠纷,请签收", "https://mt.example/a/xyz")
    first = await api.notify(["7788", "7752"], msg, "out-12-1")
    assert first.msg_id == "m1" and not first.duplicate
    form = _form(route)
    assert form["receiverIds"] == "7788,7752" and form["tenantId"] == "196729" and form["bizMsgId"] == "out-12-1"
    assert "organizationCodes" not in form and "access_token" not in form  # signed by apiKey, no token
    sent = json.loads(form["msg"])
    assert sent["msgtype"] == "oa" and sent["oa"]["message_url"] == "https://mt.example/a/xyz"
    again = await api.notify(["7788", "7752"], msg, "out-12-1")
    assert again.duplicate


async def test_oversized_message_is_refused_before_sending(api) -> None:
    with pytest.raises(ZwddError) as caught:
        await api.notify(["1"], messages.markdown("长", "字" * 700), "out-x")  # 3 bytes each
    assert caught.value.kind is Kind.PERMANENT and caught.value.code == "MSG_TOO_LONG"
    with pytest.raises(ZwddError):
        await api.notify([], messages.text("x"), "out-y")


@respx.mock
async def test_todo_create_finish_and_update(api) -> None:
    created = respx.post(BASE + "/tc/v2/openapi/task/create.json").mock(side_effect=[
        _ok({"taskUuid": "T1", "packageUuid": "P1"}), _ok(json.dumps({"taskUuid": "T2"}))])
    finished = respx.post(BASE + "/tc/openapi/task/finish.json").mock(return_value=_ok(True))
    cancelled = respx.post(BASE + "/tc/openapi/task/cancel.json").mock(return_value=_ok(True))
    due = datetime(2024, 5, 3, 9, 0, tzinfo=UTC)
    todo = await api.create_todo("task-12", "7788", "处理:邻里纠纷", "https://mt.example/a/1", due=due)
    assert todo == Todo("task-12", "T1", "P1")
    form = _form(created)
    assert form["bizTaskId"] == "task-12" and form["creatorId"] == "100" and form["assigneeId"] == "7788"
    assert form["mobileUrl"] == form["url"] == "https://mt.example/a/1" and form["dueTime"] == "1714726800000"
    moved = await api.update_todo(todo, 2, "7752", "处理:邻里纠纷", "https://mt.example/a/1", previous_assignee="7788")
    assert moved == Todo("task-12#r2", "T2") and _form(created)["assigneeId"] == "7752"
    assert _form(cancelled) == {"taskUuid": "T1", "userId": "7788", "cancelPakcage": "true"}
    await api.finish_todo(moved, "7752")
    assert _form(finished) == {"taskUuid": "T2", "userId": "7752", "closePackage": "true"}


@respx.mock
async def test_ding_and_group_message_fields(api) -> None:
    ding = respx.post(BASE + "/gov/ding/isv/send.json").mock(return_value=_ok({"dingId": "D1"}))
    group = respx.post(BASE + "/robot/message/sendgroup").mock(
        return_value=httpx.Response(200, json={"success": True, "content": {"msgId": "g1"}}))
    assert await api.ding(["7788"], "任务 #12 即将超期") == "D1"
    form = _form(ding)
    assert json.loads(form["creator"]) == {"accountId": "100"} and json.loads(form["receivers"]) == [{"accountId": "7788"}]
    assert form["notifyType"] == "app" and form["bodyType"] == "text" and form["textType"] == "plaintext"
    assert json.loads(form["body"]) == {"text": "任务 #12 即将超期"}
    assert await api.send_group("chat-1", messages.markdown("值班", "**今日值班**")) == "g1"
    form = _form(group)
    assert form["chatId"] == "chat-1" and form["msgType"] == "markdown" and form["appKey"] == "ak"
    assert json.loads(form["msgBody"]) == {"title": "值班", "text": "**今日值班**"}
