"""`maotiao intake train | evaluate | models`: retrain the category model from the corpus in the package
plus the center's corrections, measure a model against held-back reports, list the models kept."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import ConfigError, Settings, load_settings
from core.enums import Category

if TYPE_CHECKING:  # the model, numpy and scikit-learn load only for `maotiao intake`, not for every command
    from bot.intake.labelled import Example
    from bot.intake.model import CategoryModel
    from bot.intake.training import Evaluation

_SHORT = {"neighbor": "nb", "marriage_family": "mf", "land_homestead": "lh", "labor_wage": "lw",
          "property_mgmt": "pm", "consumer": "co", "medical": "md", "traffic": "tr", "environment": "en",
          "demolition": "dm", "debt": "db", "campus": "ca", "finance": "fi", "food_safety": "fs",
          "new_resident": "nr", "petition": "pe", "other": "ot"}
assert set(_SHORT) == {c.value for c in Category}


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    intake = sub.add_parser("intake", help="the category model: train, evaluate, list").add_subparsers(
        dest="action", required=True)
    tr = intake.add_parser("train", help="train from the corpus and the center's corrections")
    tr.add_argument("--out", metavar="FILE", help="write here (default: a new versioned file in "
                    "MAOTIAO_INTAKE_MODEL_DIR)")
    tr.add_argument("--no-corrections", action="store_true", help="the corpus only, no database")
    tr.add_argument("--ship", action="store_true", help="developers: rewrite the model shipped in the package "
                    "from the corpus alone")
    ev = intake.add_parser("evaluate", help="accuracy per field and a confusion table")
    ev.add_argument("--model", metavar="FILE", help="default: the configured model")
    ev.add_argument("--split", choices=["heldback", "train", "all"], default="heldback")
    ev.add_argument("--jsonl", metavar="FILE", nargs="+", help="labelled reports to measure on instead")
    ev.add_argument("--corrections", action="store_true", help="measure on the center's stored corrections")
    ev.add_argument("--misses", action="store_true", help="list the reports it got wrong")
    intake.add_parser("models", help="the models kept in MAOTIAO_INTAKE_MODEL_DIR and which one is in use")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None


async def _corrections(settings: Settings) -> list[Example]:
    from bot.intake.labelled import Example, held_back
    from bot.intake.training import CORRECTION_WEIGHT
    from core import db
    from core.services.corrections import correction_examples

    await db.upgrade(settings.db_url)
    await db.init_db(settings.db_url)
    try:
        rows = await correction_examples()
    finally:
        await db.close_db()
    return [Example(r.text, r.category, r.severity, r.flags, source="correction", weight=CORRECTION_WEIGHT)
            for r in rows if not held_back(r.text)]  # a held-back report stays held back


def _print_evaluation(title: str, ev: Evaluation, misses: bool) -> None:
    print(f"{title}: {ev.n} reports")
    print(f"  category  {ev.category:.3f}")
    print(f"  severity  {ev.severity:.3f}")
    print(f"  flags F1  {ev.flags_f1:.3f}  (all flags right: {ev.flags_exact:.3f})")
    labels = sorted({c for row in ev.confusion.values() for c in row} | set(ev.confusion))
    print("  confusion (rows: labelled, columns: parsed; " + ", ".join(f"{_SHORT[c]}={c}" for c in labels) + ")")
    print("        " + "".join(f"{_SHORT[c]:>4}" for c in labels))
    for want in labels:
        row: dict[str, int] = dict(ev.confusion.get(want, {}))
        cells = "".join(f"{(row.get(got) or '.')!s:>4}" for got in labels)
        print(f"    {_SHORT[want]:>4}{cells}")
    if misses:
        for text, want, got in ev.misses:
            print(f"  - labelled {want}, parsed {got}: {text}")


def _evaluate_on(model: CategoryModel, rows: Sequence[Example]) -> Evaluation:
    from bot.intake.parse import parse
    from bot.intake.training import evaluate

    return evaluate(rows, lambda text: parse(text, model=model))


def cmd_train(args: argparse.Namespace) -> int:
    from bot.intake import model as intake_model
    from bot.intake.labelled import corpus
    from bot.intake.training import train

    settings = _settings()
    examples = corpus("train")
    corrections: list[Example] = []
    if not (args.no_corrections or args.ship):
        corrections = asyncio.run(_corrections(settings))
    meta: dict[str, object] = {"corrections": len(corrections)}
    if not args.ship:
        meta["trained_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    new = train([*examples, *corrections], meta=meta)
    heldback = corpus("heldback")
    _print_evaluation(f"new model {new.version} on the held-back corpus", _evaluate_on(new, heldback), False)
    try:
        old = intake_model.load(intake_model.configured_path())
        _print_evaluation(f"model in use {old.version} on the same", _evaluate_on(old, heldback), False)
    except intake_model.ModelError as exc:
        print(f"(no model in use to compare with: {exc})")
    if args.ship:
        out = intake_model.shipped_path()
    elif args.out:
        out = Path(args.out)
    else:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        out = Path(settings.intake_model_dir) / f"category-{stamp}-{new.version}.bin"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(intake_model.dumps(new))
    print(f"trained on {len(examples)} corpus reports and {len(corrections)} corrections: {out}")
    if not args.ship:
        print(f"to use it: set MAOTIAO_INTAKE_MODEL={out.resolve()} and restart `maotiao serve`")
        print("to roll back: set MAOTIAO_INTAKE_MODEL to the file used before (`maotiao intake models`), or "
              "unset it for the model shipped with maotiao")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from bot.intake import model as intake_model
    from bot.intake.labelled import corpus, read_jsonl

    settings = _settings()
    try:
        model = intake_model.load(Path(args.model)) if args.model else intake_model.use(settings.intake_model)
    except intake_model.ModelError as exc:
        raise SystemExit(str(exc)) from None
    print(f"model {model.version}: {model.path}")
    if args.corrections:
        rows = asyncio.run(_corrections(settings))
        title = "the center's corrections (not held back, so a model trained on them has seen them)"
    elif args.jsonl:
        try:
            rows = list(read_jsonl(Path(p) for p in args.jsonl))
        except (OSError, ValueError) as exc:
            raise SystemExit(f"cannot read labelled reports: {exc}") from None
        title = " ".join(args.jsonl)
    else:
        rows, title = corpus(args.split), f"{args.split} corpus"
    if not rows:
        print(f"{title}: nothing to measure")
        return 0
    _print_evaluation(title, _evaluate_on(model, rows), args.misses)
    return 0


def cmd_models(_: argparse.Namespace) -> int:
    from bot.intake import model as intake_model

    settings = _settings()
    in_use = intake_model.configured_path() if not settings.intake_model else Path(settings.intake_model)
    shipped = intake_model.shipped_path()
    files = [shipped, *sorted(Path(settings.intake_model_dir).glob("category-*.bin"))]
    for path in files:
        try:
            m = intake_model.load(path)
            info = f"{m.version}  {m.meta.get('examples', '?')} examples, {m.meta.get('corrections', 0)} corrections"
            info += f", trained {m.meta['trained_at']}" if "trained_at" in m.meta else " (shipped)"
        except intake_model.ModelError as exc:
            info = f"unreadable: {exc}"
        mark = "*" if path.resolve() == in_use.resolve() else " "
        print(f"{mark} {path}  {info}")
    return 0


def run_intake(args: argparse.Namespace) -> int:
    handlers = {"train": cmd_train, "evaluate": cmd_evaluate, "models": cmd_models}
    return handlers[args.action](args)

