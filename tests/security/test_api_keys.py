"""Intake API keys: a configuration that would let an empty or guessable token in is refused at start,
naming MAOTIAO_API_KEYS and never echoing a secret; a whitespace token never matches."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import ConfigError, load_settings
from maotiao.server import build_app
from tests.test_cli import run

GOOD_SECRET = "k3y-for-the-12345-hotline"


@pytest.mark.parametrize(("value", "why"), [
    ("hotline:", "empty"),  # MAOTIAO_API_KEYS=hotline:$UNSET
    ("hotline:   ", "empty"),
    ("hotline: spaced secret here ok", "whitespace"),
    ("hotline:short", "at least 16"),
    (f"{GOOD_SECRET}", "label:secret"),  # which system is it? Its cases are scoped by the label
    (f":{GOOD_SECRET}", "label"),
    (f"hot line:{GOOD_SECRET}", "label"),
    (f"hotline:{GOOD_SECRET},petition:{GOOD_SECRET}", "twice"),
])
def test_unsafe_keys_are_refused_naming_the_variable(value: str, why: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(api_keys=value)
    message = str(err.value)
    assert "MAOTIAO_API_KEYS" in message and why in message
    secret = value.partition(":")[2].split(",")[0].strip()
    if len(secret) > 3:
        assert secret not in message, "the error message repeats the secret"


def test_good_keys_and_rotation_under_one_label() -> None:
    settings = load_settings(api_keys=f"hotline:{GOOD_SECRET}, hotline:{GOOD_SECRET}-new ,petition:{'p' * 20},")
    assert settings.api_key_map == {GOOD_SECRET: "hotline", f"{GOOD_SECRET}-new": "hotline", "p" * 20: "petition"}


def test_serve_refuses_an_empty_secret_at_start(tmp_path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_"))}
    env.update(HOME=str(tmp_path), MAOTIAO_DB_URL=f"sqlite://{tmp_path / 'k.sqlite3'}", MAOTIAO_API_KEYS="hotline:")
    result = run(["serve"], env)
    assert result.returncode != 0 and "MAOTIAO_API_KEYS" in result.stderr
    assert "Traceback" not in result.stderr


async def test_a_whitespace_token_never_matches(org, domain) -> None:
    app = build_app(load_settings(api_keys=f"hotline:{GOOD_SECRET}"), domain)
    async with TestClient(TestServer(app)) as client:
        for header in ("Bearer  ", "Bearer \t", "Bearer", f"Bearer {GOOD_SECRET[:-1]}", f"Basic {GOOD_SECRET}"):
            resp = await client.get("/api/v1/cases/2026-0001", headers={"Authorization": header})
            assert resp.status == 401, header
        ok = await client.get("/api/v1/cases/2026-0001", headers={"Authorization": f"Bearer {GOOD_SECRET}"})
        assert ok.status == 404
