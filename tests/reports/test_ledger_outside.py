"""A 台账 or 登记表 spreadsheet made for outside the center (`--outside`): parties' names hidden whatever
the org's privacy setting, a 涉敏 case's content columns replaced by 「涉敏,内容不外传」 while its row and
every count stay; without the option the spreadsheets are what the center keeps."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from bot.reports import ledger
from bot.reports.register import register_xlsx
from core.enums import Category, Flag, Platform
from core.models import Case, Setting
from core.privacy import WITHHELD, Audience, party_mode
from core.reports import digest, register
from core.reports.periods import Kind, period_of
from core.services import intake
from tests.conftest import who
from tests.documents.story import walked_case

PLAIN = "王五与赵六两家因宅基地界址争执,王五电话13912345678"
NAMES = ("张三", "李四", "王五", "赵六", "张*", "李*", "王*", "赵*")
SECRET_TEXT = ("院墙滴水", "接水槽", "双方和好", "双方各执一词", "未达成一致")  # the 涉敏 case's own words


async def _two_cases(domain, clock) -> tuple[Case, Case]:
    """The walked case made 涉敏 (content, steps tried, a 回访 note), and a plain one beside it."""
    sensitive = await walked_case(domain, clock)
    await Case.filter(id=sensitive.id).update(flags=[Flag.SENSITIVE.value])
    data = intake.ReportInput(PLAIN, category=Category.NEIGHBOR, parties=[{"name": "王五"}, {"name": "赵六"}])
    plain = (await intake.report(domain, await who("周小梅"), data, source=Platform.WECOM)).case
    assert plain is not None
    await Case.filter(id=plain.id).update(flags=[], created_at=sensitive.created_at)
    await Setting.filter(key="privacy").update(value={"parties": "full"})  # the center's own copy: full names
    return await Case.get(id=sensitive.id), await Case.get(id=plain.id)


def _cells(wb: Workbook) -> list[str]:
    return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]


async def _ledger(clock, *, outside: bool) -> Workbook:
    d = await digest.build(Kind.MONTHLY, date(2026, 11, 23), clock.now())
    return load_workbook(io.BytesIO(await ledger.xlsx(d, outside=outside)))


def _rows(wb: Workbook, sheet: str) -> dict[str, dict[str, object]]:
    header, *rows = list(wb[sheet].iter_rows(values_only=True))
    return {str(r[0]): dict(zip(header, r, strict=True)) for r in rows}


async def test_the_ledger_for_outside_hides_names_and_withholds_sensitive_content(org, domain, clock) -> None:
    sensitive, plain = await _two_cases(domain, clock)
    wb = await _ledger(clock, outside=True)
    rows = _rows(wb, "台账")
    assert list(rows) == [sensitive.number, plain.number]  # every case keeps its row
    gone = rows[sensitive.number]
    assert gone["简要情况"] == WITHHELD and gone["当事人"] == "当事人甲、当事人乙"
    assert gone["回访"] == f"2026-12-07 周小梅:{WITHHELD}" and gone["结果"] == "协议" and gone["满意度"] == "满意"
    kept = rows[plain.number]
    assert kept["当事人"] == "当事人甲、当事人乙" and kept["简要情况"].startswith("当事人甲与当事人乙两家因宅基地")
    assert "139****5678" in kept["简要情况"]
    details = _rows(wb, "交办明细")
    assert details[sensitive.number]["诉求内容"] == WITHHELD and details[sensitive.number]["标记"] == "涉敏"
    assert details[plain.number]["诉求内容"].startswith("当事人甲与当事人乙两家")
    cells = _cells(wb)
    assert [n for n in NAMES if any(n in c for c in cells)] == []
    assert [t for t in SECRET_TEXT if any(t in c for c in cells)] == []
    assert not any("13912345678" in c or "13812345678" in c for c in cells)


async def test_the_ledger_for_outside_keeps_every_count(org, domain, clock) -> None:
    await _two_cases(domain, clock)
    inside, outside = await _ledger(clock, outside=False), await _ledger(clock, outside=True)
    for sheet in ("总体", "部门", "人员", "村社区", "层级"):
        if sheet in inside.sheetnames:
            assert list(inside[sheet].values) == list(outside[sheet].values), sheet
    assert inside["台账"].max_row == outside["台账"].max_row == 3
    assert inside["交办明细"].max_row == outside["交办明细"].max_row == 3


async def test_without_the_option_the_ledger_is_the_centers_own(org, domain, clock) -> None:
    sensitive, plain = await _two_cases(domain, clock)
    rows = _rows(await _ledger(clock, outside=False), "台账")
    assert rows[sensitive.number]["当事人"] == "张三、李四" and "院墙滴水" in rows[sensitive.number]["简要情况"]
    assert rows[plain.number]["简要情况"].startswith("王五与赵六")


async def test_the_register_spreadsheet_for_outside_does_the_same(org, domain, clock) -> None:
    sensitive, plain = await _two_cases(domain, clock)
    p = period_of(Kind.MONTHLY, date(2026, 11, 23))
    regs = await register.for_period(p.start, p.end)
    outside = load_workbook(io.BytesIO(register_xlsx(regs, "full", outside=True)))
    inside = load_workbook(io.BytesIO(register_xlsx(regs, await party_mode(Audience.CENTER))))
    assert list(inside["按层级汇总"].values) == list(outside["按层级汇总"].values)
    assert inside["三级四步登记"].max_row == outside["三级四步登记"].max_row
    header, *rows = list(outside["三级四步登记"].iter_rows(values_only=True))
    got = [dict(zip(header, r, strict=True)) for r in rows]
    withheld = [r for r in got if r["编号"] == sensitive.number]
    assert len(withheld) >= 3 and all(r["简要情况"] == WITHHELD for r in withheld)
    assert {r["调处情况"] for r in withheld} <= {WITHHELD, ""}
    assert [r["步骤"] for r in withheld][:3] == ["网格调", "村级调", "乡镇调"]
    assert all(r["当事人"] == "当事人甲、当事人乙" for r in got)
    cells = _cells(outside)
    assert [n for n in NAMES if any(n in c for c in cells)] == []
    assert [t for t in SECRET_TEXT if any(t in c for c in cells)] == []
    assert any("当事人甲与当事人乙两家因宅基地" in c for c in cells)


async def test_outside_hides_names_whatever_the_privacy_setting(org) -> None:
    for setting in ("full", "surname", "hidden"):
        await Setting.filter(key="privacy").update(value={"parties": setting})
        assert await party_mode(Audience.OUTSIDE) == "hidden"
