"""WeCom errcodes and what each means for delivery: refresh the token, wait, or give up.

Sources: the global error code table (developer.work.weixin.qq.com/document/path/90455) and the
template-card update API (document/path/94888); see ../shared/PLATFORMS.md, "Checked against the docs".
"""

from __future__ import annotations

TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
RATE_LIMITED = frozenset({45009, 45033, 45047})
IP_NOT_TRUSTED = 60020
CONFIG_ERROR = 50001  # redirect URL domain not trusted: an administrator must fix the app, retrying cannot
TOO_LONG = 45002  # text/markdown content over 2048 bytes
# 86001 参数 chatid 不合法 / 86003 参数 chatid 不存在: for this app the chat does not exist — appchat/* reach only
# chats it created itself with appchat/create (document/path/90245, 98914; PLATFORMS.md)
CHAT_UNKNOWN = frozenset({86001, 86003})
TRANSIENT = frozenset({-1, 45009, 45033, 45047, 60020})
# Template-card errors are 42014-42022 (42014 task_id invalid or already used, 42015 app mismatch, 42016 the
# task_id to update was not found, 42022 the response_code was already used). 40096-40100 are external-contact
# errors and have nothing to do with cards. Every card error on update means: this code cannot update the card.
CARD_CODE_UNUSABLE = frozenset(range(42014, 42023))


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str, *, ambiguous: bool = False) -> None:
        super().__init__(f"WeCom errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.ambiguous = ambiguous  # the request may have been carried out although we got no answer

    @property
    def transient(self) -> bool:
        return self.errcode in TRANSIENT

    def plain(self) -> str:
        """What an administrator should read in the log."""
        if self.errcode == IP_NOT_TRUSTED:
            return ("企业微信拒绝了本服务器的出口IP(60020):请在企业微信管理后台该应用的「企业可信IP」中"
                    "加入本服务器的公网出口IP。在此之前消息会保留并稍后重试。")
        if self.errcode == CONFIG_ERROR:
            return ("企业微信应用配置错误(50001):应用的可信域名/回调域名未通过校验,请管理员在企业微信管理后台"
                    "核对该应用的可信域名设置。")
        if self.errcode in CHAT_UNKNOWN:
            return (f"企业微信群聊不存在,或不是本应用创建的群({self.errcode}):应用只能向它自己用 appchat/create "
                    "建的群发消息,请管理员运行 maotiao groups create 建群")
        if self.errcode in RATE_LIMITED:
            return "企业微信接口限流(45009),稍后重试"
        return f"企业微信接口错误 {self.errcode}:{self.errmsg}"
