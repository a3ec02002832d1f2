"""The organisation's version, kept by the database itself: triggers on the organisation's tables add 1 to
`org_version.n` on every write, so a process may keep organisation rows across messages (core/org_memo.py)
and ask one cheap question per unit of work — "is the organisation still the one I remember?" — instead of
reading the rows again. Triggers, not application code, because the organisation is written by `maotiao org
import` in any process and, in real centers, now and then by hand in SQL: every such write is seen.

Installed by migration 0024 and, for databases made from the models (tests, benches), by `install`."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.expressions import RawSQL

# Whose rows org_memo keeps across messages. The policy is one row of `setting`; its other rows (quota
# counters, once-markers) change often and hold nothing org_memo keeps, so only the policy's key counts.
TABLES = ("region", "department", "staff", "liaison")
POLICY_KEY = "policy"  # the policy's row of `setting` (core/policy.py)
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _sqlite_triggers() -> list[str]:
    bump = "BEGIN UPDATE org_version SET n = n + 1 WHERE id = 1; END"
    out = [f"CREATE TRIGGER IF NOT EXISTS org_version_{t}_{e.lower()} AFTER {e} ON {t} {bump}"
           for t in TABLES for e in EVENTS]
    for e, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        out.append(f"CREATE TRIGGER IF NOT EXISTS org_version_setting_{e.lower()} AFTER {e} ON setting "
                   f"WHEN {row}.key = '{POLICY_KEY}' {bump}")
    return out


def _postgres_triggers() -> list[str]:
    out = ["CREATE OR REPLACE FUNCTION maotiao_org_bump() RETURNS trigger AS $$ BEGIN "
           "UPDATE org_version SET n = n + 1 WHERE id = 1; RETURN NULL; END $$ LANGUAGE plpgsql"]
    for t in TABLES:  # once per statement: an import that writes 500 staff rows bumps once per statement
        out += [f"DROP TRIGGER IF EXISTS org_version_{t} ON {t}",
                f"CREATE TRIGGER org_version_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} "
                "FOR EACH STATEMENT EXECUTE FUNCTION maotiao_org_bump()"]
    for e, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        name = f"org_version_setting_{e.lower()}"
        out += [f"DROP TRIGGER IF EXISTS {name} ON setting",
                f"CREATE TRIGGER {name} AFTER {e} ON setting FOR EACH ROW "
                f"WHEN ({row}.key = '{POLICY_KEY}') EXECUTE FUNCTION maotiao_org_bump()"]
    return out


async def install(client: BaseDBAsyncClient | None = None) -> None:
    """Create the version row (a new epoch) and the triggers; running it again is harmless."""
    client = client or connections.get("default")
    postgres = client.capabilities.dialect == "postgres"
    for sql in _postgres_triggers() if postgres else _sqlite_triggers():
        await client.execute_script(sql)
    await reset(client)


async def reset(client: BaseDBAsyncClient | None = None) -> None:
    """A fresh version row (after a test empties every table, or when the row is missing)."""
    client = client or connections.get("default")
    await client.execute_query("DELETE FROM org_version")
    await client.execute_query("INSERT INTO org_version (id, epoch, n) VALUES (1, $1, 0)"
                               if client.capabilities.dialect == "postgres" else
                               "INSERT INTO org_version (id, epoch, n) VALUES (1, ?, 0)", [uuid.uuid4().hex])


_THE_ROW = "FROM org_version WHERE id = 1"


async def current() -> tuple[str, int] | None:
    """(epoch, n) of the organisation as the database holds it now; None when there is no version row (the
    caller then keeps nothing across units)."""
    _, rows = await connections.get("default").execute_query(f"SELECT epoch, n {_THE_ROW}")
    if not rows:
        return None
    row: Any = rows[0]
    return str(row["epoch"]), int(row["n"])


# The version read beside another row, in that row's statement (a handled message's claim): one statement less.
EPOCH = RawSQL(f"(SELECT epoch {_THE_ROW})")
N = RawSQL(f"(SELECT n {_THE_ROW})")


def beside(row: Any) -> tuple[str, int] | None:
    """The version a row was read with (annotated `org_epoch=EPOCH, org_n=N`), as `current()` gives it."""
    epoch, n = getattr(row, "org_epoch", None), getattr(row, "org_n", None)
    return (str(epoch), int(n)) if epoch is not None and n is not None else None
