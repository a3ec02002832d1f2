"""诉调 / 警调 / 访调对接 from chat, on both platforms: a case referred out to a partner body with its deadline,
reminded before it and its outcome recorded; a case a court referred in (诉前委派) with its source and the court's
deadline bounding its tasks; the 司法确认 status after the application, in 查询, the case page and the 台账."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from bot.reports import ledger
from core.enums import CaseSource, Platform
from core.models import Case, JudicialConfirmation, Referral, Task
from core.reports import digest
from core.reports.periods import Kind
from maotiao.case_page import _fields
from scheduler.embedded import EmbeddedScheduler
from tests.bot.harness import Harness
from tests.conftest import cst

PLATFORMS = [Platform.WECOM, Platform.DINGTALK]


@pytest.fixture
async def h(org, domain) -> Harness:
    harness = Harness(domain)
    await harness.say("周小梅", "张三和李四两家因借款五万元发生纠纷,多次协商不成")
    await harness.click("周小梅", "确认上报")
    await harness.click("林晓", "受理并交办")  # to 赵敏
    return harness


async def texts(h: Harness, name: str, marker: str) -> list[str]:
    return [s.text for s in await h.inbox(name) if s.text and marker in s.text]


async def asked(h: Harness, name: str, text: str, platform: Platform | None = None) -> str:
    """The replies to one message (on `platform`, or on the person's first one)."""
    return "\n".join((await h.say(name, text, platform)).texts)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_case_referred_out_shows_its_partner_and_deadline_is_reminded_and_gets_its_outcome(
        h: Harness, clock, platform: Platform) -> None:
    said = await asked(h, "赵敏", "移送 0001 法院 诉前调解 30天", platform)
    assert "案件 2026-0001 已移送西溪区人民法院(诉调),对方期限 2026-12-23 09:00" in said
    shown = await asked(h, "林晓", "查询 0001", platform)
    assert "移送西溪区人民法院(诉调),期限 2026-12-23 09:00,待对方反馈" in shown

    clock.set(cst(2026, 12, 20, 9, 1))  # three days before the court's deadline
    for _ in range(2):
        await EmbeddedScheduler(h.bot, h.registry).tick()
    reminders = await texts(h, "赵敏", "【移送提醒】")
    assert len(reminders) == 1 and "西溪区人民法院" in reminders[0] and "移送结果 2026-0001" in reminders[0]

    said = await asked(h, "赵敏", "移送结果 0001 法院已调解成功,双方签订调解协议", platform)
    assert "已登记案件 2026-0001 移送西溪区人民法院的结果" in said
    assert "结果:法院已调解成功,双方签订调解协议" in await asked(h, "林晓", "查询 0001", platform)
    assert (await Referral.get()).remind_at is None


async def test_转_takes_the_partners_own_kind_and_is_not_repeated(h: Harness) -> None:
    assert "已移送茶园派出所(警调)" in await asked(h, "林晓", "转 0001 派出所", Platform.WECOM)
    assert "已移送茶园派出所,尚未登记结果" in await asked(h, "林晓", "转 0001 派出所", Platform.DINGTALK)
    row = await Referral.get()
    assert (row.kind, row.direction, row.due_at) == ("police", "out", None)


@pytest.mark.parametrize(("who", "text", "said"), [
    ("林晓", "移送 0001 居委会", "对接单位:西溪区人民法院、茶园派出所"),
    ("林晓", "移送 0001 法院 500天", "对接期限应为 1 到 366 天"),
    ("孙婷", "移送 0001 法院", "只有案件 2026-0001 的承办人或中心可以移送对接"),
    ("赵敏", "移送结果 0001 调解成功", "没有待登记结果的移送"),
])
async def test_a_referral_that_cannot_be_made_says_why_and_records_nothing(
        h: Harness, who: str, text: str, said: str) -> None:
    assert said in await asked(h, who, text)
    assert await Referral.all().count() == 0


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_case_the_court_referred_in_carries_its_source_and_its_deadline_bounds_the_tasks(
        org, domain, platform: Platform) -> None:
    h = Harness(domain)
    said = await asked(h, "林晓", "登记 诉前委派 法院 4天 荷花村 张三与李四借款纠纷,法院委派调解", platform)
    assert "已登记" in said and "西溪区人民法院诉调委派,对方期限 2026-11-27 09:00" in said
    assert "首问责任人:林晓" in said
    case = await Case.get()
    assert case.source == CaseSource.ENTRUSTED.value
    card = await h.latest_card("林晓", kind="center")
    assert card is not None and dict(card.card.fields)["来源"] == "委派调解"
    await h.click("林晓", "受理并交办", platform)
    task = await Task.get(case_id=case.id)
    assert task.deadline == cst(2026, 11, 27, 9, 0)  # not the 5 working days a general case gets
    assert "委派自西溪区人民法院(诉调),期限 2026-11-27 09:00" in await asked(h, "林晓", "查询 0001", platform)


async def test_an_extension_never_takes_a_task_past_the_referring_courts_deadline(org, domain) -> None:
    h = Harness(domain)
    await asked(h, "林晓", "登记 诉前委派 法院 10天 荷花村 张三与李四借款纠纷,法院委派调解")
    await h.say("林晓", "交办 0001 给司法所 3个工作日")
    task = await Task.get()
    await h.say("赵敏", "0001 申请延期5天 当事人外出务工")
    said = await h.click("林晓", "同意延期")
    task = await Task.get(id=task.id)
    assert task.deadline == cst(2026, 12, 3, 9, 0)  # the court's deadline, not five working days on
    assert any("西溪区人民法院" in t and "2026-12-03 09:00" in t for t in said.texts), said.texts
    await h.say("赵敏", "0001 申请延期2天 还需要时间")
    said = await h.click("林晓", "同意延期")
    assert any("不能再延期" in t for t in said.texts), said.texts
    assert (await Task.get(id=task.id)).deadline == cst(2026, 12, 3, 9, 0)


async def test_a_referred_in_case_without_a_place_or_partner_is_not_registered(org, domain) -> None:
    h = Harness(domain)
    assert "没有识别出纠纷发生的村/社区或网格" in await asked(h, "林晓", "登记 诉前委派 法院 30天 借款纠纷", Platform.WECOM)
    assert "委派单位:西溪区人民法院" in await asked(h, "林晓", "登记 委派 荷花村 借款纠纷", Platform.WECOM)
    assert "只有中心工作人员" in await asked(h, "周小梅", "登记 诉前委派 法院 荷花村 借款纠纷", Platform.WECOM)
    assert await Case.all().count() == 0 and await Referral.all().count() == 0


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_judicial_confirmation_status_is_tracked_after_the_application(
        h: Harness, clock, platform: Platform) -> None:
    said = await asked(h, "赵敏", "司法确认 0001 已受理", platform)
    assert "还没有司法确认申请书" in said and await JudicialConfirmation.all().count() == 0
    await h.say("赵敏", "司法确认 0001 双方已签订调解协议,申请确认其效力", platform)
    assert "司法确认:已申请" in await asked(h, "林晓", "查询 0001", platform)
    assert "法院已受理" in await asked(h, "赵敏", "司法确认 0001 已受理", platform)
    assert "司法确认:法院已受理" in await asked(h, "林晓", "查询 0001", platform)
    assert "已确认有效" in await asked(h, "赵敏", "司法确认 0001 已确认", platform)
    assert (await JudicialConfirmation.get()).status == "confirmed"

    case = await Case.get()
    assert ("对接", "司法确认:已确认有效") in await _fields(case, full=True)  # the case page
    d = await digest.build(Kind.MONTHLY, date(2026, 11, 23), clock.now())
    rows = list(load_workbook(io.BytesIO(await ledger.xlsx(d)))["诉调对接"].iter_rows(values_only=True))
    assert rows[0][-1] == "司法确认" and rows[1][0] == "2026-0001" and rows[1][-1] == "已确认有效"


async def test_the_referral_outcome_stays_out_of_the_ledger_for_outside_on_a_sensitive_case(h: Harness, clock) -> None:
    await h.say("赵敏", "移送 0001 法院 30天")
    await h.say("赵敏", "移送结果 0001 张三同意分期还款")
    await Case.filter(number="2026-0001").update(flags=["sensitive"], parties=[{"name": "张三"}, {"name": "李四"}])
    d = await digest.build(Kind.MONTHLY, date(2026, 11, 23), clock.now())
    inside = list(load_workbook(io.BytesIO(await ledger.xlsx(d)))["诉调对接"].iter_rows(values_only=True))
    outside = list(load_workbook(io.BytesIO(await ledger.xlsx(d, outside=True)))["诉调对接"].iter_rows(values_only=True))
    assert "同意分期还款" in inside[1][6] and "张三" not in inside[1][6]  # surnames only inside the center
    assert "分期" not in outside[1][6] and outside[1][3] == "西溪区人民法院"


async def test_help_tells_the_center_how_to_refer(h: Harness) -> None:
    assert "移送 0042 法院 诉前调解 30天" in await asked(h, "林晓", "帮助", Platform.WECOM)
    assert "移送 0042" not in await asked(h, "周小梅", "帮助", Platform.WECOM)
