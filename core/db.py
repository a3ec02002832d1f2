"""Database lifecycle: Tortoise configuration, schema migrations, connections."""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as run_migrations

MODELS_MODULE = "core.models"
MIGRATIONS_MODULE = "core.migrations"


def tortoise_config(db_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": db_url},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(db_url: str) -> None:
    from core import audit

    audit.forget_caches()  # they describe one database
    await Tortoise.init(config=tortoise_config(db_url))


async def upgrade(db_url: str) -> None:
    """Apply every pending migration; an existing database upgrades without loss."""
    try:
        await run_migrations(config=tortoise_config(db_url))
    finally:
        await Tortoise.close_connections()


async def create_schema_for_tests() -> None:
    await Tortoise.generate_schemas(safe=True)


_OUTAGE = (OSError, TimeoutError, DBConnectionError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
           asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.InternalClientError)


def unavailable(exc: BaseException) -> bool:
    """The database could not be reached (down, restarting, connection cut): worth retrying later, never a
    reason to give up on the work. Looks through the exceptions the ORM wraps around the driver's."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, _OUTAGE):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def close_db() -> None:
    await Tortoise.close_connections()


# For `python -m tortoise -c core.db.TORTOISE_ORM makemigrations` when the models change.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
