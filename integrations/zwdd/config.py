"""ZWDD_* settings for 浙政钉 (专有钉钉). Either all four credentials are set, or none (then 浙政钉 is simply
not connected): a half-configured app must not silently turn into no app at all."""

from __future__ import annotations

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.config import ConfigError, config_error

DEFAULT_API_BASE = "https://openplatform-pro.ding.zj.gov.cn"  # 浙政钉 production; SaaS/test: openplatform.dg-work.cn


class ZwddSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZWDD_", env_file=".env", extra="ignore")

    app_key: str = ""  # the app's AppKey, sent as the `apiKey` header and to /gettoken.json
    app_secret: str = ""  # the AppSecret: HMAC key of every request; never logged
    tenant_id: str = ""  # 租户ID, a number
    sender_id: str = ""  # accountId of the center's own account: creator of 待办 and sender of DING
    api_base: str = DEFAULT_API_BASE
    host_ip: str = ""  # X-Hmac-Auth-IP; the SDK sends the host's address, public clients send 127.0.0.1
    host_mac: str = ""  # X-Hmac-Auth-MAC; optional in every public client
    timeout_seconds: float = 10.0
    token_margin_seconds: int = 300  # refresh this long before the documented 7200 s lifetime ends

    @field_validator("api_base")
    @classmethod
    def _base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("tenant_id", "sender_id")
    @classmethod
    def _number(cls, value: str) -> str:
        if value and not value.isdigit():
            raise ValueError("must be a number")
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.app_key)


def load_zwdd(**overrides: object) -> ZwddSettings:
    try:
        settings = ZwddSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise config_error("ZWDD_", "浙政钉 configuration", exc) from None
    if settings.enabled:
        missing = [f"ZWDD_{n.upper()}" for n in ("app_secret", "tenant_id", "sender_id") if not getattr(settings, n)]
        if missing:
            raise ConfigError(f"ZWDD_APP_KEY is set but {', '.join(missing)} missing")
    return settings
