"""MAOTIAO_API_WEBHOOKS: a wrong entry fails at start naming the variable, and never echoes the secret."""

from __future__ import annotations

import pytest

from core.config import ConfigError, load_settings


def test_each_key_label_gets_its_own_url_and_secret() -> None:
    s = load_settings(api_webhooks="hotline|https://12345.example/hook|aaaaaaaaaaaaaaaa1,"
                                   "petition|http://127.0.0.1:9/x|bbbbbbbbbbbbbbbb2")
    assert s.api_webhook_map == {"hotline": ("https://12345.example/hook", "aaaaaaaaaaaaaaaa1"),
                                 "petition": ("http://127.0.0.1:9/x", "bbbbbbbbbbbbbbbb2")}


@pytest.mark.parametrize("value", ["hotline|https://x/hook", "hotline|ftp://x|aaaaaaaaaaaaaaaa1",
                                   "hotline|https://x|short", "a b|https://x|aaaaaaaaaaaaaaaa1",
                                   "h|https://x|aaaaaaaaaaaaaaaa1,h|https://y|aaaaaaaaaaaaaaaa2"])
def test_a_bad_webhook_entry_fails_naming_the_variable_without_the_secret(value: str) -> None:
    with pytest.raises(ConfigError, match="API_WEBHOOKS") as err:
        load_settings(api_webhooks=value)
    assert "aaaaaaaaaaaaaaaa1" not in str(err.value) and "short" not in str(err.value).split("secret")[-1]
