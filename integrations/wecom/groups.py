"""WeCom group chats the app makes itself: appchat/send reaches only chats this app created with appchat/create
(document/path/90245; PLATFORMS.md), so the center's groups are created by `maotiao groups create`.

The rules checked before asking (90245): 2-2000 members, the owner among them; a chatid of 0-9a-zA-Z, at most
32 characters. A chatid the org file gives is used as it is when WeCom allows it, so the file stays true;
otherwise the chat is asked for under an id derived from the group's name, the same every time.
"""

from __future__ import annotations

import hashlib
import re

from integrations.plugin import GroupPlan, GroupRefused
from integrations.wecom.api import WeComAPI
from integrations.wecom.config import WeComSettings
from integrations.wecom.errors import CHAT_UNKNOWN, IP_NOT_TRUSTED, WeComError

MIN_MEMBERS, MAX_MEMBERS = 2, 2000  # userlist: 至少2人,至多2000人 (90245)
_CHATID = re.compile(r"^[0-9A-Za-z]{1,32}$")  # 最长32个字符,只允许字符0-9及字母a-zA-Z (90245)
ROOT_ONLY = 60011  # what appchat/* answered an app not visible from the root department (see the fake)
_WHY = {
    ROOT_ONLY: "应用的可见范围不是根部门(60011):企业微信只允许可见范围为根部门的应用建群和发群消息,"
               "请在管理后台 → 应用管理 → 本应用 → 可见范围 中选择企业根部门",
    86006: "群成员人数不符合要求(86006):至少 2 人、至多 2000 人",
    86007: "有成员不在企业微信通讯录中(86007):核对组织文件里的 wecom 账号",
    86005: "群主不在企业微信通讯录中(86005):核对组织文件里的 wecom 账号",
    86215: "这个 chatid 已被其他群占用(86215),可能是别的应用建的群:在组织文件里换一个 wecom_chatid(或删掉它)",
}


def derived_chat_id(name: str) -> str:
    """A chatid WeCom accepts, the same for the same group name (so a second run finds the first one's chat)."""
    return "mt" + hashlib.sha256(name.encode()).hexdigest()[:30]


def _refused(exc: WeComError) -> GroupRefused:
    if exc.errcode == IP_NOT_TRUSTED:
        return GroupRefused(exc.plain())
    return GroupRefused(_WHY.get(exc.errcode) or exc.plain())


class WeComGroups:
    def __init__(self, settings: WeComSettings, api: WeComAPI | None = None) -> None:
        self.api = api or WeComAPI(settings)

    async def aclose(self) -> None:
        await self.api.aclose()

    async def exists(self, ref: str) -> bool:
        """appchat/get (98914) answers only for chats this app created."""
        try:
            await self.api.get_chat(ref)
        except WeComError as exc:
            if exc.errcode in CHAT_UNKNOWN:
                return False
            raise _refused(exc) from None
        return True

    def plan(self, name: str, ref: str | None, members: list[str]) -> GroupPlan:
        if len(members) < MIN_MEMBERS:
            raise GroupRefused(f"有企业微信账号的成员不足 {MIN_MEMBERS} 人(企业微信群聊至少 {MIN_MEMBERS} 人)")
        if len(members) > MAX_MEMBERS:
            raise GroupRefused(f"成员 {len(members)} 人,超过企业微信群聊上限 {MAX_MEMBERS} 人:用 members 缩小范围")
        chat_id = ref if ref and _CHATID.match(ref) else derived_chat_id(name)
        return GroupPlan(name, members, chat_id)

    async def create(self, plan: GroupPlan) -> str:
        try:
            return await self.api.create_chat(plan.name, plan.members[0], plan.members, plan.chat_id)
        except WeComError as exc:
            if exc.errcode == 86215 and await self.exists(plan.chat_id):
                return plan.chat_id  # ours already (made by a run whose answer was lost)
            raise _refused(exc) from None
