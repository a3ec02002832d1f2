"""浙政钉 in the sandbox: the fake gateway on loopback (every account of the demo tenant exists), settings that
point our real integration at it, and people who open notifications' links and press the action page's
buttons (integrations/sandbox/zwdd_person.py)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.plugin import Serve
from integrations.sandbox.zwdd import FakeZwdd
from integrations.sandbox.zwdd_person import ZwddPerson
from integrations.zwdd import ZWDD
from integrations.zwdd.config import ZwddSettings, load_zwdd

APP_KEY, TENANT, SENDER = "zwdd-sandbox", "196729", "10001"
PLATFORM = ZWDD.value
_ACTIONS = re.compile(r"点击办理:(.*)$", re.M)


class AnyAccount(dict[str, str]):
    """The sandbox tenant: every account the demo organisation names exists on it."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.isdigit()  # accountIds are numbers

    def __missing__(self, key: str) -> str:
        return f"用户{key}"


def _item(entry: dict[str, Any]) -> dict[str, Any]:
    msg = entry["msg"]
    item: dict[str, Any] = {"platform": PLATFORM, "at": entry["at"], "from": "bot"}
    if msg["msgtype"] == "oa":
        body = msg["oa"]["body"]
        found = _ACTIONS.search(body.get("content", ""))
        labels = [x.strip() for x in found[1].split("/")] if found else []
        item["card"] = {"id": entry["bizMsgId"], "title": body.get("title", ""), "subtitle": body.get("content", ""),
                        "fields": [[f["key"].rstrip(":"), f["value"]] for f in body.get("form", [])], "note": "",
                        "buttons": [{"text": label, "key": label} for label in labels],
                        "url": msg["oa"]["message_url"]}  # the action page the notification opens
    else:
        inner = msg.get(msg["msgtype"], {})
        item["text"] = str(inner.get("content") or inner.get("text") or "")
    return item


@dataclass
class ZwddSandbox:
    fake: FakeZwdd
    settings: ZwddSettings
    person: ZwddPerson | None = None

    def connect(self, server: str, client: httpx.AsyncClient) -> None:
        self.person = ZwddPerson(self.fake, server, client)

    def messages(self, user: str) -> list[dict[str, Any]]:
        return [_item(e) for e in self.fake.inbox.get(user, [])]

    def group_messages(self, ref: str) -> list[dict[str, Any]]:
        out = []
        for m in self.fake.groups.get(ref, []):
            inner = m["msg"].get(m["msg"]["msgtype"], {})
            out.append({"at": m["at"], "platform": PLATFORM, "media": "",
                        "text": str(inner.get("text") or inner.get("content") or "")})
        return out

    def media(self, media_id: str) -> bytes | None:
        return None

    async def say(self, user: str, text: str) -> None:
        assert self.person is not None
        await self.person.say(user, text)

    async def photo(self, user: str, data: bytes, name: str) -> None:
        raise NotImplementedError("浙政钉办理页暂不支持上传照片,请用文字描述,或在企业微信/钉钉中发送照片")

    async def click(self, user: str, card: str, key: str, selected: dict[str, str] | None = None) -> bool:
        assert self.person is not None
        return await self.person.click(user, card, key) is not None


async def start(serve: Serve) -> ZwddSandbox:
    secret = secrets.token_hex(16)
    fake = FakeZwdd(APP_KEY, secret, TENANT, users=AnyAccount())
    base = await serve(fake.app())
    settings = load_zwdd(app_key=APP_KEY, app_secret=secret, tenant_id=TENANT, sender_id=SENDER, api_base=base)
    return ZwddSandbox(fake, settings)
