"""`maotiao groups create [--dry-run]`: the app makes the center's group chats on the platforms whose group
messages reach only chats the app created (a plug-in with a `groups` hook), and keeps their ids
(integrations/groups.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.config import ConfigError
from core.enums import Platform
from integrations import registry


def add_groups_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    grp = sub.add_parser("groups", help="the center's group chats").add_subparsers(dest="action", required=True)
    create = grp.add_parser("create", help="create the org file's groups as chats of the app (once each)")
    create.add_argument("--dry-run", action="store_true", help="print the plan, create nothing")


def configured() -> tuple[dict[Platform, Any], str]:
    """Settings of each configured platform that needs the app to make its groups, or why there is none."""
    needing = [p for p in registry.PLUGINS if p.groups is not None]
    found: dict[Platform, Any] = {}
    for p in needing:
        try:
            settings = p.load()
        except ConfigError as exc:
            return {}, f"{p.label}配置有误:{exc}"
        if settings.enabled:
            found[p.platform] = settings
    if found:
        return found, ""
    labels = "、".join(p.label for p in needing)
    envs = "/".join(f"{p.env_prefix}*" for p in needing)
    return {}, f"{labels}未配置({envs}):没有需要由应用建群的平台。请先按 README「Going live」配置后再运行"


async def create(settings: dict[Platform, Any], args: argparse.Namespace) -> int:
    from integrations.groups import make_groups, render

    outcomes = await make_groups(settings, dry_run=args.dry_run)
    print(render(outcomes, args.dry_run))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


def check_configured() -> dict[Platform, Any]:
    found, why = configured()
    if not found:
        print(why, file=sys.stderr)
    return found
