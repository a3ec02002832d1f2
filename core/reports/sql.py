"""The little SQL that differs between SQLite and PostgreSQL, for aggregate reports."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise


def dialect() -> str:
    return str(Tortoise.get_connection("default").capabilities.dialect)


def hours(later: str, earlier: str) -> str:
    if dialect() == "postgres":
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


def days_before(column: str, days: int) -> str:
    if dialect() == "postgres":
        return f"({column} - INTERVAL '{int(days)} days')"
    return f"datetime(julianday({column}) - {int(days)})"


def cmp_time(column: str) -> str:
    """A timestamp column in a form comparable with days_before() on both databases."""
    return column if dialect() == "postgres" else f"datetime(julianday({column}))"


def params(sql: str, n: int) -> str:
    """Write {0}, {1}… in the SQL (in any order, any number of times); this turns them into $1 / ?1
    placeholders, numbered on both databases so that a value may be used twice or out of order."""
    marks = [f"${i + 1}" for i in range(n)] if dialect() == "postgres" else [f"?{i + 1}" for i in range(n)]
    return sql.format(*marks)


async def rows(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    conn = Tortoise.get_connection("default")
    return list(await conn.execute_query_dict(params(sql, len(values)), values))


def local_day(column: str) -> str:
    """The Beijing-time calendar day of a UTC timestamp, as 'YYYY-MM-DD' text."""
    if dialect() == "postgres":
        return f"to_char(({column} AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD')"
    return f"date({column}, '+8 hours')"


def local_month(column: str) -> str:
    """The Beijing-time calendar month of a UTC timestamp, as 'YYYY-MM' text."""
    if dialect() == "postgres":
        return f"to_char(({column} AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+8 hours')"


def json_has(column: str, value: str) -> str:
    """Whether a JSON list column (flags) holds a plain string value, as a condition on both databases."""
    text = f"{column}::text" if dialect() == "postgres" else column
    return f"{text} LIKE '%\"{value}\"%'"
