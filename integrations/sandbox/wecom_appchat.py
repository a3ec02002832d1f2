"""FakeWeCom's group chats (应用发送消息到群聊会话): appchat/create, appchat/get and appchat/send, refusing what
WeCom refuses. An app may send only to chats it created itself; every other chatid is unknown to it.

Sources (developer.work.weixin.qq.com/document/path/<n>): 90245 创建群聊会话, 98914 获取群聊会话, 应用推送消息 (the
page after 98914; its 概述: 应用消息仅限于发送到通过接口创建的内部群聊), the global error code table 90313/90455 (86001 chatid 不合法, 86003 chatid 不存在, 86004 群名不合法, 86005 群主不合法,
86006 群成员数过多或过少, 86007 不合法的群成员, 86205 字符串chatid过长, 86207 群主不在群成员列表, 86215 会话ID已经存在),
and ../shared/PLATFORMS.md ("appchat/send reaches only chats created by this app").
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from integrations.sandbox.wecom import Stored

ROOT_DEPARTMENT = 1
MIN_MEMBERS, MAX_MEMBERS = 2, 2000  # userlist: 至少2人,至多2000人 (90245)
MAX_NAME_CHARS = 50  # name: 最多50个utf8字符,超过将截断 (90245)
MAX_CHATID = 32  # chatid: 最长32个字符 (90245)
_CHATID = re.compile(r"^[0-9A-Za-z]+$")  # chatid: 只允许字符0-9及字母a-zA-Z (90245)
NO_PRIVILEGE = 60011  # no privilege to access/modify contact/party/agent: the app is not visible from the root


class AppChats:
    """Mixed into FakeWeCom, whose dataclass fields these are."""

    chats: dict[str, dict[str, Any]]  # chatid → chat_info of the chats this app created
    groups: dict[str, list[Stored]]
    known_users: set[str] | None
    visible_parties: list[int]
    _ids: Any

    if TYPE_CHECKING:
        @staticmethod
        def _err(code: int, msg: str) -> web.Response: ...
        def now(self) -> float: ...
        def _refused(self, request: web.Request) -> web.Response | None: ...
        async def _guard(self, request: web.Request) -> tuple[dict[str, Any] | None, web.Response | None]: ...

    def _not_root_visible(self) -> web.Response | None:
        """权限说明 of 90245 / 98914 / 应用推送消息: only a self-built app visible from the root department may create,
        read or send to group chats. The errcode is not in those docs; 60011 is what WeCom answered in a
        reported case (cnblogs.com/panjinzhao/p/12522627, appchat/create with a narrower visibility)."""
        if ROOT_DEPARTMENT in self.visible_parties:
            return None
        return self._err(NO_PRIVILEGE, "no privilege to access/modify contact/party/agent")

    def _member_problem(self, owner: str, users: list[str]) -> tuple[int, str] | None:
        if not MIN_MEMBERS <= len(set(users)) <= MAX_MEMBERS:
            return 86006, "invalid chat member list size"  # 90245; the errmsg is WeCom's, as reported
        if self.known_users is not None and any(u not in self.known_users for u in users):
            return 86007, "invalid chat member"  # assumed: the table's 不合法的群成员 (90245 names no code)
        if owner and self.known_users is not None and owner not in self.known_users:
            return 86005, "invalid chat owner"
        if owner and owner not in users:
            return 86207, "chat owner not in member list"
        return None

    def _chatid_problem(self, chatid: str) -> tuple[int, str] | None:
        if len(chatid) > MAX_CHATID:
            return 86205, "chatid too long"
        if not _CHATID.match(chatid):
            return 86001, "invalid chatid"
        if chatid in self.chats:
            return 86215, "chatid exists"  # assumed: 90245 says only 不能与已有的群重复
        return None

    async def appchat_create(self, request: web.Request) -> web.Response:
        """appchat/create (90245): {name, owner, userlist, chatid}. The members must exist, 2-2000 of them, the
        owner among them (or, when left out, one of them at random); a given chatid is used as it is, else WeCom
        makes one up. The name is cut to 50 characters. Not modelled: the 1,000 chats a day per corp (no
        errcode is documented for it)."""
        body, error = await self._guard(request)
        if error is not None:
            return error
        assert body is not None
        if (refused := self._not_root_visible()) is not None:
            return refused
        users = [str(u) for u in body.get("userlist") or []]
        owner = str(body.get("owner") or "")
        chatid = str(body.get("chatid") or "")
        problem = self._member_problem(owner, users) or (self._chatid_problem(chatid) if chatid else None)
        if problem is not None:
            return self._err(*problem)
        chatid = chatid or f"wr{secrets.token_hex(12)}"
        name = str(body.get("name") or "")[:MAX_NAME_CHARS]
        self.create_chat(chatid, name, owner or secrets.choice(users), list(dict.fromkeys(users)))
        return web.json_response({"errcode": 0, "errmsg": "ok", "chatid": chatid})

    def create_chat(self, chatid: str, name: str, owner: str, users: list[str]) -> None:
        """A group chat as appchat/create makes it for this app (2-2000 members, owner among them)."""
        assert MIN_MEMBERS <= len(users) <= MAX_MEMBERS and owner in users
        self.chats[chatid] = {"chatid": chatid, "name": name, "owner": owner, "userlist": list(users), "chat_type": 0}

    async def appchat_get(self, request: web.Request) -> web.Response:
        """appchat/get (98914): only chats this app created with appchat/create (chatid所代表的群必须是该应用所创建);
        any other chatid answers 86003 参数 chatid 不存在."""
        if (refused := self._refused(request) or self._not_root_visible()) is not None:
            return refused
        chat = self.chats.get(request.query.get("chatid", ""))
        if chat is None:
            return self._err(86003, "chatid not found")
        return web.json_response({"errcode": 0, "errmsg": "ok", "chat_info": dict(chat)})

    async def appchat_send(self, request: web.Request) -> web.Response:
        """appchat/send (应用推送消息): only to a chat this app created (PLATFORMS.md: ordinary groups' ids do not
        work; the 概述 of 应用发送消息到群聊会话: 应用消息仅限于发送到通过接口创建的内部群聊). Any other chatid is
        86003 (people have also reported 86001 for it; our code treats both alike). No template cards (40008)."""
        body, error = await self._guard(request)
        if error is not None:
            return error
        assert body is not None
        if (refused := self._not_root_visible()) is not None:
            return refused
        chat = str(body.get("chatid", ""))
        if chat not in self.chats:
            return self._err(86003, "chatid not found")
        msgtype = str(body.get("msgtype", ""))
        if msgtype == "template_card":
            return self._err(40008, "appchat does not support template_card")
        content = body.get(msgtype) or {}
        from integrations.sandbox.wecom import MAX_CONTENT_BYTES, Stored

        if msgtype in ("text", "markdown") and len(str(content.get("content", "")).encode()) > MAX_CONTENT_BYTES:
            return self._err(45002, "content size out of limit")
        self.groups.setdefault(chat, []).append(Stored(f"msg{next(self._ids)}", chat, msgtype, content, self.now()))
        return self._err(0, "ok")
