"""DingTalk OpenAPI failures and what each means for delivery.

Sources: ../shared/PLATFORMS.md ("Checked against the official SDKs and docs"); DingTalk's help centre on the
monthly quota (dingtalk.com/qidian/help-detail-1061621972: errcode 90020 / Forbidden.AccessDenied.
ApiCountLimitForOrg, "调用量:10001次,额度:10000次", metered APIs only, per natural month).
"""

from __future__ import annotations

# HTTP 403: too many calls per second, per API or per app and API (about 20 QPS on the standard edition).
THROTTLED = frozenset({"Forbidden.AccessDenied.QpsLimitForApi", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                       "Forbidden.AccessDenied.QpsLimit", "90002", "90018", "Throttling"})
QUOTA = frozenset({"Forbidden.AccessDenied.ApiCountLimitForOrg", "90020"})
UNKNOWN_USER = "staffId.notExisted"  # HTTP 400 for the whole batchSend call


class DingTalkError(Exception):
    def __init__(self, status: int, code: str, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(f"DingTalk HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.ambiguous = ambiguous  # the request may have been carried out although no answer came back

    @property
    def throttled(self) -> bool:
        return self.code in THROTTLED or (self.status == 403 and self.code.startswith("Forbidden.AccessDenied.QpsLimit"))

    @property
    def quota_exhausted(self) -> bool:
        """The org's metered calls for this month are used up: nothing goes out on DingTalk until next month
        (or until the org buys more), but nothing is wrong with the message."""
        return self.code in QUOTA

    @property
    def transient(self) -> bool:
        """504 is the platform's own 3 s timeout; 429, 5xx and throttling are load."""
        return self.status in (0, 429) or self.status >= 500 or self.throttled

    @property
    def token_expired(self) -> bool:
        return self.status == 401 or self.code in ("InvalidAuthentication", "40014", "42001", "40001")

    @property
    def unknown_user(self) -> bool:
        return self.code == UNKNOWN_USER

    def plain(self) -> str:
        if self.quota_exhausted:
            return ("钉钉本月接口调用量已用完(ApiCountLimitForOrg/90020):消息暂存,下月初或购买增购包后自动续发;"
                    "可改用其他平台联系")
        if self.transient:
            return f"钉钉接口暂时不可用({self.status} {self.code}),稍后重试"
        return f"钉钉接口错误 {self.status} {self.code}:{self.message}"
