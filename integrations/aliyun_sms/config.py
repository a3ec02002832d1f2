"""ALIYUN_SMS_* settings: the AccessKey, and the 短信签名 and 模板 approved in the console."""

from __future__ import annotations

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.config import ConfigError, config_error

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"


class AliyunSmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALIYUN_SMS_", env_file=".env", extra="ignore")

    access_key_id: str = ""
    access_key_secret: str = ""
    sign_name: str = ""  # 短信签名, e.g. 茶园乡矛调中心
    # 模板 with ${number} and ${category}, e.g. "您有矛盾纠纷案件${number}(${category})待办理,请及时处理。"
    template_code: str = ""
    endpoint: str = DEFAULT_ENDPOINT
    region_id: str = "cn-hangzhou"
    timeout_seconds: float = 10.0

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def enabled(self) -> bool:
        return bool(self.access_key_id)


def load_aliyun_sms(**overrides: object) -> AliyunSmsSettings:
    try:
        settings = AliyunSmsSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise config_error("ALIYUN_SMS_", "Alibaba Cloud SMS configuration", exc) from None
    if settings.enabled:
        missing = [f"ALIYUN_SMS_{n.upper()}" for n in ("access_key_secret", "sign_name", "template_code")
                   if not getattr(settings, n)]
        if missing:
            raise ConfigError(f"ALIYUN_SMS_ACCESS_KEY_ID is set but {', '.join(missing)} is not")
    return settings
