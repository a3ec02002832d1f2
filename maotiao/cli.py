"""The `maotiao` command: serve, db upgrade, org import, groups create, calendar import, audit verify, parse, intake."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from importlib import resources
from pathlib import Path
from typing import Any

from core import db
from core.calendar_import import CalendarImportError, bundled, import_calendar, unverified
from core.config import ConfigError, Settings, load_settings
from core.models import Region
from core.org_import import import_org
from core.org_validate import OrgImportError
from maotiao import logredact
from maotiao.early_stop import install_for
from maotiao.groups_cmd import add_groups_parser
from maotiao.meeting_cmd import add_meeting_parser
from maotiao.report_args import add_report_parser

log = logging.getLogger("maotiao")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"cannot read {path}: {exc.strerror}") from None


async def _with_db(settings: Settings, body: Callable[[], Awaitable[int]]) -> int:
    await db.upgrade(settings.db_url)
    await db.init_db(settings.db_url)
    try:
        return await body()
    finally:
        await db.close_db()


async def cmd_org_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _read(args.file)

    async def body() -> int:
        try:
            summary = await import_org(text)
        except OrgImportError as exc:
            print(f"org import failed, nothing changed ({len(exc.problems)} problem(s)):", file=sys.stderr)
            for problem in exc.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 2
        for warning in summary.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(f"imported: created {summary.created}, updated {summary.updated}, deactivated {summary.deactivated}")
        return 0

    return await _with_db(settings, body)


def _calendar_text(ref: str) -> str:
    """A CSV file, or a year (`2027`) whose list ships with maotiao."""
    shipped = bundled(int(ref)) if ref.isdigit() and not Path(ref).exists() else None
    return shipped.read_text(encoding="utf-8") if shipped is not None else _read(ref)


async def cmd_calendar_import(settings: Settings, args: argparse.Namespace) -> int:
    text = _calendar_text(args.file)

    async def body() -> int:
        try:
            count = await import_calendar(text)
        except CalendarImportError as exc:
            print(f"calendar import failed, nothing changed:\n{exc}", file=sys.stderr)
            return 2
        print(f"imported {count} calendar day(s)")
        if unverified(text):
            print("warning: this list is not yet checked against the State Council's notice and has no 补假/调休 "
                  "days: add them from the notice and import again (maotiao doctor warns until then)", file=sys.stderr)
        return 0

    return await _with_db(settings, body)


async def cmd_audit_verify(settings: Settings, _: argparse.Namespace) -> int:
    from maotiao.audit_cmd import verify

    return await _with_db(settings, lambda: verify(settings))


async def cmd_audit_checkpoint(settings: Settings, _: argparse.Namespace) -> int:
    from maotiao.audit_cmd import checkpoint

    return await _with_db(settings, lambda: checkpoint(settings))


async def cmd_db_upgrade(settings: Settings, _: argparse.Namespace) -> int:
    await db.upgrade(settings.db_url)
    await db.close_db()
    print("database schema is up to date")
    return 0


async def load_demo_org_if_empty() -> bool:
    if await Region.exists():
        return False
    demo = resources.files("core").joinpath("data/demo-org.yaml").read_text(encoding="utf-8")
    await import_org(demo)
    return True


def run_worker(settings: Settings) -> int:
    """Run until SIGTERM/SIGINT: jobs in flight get a bounded grace (`WorkerSettings.job_completion_wait`), then
    are cancelled (what they did not finish is re-read from the database by the next worker); should closing
    itself hang, the process still ends `STOP_DEADLINE` seconds after the grace."""
    from arq.connections import RedisSettings
    from arq.worker import create_worker

    from scheduler.worker import STOP_DEADLINE, WORKER_NICE, WorkerSettings, exit_after

    if not settings.redis_url:
        raise SystemExit("MAOTIAO_REDIS_URL is not set: without Redis, `maotiao serve` runs the scheduler itself")
    os.nice(WORKER_NICE)  # acknowledgements first: a serve on the same machine is never short of CPU for them
    worker = create_worker(WorkerSettings, redis_settings=RedisSettings.from_dsn(settings.redis_url))  # type: ignore[arg-type]
    worker.on_stop = lambda _signal: exit_after(STOP_DEADLINE)
    worker.run()
    return 0


async def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from maotiao.report_cmd import report

    return await _with_db(settings, lambda: report(args))


async def cmd_roster_import(settings: Settings, args: argparse.Namespace) -> int:
    from maotiao.report_cmd import roster_import

    return await _with_db(settings, lambda: roster_import(args))


async def cmd_meeting(settings: Settings, args: argparse.Namespace) -> int:
    from maotiao.meeting_cmd import meeting

    return await _with_db(settings, lambda: meeting(args))


async def cmd_groups_create(settings: Settings, args: argparse.Namespace) -> int:
    from maotiao.groups_cmd import check_configured, create

    platforms = check_configured()
    if not platforms:
        return 1
    return await _with_db(settings, lambda: create(platforms, args))


async def cmd_doctor(settings: Settings, args: argparse.Namespace) -> int:
    from maotiao.doctor import run

    return await run(settings, args)


async def cmd_serve(settings: Settings, _: argparse.Namespace) -> int:
    from maotiao.runtime import serve

    return await serve(settings)


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "serve": cmd_serve,
    "doctor": cmd_doctor,
    "db upgrade": cmd_db_upgrade,
    "org import": cmd_org_import,
    "calendar import": cmd_calendar_import,
    "audit verify": cmd_audit_verify,
    "audit checkpoint": cmd_audit_checkpoint,
    "report": cmd_report,
    "roster import": cmd_roster_import,
    "groups create": cmd_groups_create,
    **{f"meeting {a}": cmd_meeting for a in ("open", "item", "done", "list")},
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maotiao", description="矛调中心 in the chat platforms its staff use")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_p = sub.add_parser("serve", help="run the HTTP server, the bot and the in-process scheduler")
    serve_p.add_argument("--sandbox", action="store_true",
                         help="serve this database as a sandbox for good (fake platforms, a movable clock)")
    sub.add_parser("worker", help="run the scheduler's jobs on arq (needs MAOTIAO_REDIS_URL)")
    sub.add_parser("doctor", help="check the deployment for real (platforms, database, calendar) before going live")
    parse_p = sub.add_parser("parse", help="classify a report as the bot would (JSON out)")
    parse_p.add_argument("text", nargs="*", help="the report text")
    parse_p.add_argument("--jsonl", metavar="FILE", help='one {"text": …} per line')
    parse_p.add_argument("--org", metavar="FILE", help="org file whose region names locate reports")
    from maotiao.intake_cmd import add_parser as add_intake_parser

    add_intake_parser(sub)
    add_report_parser(sub)
    add_meeting_parser(sub)
    add_groups_parser(sub)
    dash = sub.add_parser("dashboard", help="the 综合信息指挥室 screen").add_subparsers(dest="action", required=True)
    dash.add_parser("hash-password", help="read a password (stdin) and print MAOTIAO_DASHBOARD_PASSWORD_HASH")
    for group, actions in (("db", {"upgrade": None}), ("org", {"import": "FILE"}), ("roster", {"import": "FILE.xlsx"}),
                           ("calendar", {"import": "FILE|YEAR"}), ("audit", {"verify": None, "checkpoint": None})):
        gp = sub.add_parser(group).add_subparsers(dest="action", required=True)
        for action, arg in actions.items():
            p = gp.add_parser(action)
            if arg:
                p.add_argument("file", metavar=arg)
    return parser


def configured_secrets(settings: Settings) -> list[str | None]:
    """Every secret the configuration holds, for the log redaction (a platform's bad configuration is
    reported by the command that uses it, not here)."""
    from integrations.registry import configured_secrets as platform_secrets

    return [*settings.api_key_map, settings.audit_key, *platform_secrets()]


def _start(settings: Settings) -> None:
    logredact.configure(settings.log_level, configured_secrets(settings))


def main(argv: list[str] | None = None) -> None:
    import integrations.registry  # noqa: F401  declares the chat platforms before any org file or message is read

    args = build_parser().parse_args(argv)
    if args.command == "worker":
        install_for(["worker"])  # the console script reaches here after its imports
        try:
            worker_settings = load_settings()
        except ConfigError as exc:
            raise SystemExit(str(exc)) from None
        _start(worker_settings)
        sys.exit(run_worker(worker_settings))
    if args.command == "dashboard":
        from maotiao.dashboard import hash_password_cli

        sys.exit(hash_password_cli())
    if args.command == "parse":
        from maotiao.parse_cmd import run_parse

        sys.exit(run_parse(args))
    if args.command == "intake":
        from maotiao.intake_cmd import run_intake

        sys.exit(run_intake(args))
    key = args.command if args.command in ("serve", "report", "doctor") else f"{args.command} {args.action}"
    try:
        settings = load_settings(**({"sandbox": True} if getattr(args, "sandbox", False) else {}))
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None
    _start(settings)
    try:
        sys.exit(asyncio.run(COMMANDS[key](settings, args)))
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None
