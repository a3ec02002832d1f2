"""The trained category model: what it gets right, that it is the model the corpus trains (deterministically),
that the file loads once per process and a bad file is refused, and its scores on the held-back corpus."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from bot.intake import model as intake_model
from bot.intake.features import category_scores
from bot.intake.homophones import Corrector, build_table
from bot.intake.labelled import corpus, held_back
from bot.intake.parse import parse
from bot.intake.training import _design, _encode, evaluate, train, typo_terms


@pytest.fixture(scope="module")
def typos() -> dict[str, object]:
    return build_table(typo_terms())


@pytest.fixture(scope="module")
def retrained(typos) -> intake_model.CategoryModel:
    return train(corpus("train"), typos=typos)


def test_the_held_back_corpus_meets_the_bar() -> None:
    rows = corpus("heldback")
    assert len(rows) >= 150 and {r.category for r in rows} == {r.category for r in corpus()}
    ev = evaluate(rows, parse)
    assert ev.category >= 0.92 and ev.severity >= 0.88 and ev.flags_f1 >= 0.88, ev


def test_held_back_reports_are_never_trained_on() -> None:
    assert not any(held_back(r.text) for r in corpus("train"))
    assert {r.text for r in corpus("train")}.isdisjoint(r.text for r in corpus("heldback"))


def test_the_shipped_model_is_the_one_the_corpus_trains(retrained) -> None:
    """Editing the corpus, the lexicon or the features without `maotiao intake train --ship` fails here."""
    shipped = intake_model.load(intake_model.shipped_path())
    assert shipped.version == retrained.version
    assert shipped.vocab == retrained.vocab and shipped.classes == retrained.classes
    assert np.allclose(shipped.weights, retrained.weights, atol=1e-3)


def test_training_is_deterministic(retrained, typos) -> None:
    again = train(corpus("train"), typos=typos)
    assert intake_model.dumps(again) == intake_model.dumps(retrained)


def test_a_loaded_model_writes_back_the_same_file(typos) -> None:
    """The corrector holds the typo table compactly (a process keeps it for its life); what it gives back is the
    table it was made from, so a model file read and written again is the same bytes."""
    assert Corrector(typos).table() == typos and Corrector({}).table()["variants"] == {}
    data = intake_model.shipped_path().read_bytes()
    assert intake_model.dumps(intake_model.loads(data)) == data


def test_prediction_matches_scikit_learn(retrained, typos) -> None:
    """Our numpy inference computes what the fitted LogisticRegression would."""
    from sklearn.linear_model import LogisticRegression

    rows = corpus("train")[:200]
    m, vocab = _encode(rows, Corrector(typos), None, retrained.classes)
    x = _design(m, len(vocab), 0.1)
    y = [retrained.classes.index(r.category) for r in rows]
    clf = LogisticRegression(C=128.0, max_iter=2000).fit(x, y)
    ours = train(rows, typos=typos, lexicon_scale=0.1, c=128.0)
    for row, probs in zip(rows[:40], clf.predict_proba(x[:40]), strict=True):
        got = ours.predict(row.text).probabilities
        assert np.allclose([got[c] for c in ours.classes], probs, atol=2e-3)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("昏姻问题，女方要求离昏，男方不同意", "marriage_family"),
        ("拆签补偿款一直没发到户", "demolition"),
        ("劳姿纠纷，老板拖欠公资三个月", "labor_wage"),
        ("宅机地的界线有争议", "land_homestead"),
        ("物叶公司乱收停车费", "property_mgmt"),
    ],
)
def test_pinyin_typos_still_classify(text: str, category: str) -> None:
    assert parse(text).category == category


def test_the_typo_table_leaves_real_words_alone(typos) -> None:
    fix = Corrector(typos)
    assert fix("昏姻") == "婚姻" and fix("拆签") == "拆迁" and fix("劳姿") == "劳资"
    for sentence in ("楼上方的空调", "学校放学时", "搬到新校区", "一家保健品店", "涉及金额十万"):
        assert fix(sentence) == sentence


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我们小区的物业挺好的，就是楼上那家天天半夜剁肉，吵得我们睡不着", "neighbor"),
        ("我老婆在镇上的超市上班，老板三个月没发工资", "labor_wage"),
        ("学校门口两辆私家车倒车撞在一起，两个家长在争责任", "traffic"),
        ("邻居借了我家五万块钱，一年多了不还", "debt"),
        ("孩子在小区游乐设施上被划伤，物业说设施不归他们管", "property_mgmt"),
        ("小区业主在群里吵架，因为一对夫妻闹离婚，男方把女方的东西扔了出来", "marriage_family"),
        ("物业保安说物业公司拖欠他们两个月工资", "labor_wage"),
    ],
)
def test_the_setting_and_the_people_do_not_decide(text: str, category: str) -> None:
    assert parse(text).category == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("吃了村里喜酒以后十几个人上吐下泻", "food_safety"),
        ("银行柜员把保险说成存款卖给老人，现在取不出钱", "finance"),
        ("房东不退租客的押金，说墙面弄脏了", "new_resident"),
        ("信访人对法院的判决不服，多次来访要求重新审理", "petition"),
    ],
)
def test_the_new_categories(text: str, category: str) -> None:
    assert parse(text).category == category


def test_no_cue_at_all_is_other() -> None:
    assert parse("天气很好").category == "other" and parse("你好").category == "other"


def test_the_model_loads_once_per_process(monkeypatch) -> None:
    reads: list[Path] = []
    real = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return real(self)

    intake_model.reset()
    monkeypatch.setattr(Path, "read_bytes", counting)
    try:
        first = intake_model.current()
        for text in ("邻居漏水", "拖欠工资", "车祸"):
            parse(text)
        assert intake_model.current() is first and len(reads) == 1
    finally:
        intake_model.reset()


def test_a_bad_model_file_is_refused_naming_it(tmp_path, monkeypatch) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(gzip.compress(b'{"format": 99}\n'))
    with pytest.raises(intake_model.ModelError, match="format 99"):
        intake_model.load(bad)
    bad.write_bytes(b"not a model")
    with pytest.raises(intake_model.ModelError, match="model.bin"):
        intake_model.load(bad)
    monkeypatch.setenv(intake_model.MODEL_ENV, str(tmp_path / "missing.bin"))
    intake_model.reset()
    try:
        with pytest.raises(intake_model.ModelError, match="MAOTIAO_INTAKE_MODEL"):
            intake_model.current()
    finally:
        intake_model.reset()


def test_a_chosen_model_file_is_used(tmp_path, retrained) -> None:
    path = tmp_path / "category-test.bin"
    retrained.meta["version"] = "chosen-one"
    path.write_bytes(intake_model.dumps(retrained))
    try:
        assert intake_model.use(str(path)).version == "chosen-one"
        assert parse("邻居漏水").model_version == "chosen-one"
    finally:
        intake_model.reset()
    assert intake_model.current().version != "chosen-one"


def test_lexicon_scores_count_each_cue_once_and_longest_first() -> None:
    scores = category_scores("物业费，物业费，物业")
    assert scores["property_mgmt"] == 3 + 3  # 物业费 once, then 物业 outside it
