"""Settings from the environment and an optional `.env`; a wrong value fails at start, naming the variable."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DB_SCHEMES = ("sqlite://", "postgres://", "asyncpg://", "psycopg://")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the environment variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAOTIAO_", env_file=".env", extra="ignore")

    db_url: str = "sqlite://maotiao.sqlite3"
    redis_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    api_keys: str = ""
    log_level: str = "INFO"
    intake_model: str = ""  # a retrained category model file; empty: the one shipped in the package
    intake_model_dir: str = "intake-models"  # where `maotiao intake train` writes versioned models

    @field_validator("db_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if not value.startswith(_DB_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(_DB_SCHEMES)}")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(_REDIS_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(_REDIS_SCHEMES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return upper

    @property
    def api_key_list(self) -> list[str]:
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]


def config_error(prefix: str, what: str, exc: ValidationError) -> ConfigError:
    """One message naming every bad variable, e.g. MAOTIAO_HTTP_PORT or WECOM_AES_KEY."""
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        problems.append(f"{prefix}{field.upper()}: {err['msg']} (got {err.get('input')!r})")
    return ConfigError(f"invalid {what}:\n  " + "\n  ".join(problems))


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise config_error("MAOTIAO_", "configuration", exc) from None
