"""A person on 浙政钉, as far as we are concerned: they open a work notification's link (or enter the app's
page through 免登), read the action page, press one of its buttons or type in its box. The pages are ours
(maotiao/action_page.py); this reads them the way a browser would submit their forms."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx

from integrations.sandbox.zwdd import FakeZwdd
from integrations.zwdd.login import PATH as LOGIN_PATH

_BUTTON = re.compile(r'<form method="post"><input type="hidden" name="token" value="([^"]*)">'
                     r'<input type="hidden" name="form" value="([^"]*)"><input type="hidden" name="act" value="([^"]*)">'
                     r'<button class="[^"]*" type="submit">([^<]*)</button></form>')
_TEXT = re.compile(r'<form method="post" style="display:block"><input type="hidden" name="token" value="([^"]*)">'
                   r'<input type="hidden" name="form" value="([^"]*)">')
_REPLY = re.compile(r'<div class="reply">([^<]*)</div>')


def buttons(html: str) -> dict[str, dict[str, str]]:
    """The page's buttons: label → the form a press submits."""
    return {unescape(m[4]): {"token": unescape(m[1]), "form": unescape(m[2]), "act": unescape(m[3])}
            for m in _BUTTON.finditer(html)}


def replies(html: str) -> list[str]:
    return [unescape(r) for r in _REPLY.findall(html)]


class ZwddPerson:
    def __init__(self, fake: FakeZwdd, server: str, client: httpx.AsyncClient) -> None:
        self.fake, self.server, self.client = fake, server.rstrip("/"), client

    def notification(self, account: str, biz_msg_id: str) -> dict[str, Any] | None:
        return next((e["msg"] for e in self.fake.inbox.get(account, []) if e["bizMsgId"] == biz_msg_id), None)

    async def open(self, url: str) -> httpx.Response:
        return await self.client.get(url)

    async def home(self, account: str) -> httpx.Response:
        """Into the app's page through 免登: a fresh auth code, exchanged by our server, then its redirect."""
        code = self.fake.issue_code(account)
        return await self.client.get(f"{self.server}{LOGIN_PATH}", params={"authCode": code}, follow_redirects=True)

    async def press(self, url: str, label: str) -> httpx.Response | None:
        page = await self.open(url)
        form = buttons(page.text).get(label) if page.status_code == 200 else None
        if form is None:
            return None
        return await self.client.post(str(page.url), data=form)

    async def write(self, page: httpx.Response, text: str) -> httpx.Response:
        m = _TEXT.search(page.text)
        assert m is not None, f"no text box on the page ({page.status_code})"
        return await self.client.post(str(page.url).split("?")[0],
                                      data={"token": unescape(m[1]), "form": unescape(m[2]), "text": text})

    async def say(self, account: str, text: str) -> httpx.Response:
        return await self.write(await self.home(account), text)

    async def click(self, account: str, biz_msg_id: str, label: str) -> httpx.Response | None:
        msg = self.notification(account, biz_msg_id)
        if msg is None or msg.get("msgtype") != "oa":
            return None
        return await self.press(msg["oa"]["message_url"], label)
