"""Severity and flags by the rubric's rules: negation scope, Chinese numerals and vague counts at their
lower bound, stability signals as classes of phrasings. Phrasings here are not in the corpus."""

from __future__ import annotations

import pytest

from bot.intake.numbers import amounts, counts, figures, number_range
from bot.intake.severity import assess
from bot.intake.signals import find

G, IMP, M = "general", "important", "major"


def rubric(text: str, category: str = "neighbor") -> tuple[str, list[str]]:
    verdict = assess(find(text), figures(text), category)
    return verdict.severity, sorted(verdict.flags)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [("七八个人", 7, 8), ("四十几户", 41, 49), ("三十多名工人", 30, 39), ("上百名群众", 100, 900),
     ("一百来人", 100, 100), ("二三十人", 20, 30), ("近三十人", 27, 29), ("十几位老人", 11, 19),
     ("几十号人", 20, 90), ("数十名村民", 20, 90), ("三五个人", 3, 5), ("十来个外地来的泥瓦工", 10, 10),
     ("30余名员工", 30, 30), ("二十多个供货商", 20, 29), ("九个同事", 9, 9)],
)
def test_vague_counts_are_ranges(text: str, low: int, high: int) -> None:
    (count,) = counts(text)
    assert (count.low, count.high) == (low, high)


@pytest.mark.parametrize(
    "text", ["六个月工资没发", "二十只鸽子", "三十多亩地", "四五十岁的员工", "12幢401与501住户", "好几千人转发", "第三网格"]
)
def test_things_that_are_not_head_counts(text: str) -> None:
    assert [c for c in counts(text) if c.low >= 5] == []


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("二十余万", 200_000), ("两三千元", 2000), ("十五六万", 150_000), ("一百二十来万", 1_200_000),
     ("欠了两万多工资", 20_000), ("3w", 30_000), ("1.5万元", 15_000), ("四万五千元", 45_000),
     ("近二十万元", 180_000), ("八九万块钱", 80_000), ("十几万", 110_000), ("不到十万元", 90_000)],
)
def test_amounts_at_their_lower_bound(text: str, yuan: int) -> None:
    assert min(low for low, _ in amounts(text)) == yuan


def test_number_ranges() -> None:
    assert number_range("五六") == (5, 6) and number_range("一万二") == (12000, 12000)
    assert number_range("三百五") == (350, 350) and number_range("一百零二") == (102, 102)


@pytest.mark.parametrize(
    ("text", "severity", "flags"),
    [
        ("双方只是口头争执，没有发生肢体接触", G, []),
        ("现场无人员受伤，也没有人员聚集", G, []),
        ("两户人家吵架，双方没有动手", G, []),
        ("暂无人员受伤，现场并无人员聚集", G, []),
        ("信访人情绪平稳，表示不会越级上访", G, []),
        ("网格员走访发现未有进京或越级上访的苗头", G, []),
        ("受伤情况：无", G, []),
        ("工人们表示不会去堵路，只希望尽快拿到工资", G, []),
        ("不给钱我们就去把他厂门堵了", IMP, ["stability"]),
        ("没拿到钱就去跳楼", M, ["sensitive"]),
        ("老板再不发工资，工人们说明天就去堵国道", IMP, ["stability"]),
        ("工人担心老板会报复，不敢投诉", G, []),
    ],
)
def test_negation_denies_and_a_condition_does_not(text: str, severity: str, flags: list[str]) -> None:
    assert rubric(text) == (severity, flags)


@pytest.mark.parametrize(
    ("text", "severity", "flags"),
    [
        # threats and self-harm
        ("他说我要是不还钱就找人收拾我", IMP, ["stability"]),
        ("两户人家吵架，一方扬言要烧了对方的房子", IMP, ["stability"]),
        ("他说要是房子被拆了就喝药死在家里", M, ["sensitive"]),
        ("他在朋友圈说不想活了", M, ["sensitive"]),
        ("老人说活着太累了", M, ["sensitive"]),
        ("工人爬到塔吊上说不给钱就跳下来", M, ["sensitive"]),
        # deaths — of people, in the dispute
        ("车祸造成一人当场身亡", M, []),
        ("病人在卫生院抢救无效", M, ["sensitive"]),
        ("司机的狗被撞死了，车主要求赔偿", G, []),
        ("来访人反映其父亲当年因工死亡，要求补发抚恤金", G, []),
        ("家属在医院摆了灵堂", M, ["sensitive", "stability"]),
        # weapons and violence under way
        ("两个村四十多人手持木棍对峙", M, ["group", "stability"]),
        ("有人拿起了凳子要砸人", M, ["stability"]),
        ("快来人啊楼下两家打起来了", M, ["stability"]),
        # blocking roads and gates, gathering, sit-ins
        ("十几个租户围住房东不让走", IMP, ["group", "stability"]),
        ("工人们在厂门口坐了一夜", IMP, ["stability"]),
        ("业主把车横在小区门口堵着", IMP, ["stability"]),
        ("村民设了路障不让施工车辆进场", IMP, ["stability"]),
        # appeals upward beyond the township
        ("十来户村民到镇政府反映", IMP, ["group"]),
        ("十来户村民说要到县政府反映", IMP, ["group", "sensitive"]),
        ("病人家属扬言要去北京告这家医院", M, ["sensitive"]),
        ("信访人已经买了去北京的车票", M, ["sensitive"]),
        ("业主说要找电视台来曝光物业", IMP, ["sensitive"]),
        ("业主在网上买了一个智能门锁，物业不让装", G, []),
        # amounts, repeated failure, fights
        ("借了十二万，到期没还", IMP, []),
        ("借了三万五千块，到期没还", G, []),
        ("这件事村里调解了三次都没有结果", IMP, []),
        ("两家人在路口对骂，差点动起手来，被村干部拉开", IMP, ["stability"]),
    ],
)
def test_signal_classes_in_other_words(text: str, severity: str, flags: list[str]) -> None:
    assert rubric(text) == (severity, flags)


def test_family_violence_and_school_scuffles_are_not_public_disorder() -> None:
    assert rubric("丈夫打骂妻子，妻子回了娘家", "marriage_family") == (G, [])
    assert rubric("丈夫把妻子打得住院了", "marriage_family") == (IMP, [])
    assert rubric("丈夫拿刀威胁妻子", "marriage_family") == (M, ["stability"])
    assert rubric("学生课间打闹推搡，没有受伤", "campus") == (G, [])
    assert rubric("学生被同学打伤，缝了五针", "campus") == (IMP, ["stability"])


def test_relatives_among_themselves_are_not_a_group() -> None:
    assert rubric("兄弟姐妹五人为分遗产吵翻了", "marriage_family") == (G, [])
    assert rubric("家属二十几人在医院门口聚集", "medical") == (IMP, ["group", "stability"])
