"""The real signing client and API against the fake 浙政钉 gateway over loopback: what the gateway refuses,
token expiry, 免登 codes, and what a person would see of notifications, 待办, DING and group messages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from aiohttp.test_utils import TestServer

from integrations.sandbox.zwdd import FakeZwdd
from integrations.zwdd import messages
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.config import load_zwdd
from integrations.zwdd.errors import Kind, ZwddError
from integrations.zwdd.robot import GroupRobot

GRID, OFFICER, CENTER = "77886370", "77522062", "100"


class Clock:
    def __init__(self) -> None:
        self.now = 1_714_527_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    fake: FakeZwdd
    api: ZwddAPI
    base: str
    clock: Clock

    def client(self, **overrides: object) -> ZwddAPI:
        values: dict[str, object] = {"app_key": "mt-app", "app_secret": "mt-secret", "tenant_id": "196729",
                                     "sender_id": CENTER, "api_base": self.base, **overrides}
        return ZwddAPI(load_zwdd(**values), clock=self.clock)


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    clock = Clock()
    fake = FakeZwdd("mt-app", "mt-secret", "196729", users={GRID: "王网格", OFFICER: "李承办", CENTER: "中心账号"},
                    clock=clock)
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        base = str(server.make_url("")).rstrip("/")
        rig = Rig(fake, ZwddAPI(load_zwdd(app_key="mt-app", app_secret="mt-secret", tenant_id="196729",
                                          sender_id=CENTER, api_base=base), clock=clock), base, clock)
        yield rig
        await rig.api.aclose()


async def _refused(api: ZwddAPI) -> ZwddError:
    with pytest.raises(ZwddError) as caught:
        await api.notify([GRID], messages.text("测试"), "out-refused")
    await api.aclose()
    return caught.value


async def test_wrong_secret_unknown_key_and_skewed_clock_are_refused_as_configuration(rig) -> None:
    wrong = await _refused(rig.client(app_secret="not-the-secret"))
    assert (wrong.code, wrong.message, wrong.kind) == ("OPF-B001-05-16-0009", "SignatureDoesNotMatch", Kind.CONFIGURATION)
    assert (await _refused(rig.client(app_key="someone-else"))).code == "InvalidApiKey"
    skewed = ZwddAPI(rig.api.settings, clock=lambda: rig.clock.now + 20 * 60)
    refused = await _refused(skewed)
    assert refused.code == "InvalidTimestamp" and refused.kind is Kind.CONFIGURATION
    tenant = await _refused(rig.client(tenant_id="1"))
    assert tenant.kind is Kind.CONFIGURATION and "ZWDD_TENANT_ID" in tenant.plain()
    assert rig.fake.inbox == {}


async def test_missing_headers_replayed_and_tampered_requests_are_refused(rig) -> None:
    async with httpx.AsyncClient() as raw:
        bare = await raw.post(rig.base + "/message/workNotification", data={"tenantId": "196729"})
        assert bare.status_code == 403 and bare.json()["errorCode"] == "MissingHeader"
        pairs = [("bizMsgId", "out-7"), ("msg", json.dumps(messages.text("请签收"))), ("receiverIds", GRID),
                 ("tenantId", "196729")]
        headers = rig.api.gateway.headers("POST", rig.base + "/message/workNotification", pairs)
        first = await raw.post(rig.base + "/message/workNotification", data=dict(pairs), headers=headers)
        assert first.json()["success"] is True
        replay = await raw.post(rig.base + "/message/workNotification", data=dict(pairs), headers=headers)
        assert replay.json()["errorCode"] == "NonceUsed"
        fresh = rig.api.gateway.headers("POST", rig.base + "/message/workNotification", pairs)
        tampered = await raw.post(rig.base + "/message/workNotification",
                                  data={**dict(pairs), "receiverIds": OFFICER}, headers=fresh)
        assert tampered.json()["errorMsg"] == "SignatureDoesNotMatch"
        forged = {**rig.api.gateway.headers("POST", rig.base + "/message/workNotification", pairs),
                  "X-Hmac-Auth-Signature": "签名".encode()}
        odd = await raw.post(rig.base + "/message/workNotification", data=dict(pairs), headers=forged)
        assert odd.status_code == 403 and odd.json()["errorMsg"] == "SignatureDoesNotMatch"
    assert len(rig.fake.inbox[GRID]) == 1 and OFFICER not in rig.fake.inbox


async def test_auth_code_is_exchangeable_once_and_expires(rig) -> None:
    user = await rig.api.user_by_auth_code(rig.fake.issue_code(GRID))
    assert (user.account_id, user.name, user.tenant_id) == (GRID, "王网格", "196729")
    code = rig.fake.issue_code(OFFICER)
    await rig.api.user_by_auth_code(code)
    with pytest.raises(ZwddError) as used:
        await rig.api.user_by_auth_code(code)
    assert used.value.auth_code_invalid
    late = rig.fake.issue_code(OFFICER)
    rig.clock.now += 301
    with pytest.raises(ZwddError) as expired:
        await rig.api.user_by_auth_code(late)
    assert expired.value.auth_code_invalid
    with pytest.raises(ZwddError):  # a scan-login code is not a JSAPI auth code
        await rig.api.user_by_auth_code(rig.fake.issue_code(OFFICER, kind="login"))
    assert (await rig.api.user_by_login_code(rig.fake.issue_code(OFFICER, kind="login"))).name == "李承办"
    assert await rig.api.jsapi_ticket()


async def test_token_is_reused_renewed_and_replaced_when_the_platform_expires_it(rig) -> None:
    first = await rig.api.token()
    other = rig.client()
    assert await other.token() == first  # doc: repeated fetches within the lifetime return the same token
    await other.aclose()
    rig.fake.expire_tokens()  # the platform forgot it (restart, revoke): 240133 on the next use
    await rig.api.user_by_auth_code(rig.fake.issue_code(GRID))
    assert rig.api.token_fetches == 2 and await rig.api.token() != first
    rig.clock.now += 7200  # lifetime over on both sides: fetched again before use
    await rig.api.user_by_auth_code(rig.fake.issue_code(GRID))
    assert rig.api.token_fetches == 3


async def test_work_notification_retry_is_not_shown_twice_and_same_text_same_day_is_dropped(rig) -> None:
    oa = messages.oa("新任务 #12", "邻里纠纷,请签收", "https://mt.example/a/12")
    sent = await rig.api.notify([GRID], oa, "out-12-1")
    again = await rig.api.notify([GRID], oa, "out-12-1")  # the first answer was lost, the outbox retries
    assert sent.msg_id and again.duplicate and len(rig.fake.inbox[GRID]) == 1
    assert rig.fake.inbox[GRID][0]["msg"]["oa"]["message_url"] == "https://mt.example/a/12"
    await rig.api.notify([GRID], oa, "out-12-2")  # same content, new id, same day: accepted, not shown
    assert len(rig.fake.inbox[GRID]) == 1 and rig.fake.dropped[-1]["reason"] == "same content today"
    rig.clock.now += 86400
    await rig.api.notify([GRID], oa, "out-12-3")
    assert len(rig.fake.inbox[GRID]) == 2
    with pytest.raises(ZwddError) as unknown:
        await rig.api.notify(["999"], messages.text("x"), "out-13")
    assert unknown.value.kind is Kind.PERMANENT


async def test_daily_limit_per_user(rig) -> None:
    rig.fake.daily_limit = 3
    for i in range(4):
        await rig.api.notify([OFFICER], messages.text(f"提醒 {i}"), f"out-lim-{i}")
    assert rig.fake.texts(OFFICER) == ["提醒 0", "提醒 1", "提醒 2"]
    assert rig.fake.dropped[-1]["reason"] == "daily limit"


async def test_todo_lifecycle_with_our_task_id(rig) -> None:
    todo = await rig.api.create_todo("task-12", OFFICER, "处理:邻里纠纷", "https://mt.example/a/12")
    assert await rig.api.create_todo("task-12", OFFICER, "处理:邻里纠纷", "https://mt.example/a/12") == todo
    assert [t["bizTaskId"] for t in rig.fake.open_todos(OFFICER)] == ["task-12"]
    moved = await rig.api.update_todo(todo, 2, GRID, "处理:邻里纠纷", "https://mt.example/a/12",
                                      previous_assignee=OFFICER)
    assert rig.fake.open_todos(OFFICER) == [] and [t["bizTaskId"] for t in rig.fake.open_todos(GRID)] == ["task-12#r2"]
    await rig.api.finish_todo(moved, GRID)
    await rig.api.finish_todo(moved, GRID)  # a retried finish changes nothing
    assert rig.fake.todos[moved.task_uuid]["status"] == "done" and rig.fake.open_todos(GRID) == []
    with pytest.raises(ZwddError):
        await rig.api.finish_todo(todo, OFFICER)  # cancelled: cannot be finished


async def test_ding_group_message_and_custom_robot(rig) -> None:
    await rig.api.ding([OFFICER], "任务 #12 已超期,请尽快处理")
    assert rig.fake.dings[-1]["receivers"] == [OFFICER] and rig.fake.dings[-1]["creator"] == CENTER
    with pytest.raises(ZwddError) as no_chat:
        await rig.api.send_group("chat-x", messages.text("值班"))
    assert no_chat.value.kind is Kind.PERMANENT
    rig.fake.add_group("chat-1")
    await rig.api.send_group("chat-1", messages.markdown("今日值班", "**张三** 值班"))
    assert rig.fake.groups["chat-1"][-1]["msg"]["markdown"]["text"] == "**张三** 值班"
    token, secret = rig.fake.add_robot("chat-2")
    async with httpx.AsyncClient() as client:
        await GroupRobot(rig.base, token, secret, client, rig.clock).send(messages.text("周报已发布"))
        assert rig.fake.groups["chat-2"][-1]["msg"]["text"]["content"] == "周报已发布"
        with pytest.raises(ZwddError) as bad:
            await GroupRobot(rig.base, token, "SECwrong", client, rig.clock).send(messages.text("x"))
        assert bad.value.code == "310000" and bad.value.kind is Kind.CONFIGURATION
        robot = GroupRobot(rig.base, token, secret, client, rig.clock)
        for i in range(19):
            await robot.send(messages.text(f"第{i}条"))
        with pytest.raises(ZwddError) as fast:
            await robot.send(messages.text("第21条"))
        assert fast.value.kind is Kind.THROTTLED


async def test_gateway_busy_and_throttling(rig) -> None:
    rig.fake.fail_next, rig.fake.throttle_next = 1, 0
    with pytest.raises(ZwddError) as busy:
        await rig.api.notify([GRID], messages.text("a"), "out-b1")
    assert busy.value.kind is Kind.TRANSIENT and busy.value.ambiguous
    rig.fake.throttle_next = 1
    with pytest.raises(ZwddError) as slow:
        await rig.api.notify([GRID], messages.text("a"), "out-b1")
    assert slow.value.kind is Kind.THROTTLED
    assert (await rig.api.notify([GRID], messages.text("a"), "out-b1")).msg_id  # nothing arrived before
