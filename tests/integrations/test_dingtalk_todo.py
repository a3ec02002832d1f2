"""钉钉待办: a dispatched task appears in the assignee's to-do list exactly as the official SDK would build the
request, follows the task (签收, 办结), is never made twice, and a failed unionId lookup delays only itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestServer
from alibabacloud_dingtalk.todo_1_0 import models as todo_models

from bot.channel import ChannelRegistry, MirroredTask, MirrorTarget
from bot.notify import notifications
from bot.outbox import enqueue
from core import evidence_links
from core.clock import ManualClock
from core.enums import Platform, ResultType
from core.evidence_links import LinkSigner
from core.models import Identity, OutboxMessage, Task, TaskMirror
from core.services import handling, triage
from core.services.base import Outcome
from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.channel import DingTalkChannel
from integrations.dingtalk.config import load_dingtalk
from integrations.dingtalk.todo import mirror
from integrations.sandbox.dingtalk import FakeDingTalk
from scheduler.delivery import deliver_due
from tests.conftest import staff_id, who
from tests.core.flows import W, accepted

PUBLIC = "https://maotiao.example.gov.cn"
OFFICER = "dt2101"  # 赵敏 in the demo org


@dataclass
class Todo:
    fake: FakeDingTalk
    api: DingTalkAPI
    registry: ChannelRegistry


@pytest.fixture
async def dt() -> AsyncIterator[Todo]:
    fake = FakeDingTalk("dingclient01", "dingsecret", "dingrobot01")
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        fake.base_url = str(server.make_url("")).rstrip("/")
        fake.template("tpl.generic")
        api = DingTalkAPI(load_dingtalk(client_id="dingclient01", client_secret="dingsecret", robot_code="dingrobot01",
                                        card_template_id="tpl.generic", api_base=fake.base_url,
                                        oapi_base=fake.base_url))
        registry = ChannelRegistry()
        registry.register(DingTalkChannel(api))
        evidence_links.use(LinkSigner("todo-link-secret-for-tests-0123456789", PUBLIC, timedelta(hours=72)))
        try:
            yield Todo(fake, api, registry)
        finally:
            evidence_links.reset()
            await api.aclose()


async def _told(domain, outcome: Outcome) -> None:  # type: ignore[no-untyped-def]
    """What the engine does with a verb's events: messages and to-do marks, in one go."""
    await enqueue(await notifications(outcome.events, domain.clock.now(), set()), domain.clock.now())


async def _dispatched(domain) -> Task:  # type: ignore[no-untyped-def]
    case = await accepted(domain)
    out = await triage.dispatch(domain, await who("林晓"), case.id, [triage.Assignment(await staff_id("赵敏"))],
                                source=W)
    await _told(domain, out)
    return out.tasks[0]


def _sdk_create(body: dict[str, object]) -> dict[str, object]:
    """The body the official SDK sends for the same request (its empty lists are not sent by us)."""
    request = todo_models.CreateTodoTaskRequest().from_map(body)
    request.validate()
    return {k: v for k, v in request.to_map().items() if v != []}


async def test_a_dispatched_task_appears_in_the_assignees_todo_as_the_sdk_would_send_it(org, domain, dt) -> None:
    task = await _dispatched(domain)
    await deliver_due(dt.registry, domain.clock)
    (method, path, body), = [r for r in dt.fake.todo_requests if r[0] == "POST"]
    union = dt.fake.unions[OFFICER]
    assert (method, path) == ("POST", f"/v1.0/todo/users/{union}/tasks")  # CreateTodoTask's pathname
    assert body == _sdk_create(body)
    assert body["sourceId"] == f"maotiao-task-{task.id}" and body["executorIds"] == [union]
    assert body["dueTime"] == int(task.deadline.timestamp() * 1000)
    assert "2026-0001" in str(body["subject"])
    detail = body["detailUrl"]
    assert isinstance(detail, dict) and detail["appUrl"] == detail["pcUrl"]
    claim = evidence_links.current().verify_page(str(detail["appUrl"]).split("token=")[1])  # type: ignore[union-attr]
    assert claim is not None and (claim.case_id, claim.staff_id) == (task.case_id, task.assignee_id)
    assert (await Identity.get(platform=Platform.DINGTALK.value, external_id=OFFICER)).alias == union
    assert (await TaskMirror.get(task_id=task.id)).status == "synced"
    assert dt.fake.inbox.get(OFFICER), "the task card went out as before"


