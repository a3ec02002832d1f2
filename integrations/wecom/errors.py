"""WeCom errcodes and what each means for delivery: refresh the token, wait, or give up."""

from __future__ import annotations

TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
RATE_LIMITED = frozenset({45009, 45033, 45047})
IP_NOT_TRUSTED = 60020
TRANSIENT = frozenset({-1, 45009, 45033, 45047, 60020, 50001})
CARD_CODE_UNUSABLE = frozenset({40058, 40096, 40097, 40098, 40099, 40100})  # used, expired, or not found


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
        if self.errcode in RATE_LIMITED:
            return "企业微信接口限流(45009),稍后重试"
        return f"企业微信接口错误 {self.errcode}:{self.errmsg}"
