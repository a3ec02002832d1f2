"""Status back to the source: the system that sent an API case is told, over a signed webhook, when the
center accepts, dispatches, resolves and closes it, so its own work order (12345) can be closed. Retried
with backoff under one event id; the receiver here is a real HTTP server on loopback checking signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_settings
from core.models import Case, StatusWebhook
from integrations.api.webhook import HttpStatusPoster
from maotiao.server import build_app
from scheduler.sweep import run_due
from scheduler.webhooks import deliver_webhooks
from tests.bot.harness import Harness

KEY, HOOK_SECRET = "hotline-secret-0123456789", "hotline-webhook-secret-0123"
AS_HOTLINE = {"Authorization": f"Bearer {KEY}"}


class Receiver:
    """A 12345 work-order system: checks the signature, answers 503 for its first `failures` posts."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls = 0
        self.accepted: list[dict] = []
        self.ids: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        raw = await request.read()
        expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Maotiao-Signature", ""), expected):
            return web.Response(status=401)
        self.ids.append(request.headers["X-Maotiao-Event-Id"])
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=503)
        body = json.loads(raw)
        assert body["event_id"] == request.headers["X-Maotiao-Event-Id"]
        self.accepted.append(body)
        return web.Response(status=204)


async def _receiver(r: Receiver) -> TestServer:
    app = web.Application()
    app.router.add_post("/hook", r.handle)
    server = TestServer(app)
    await server.start_server()
    return server


@pytest.fixture
async def h(org, domain) -> Harness:
    return Harness(domain)


@pytest.fixture
async def api(h: Harness) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_app(load_settings(api_keys=f"hotline:{KEY}"), h.domain))) as c:
        yield c


async def _post_case(api: TestClient) -> str:
    resp = await api.post("/api/v1/cases", json={"content": "三组老王和老赵因为过道宽窄吵了好几天", "location": "荷花村",
                                                 "external_id": "12345-0042"}, headers=AS_HOTLINE)
    assert resp.status == 201
    return str((await resp.json())["number"])


async def test_the_sender_is_told_of_accept_dispatch_resolve_and_close(h: Harness, api: TestClient) -> None:
    receiver = Receiver()
    server = await _receiver(receiver)
    poster = HttpStatusPoster({"hotline": (str(server.make_url("/hook")), HOOK_SECRET)})
    try:
        number = await _post_case(api)
        await h.flush()
        await h.click("林晓", "受理并交办")
        await h.click("赵敏", "签收")
        await h.say("赵敏", f"{number[-4:]} 办结 双方达成协议,已签调解协议书")
        h.domain.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
        await run_due(h.domain)  # 回访 is due: the center answers for a case no grid worker reported
        await h.flush()
        await h.click("林晓", "满意")
        await deliver_webhooks(poster, h.domain.clock)
    finally:
        await poster.aclose()
        await server.close()
    kinds = [b["type"] for b in receiver.accepted]
    assert kinds == ["accepted", "dispatched", "resolved", "closed"]
    assert receiver.accepted[3]["detail"]["satisfaction_label"] == "满意"
    assert all(b["case"]["external_id"] == "12345-0042" and b["case"]["number"] == number for b in receiver.accepted)
    assert receiver.accepted[1]["detail"]["department"]
    assert len(set(receiver.ids)) == len(receiver.ids)


async def test_a_receiver_that_fails_twice_gets_the_same_event_on_the_third_try(h: Harness, api: TestClient) -> None:
    receiver = Receiver(failures=2)
    server = await _receiver(receiver)
    poster = HttpStatusPoster({"hotline": (str(server.make_url("/hook")), HOOK_SECRET)})
    try:
        await _post_case(api)
        await h.flush()
        await h.click("林晓", "受理并交办")
        row = await StatusWebhook.filter(kind="accepted").get()
        await StatusWebhook.exclude(id=row.id).delete()  # one event, to follow its tries
        for _ in range(3):
            await deliver_webhooks(poster, h.domain.clock)
            pending = await StatusWebhook.get(id=row.id)
            h.domain.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
        await deliver_webhooks(poster, h.domain.clock)
    finally:
        await poster.aclose()
        await server.close()
    assert receiver.calls == 3 and receiver.ids == [row.event_id] * 3
    assert [b["type"] for b in receiver.accepted] == ["accepted"]
    done = await StatusWebhook.get(id=row.id)
    assert (done.status, done.attempts, pending.status) == ("sent", 3, "sent")


async def test_a_retry_waits_for_its_backoff(h: Harness, api: TestClient) -> None:
    receiver = Receiver(failures=5)
    server = await _receiver(receiver)
    poster = HttpStatusPoster({"hotline": (str(server.make_url("/hook")), HOOK_SECRET)})
    try:
        await _post_case(api)
        await h.flush()
        await h.click("林晓", "受理并交办")
        await StatusWebhook.exclude(kind="accepted").delete()
        await deliver_webhooks(poster, h.domain.clock)
        await deliver_webhooks(poster, h.domain.clock)  # at once: not yet due again
    finally:
        await poster.aclose()
        await server.close()
    row = await StatusWebhook.get()
    assert receiver.calls == 1 and row.status == "pending" and row.next_attempt_at > h.domain.clock.now()


async def test_a_wrong_secret_is_refused_and_kept_as_a_dead_letter(h: Harness, api: TestClient) -> None:
    receiver = Receiver()
    server = await _receiver(receiver)
    poster = HttpStatusPoster({"hotline": (str(server.make_url("/hook")), "not-the-receivers-secret-1")})
    try:
        await _post_case(api)
        await h.flush()
        await h.click("林晓", "受理并交办")
        await deliver_webhooks(poster, h.domain.clock)
    finally:
        await poster.aclose()
        await server.close()
    assert receiver.accepted == [] and {r.status for r in await StatusWebhook.all()} == {"dead"}


async def test_chat_reports_owe_no_webhook(h: Harness) -> None:
    await h.say("周小梅", "三组老王和老赵因为过道宽窄吵了好几天")
    await h.click("周小梅", "确认上报")
    await h.click("林晓", "受理并交办")
    assert await Case.all().count() == 1 and await StatusWebhook.all().count() == 0
