"""DingTalk in the sandbox: FakeDingTalk (its OpenAPI and Stream gateway) on loopback, settings pointing our
real integration at it, and a user who types and clicks through the real Stream SDK (integrations/sandbox/
holds the fake and the user)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.dingtalk import DINGTALK
from integrations.dingtalk.config import DingTalkSettings, load_dingtalk
from integrations.plugin import Serve
from integrations.sandbox.dingtalk import FakeDingTalk, UserSim

PLATFORM = DINGTALK.value


def _text(m: dict[str, Any]) -> str:
    param = m.get("param") or {}
    return str(param.get("content") or param.get("text") or "")


@dataclass
class DingTalkSandbox:
    fake: FakeDingTalk
    settings: DingTalkSettings
    user: UserSim | None = None

    def connect(self, server: str, client: httpx.AsyncClient) -> None:
        self.user = UserSim(self.fake)  # serve connects to the fake's gateway, not the other way round

    def messages(self, user: str) -> list[dict[str, Any]]:
        out = []
        for m in self.fake.inbox.get(user, []):
            item: dict[str, Any] = {"platform": PLATFORM, "at": m.get("at", 0), "from": "bot"}
            if "card" in m:
                p = self.fake.cards[m["card"]]["params"]
                item["card"] = {"id": m["card"], "title": p.get("title", ""), "subtitle": p.get("subtitle", ""),
                                "fields": [[f["label"], f["value"]] for f in json.loads(p.get("fields") or "[]")],
                                "note": p.get("note", ""),
                                "buttons": [{"text": b["text"], "key": b["text"]}
                                            for b in json.loads(p.get("buttons") or "[]")]}
            elif m.get("msgKey") == "sampleFile":
                param = m.get("param") or {}
                item["file"] = {"media": str(param.get("mediaId", "")), "name": str(param.get("fileName", "文件"))}
            else:
                item["text"] = _text(m)
            out.append(item)
        return out

    def group_messages(self, ref: str) -> list[dict[str, Any]]:
        return [{"at": m.get("at", 0), "platform": PLATFORM, "text": _text(m),
                 "media": m["param"]["photoURL"] if m.get("msgKey") == "sampleImageMsg" else ""}
                for m in self.fake.groups.get(ref, [])]

    def media(self, media_id: str) -> bytes | None:
        return self.fake.media.get(media_id)

    async def say(self, user: str, text: str) -> None:
        assert self.user is not None
        await self.user.text(user, text)

    async def photo(self, user: str, data: bytes, name: str) -> None:
        assert self.user is not None
        await self.user.picture(user, data)

    def todos(self) -> list[dict[str, Any]]:
        users = {union: user for user, union in self.fake.unions.items()}
        return [{"platform": PLATFORM, "user": users.get(t["union"], ""), "subject": t.get("subject", ""),
                 "due": t.get("dueTime"), "done": bool(t.get("done")), "source_id": t.get("sourceId") or "",
                 "updates": t.get("updates", 0)} for t in self.fake.todos.values()]

    async def click(self, user: str, card: str, key: str, selected: dict[str, str] | None = None) -> bool:
        assert self.user is not None
        if card not in self.fake.cards:
            return False
        await self.user.click(user, card, key)
        return True


async def start(serve: Serve) -> DingTalkSandbox:
    secret = secrets.token_hex(8)
    # The standard edition's limits: 20 calls a second per API (PLATFORMS.md). The monthly quota is left off
    # so a long sandbox session keeps working.
    fake = FakeDingTalk("dingsandbox", secret, "robotsandbox", redeliver_after=60.0, qps_limit=20.0)
    base = await serve(fake.app())
    fake.base_url = base
    fake.template("sandbox.generic")  # as if the org had imported card_template.json under this id
    settings = load_dingtalk(client_id="dingsandbox", client_secret=secret, robot_code="robotsandbox",
                             card_template_id="sandbox.generic", api_base=base, oapi_base=base, login_base=base)
    return DingTalkSandbox(fake, settings)
