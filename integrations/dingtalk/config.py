"""DINGTALK_* settings. 专有钉钉 / 浙政钉 deployments point DINGTALK_API_BASE at their own host."""

from __future__ import annotations

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.config import ConfigError, config_error

DEFAULT_API_BASE = "https://api.dingtalk.com"


class DingTalkSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DINGTALK_", env_file=".env", extra="ignore")

    client_id: str = ""
    client_secret: str = ""
    robot_code: str = ""
    card_template_id: str = ""
    api_base: str = DEFAULT_API_BASE
    stream_base: str = ""  # the Stream gateway host, when it differs from the API host
    oapi_base: str = "https://oapi.dingtalk.com"  # the older API host, still the one for media uploads
    login_base: str = "https://login.dingtalk.com"  # where the dashboard's 免登 sends the browser for a code
    watchdog_seconds: float = 90.0  # no frame for this long: probe, then reconnect
    qps: float = 20.0  # calls per second per API for this app (standard edition: about 20; 403 QpsLimit past it)
    timeout_seconds: float = 10.0  # for one API call; a timed-out card is retried under the same outTrackId
    todo: bool = True  # tasks also appear in the assignee's 钉钉待办 (needs the app's 待办 and 通讯录 read permissions)
    monthly_quota: int = 10_000  # metered calls a natural month (standard edition); shown by `maotiao doctor` and 用量

    @field_validator("api_base", "stream_base", "oapi_base", "login_base")
    @classmethod
    def _base(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def enabled(self) -> bool:
        return bool(self.client_id)

    @property
    def gateway(self) -> str:
        return self.stream_base or self.api_base


def load_dingtalk(**overrides: object) -> DingTalkSettings:
    try:
        settings = DingTalkSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise config_error("DINGTALK_", "DingTalk configuration", exc) from None
    if settings.enabled:
        missing = [f"DINGTALK_{n.upper()}" for n in ("client_secret", "robot_code", "card_template_id")
                   if not getattr(settings, n)]
        if missing:
            raise ConfigError(f"DINGTALK_CLIENT_ID is set but {', '.join(missing)} missing")
    return settings
