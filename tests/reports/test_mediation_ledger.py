"""人民调解台账: the columns centers keep, mediators apart from the assignee, the result kinds a ledger
distinguishes, and parties shown as the privacy setting says."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from bot.reports import ledger
from core.enums import Category, Platform, ResultType
from core.models import Setting
from core.reports import digest, mediation_ledger
from core.reports.periods import Kind, period_of
from core.services import handling, intake, triage
from tests.conftest import staff_id, who
from tests.documents.story import walked_case

W = Platform.WECOM


async def _rows(clock, mode: str | None = None) -> list[tuple[object, ...]]:
    d = await digest.build(Kind.MONTHLY, date(2026, 11, 23), clock.now())
    wb = load_workbook(io.BytesIO(await ledger.xlsx(d, mode=mode)))
    return list(wb["台账"].iter_rows(values_only=True))


async def test_ledger_row_has_every_column_from_the_records(org, domain, clock) -> None:
    await walked_case(domain, clock)
    header, row = await _rows(clock)
    assert header == ("编号", "受理日期", "来源", "当事人", "纠纷类别", "简要情况", "调解员", "调解组织", "调解方式", "结果",
                      "协议履行", "回访", "满意度", "办结日期")
    got = dict(zip(header, row, strict=True))
    assert got["编号"] == "2026-0001" and got["受理日期"] == "2026-11-27" and got["来源"] == "网格员上报"
    assert got["当事人"] == "张*、李*" and "张三" not in got["简要情况"] and "138****5678" in got["简要情况"]
    assert got["调解员"] == "何永和、王律师"  # recorded, not the assignee 赵敏
    assert got["调解组织"] == "茶园乡人民调解委员会(调委会)" and got["调解方式"] == "调解室调解"
    assert (got["结果"], got["协议履行"], got["满意度"]) == ("协议", "已履行", "满意")
    assert got["回访"].startswith("2026-12-07 周小梅") and got["办结日期"] == "2026-11-30"


async def test_privacy_setting_full_and_hidden(org, domain, clock) -> None:
    await walked_case(domain, clock)
    await Setting.filter(key="privacy").update(value={"parties": "full"})
    assert (await _rows(clock))[1][3] == "张三、李四"
    await Setting.filter(key="privacy").update(value={"parties": "hidden"})
    row = (await _rows(clock))[1]
    assert row[3] == "当事人甲、当事人乙" and "当事人甲与当事人乙" in row[5]


async def test_results_are_told_apart_and_fallbacks_fill_mediators(org, domain, clock) -> None:
    lin = await who("林晓")
    for text, officer, closing in (("讨薪", "孙婷", "调解未达成,引导申请劳动仲裁"), ("宅基地", "钱伟", "引导当事人向法院起诉"),
                                   ("征收补偿", "钱伟", "已告知可申请行政复议"), ("反映村务", "宋涛", "转信访部门依法处理")):
        case = (await intake.report(domain, await who("周小梅"), intake.ReportInput(text, category=Category.OTHER),
                                    source=W)).case
        await triage.accept(domain, lin, case.id, source=W)
        task = (await triage.dispatch(domain, lin, case.id, [triage.Assignment(await staff_id(officer))],
                                      source=W)).tasks[0]
        from core.results import result_from_text

        await handling.resolve_task(domain, await who(officer), task.id, result_from_text(closing), closing, source=W)
    await intake.settle_on_spot(domain, await who("郑丽"), intake.ReportInput("鸡鸭进菜地"), "说和", source=W)
    p = period_of(Kind.MONTHLY, date(2026, 11, 23))
    got = {e.number: e for e in await mediation_ledger.entries(p.start, p.end)}
    assert [got[f"2026-000{i}"].result for i in range(1, 5)] == ["仲裁", "转诉讼", "复议", "信访"]
    on_spot = got["2026-0005"]
    assert (on_spot.result, on_spot.mediators, on_spot.method) == ("口头", ["郑丽"], "当场调解")
    assert got["2026-0001"].mediators == []  # the assignee is not a mediator unless recorded
    assert ResultType("referral").ledger_label == "转诉讼/仲裁"


async def test_the_details_sheet_shows_parties_as_the_privacy_setting_says(org, domain, clock) -> None:
    await walked_case(domain, clock)
    d = await digest.build(Kind.MONTHLY, date(2026, 11, 23), clock.now())
    header, row = list(load_workbook(io.BytesIO(await ledger.xlsx(d)))["交办明细"].iter_rows(values_only=True))
    request = dict(zip(header, row, strict=True))["诉求内容"]
    assert "张三" not in request and "李四" not in request and "张*" in request and "138****5678" in request
