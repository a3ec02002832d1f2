"""Database lifecycle: Tortoise configuration, schema migrations, connections."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
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
    await Tortoise.init(config=tortoise_config(db_url))


async def upgrade(db_url: str) -> None:
    """Apply every pending migration; an existing database upgrades without loss."""
    try:
        await run_migrations(config=tortoise_config(db_url))
    finally:
        await Tortoise.close_connections()


async def create_schema_for_tests() -> None:
    await Tortoise.generate_schemas(safe=True)


async def close_db() -> None:
    await Tortoise.close_connections()


# For `python -m tortoise -c core.db.TORTOISE_ORM makemigrations` when the models change.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
