"""Settings from the environment and an optional `.env`; a wrong value fails at start, naming the variable."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DB_SCHEMES = ("sqlite://", "postgres://", "asyncpg://", "psycopg://")
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_LABEL = re.compile(r"[A-Za-z0-9_.\-]{1,32}")
MIN_SECRET = 16
_SECRET_FIELDS = re.compile(r"secret|token|key|password|webhook", re.IGNORECASE)  # never echoed


def parse_api_keys(value: str) -> dict[str, str]:
    """`label:secret,…` → {secret: label}. The label names the calling system (its cases are scoped by it,
    and several secrets may share one label while a key is rotated). Refuses, without repeating a secret,
    anything that would let an empty or guessable token in: `hotline:` from an unset variable, whitespace,
    short secrets, a bare secret with no label, one secret under two labels."""
    keys: dict[str, str] = {}
    for i, raw in enumerate(value.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue  # a trailing comma
        label, sep, secret = entry.partition(":")
        where = f"entry {i} ({label!r})"
        if not sep:
            raise ValueError(f"entry {i} is not label:secret (the label names the calling system)")
        if not _LABEL.fullmatch(label):
            raise ValueError(f"{where}: the label must be 1-32 letters, digits, '_', '.' or '-'")
        if not secret.strip():
            raise ValueError(f"{where}: the secret is empty (an unset variable?)")
        if any(c.isspace() for c in secret):
            raise ValueError(f"{where}: the secret contains whitespace")
        if len(secret) < MIN_SECRET:
            raise ValueError(f"{where}: the secret has {len(secret)} characters, use at least {MIN_SECRET} "
                             "(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')")
        if secret in keys:
            raise ValueError(f"{where}: the same secret is given twice")
        keys[secret] = label
    return keys


def parse_api_webhooks(value: str) -> dict[str, tuple[str, str]]:
    """`label|https://receiver|secret,…` → {label: (url, secret)}: where the system behind an API key is told
    of its cases' status, and the secret the body's HMAC-SHA256 is signed with (per key, never logged)."""
    hooks: dict[str, tuple[str, str]] = {}
    for i, raw in enumerate(value.split(","), start=1):
        entry = raw.strip()
        if not entry:
            continue
        parts = entry.split("|")
        if len(parts) != 3:
            raise ValueError(f"entry {i} is not label|url|secret")
        label, url, secret = (p.strip() for p in parts)
        if not _LABEL.fullmatch(label):
            raise ValueError(f"entry {i}: the label must be 1-32 letters, digits, '_', '.' or '-'")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"entry {i} ({label!r}): the url must be http(s)")
        if len(secret) < MIN_SECRET or any(c.isspace() for c in secret):
            raise ValueError(f"entry {i} ({label!r}): the secret needs at least {MIN_SECRET} characters, no whitespace")
        if label in hooks:
            raise ValueError(f"entry {i}: {label!r} has two webhooks")
        hooks[label] = (url, secret)
    return hooks


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the environment variable."""


class EarlySettings(BaseSettings):
    """The settings read before (or without) the whole configuration: at import by the delivery and sweep
    loops (the reliability drills shorten them for a child process), and by the intake model outside
    `serve`. Read on their own, so an unrelated bad variable cannot break an import; `Settings` has them too.
    """

    model_config = SettingsConfigDict(env_prefix="MAOTIAO_", env_file=".env", extra="ignore")

    outbox_stale_seconds: float = Field(default=120, gt=0)  # a row 'sending' this long: its claimer died
    delivery_concurrency: int = Field(default=4, ge=1)  # recipients sent to at once
    inbound_retry_seconds: float = Field(default=30, ge=0)  # an event stored but not handled: handled again
    intake_model: str = ""  # a retrained category model file; empty: the one shipped in the package


class Settings(EarlySettings):
    db_url: str = "sqlite://maotiao.sqlite3"
    redis_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    api_keys: str = ""
    api_webhooks: str = ""  # label|url|secret,…: status updates to the system behind each API key
    log_level: str = "INFO"
    media_dir: str = "media"  # where evidence photos, voice and files are kept (relative to the working directory)
    sandbox: bool = False  # MAOTIAO_SANDBOX=1 or `serve --sandbox`: see maotiao/mode.py
    audit_key: str = ""  # HMAC key of the audit checkpoints; never stored in the database
    audit_key_file: str = ""  # or a file holding it
    audit_checkpoint_file: str = "maotiao-audit.checkpoints"
    audit_checkpoint_seconds: int = Field(default=300, ge=10, le=86_400)
    intake_model_dir: str = "intake-models"  # where `maotiao intake train` writes versioned models
    public_url: str = ""  # how the platforms reach this server (https://<备案 domain>); `maotiao doctor` checks it
    link_secret: str = ""  # signs the evidence links on cards (core/evidence_links.py); production needs it with a public URL
    link_hours: int = Field(default=72, ge=1, le=24 * 7)  # how long such a link opens its file
    shutdown_grace_seconds: float = Field(default=5, ge=0, le=300)  # SIGTERM: /readyz 503, still answering
    shutdown_drain_seconds: float = Field(default=20, ge=0, le=600)  # then: wait this long for handling in flight

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

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL, e.g. https://maotiao.example.gov.cn")
        return value.rstrip("/")

    @field_validator("link_secret")
    @classmethod
    def _link_secret(cls, value: str) -> str:
        if value and (len(value) < MIN_SECRET or any(c.isspace() for c in value)):
            raise ValueError(f"use at least {MIN_SECRET} characters without whitespace "
                             "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
        return value

    @field_validator("api_keys")
    @classmethod
    def _api_keys(cls, value: str) -> str:
        parse_api_keys(value)
        return value

    @field_validator("api_webhooks")
    @classmethod
    def _api_webhooks(cls, value: str) -> str:
        parse_api_webhooks(value)
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return upper

    @property
    def api_key_map(self) -> dict[str, str]:
        """{secret: label} of the intake API's keys (empty: the API is off)."""
        return parse_api_keys(self.api_keys)

    @property
    def api_webhook_map(self) -> dict[str, tuple[str, str]]:
        """{label: (url, secret)} of the status webhooks (a label without one is simply not told)."""
        return parse_api_webhooks(self.api_webhooks)


def config_error(prefix: str, what: str, exc: ValidationError) -> ConfigError:
    """One message naming every bad variable, e.g. MAOTIAO_HTTP_PORT or a platform's AES key."""
    problems = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        shown = "" if _SECRET_FIELDS.search(field) else f" (got {err.get('input')!r})"  # never echo a secret
        problems.append(f"{prefix}{field.upper()}: {err['msg']}{shown}")
    return ConfigError(f"invalid {what}:\n  " + "\n  ".join(problems))


def load_early_settings() -> EarlySettings:
    try:
        return EarlySettings()
    except ValidationError as exc:
        raise config_error("MAOTIAO_", "configuration", exc) from None


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise config_error("MAOTIAO_", "configuration", exc) from None