async def test_signing_then_resolving_the_task_completes_the_todo(org, domain, dt) -> None:
    task = await _dispatched(domain)
    await deliver_due(dt.registry, domain.clock)
    await _told(domain, await handling.sign(domain, await who("赵敏"), task.id, source=W))
    await deliver_due(dt.registry, domain.clock)
    (todo,) = dt.fake.todos_of(OFFICER)
    assert todo["done"] is False and todo["updates"] == 1
    await _told(domain, await handling.resolve_task(domain, await who("赵敏"), task.id, ResultType.AGREEMENT,
                                                    "双方达成协议", source=W))
    await deliver_due(dt.registry, domain.clock)
    (todo,) = dt.fake.todos_of(OFFICER)
    assert todo["done"] is True and "已办结" in todo["subject"]
    puts = [b for m, _, b in dt.fake.todo_requests if m == "PUT"]
    for put in puts:  # UpdateTodoTask's body, as the SDK builds it
        assert put == {k: v for k, v in todo_models.UpdateTodoTaskRequest().from_map(put).to_map().items()
                       if v != []}
    assert dt.fake.lookups == 1  # the unionId is looked up once and kept


async def test_a_failed_unionid_lookup_is_retried_and_holds_up_nothing_else(org, domain, dt, clock: ManualClock
                                                                           ) -> None:
    dt.fake.lookup_busy = 1  # 系统繁忙 once
    task = await _dispatched(domain)
    await deliver_due(dt.registry, domain.clock)
    row = await TaskMirror.get(task_id=task.id)
    assert row.status == "pending" and "unionId" in row.last_error and dt.fake.todos == {}
    assert await OutboxMessage.filter(status__not="sent").count() == 0  # every message went out regardless
    clock.advance(timedelta(minutes=1))
    await deliver_due(dt.registry, domain.clock)
    assert (await TaskMirror.get(task_id=task.id)).status == "synced" and len(dt.fake.todos_of(OFFICER)) == 1


async def test_a_person_dingtalk_does_not_know_is_given_up_without_touching_the_task(dt) -> None:
    task = MirroredTask(source_id="maotiao-task-9", subject="矛盾纠纷交办 2026-0009", description="",
                        due=datetime.now(UTC) + timedelta(days=3), done=False, detail_url="")
    result = await mirror(dt.api, MirrorTarget(user_id="invalid-someone", alias=None, ref=None), task)
    assert not result.ok and result.permanent and "unionId" in result.error
    assert dt.fake.todos == {}


async def test_a_retry_finds_the_todo_by_its_source_id_instead_of_making_a_second(dt) -> None:
    task = MirroredTask(source_id="maotiao-task-7", subject="矛盾纠纷交办 2026-0007", description="测试",
                        due=datetime.now(UTC) + timedelta(days=3), done=False, detail_url="")
    first = await mirror(dt.api, MirrorTarget(user_id=OFFICER, alias=None, ref=None), task)
    assert first.ok and first.ref
    again = await mirror(dt.api, MirrorTarget(user_id=OFFICER, alias=first.alias, ref=None, retry=True), task)
    assert again.ok and again.ref == first.ref and len(dt.fake.todos_of(OFFICER)) == 1
    blind = await mirror(dt.api, MirrorTarget(user_id=OFFICER, alias=first.alias, ref=None), task)
    assert not blind.ok and len(dt.fake.todos_of(OFFICER)) == 1  # the fake refuses a second create for a sourceId
