"""DingTalk OpenAPI failures and what each means for delivery."""

from __future__ import annotations


class DingTalkError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"DingTalk HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def transient(self) -> bool:
        """504 is the platform's own 3 s timeout; 429 and 5xx are load; 90002 is the global API limit."""
        return self.status in (0, 429) or self.status >= 500 or self.code in ("90002", "Forbidden.AccessDenied.QpsLimit")

    @property
    def token_expired(self) -> bool:
        return self.status == 401 or self.code in ("InvalidAuthentication", "40014", "42001")

    def plain(self) -> str:
        if self.transient:
            return f"钉钉接口暂时不可用({self.status} {self.code}),稍后重试"
        return f"钉钉接口错误 {self.status} {self.code}:{self.message}"
