"""WECOM_* settings; all five credentials together, or none (then WeCom is simply not connected)."""

from __future__ import annotations

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.config import ConfigError, config_error

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"


class WeComSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WECOM_", env_file=".env", extra="ignore")

    corp_id: str = ""
    agent_id: int = 0
    secret: str = ""
    token: str = ""
    aes_key: str = ""
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = "https://open.weixin.qq.com"  # where the dashboard's 免登 sends the browser for a code
    per_member_per_minute: int = 30
    per_member_per_hour: int = 1000
    timeout_seconds: float = 10.0  # for one API call; a timed-out send is retried with WeCom's dedupe on

    @field_validator("aes_key")
    @classmethod
    def _aes(cls, value: str) -> str:
        if value and len(value) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        return value

    @field_validator("api_base")
    @classmethod
    def _base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("oauth_base")
    @classmethod
    def _oauth(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id)


def load_wecom(**overrides: object) -> WeComSettings:
    try:
        settings = WeComSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise config_error("WECOM_", "WeCom configuration", exc) from None
    if settings.enabled:
        missing = [f"WECOM_{n.upper()}" for n in ("secret", "token", "aes_key") if not getattr(settings, n)]
        if not settings.agent_id:
            missing.append("WECOM_AGENT_ID")
        if missing:
            raise ConfigError(f"WECOM_CORP_ID is set but {', '.join(missing)} missing")
    return settings
