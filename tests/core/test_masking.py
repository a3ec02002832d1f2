"""The one masker: personal numbers in every format people type or dictate never survive it; ordinary
numbers (amounts, dates, counts, the 12345 hotline, work-order numbers) do."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.masking import digits_of, has_personal_numbers, mask_keeping_case_numbers, mask_numbers
from core.number_samples import (
    GROUP_SEPARATORS,
    KINDS,
    NUMERALS,
    NumberSample,
    NumberStyle,
    random_digits,
    sample_numbers,
    write_number,
)

# Context around a number, without digits of any kind, so every digit left after masking is the number's.
BEFORE = ("", "电话", "联系电话:", "手机号是", "打", "身份证号", "反映人李某(", "座机", "号码 ", "微信同号",
          "联系方式：", "当事人王某某,", "请拨", "Tel:")
AFTER = ("", ")", "。", ",请尽快回电", "反映噪音扰民", " 谢谢", "的机主", "号", "（本人）")


def _leak(sample: NumberSample, masked: str) -> str | None:
    seen = digits_of(masked)
    if has_personal_numbers(masked):
        return "still looks personal"
    if len(seen) > sample.visible:
        return f"{len(seen)} digits readable, at most {sample.visible} allowed"
    if sample.digits.rstrip("X") in seen:
        return "the whole number is readable"
    if mask_numbers(masked) != masked:
        return "masking twice changes it again"
    return None


def test_no_number_survives_among_a_thousand_generated_formats() -> None:
    rng = random.Random(19)
    samples = sample_numbers(1500, seed=19)
    assert {s.kind for s in samples} == set(KINDS)
    leaks = []
    for s in samples:
        masked = mask_numbers(rng.choice(BEFORE) + s.text + rng.choice(AFTER))
        problem = _leak(s, masked)
        if problem:
            leaks.append((s.text, masked, problem))
    assert leaks == [], f"{len(leaks)} of {len(samples)} unmasked, e.g. {leaks[:5]}"


@st.composite
def written_numbers(draw: st.DrawFn) -> NumberSample:
    kind = draw(st.sampled_from(KINDS))
    rng = random.Random(draw(st.integers(0, 2**32)))
    group = st.integers(1, 8)
    style = NumberStyle(
        numerals=draw(st.sampled_from(NUMERALS)),
        grouping=tuple(draw(st.lists(group, max_size=5))),
        separator=draw(st.sampled_from(GROUP_SEPARATORS)),
        country_code=draw(st.sampled_from(("", "+86", "86", "0086", "+86 ", "(+86)"))) if kind in ("mobile", "landline") else "",
        bracket_area=draw(st.sampled_from(("", "()", "（）"))) if kind == "landline" else "",
        yao=draw(st.booleans()),
        lower_x=draw(st.booleans()),
    )
    return write_number(kind, random_digits(kind, rng), style, rng)


@settings(max_examples=600, deadline=None)
@given(written_numbers(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_any_grouping_numerals_and_separators_are_masked(sample: NumberSample, before: str, after: str) -> None:
    masked = mask_numbers(before + sample.text + after)
    assert _leak(sample, masked) is None, (sample, masked)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("李某电话13812345678,身份证330502199001011234,座机0572-2345678",
         "李某电话138****5678,身份证330502********1234,座机0572-***5678"),
        ("电话 +86 138-1234-5678", "电话 +86 138****5678"),
        ("手机一三八一二三四五六七八", "手机138****5678"),
        ("幺三八 幺二三四 五六七八", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("138—1234—5678", "138****5678"),
        ("(0571)86012345", "(0571)****2345"),
        ("0571 86012345", "0571 ****2345"),
        ("身份证 330502 19900101 123X", "身份证 330502********123X"),
        ("老身份证330502900101123", "老身份证330502******123"),
        ("联系电话86012345", "联系电话****2345"),
        ("138-1234-5678 和 0571-86012345", "138****5678 和 0571-****2345"),
        ("两个号码13812345678 13912345678", "两个号码138****5678 139****5678"),
    ],
)
def test_known_formats_are_masked_the_usual_way(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked
    assert has_personal_numbers(text) and not has_personal_numbers(masked)


@pytest.mark.parametrize(
    "text",
    ["欠款3000-5000元", "2026-12-01 上午", "2019-2020学年", "打12345热线", "工单号20261201000123",
     "3号楼2单元501室", "五六户村民", "赔偿15万", "借了1200000元", "一二三四五六七", "第一二三网格", "2020-2023年"],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask_numbers(text) == text and not has_personal_numbers(text)


def test_digits_in_the_words_around_a_number_do_not_hide_it() -> None:
    masked = mask_numbers("三组村民一三八一二三四五六七八反映")
    assert "1234" not in digits_of(masked) and not has_personal_numbers(masked)


@pytest.mark.parametrize("text", ["用时0.12345678秒", "0 1234567", "0-0-0-1234567", "０.１２３４５６７８"])
def test_a_lone_zero_at_the_start_of_a_run_does_not_crash_the_masker(text: str) -> None:
    mask_numbers(text)  # raised IndexError: a one-digit "0" group was read as a landline's area code


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789０１零一幺 -.()（）—xX号电话", max_size=40))
def test_any_text_of_digits_and_separators_is_masked_without_error(text: str) -> None:
    assert not has_personal_numbers(mask_numbers(text))


def test_case_numbers_are_kept_while_the_numbers_beside_them_are_masked() -> None:
    text = "案件 2026-0001 当事人电话13812345678,身份证330102199001011234;截止 2026-05-06 17:00"
    assert mask_keeping_case_numbers(text) == (
        "案件 2026-0001 当事人电话138****5678,身份证330102********1234;截止 2026-05-06 17:00")
    assert mask_keeping_case_numbers("座机0571-88889999") == mask_numbers("座机0571-88889999")


@pytest.mark.parametrize("text, masked", [
    ("张三(13812345678)", "张三(138****5678)"),
    ("王五13812345678", "王五138****5678"),
    ("张三(0572-1234567)", "张三(0572-***4567)"),
    ("电话13812345678三组村民", "电话138****5678三组村民"),
    ("身份证330502199001011234三组", "身份证330502********1234三组"),
    ("李四 138 1234 5678 五队", "李四 138****5678 五队"),
])
def test_a_name_or_place_with_a_numeral_beside_a_number_stays_readable(text: str, masked: str) -> None:
    # 张三, 王五, 三组: Chinese numerals inside the words touching a number written in Arabic digits are words
    assert mask_numbers(text) == masked
