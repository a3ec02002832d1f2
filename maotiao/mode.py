"""Production or sandbox: what `serve` runs, decided from the credentials, the flag and the database's mark.

The sandbox lets whoever reaches it act as any person and move the clock, which escalates cases, dates
audit events ahead and uses up the day's roster, digest and warning runs. So a database is marked by the
first `serve` (core.models.DatabaseMark) and the mark never changes:

  a platform's credentials set                  production; refused if the database is a sandbox's, and
                                                 refused with --sandbox (a sandbox never talks to them)
  no credentials, database marked sandbox       sandbox (the README's command, run again)
  no credentials, fresh database                sandbox: the demo organisation is loaded, database marked
  no credentials, database marked production    refused, --sandbox or not: production is never a sandbox
  no credentials, unmarked, with an organisation
  or cases (e.g. `org import` was run first)    refused unless --sandbox / MAOTIAO_SANDBOX=1, which marks it
  implicit sandbox on a non-loopback address    refused unless --sandbox (it would be open to the network)

A production deployment must also have an audit key (MAOTIAO_AUDIT_KEY or MAOTIAO_AUDIT_KEY_FILE): its
trail is anchored by signed checkpoints outside the database. A sandbox may have one and needs none.
"""

from __future__ import annotations

import os
import socket
import sys
from datetime import UTC, datetime
from ipaddress import ip_address

from core.audit_checkpoint import load_key
from core.config import ConfigError, Settings
from core.models import Case, DatabaseMark, Region, Staff
from integrations.registry import credentials

PRODUCTION, SANDBOX = "production", "sandbox"
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def read_mark() -> DatabaseMark | None:
    return await DatabaseMark.get_or_none(id=1)


async def claim(mode: str) -> None:
    """Mark the database (first serve), or find the mark another process set at the same moment."""
    by = f"{socket.gethostname()} pid {os.getpid()}: {' '.join(sys.argv[-2:])}"[:200]
    await DatabaseMark.bulk_create([DatabaseMark(id=1, mode=mode, marked_at=datetime.now(UTC), marked_by=by)],
                                   ignore_conflicts=True)
    mark = await read_mark()
    if mark is None or mark.mode != mode:
        raise ConfigError(f"another process marked this database as {mark.mode if mark else '?'} meanwhile")


def _when(mark: DatabaseMark) -> str:
    return f"marked {mark.mode} on {mark.marked_at:%Y-%m-%d %H:%M} UTC by {mark.marked_by}"


async def decide(settings: Settings, has_credentials: bool) -> str:
    """PRODUCTION or SANDBOX, or a ConfigError that says what to do instead."""
    mark = await read_mark()
    if has_credentials:
        return _production(settings, mark)
    if mark is not None and mark.mode == PRODUCTION:
        raise ConfigError(f"no {credentials()} credentials, and this is a production database ({_when(mark)}): "
                          "it is never served as a sandbox. Set the platform credentials, or point MAOTIAO_DB_URL at "
                          "another database to try the sandbox")
    explicit = settings.sandbox
    if not explicit and not is_loopback(settings.http_host):
        raise ConfigError(f"no {credentials()} credentials: serve would be a sandbox on {settings.http_host}, "
                          "where anyone who reaches it can act as any person. Set the credentials, listen on "
                          "127.0.0.1, or pass --sandbox (MAOTIAO_SANDBOX=1) if that is what you mean")
    if mark is not None or explicit:
        return SANDBOX
    regions, staff, cases = await Region.all().count(), await Staff.all().count(), await Case.all().count()
    if regions or staff or cases:
        raise ConfigError(f"no {credentials()} credentials, and this database holds an organisation ({regions} "
                          f"regions, {staff} staff, {cases} cases) that is not a sandbox's: refusing to serve it as "
                          "one. Set the platform credentials for production, or pass --sandbox (MAOTIAO_SANDBOX=1) "
                          "to make this database a sandbox for good")
    return SANDBOX


def _production(settings: Settings, mark: DatabaseMark | None) -> str:
    if settings.sandbox:
        raise ConfigError(f"--sandbox (MAOTIAO_SANDBOX) with {credentials()} credentials set: a sandbox never "
                          "talks to the real platforms. Unset one of them")
    if mark is not None and mark.mode == SANDBOX:
        raise ConfigError(f"this database is a sandbox's ({_when(mark)}): its people are a demo and its clock was "
                          "moved. A real deployment needs a database of its own: set MAOTIAO_DB_URL to a new one, "
                          "then `maotiao org import FILE`")
    if load_key(settings) is None:
        raise ConfigError("MAOTIAO_AUDIT_KEY (or MAOTIAO_AUDIT_KEY_FILE) is not set: a real deployment signs "
                          "checkpoints of its audit trail with a key kept outside the database. Generate one with "
                          "python3 -c 'import secrets; print(secrets.token_hex(32))' and keep it where the "
                          "database's administrators cannot change it (README, Security)")
    return PRODUCTION
