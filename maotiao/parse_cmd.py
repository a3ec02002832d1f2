"""`maotiao parse`: classify reports the way the bot does, printing the rubric's JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.intake import model as intake_model
from bot.intake.parse import parse
from bot.intake.places import PlaceIndex
from core.config import ConfigError, load_settings
from core.org_validate import OrgImportError, org_places


def run_parse(args: argparse.Namespace) -> int:
    try:
        intake_model.use(load_settings().intake_model)
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None
    except intake_model.ModelError as exc:
        raise SystemExit(f"MAOTIAO_INTAKE_MODEL: {exc}") from None
    places = None
    if args.org:
        try:
            places = PlaceIndex()
            for i, (name, full) in enumerate(org_places(Path(args.org).read_text(encoding="utf-8"))):
                places.add(i, name, full)
        except OrgImportError as exc:
            raise SystemExit(f"cannot read --org: {exc}") from None
    if args.jsonl:
        with open(args.jsonl, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    text = json.loads(line)["text"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    print(json.dumps({"line": lineno, "error": "not a JSON object with a text field"}))
                    continue
                print(json.dumps(parse(str(text), places).as_json(), ensure_ascii=False))
        return 0
    if not args.text:
        raise SystemExit("give TEXT or --jsonl FILE")
    print(json.dumps(parse(" ".join(args.text), places).as_json(), ensure_ascii=False, indent=2))
    return 0
