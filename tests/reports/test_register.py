"""《三级四步登记表》: each step's unit, time, handlers, what was tried, result and handover, per case and for
a period (.docx and .xlsx), with the parties shown as the document's audience allows."""

from __future__ import annotations

import io
from datetime import date, timedelta

from docx import Document
from openpyxl import load_workbook

from bot.documents.register import batch_docx, case_docx
from bot.reports.register import register_xlsx
from core.enums import Category, Level, Platform
from core.models import Case
from core.privacy import Audience, party_mode
from core.reports import register
from core.reports.periods import Kind, period_of
from core.services import intake, ladder
from tests.conftest import who
from tests.documents.render import assert_chinese_renders, render
from tests.documents.story import walked_case


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


async def test_each_step_records_its_unit_handlers_attempt_and_handover(org, domain, clock) -> None:
    case = await walked_case(domain, clock)
    reg = await register.for_case(case)
    grid, village, township, district = reg.steps
    assert [s.level for s in reg.steps] == [Level.GRID, Level.VILLAGE, Level.TOWNSHIP, Level.DISTRICT]
    assert (grid.reached, grid.unit, grid.handlers) == (True, "荷花村第一网格", ["周小梅"])
    assert grid.tried == "网格员现场劝解,双方各执一词" and grid.handed_to == "荷花村(村(社区))"
    assert grid.handed_over_by == "林晓" and grid.handed_over_at is not None
    assert village.unit == "荷花村" and village.tried == "村调委会组织调解两次,未达成一致"
    assert village.handed_to.startswith("茶园乡")
    assert township.received_by == ["林晓"] and township.handlers == ["赵敏", "何永和", "王律师"]
    assert township.result == "达成调解协议" and "接水槽" in township.tried and township.handed_over_at is None
    assert not district.reached
    assert reg.steps[1].started_at == grid.handed_over_at


async def test_a_major_case_that_jumps_levels_says_which_it_skipped(org, domain, clock) -> None:
    from core.enums import Severity
    from core.services import triage

    data = intake.ReportInput("村民聚集讨要征地补偿", category=Category.DEMOLITION, severity=Severity.MAJOR)
    case = (await intake.report(domain, await who("周小梅"), data, source=Platform.WECOM)).case
    await triage.accept(domain, await who("林晓"), case.id, source=Platform.WECOM)  # 重大: straight to the district
    reg = await register.for_case(await Case.get(id=case.id))
    assert [s.reached for s in reg.steps] == [True, False, False, True]
    assert reg.steps[0].result == "重大矛盾纠纷,提级处理" and reg.steps[0].handed_to.startswith("西溪区")


async def test_case_register_docx_names_parties_in_full_and_masks_numbers(org, domain, clock) -> None:
    reg = await register.for_case(await walked_case(domain, clock))
    text = _docx_text(case_docx(reg, await party_mode(Audience.ARCHIVE)))
    for needle in ("矛盾纠纷调处三级四步登记表", "网格调", "村级调", "乡镇调", "区级调", "未经本级", "张三、李四",
                   "村调委会组织调解两次", "由林晓移交荷花村"):
        assert needle in text, needle
    assert "13812345678" not in text and "138****5678" in text and "330502198001011234" not in text


async def test_period_export_docx_and_xlsx_follow_the_privacy_setting(org, domain, clock) -> None:
    await walked_case(domain, clock)
    await intake.settle_on_spot(domain, await who("郑丽"), intake.ReportInput("鸡鸭进菜地"), "说和", source=Platform.WECOM)
    p = period_of(Kind.MONTHLY, date(2026, 11, 23))
    regs = await register.for_period(p.start, p.end)
    assert [r.number for r in regs] == ["2026-0001"]  # settled on the spot: no 登记表
    mode = await party_mode(Audience.CENTER)
    assert mode == "surname"
    text = _docx_text(batch_docx(regs, mode, "2026年11月 三级四步登记表"))
    assert "张*、李*" in text and "张三" not in text and "李四" not in text
    wb = load_workbook(io.BytesIO(register_xlsx(regs, mode)))
    rows = list(wb["三级四步登记"].iter_rows(values_only=True))
    assert rows[0][:7] == ("编号", "登记时间", "纠纷类别", "发生地点", "当事人", "简要情况", "步骤")
    assert [r[6] for r in rows[1:]] == ["网格调", "村级调", "乡镇调"]
    assert all("张三" not in str(c) and "13812345678" not in str(c) for r in rows for c in r)
    summary = {r[0]: r[1:] for r in wb["按层级汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["网格调"] == (1, 0, 1, 0) and summary["乡镇调"] == (1, 1, 0, 0)


async def test_escalated_only_export(org, domain, clock) -> None:
    await intake.report(domain, await who("周小梅"), intake.ReportInput("噪音扰民"), source=Platform.WECOM)
    await walked_case(domain, clock)
    p = period_of(Kind.MONTHLY, date(2026, 11, 23))
    assert len(await register.for_period(p.start, p.end)) == 2
    assert [r.number for r in await register.for_period(p.start, p.end, escalated_only=True)] == ["2026-0002"]


async def test_register_prints_chinese_in_pdf(org, domain, clock) -> None:
    reg = await register.for_case(await walked_case(domain, clock))
    rendered = await render(case_docx(reg, "full"), "register-case")
    assert_chinese_renders(rendered, "矛盾纠纷调处三级四步登记表", "村级调", "荷花村第一网格", "张三、李四")
    assert rendered.pages == 1


async def test_escalation_timeout_reads_as_the_time_limit(org, domain, clock) -> None:
    from core.enums import EscalationReason
    from core.services.base import Actor

    case = (await intake.report(domain, await who("周小梅"), intake.ReportInput("占道堆物"), source=Platform.WECOM)).case
    clock.advance(timedelta(days=2))
    await ladder.escalate(domain, Actor.system(), case.id, "", source=Platform.SYSTEM, reason=EscalationReason.TIMEOUT)
    reg = await register.for_case(await Case.get(id=case.id))
    assert reg.steps[0].result == "本级时限内未化解,按期上报" and reg.steps[0].handed_over_by == "系统"
    assert reg.steps[0].tried == "网格级调处时限内未化解"
