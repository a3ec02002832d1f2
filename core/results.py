"""Which result a handler's closing words describe (办结 …), told apart the way a 人民调解台账 records them."""

from __future__ import annotations

import re

from core.enums import ResultType

# Order matters: "未达成协议" mentions 协议, "申请仲裁" is not "诉讼", a failed mediation that goes to court
# is a referral to litigation, not an agreement.
_RULES: tuple[tuple[re.Pattern[str], ResultType], ...] = (
    (re.compile(r"不予受理|不受理|不属于(?:人民调解)?受理"), ResultType.NOT_ACCEPTED),
    (re.compile(r"仲裁"), ResultType.ARBITRATION),
    (re.compile(r"行政复议|复议"), ResultType.RECONSIDERATION),
    (re.compile(r"诉讼|起诉|法院|立案"), ResultType.LITIGATION),
    (re.compile(r"信访|上访|信访部门"), ResultType.PETITION),
    (re.compile(r"未(?:能)?达成|没有?达成|调解不成|调解失败|不成功|终止调解|拒绝调解|未果"), ResultType.NO_AGREEMENT),
    (re.compile(r"协议"), ResultType.AGREEMENT),
    (re.compile(r"解释|疏导|息诉|撤回诉求|不再追究"), ResultType.EXPLAINED),
)


def result_from_text(text: str) -> ResultType:
    for pattern, result in _RULES:
        if pattern.search(text):
            return result
    return ResultType.SETTLED
