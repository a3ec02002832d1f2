"""Whether the database lacks a migration this release ships, read without the ORM or its migration machinery.

`serve` asks this before it starts: applying migrations in-process leaves ~58 MiB behind for the life of the
process (issue 20: the sandbox started at 174 MiB, 52 MiB above a `serve` with nothing to apply), so when
something is pending it runs `maotiao db upgrade` as a child process instead (maotiao/runtime.py)."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from core.config import ConfigError

MIGRATIONS_PACKAGE = "core.migrations"
RECORD_TABLE = "tortoise_migrations"  # tortoise.migrations.recorder.MigrationRecorder's default table
APP = "models"


def shipped() -> set[str]:
    """The migrations of this release, by name (0001_initial …)."""
    return {p.name[:-3] for p in resources.files(MIGRATIONS_PACKAGE).iterdir()
            if p.name[:1].isdigit() and p.name.endswith(".py")}


def _sqlite_applied(path: str) -> set[str]:
    file = Path(path)
    if not file.exists():
        return set()
    with sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True) as conn:
        try:
            rows = conn.execute(f'SELECT "name" FROM "{RECORD_TABLE}" WHERE "app" = ?', (APP,)).fetchall()
        except sqlite3.OperationalError:  # no such table: nothing applied yet
            return set()
    return {str(r[0]) for r in rows}


async def _postgres_applied(creds: dict[str, object]) -> set[str]:
    conn = await asyncpg.connect(host=creds.get("host"), port=creds.get("port"), user=creds.get("user"),
                                 password=creds.get("password"), database=creds.get("database"), timeout=30)
    try:
        rows = await conn.fetch(f'SELECT "name" FROM "{RECORD_TABLE}" WHERE "app" = $1', APP)
    except asyncpg.UndefinedTableError:
        return set()
    finally:
        await conn.close()
    return {str(r["name"]) for r in rows}


async def pending(db_url: str) -> bool | None:
    """Whether a shipped migration is not applied yet; None when only this process can see the database (an
    in-memory SQLite) or its kind is not one we read from outside."""
    info = expand_db_url(db_url)
    engine, creds = str(info["engine"]), info["credentials"]
    if engine.endswith("sqlite"):
        path = str(creds.get("file_path", ""))
        if not path or path == ":memory:" or "mode=memory" in path:
            return None
        if not Path(path).parent.is_dir():  # tortoise would wait forever on a file it cannot open
            raise ConfigError(f"MAOTIAO_DB_URL: the folder of {path} does not exist")
        try:
            return bool(shipped() - _sqlite_applied(path))
        except sqlite3.DatabaseError as exc:  # tortoise, too, would wait forever on it
            raise ConfigError(f"MAOTIAO_DB_URL: {path} cannot be read as an SQLite database ({exc})") from None
    if engine.endswith((".asyncpg", ".psycopg")):
        return bool(shipped() - await _postgres_applied(creds))
    return None
