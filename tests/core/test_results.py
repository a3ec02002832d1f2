"""The result a handler's closing words describe: referral kinds told apart, a failed mediation is not an
agreement, and stored legacy values stay readable."""

from __future__ import annotations

import pytest

from core.enums import RESOLVING_RESULTS, ResultType
from core.results import result_from_text


@pytest.mark.parametrize(("text", "expected"), [
    ("双方达成调解协议,已履行", ResultType.AGREEMENT),
    ("调解未达成协议,已告知当事人诉讼途径", ResultType.LITIGATION),
    ("双方未达成协议", ResultType.NO_AGREEMENT),
    ("调解不成,终止调解", ResultType.NO_AGREEMENT),
    ("引导申请劳动仲裁", ResultType.ARBITRATION),
    ("已告知其可申请行政复议", ResultType.RECONSIDERATION),
    ("当事人坚持起诉,引导至法院立案", ResultType.LITIGATION),
    ("转信访部门依法处理", ResultType.PETITION),
    ("不属于人民调解受理范围,不予受理", ResultType.NOT_ACCEPTED),
    ("经解释疏导,当事人息诉", ResultType.EXPLAINED),
    ("已发放拖欠工资", ResultType.SETTLED),
])
def test_closing_words_name_the_result(text: str, expected: ResultType) -> None:
    assert result_from_text(text) is expected


def test_legacy_referral_is_still_readable_but_not_chosen() -> None:
    assert ResultType("referral").label == "引导诉讼/仲裁"
    assert ResultType("referral").ledger_label == "转诉讼/仲裁"
    assert all(result_from_text(t) is not ResultType.REFERRAL for t in ("诉讼", "仲裁", "复议", "信访"))


def test_referrals_and_failures_do_not_count_as_resolved() -> None:
    for result in (ResultType.NO_AGREEMENT, ResultType.LITIGATION, ResultType.ARBITRATION,
                   ResultType.RECONSIDERATION, ResultType.PETITION, ResultType.REFERRAL):
        assert result not in RESOLVING_RESULTS


def test_every_result_has_a_ledger_label() -> None:
    assert {r.ledger_label for r in ResultType} >= {"协议", "口头", "未达成", "转诉讼", "仲裁", "信访"}
