"""Training the category model (scikit-learn logistic regression) and measuring it against labelled
reports. Deterministic: the same examples give the same weights (lbfgs from zero, no shuffling)."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.intake.features import category_scores, fold, lexicon_features, ngrams
from bot.intake.homophones import Corrector, build_table
from bot.intake.labelled import Example
from bot.intake.lexicon import CATEGORY_CUES, CONTEXT_RULES
from bot.intake.model import FORMAT, CategoryModel
from core.enums import Category

# Chosen by 5-fold cross-validation on the training split (`maotiao intake train --search`).
C = 128.0
LEXICON_SCALE = 0.1
MIN_DF = 2
CORRECTION_WEIGHT = 2.0  # a center's own corrections count double: they are what its grid workers write
FEATURES_VERSION = 2
EXTRA_TYPO_TERMS = ("纠纷", "环境", "赔偿", "矛盾", "调解", "协议", "补偿", "赡养", "抚养", "继承")


def typo_terms() -> list[str]:
    return sorted({c for cues in CATEGORY_CUES.values() for c, w in cues.items() if w >= 2} | set(EXTRA_TYPO_TERMS))


@dataclass
class _Matrix:
    rows: list[list[int]]
    lexicon: np.ndarray
    idf: np.ndarray


def _encode(examples: Sequence[Example], corrector: Corrector, vocab: dict[str, int] | None,
            classes: list[str]) -> tuple[_Matrix, dict[str, int]]:
    fixed = [corrector(fold(e.text)) for e in examples]
    grams = [ngrams(t) for t in fixed]
    df = Counter(g for gs in grams for g in gs)
    if vocab is None:
        vocab = {g: i for i, g in enumerate(sorted(g for g, n in df.items() if n >= MIN_DF))}
    idf = np.asarray([math.log((1 + len(grams)) / (1 + df[g])) + 1 for g in sorted(vocab, key=vocab.__getitem__)])
    rows = [sorted(vocab[g] for g in gs if g in vocab) for gs in grams]
    lexicon = np.asarray([lexicon_features(category_scores(t), classes) for t in fixed], dtype=np.float64)
    return _Matrix(rows, lexicon, idf), vocab


def _design(m: _Matrix, n_vocab: int, lexicon_scale: float):  # type: ignore[no-untyped-def]
    from scipy.sparse import csr_matrix, hstack

    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for ids in m.rows:
        weights = m.idf[ids] if ids else np.zeros(0)
        norm = math.sqrt(float(weights @ weights)) or 1.0
        data.extend((weights / norm).tolist())
        indices.extend(ids)
        indptr.append(len(indices))
    grams = csr_matrix((data, indices, indptr), shape=(len(m.rows), n_vocab))
    return hstack([grams, csr_matrix(m.lexicon * lexicon_scale)], format="csr")


def _fingerprint(examples: Sequence[Example], c: float, scale: float) -> str:
    """Names what a model was made from: its examples, its settings and the lexicon it scores with."""
    h = hashlib.sha256(json.dumps([FORMAT, FEATURES_VERSION, c, scale, MIN_DF, CATEGORY_CUES, CONTEXT_RULES],
                                  sort_keys=True, ensure_ascii=False).encode())
    for e in sorted(examples, key=lambda e: (e.text, e.category, e.weight)):
        h.update(f"{e.text}\t{e.category}\t{e.weight}\n".encode())
    return h.hexdigest()[:12]


def train(examples: Sequence[Example], *, c: float = C, lexicon_scale: float = LEXICON_SCALE,
          typos: dict[str, object] | None = None, meta: dict[str, object] | None = None) -> CategoryModel:
    from sklearn.linear_model import LogisticRegression

    known = {str(v) for v in Category}
    bad = sorted({e.category for e in examples} - known)
    if bad:
        raise ValueError(f"unknown categories in the training data: {', '.join(bad)}")
    classes = sorted({e.category for e in examples})
    typos = build_table(typo_terms()) if typos is None else typos
    corrector = Corrector(typos)
    m, vocab = _encode(examples, corrector, None, classes)
    x = _design(m, len(vocab), lexicon_scale)
    y = np.asarray([classes.index(e.category) for e in examples])
    from threadpoolctl import threadpool_limits

    clf = LogisticRegression(C=c, max_iter=2000)
    with threadpool_limits(limits=1):  # several BLAS threads on a shared 2-core machine: 20× slower, not faster
        clf.fit(x, y, sample_weight=np.asarray([e.weight for e in examples]))
    coef = np.asarray(clf.coef_, dtype=np.float64)
    if len(classes) == 2:  # binary: one row of weights; store it as two opposite classes
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.asarray([-clf.intercept_[0] / 2, clf.intercept_[0] / 2])
    else:
        intercept = np.asarray(clf.intercept_)
    weights = coef.T.copy()  # the lexicon rows last: the scale is applied to those features at prediction
    sources = Counter(e.source for e in examples)
    info: dict[str, object] = {
        "version": _fingerprint(examples, c, lexicon_scale),
        "examples": len(examples),
        "sources": dict(sorted(sources.items())),
        "c": c,
        "features": FEATURES_VERSION,
    }
    info.update(meta or {})
    return CategoryModel(classes=classes, vocab=vocab, weights=weights.astype(np.float32),
                         intercept=intercept.astype(np.float32), idf=m.idf.astype(np.float32),
                         lexicon_scale=lexicon_scale, typos=typos, meta=info)


def cross_validate(examples: Sequence[Example], *, c: float, lexicon_scale: float, folds: int = 5,
                   typos: dict[str, object] | None = None) -> float:
    """Category accuracy over `folds` folds (examples dealt round-robin, so deterministic)."""
    typos = build_table(typo_terms()) if typos is None else typos
    right = 0
    for k in range(folds):
        fit = [e for i, e in enumerate(examples) if i % folds != k]
        held = [e for i, e in enumerate(examples) if i % folds == k]
        model = train(fit, c=c, lexicon_scale=lexicon_scale, typos=typos)
        right += sum(model.predict(e.text).category == e.category for e in held)
    return right / len(examples)


@dataclass
class Evaluation:
    n: int
    category: float
    severity: float
    flags_f1: float
    flags_exact: float
    confusion: dict[str, Counter[str]] = field(default_factory=dict)  # wanted → predicted counts
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (text, wanted, got) per field miss


def evaluate(examples: Sequence[Example], parse_fn) -> Evaluation:  # type: ignore[no-untyped-def]
    """How parse_fn (text → ParsedReport) agrees with the labels: accuracy per field, flag F1, confusion."""
    cat = sev = exact = 0
    tp = fp = fn = 0
    n_sev = 0
    confusion: dict[str, Counter[str]] = {}
    misses: list[tuple[str, str, str]] = []
    for e in examples:
        got = parse_fn(e.text)
        cat += got.category == e.category
        confusion.setdefault(e.category, Counter())[got.category] += 1
        if got.category != e.category:
            misses.append((e.text, f"category {e.category}", got.category))
        if e.severity is not None and e.flags is not None:
            n_sev += 1
            sev += got.severity == e.severity
            want, have = set(e.flags), set(got.flags)
            exact += want == have
            tp, fp, fn = tp + len(want & have), fp + len(have - want), fn + len(want - have)
            if got.severity != e.severity or want != have:
                misses.append((e.text, f"{e.severity} {sorted(want)}", f"{got.severity} {sorted(have)}"))
    n = len(examples)
    return Evaluation(
        n=n,
        category=cat / n if n else 0.0,
        severity=sev / n_sev if n_sev else 0.0,
        flags_f1=2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else 1.0,
        flags_exact=exact / n_sev if n_sev else 0.0,
        confusion=confusion,
        misses=misses,
    )
