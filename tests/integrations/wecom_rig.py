"""A fake WeCom on loopback, our real callback and channel, and members who type and click."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channel import ChannelRegistry
from bot.engine import Bot
from bot.handling import Submitter
from core.enums import Platform
from core.services.base import Domain
from integrations.groups import make_groups
from integrations.registry import plugin
from integrations.sandbox.wecom import FakeWeCom, Stored
from integrations.sandbox.wecom_member import WeComMember
from integrations.wecom.api import WeComAPI
from integrations.wecom.callback import PATH, WeComCallback
from integrations.wecom.channel import WeComChannel
from integrations.wecom.config import load_wecom
from scheduler.delivery import deliver_due

CORP, AGENT, SECRET, TOKEN = "wwcorp0001", 1000002, "s3cret", "tok3n"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


class WeComRig:
    def __init__(self, domain: Domain, fake: FakeWeCom, callback: WeComCallback, member: WeComMember,
                 registry: ChannelRegistry) -> None:
        self.domain, self.fake, self.callback, self.member, self.registry = domain, fake, callback, member, registry

    async def settle(self) -> None:
        """Let handlers finish and the outbox drain, as the embedded scheduler would."""
        await self.callback.drain()
        for _ in range(20):
            if not await deliver_due(self.registry, self.domain.clock):
                break

    async def say(self, user: str, text: str) -> httpx.Response | None:
        resp = await self.member.text(user, text)
        await self.settle()
        return resp

    def card(self, user: str, label: str) -> Stored:
        for msg in reversed(self.fake.card_messages(user)):
            if any(b["text"] == label for b in msg.body.get("button_list", [])):
                return msg
        raise AssertionError(f"{user} has no card with {label}: {[m.body for m in self.fake.card_messages(user)]}")

    def form(self, user: str) -> Stored:
        for msg in reversed(self.fake.card_messages(user)):
            if msg.body.get("card_type") == "multiple_interaction":
                return msg
        raise AssertionError(f"{user} has no form card")

    async def submit(self, user: str, **choices: str) -> httpx.Response | None:
        """Submit the user's form card as shown, with `choices` (question_key=option id) picked instead."""
        msg = self.form(user)
        selected = {q["question_key"]: [choices.get(q["question_key"]) or q.get("selected_id")
                                        or q["option_list"][0]["id"]] for q in msg.body["select_list"]}
        offered = {q["question_key"]: {o["id"] for o in q["option_list"]} for q in msg.body["select_list"]}
        assert all(ids[0] in offered[k] for k, ids in selected.items()), f"not offered on the card: {selected}"
        task_id = msg.body["task_id"]
        resp = await self.member.click(user, task_id, msg.body["submit_button"]["key"], self.fake.new_code(task_id),
                                       selected=selected)
        await self.settle()
        return resp

    async def click(self, user: str, label: str) -> httpx.Response | None:
        msg = self.card(user, label)
        key = next(b["key"] for b in msg.body["button_list"] if b["text"] == label)
        task_id = msg.body["task_id"]
        resp = await self.member.click(user, task_id, key, self.fake.new_code(task_id))
        await self.settle()
        return resp


@asynccontextmanager
async def wecom_rig(domain: Domain, api_timeout: float = 10.0, groups: bool = True, handoff: Submitter | None = None,
                    **fake_options: object) -> AsyncIterator[WeComRig]:
    """With `groups`, the database's group chats are first created in the fake as `maotiao groups create` does:
    like WeCom, the fake takes group messages only for chats the app created. With `handoff`, our callback
    only stores and acknowledges, and hands what it stored there (as serve does with Redis)."""
    fake = FakeWeCom(CORP, SECRET, AGENT, **fake_options)  # type: ignore[arg-type]
    async with TestServer(fake.app(), host="127.0.0.1") as fake_server:
        settings = load_wecom(corp_id=CORP, agent_id=AGENT, secret=SECRET, token=TOKEN, aes_key=AES_KEY,
                              api_base=str(fake_server.make_url("/cgi-bin/")), timeout_seconds=api_timeout)
        if groups:
            made = await make_groups({Platform.WECOM: settings})
            assert all(o.status != "failed" for o in made), [o.reason for o in made]
            fake.calls.clear()  # what a test counts starts with the test (going live happened before)
        api = WeComAPI(settings)
        registry = ChannelRegistry()
        registry.register(WeComChannel(api), label=plugin(Platform.WECOM).label)
        bot = Bot(domain)
        callback = WeComCallback(settings, bot, handoff=handoff)
        app = web.Application()
        callback.setup(app)
        async with TestServer(app, host="127.0.0.1") as our_server, httpx.AsyncClient() as client:
            member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, str(our_server.make_url(PATH)), client)
            yield WeComRig(domain, fake, callback, member, registry)
        await api.aclose()
