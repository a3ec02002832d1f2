"""浙政钉 gateway and API failures, and what each means for delivery: retry soon, back off, stop until an
administrator fixes the configuration, or give up on this message. Sources for each code: README.md."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    TRANSIENT = "transient"  # network, 5xx, replayed nonce: try again soon
    THROTTLED = "throttled"  # the gateway asked us to slow down
    CONFIGURATION = "configuration"  # wrong key/secret/tenant/clock: keep the message, tell the admin
    PERMANENT = "permanent"  # this request will never succeed (unknown user, bad message)


# Gateway-level codes (outer `success: false`). Only OPF-B001-05-16-0009 / SignatureDoesNotMatch is
# documented; the others are the names our fake gives the refusals the gateway must make (assumptions).
SIGNATURE_MISMATCH = "OPF-B001-05-16-0009"
CONFIGURATION_CODES = frozenset({
    SIGNATURE_MISMATCH, "SignatureDoesNotMatch", "InvalidApiKey", "MissingHeader", "InvalidTimestamp",
    "TENANT_INVALID", "INVALID_APP", "240132",  # 240132: the account is outside the app's visible range (forbidden)
})
TRANSIENT_CODES = frozenset({"NonceUsed", "ServiceUnavailable", "InternalError"})
THROTTLE_MARKERS = ("throttl", "flowcontrol", "qpslimit", "限流", "频繁")
TOKEN_EXPIRED = frozenset({"240133"})  # 应用accessToken失效或不存在
AUTH_CODE_INVALID = frozenset({"240111"})  # code失效或不存在 (used, expired or never issued)
DUPLICATE_MARKER = "重复"  # bizMsgId reused: "同样的ID调用多次会提示"重复"错误"
ROBOT_SIGN_ERRORS = frozenset({"310000"})  # custom robot: sign mismatch or stale timestamp
ROBOT_TOO_FAST = frozenset({"130101"})  # custom robot: "send too fast, exceed 20 times per minute"


def classify(status: int, code: str, message: str) -> Kind:
    """status 0 means no HTTP answer at all (connection failed or timed out)."""
    lowered = f"{code} {message}".lower()
    if status == 429 or code in ROBOT_TOO_FAST or any(m in lowered for m in THROTTLE_MARKERS):
        return Kind.THROTTLED
    if status == 0 or status >= 500 or code in TRANSIENT_CODES:
        return Kind.TRANSIENT
    if code in CONFIGURATION_CODES or code in ROBOT_SIGN_ERRORS or status in (401, 403):
        return Kind.CONFIGURATION
    return Kind.PERMANENT


class ZwddError(Exception):
    def __init__(self, status: int, code: str, message: str, *, kind: Kind | None = None,
                 ambiguous: bool = False, request_id: str = "") -> None:
        super().__init__(f"浙政钉 HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.kind = kind or classify(status, code, message)
        self.ambiguous = ambiguous  # the request may have been carried out although we got no answer
        self.request_id = request_id

    @property
    def transient(self) -> bool:
        return self.kind in (Kind.TRANSIENT, Kind.THROTTLED)

    @property
    def token_expired(self) -> bool:
        return self.code in TOKEN_EXPIRED

    @property
    def duplicate(self) -> bool:
        return DUPLICATE_MARKER in self.message

    @property
    def auth_code_invalid(self) -> bool:
        return self.code in AUTH_CODE_INVALID

    def plain(self) -> str:
        """What an administrator should read in the log (never a secret: messages come from the platform)."""
        if self.kind is Kind.CONFIGURATION:
            return (f"浙政钉拒绝了本服务的调用({self.code}:{self.message})。请核对 ZWDD_APP_KEY / ZWDD_APP_SECRET /"
                    " ZWDD_TENANT_ID 与开放平台一致、接口已授权、服务器时钟准确;在此之前消息会保留并稍后重试。")
        if self.kind is Kind.THROTTLED:
            return f"浙政钉接口限流({self.code}),稍后重试"
        if self.kind is Kind.TRANSIENT:
            return f"浙政钉接口暂时不可用({self.status} {self.code}),稍后重试"
        return f"浙政钉接口错误 {self.code}:{self.message}"
