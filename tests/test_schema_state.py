"""`serve` applies migrations in a child process when the database lacks one, and not at all when nothing is
pending (core/schema_state.py tells which from outside, without the ORM): the memory applying them takes goes
with the child."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core import db, schema_state
from core.config import ConfigError
from maotiao import runtime


async def test_a_sqlite_file_lacks_migrations_until_upgraded_and_memory_is_not_read(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'fresh.sqlite3'}"
    assert await schema_state.pending(url) is True
    assert not (tmp_path / "fresh.sqlite3").exists()  # asking created nothing
    await db.upgrade(url)
    assert await schema_state.pending(url) is False
    assert await schema_state.pending("sqlite://:memory:") is None  # only its own process sees it


async def test_serve_upgrades_a_fresh_database_in_a_child_and_then_skips(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite://{tmp_path / 'served.sqlite3'}"
    with caplog.at_level(logging.INFO, logger="maotiao.serve"):
        await runtime.upgrade(url)
    assert await schema_state.pending(url) is False
    assert "in a child process" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="maotiao.serve"):
        await runtime.upgrade(url)  # nothing pending: nothing runs
    assert "upgraded" not in caplog.text


async def test_a_failing_child_upgrade_stops_serve_with_its_reason(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.sys, "executable", "/bin/false")  # a child that fails whatever it is asked
    with pytest.raises(RuntimeError, match="db upgrade failed"):
        await runtime.upgrade(f"sqlite://{tmp_path / 'db.sqlite3'}")


async def test_a_database_file_in_a_folder_that_does_not_exist_is_named_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(ConfigError, match="MAOTIAO_DB_URL"):
        await runtime.upgrade(f"sqlite://{tmp_path / 'a-file' / 'db.sqlite3'}")  # tortoise hung on it


async def test_a_file_that_is_not_a_database_is_named_not_waited_on(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-database.sqlite3"
    bad.write_bytes(b"this is not an SQLite file" * 100)
    with pytest.raises(ConfigError, match="MAOTIAO_DB_URL.*cannot be read as an SQLite database"):
        await runtime.upgrade(f"sqlite://{bad}")  # tortoise hung on it
