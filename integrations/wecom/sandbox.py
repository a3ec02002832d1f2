"""WeCom in the sandbox: FakeWeCom on loopback, settings pointing our real integration at it, and a member
who types and clicks through the real callback (integrations/sandbox/ holds the fake and the member)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from integrations.plugin import Serve
from integrations.sandbox.wecom import FakeWeCom
from integrations.sandbox.wecom_member import WeComMember
from integrations.wecom import WECOM
from integrations.wecom.callback import PATH
from integrations.wecom.config import WeComSettings, load_wecom

CORP_ID, AGENT_ID = "wwsandbox", 1000001
AES_KEY = "sandboxsandboxsandboxsandboxsandboxsandbox1"  # 43 characters
PLATFORM = WECOM.value


def _card(b: dict[str, Any]) -> dict[str, Any]:
    """A template card as the sandbox page draws it; a multiple_interaction card with its drop-downs."""
    submit = b.get("submit_button")
    buttons = [{"text": x["text"], "key": x["key"]} for x in b.get("button_list", [])]
    if isinstance(submit, dict) and not b.get("replaced"):
        buttons.append({"text": submit.get("text") or "提交", "key": submit["key"]})
    selects = [{"key": q["question_key"], "title": q.get("title", ""), "selected": q.get("selected_id", ""),
                "options": [[o["id"], o["text"]] for o in q["option_list"]]} for q in b.get("select_list", [])]
    return {"id": b.get("task_id"), "title": b.get("main_title", {}).get("title", ""),
            "subtitle": b.get("replaced") or b.get("main_title", {}).get("desc", ""),
            "fields": [[h["keyname"], h["value"]] for h in b.get("horizontal_content_list", [])],
            "note": b.get("sub_title_text", ""), "buttons": buttons, "selects": selects}


def _selected(body: dict[str, Any], chosen: dict[str, str] | None) -> dict[str, list[str]] | None:
    """SelectedItems as WeCom sends them for a submitted form: every drop-down, the person's pick or the preset."""
    selects = body.get("select_list")
    if not selects:
        return None
    picked = chosen or {}
    return {q["question_key"]: [picked.get(q["question_key"]) or q.get("selected_id") or q["option_list"][0]["id"]]
            for q in selects}


@dataclass
class WeComSandbox:
    fake: FakeWeCom
    settings: WeComSettings
    member: WeComMember | None = None

    def connect(self, server: str, client: httpx.AsyncClient) -> None:
        self.member = WeComMember(CORP_ID, AGENT_ID, self.settings.token, AES_KEY, server + PATH, client)

    def messages(self, user: str) -> list[dict[str, Any]]:
        out = []
        for m in self.fake.inbox.get(user, []):
            item: dict[str, Any] = {"platform": PLATFORM, "at": m.at, "from": "bot"}
            if m.msgtype == "template_card":
                item["card"] = _card(m.body)
            elif m.msgtype == "file":
                media_id = str(m.body.get("media_id", ""))
                meta = self.fake.media_meta.get(media_id)
                item["file"] = {"media": media_id, "name": meta[1] if meta else "文件"}
            else:
                item["text"] = str(m.body.get("content", ""))
            out.append(item)
        return out

    def group_messages(self, ref: str) -> list[dict[str, Any]]:
        return [{"at": m.at, "text": str(m.body.get("content", "")), "platform": PLATFORM,
                 "media": m.body["media_id"] if m.msgtype == "image" else ""}
                for m in self.fake.groups.get(ref, [])]

    def media(self, media_id: str) -> bytes | None:
        return self.fake.media.get(media_id)

    async def say(self, user: str, text: str) -> None:
        assert self.member is not None
        await self.member.text(user, text)

    async def photo(self, user: str, data: bytes, name: str) -> None:
        assert self.member is not None
        await self.member.image(user, self.fake.incoming_media(data, "image/jpeg", name))

    async def click(self, user: str, card: str, key: str, selected: dict[str, str] | None = None) -> bool:
        assert self.member is not None
        if card not in self.fake.cards:
            return False
        items = _selected(self.fake.cards[card].body, selected)
        await self.member.click(user, card, key, self.fake.new_code(card), selected=items)
        return True


async def start(serve: Serve) -> WeComSandbox:
    secret = secrets.token_hex(8)
    fake = FakeWeCom(CORP_ID, secret, AGENT_ID)  # WeCom's per-member limits are FakeWeCom's defaults
    base = await serve(fake.app())
    settings = load_wecom(corp_id=CORP_ID, agent_id=AGENT_ID, secret=secret, token=secrets.token_hex(6),
                          aes_key=AES_KEY, api_base=f"{base}/cgi-bin/", oauth_base=base)
    return WeComSandbox(fake, settings)
