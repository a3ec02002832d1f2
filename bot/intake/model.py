"""The trained category model: a linear model over character n-grams and the lexicon's scores, stored as
one small file and loaded once per process.

File format (deterministic bytes for the same training data): gzip (mtime 0) of a JSON header line —
classes, vocabulary, lexicon scale, typo table, what it was trained from — then float32 arrays: the
weights, (vocabulary + classes) × classes, the intercepts, and each n-gram's idf. A report's n-grams are
weighted by idf and scaled to unit length; the lexicon's log scores times the lexicon scale follow. Parsing needs numpy only; scikit-learn is used
to train (bot/intake/training.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import threading
from dataclasses import InitVar, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from bot.intake import signals
from bot.intake.features import CONTEXT, CUE_LIST, scores_from
from bot.intake.homophones import Corrector
from bot.intake.matcher import Scan, Scanner
from core.config import load_early_settings

FORMAT = 1
MODEL_ENV = "MAOTIAO_INTAKE_MODEL"
SHIPPED = "models/category.bin"
OTHER = "other"
MIN_CONFIDENCE = 0.6  # below this, with no lexicon cue at all, a report is "other"


class ModelError(Exception):
    """The model file is missing, unreadable or of another format; the message names the file."""


@dataclass
class Prediction:
    category: str
    confidence: float
    classes: list[str] = field(default_factory=list, repr=False)
    odds: list[float] = field(default_factory=list, repr=False)

    @property
    def probabilities(self) -> dict[str, float]:
        total = sum(self.odds)
        return {c: o / total for c, o in zip(self.classes, self.odds, strict=True)}


@dataclass
class CategoryModel:
    classes: list[str]
    vocab: dict[str, int]
    weights: np.ndarray  # (len(vocab) + len(classes), len(classes)) float32
    intercept: np.ndarray  # (len(classes),)
    idf: np.ndarray  # (len(vocab),)
    lexicon_scale: float
    typos: InitVar[dict[str, object]]  # the typo table; held by the corrector, compactly (table() gives it back)
    meta: dict[str, Any]
    path: str = ""
    corrector: Corrector = field(init=False)

    def __post_init__(self, typos: dict[str, object]) -> None:
        self.corrector = Corrector(typos)
        # One automaton pass per report finds the n-grams, the cues and the rules' and signals' words.
        self.scanner = Scanner(sorted(self.vocab, key=self.vocab.__getitem__), CUE_LIST,
                               {"context": CONTEXT, "signals": signals.MATCHER})
        n = len(self.vocab)
        # Each n-gram's weights times its idf, so a report's score is one gather and one sum.
        self._gram_rows = np.ascontiguousarray(self.weights[:n] * self.idf[:, None], dtype=np.float64)
        self._idf2 = self.idf.astype(np.float64) ** 2
        self._lexicon_rows = {c: self.weights[n + i].astype(np.float64) * self.lexicon_scale
                              for i, c in enumerate(self.classes)}
        self._intercept = self.intercept.astype(np.float64)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "?"))

    def _scores(self, text: str, scan: Scan) -> dict[str, int]:
        rules = CONTEXT.resolve(text, scan.found.get("context", ()))
        return scores_from(text, scan.found.get("cue", []), rules)

    def read(self, text: str) -> Reading:
        """Everything intake needs from one report, in one pass (two when a typo was corrected)."""
        fixed = self.corrector(text)
        scan = self.scanner.scan(text)
        for_category = scan if fixed == text else self.scanner.scan(fixed)
        scores = self._scores(fixed, for_category)
        return Reading(
            prediction=self._predict(for_category.grams, scores),
            scores=scores,
            signal_spans=signals.MATCHER.resolve(text, scan.found.get("signals", ())),
        )

    def predict(self, text: str) -> Prediction:
        return self.read(text).prediction

    def _predict(self, grams: set[int], scores: dict[str, int]) -> Prediction:
        logits = self._intercept
        if grams:
            ids = list(grams)
            logits = logits + self._gram_rows.take(ids, axis=0).sum(axis=0) / math.sqrt(self._idf2.take(ids).sum())
        for cat, score in scores.items():
            row = self._lexicon_rows.get(cat)
            if row is not None and score > 0:
                logits = logits + row * math.log1p(score)
        values = logits.tolist()
        top = max(values)
        exps = [math.exp(v - top) for v in values]
        best = values.index(top)
        category, confidence = self.classes[best], exps[best] / sum(exps)
        if confidence < MIN_CONFIDENCE and not any(scores.values()):
            category = OTHER
        return Prediction(category, confidence, self.classes, exps)


@dataclass
class Reading:
    prediction: Prediction
    scores: dict[str, int]  # the lexicon's, per category
    signal_spans: dict[str, list[tuple[int, int]]]  # raw, before negation (signals.find_in)


def dumps(model: CategoryModel) -> bytes:
    header = {
        "format": FORMAT,
        "classes": model.classes,
        "vocab": sorted(model.vocab, key=model.vocab.__getitem__),
        "lexicon_scale": model.lexicon_scale,
        "typos": model.corrector.table(),
        "meta": model.meta,
    }
    head = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    body = b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in (model.weights, model.intercept, model.idf))
    return gzip.compress(head + b"\n" + body, compresslevel=9, mtime=0)


def loads(data: bytes, path: str = "") -> CategoryModel:
    try:
        raw = gzip.decompress(data)
        head, body = raw.split(b"\n", 1)
        header = json.loads(head)
    except (OSError, ValueError, EOFError) as exc:
        raise ModelError(f"{path or 'model'}: not a maotiao category model ({exc})") from None
    if header.get("format") != FORMAT:
        raise ModelError(f"{path or 'model'}: model format {header.get('format')!r}, this version reads {FORMAT}")
    classes, vocab = header["classes"], header["vocab"]
    rows, cols = len(vocab) + len(classes), len(classes)
    if len(body) != 4 * (rows * cols + cols + len(vocab)):
        raise ModelError(f"{path or 'model'}: truncated or corrupt weights")
    values = np.frombuffer(body, dtype="<f4")
    return CategoryModel(
        classes=list(classes),
        vocab={g: i for i, g in enumerate(vocab)},
        weights=values[: rows * cols].reshape(rows, cols).astype(np.float32),
        intercept=values[rows * cols : rows * cols + cols].astype(np.float32),
        idf=values[rows * cols + cols :].astype(np.float32),
        lexicon_scale=float(header["lexicon_scale"]),
        typos=header["typos"],
        meta=header["meta"],
        path=path,
    )


def shipped_path() -> Path:
    return Path(str(resources.files("bot.intake").joinpath(SHIPPED)))


_chosen: str | None = None


def use(path: str) -> CategoryModel:
    """Choose the model file for this process (MAOTIAO_INTAKE_MODEL from the settings; "" for the shipped
    one) and load it now, so a bad file stops start-up instead of the first report."""
    global _chosen, _loaded
    _chosen = path.strip()
    _loaded = None
    return current()


def use_at_start(path: str) -> CategoryModel:
    """use() for a process starting (serve, worker): a missing or corrupt file stops it, with the reason."""
    try:
        return use(path)
    except ModelError as exc:
        raise SystemExit(f"MAOTIAO_INTAKE_MODEL: {exc}") from None


def configured_path() -> Path:
    """The file chosen by use(), else MAOTIAO_INTAKE_MODEL, else the model shipped in the package."""
    chosen = _chosen if _chosen is not None else load_early_settings().intake_model.strip()
    return Path(chosen) if chosen else shipped_path()


def load(path: Path) -> CategoryModel:
    try:
        data = path.read_bytes()
    except OSError as exc:
        hint = f" (set by {MODEL_ENV})" if load_early_settings().intake_model else ""
        raise ModelError(f"cannot read the intake model {path}{hint}: {exc.strerror}") from None
    model = loads(data, str(path))
    model.meta.setdefault("sha256", hashlib.sha256(data).hexdigest())
    return model


_lock = threading.Lock()
_loaded: CategoryModel | None = None


def current() -> CategoryModel:
    """The process's model, loaded on first use (and at `serve` start-up); then never read again."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = load(configured_path())
    return _loaded


def reset() -> None:
    """Forget the loaded and chosen model (tests)."""
    global _loaded, _chosen
    _loaded, _chosen = None, None
