"""Early warning (spike rule, grades, routing, privacy) and the duty roster (xlsx, broadcasts, 调班)."""

from __future__ import annotations

import io
import re
from datetime import UTC, timedelta

import pytest
from openpyxl import Workbook

from core.enums import Category, Flag, Platform, Severity
from core.models import Case, GroupChat, RosterEntry, RosterSwap
from core.reports.warning import Grade, poisson_tail, spike_grade, spikes
from core.roster import RosterImportError, import_roster_xlsx
from core.services import intake
from scheduler.rhythm import roster_broadcast, warning_scan
from tests.bot.harness import Harness
from tests.conftest import cst, who

W = Platform.WECOM
PHONE = re.compile(r"1[3-9]\d{9}")


async def _report(domain, text: str, *, days_ago: float = 0, category=Category.NEIGHBOR, reporter="周小梅", **kw):
    case = (await intake.report(domain, await who(reporter), intake.ReportInput(text, category=category, **kw),
                                source=W)).case
    await Case.filter(id=case.id).update(created_at=(domain.clock.now() - timedelta(days=days_ago)).astimezone(UTC))
    return case


def test_spike_rule_is_statistical() -> None:
    assert poisson_tail(0, 1.0) == 1.0 and poisson_tail(1, 1.0) == pytest.approx(1 - 2.718281828 ** -1)
    assert spike_grade(5, 0.0)[0] is Grade.ORANGE  # from nothing to five in a week
    assert spike_grade(3, 2.0)[0] is None  # ordinary variation around two a week
    assert spike_grade(2, 0.0)[0] is None  # too few to call
    assert spike_grade(9, 3.0)[0] in (Grade.YELLOW, Grade.ORANGE)


async def test_a_spike_is_caught_and_normal_variation_is_not(org, domain) -> None:
    for i in range(5):  # 荷花村: five neighbour disputes this week, none before
        await _report(domain, f"邻里纠纷{i}", days_ago=i)
    for week in range(1, 9):  # 桂香村: two a week for eight weeks, three this week
        for j in range(2):
            await _report(domain, "邻里", days_ago=7 * week + j + 0.5, reporter="郑丽")
    for j in range(3):
        await _report(domain, "邻里", days_ago=j, reporter="郑丽")
    found = await spikes(domain.clock.now())
    assert [(s.village, s.category, s.count) for s in found] == [("荷花村", "neighbor", 5)]
    assert found[0].grade is Grade.ORANGE


async def test_spike_alert_goes_to_village_department_and_groups(org, domain, clock) -> None:
    h = Harness(domain)
    for i in range(5):
        await _report(domain, f"邻里纠纷{i}", days_ago=i)
    clock.set(cst(2026, 11, 24, 8, 30))
    assert await warning_scan(domain) == 1
    assert await warning_scan(domain) == 0  # once a day
    await h.flush()
    for name in ("唐志刚", "赵敏"):  # 联村领导/干部 of 荷花村; 赵敏 is also 司法所's officer
        assert any("橙色预警" in s.text and "荷花村邻里纠纷" in s.text for s in await h.inbox(name))


async def test_major_and_sensitive_cases_alert_leaders_at_once_privately(org, domain) -> None:
    h = Harness(domain)
    await h.say("周小梅", "村民李某(电话13812345678)扬言要和邻居同归于尽")
    await h.click("周小梅", "确认上报")
    case = await Case.get(number="2026-0001")
    assert case.severity == Severity.MAJOR and Flag.SENSITIVE.value in case.flags
    leader_msgs = [s for s in await h.inbox("唐志刚") if "红色预警" in s.text]
    assert leader_msgs and leader_msgs[0].urgent and "2026-0001" in leader_msgs[0].text
    groups = {(await g.refs()).get("wecom") for g in await GroupChat.all()}
    group_msgs = [s for s in h.channels[W].sent if s.to in groups]
    assert group_msgs and all("涉敏事件 1 起" in s.text for s in group_msgs)
    for s in group_msgs:  # privacy of every group message
        assert "2026-0001" not in s.text and not PHONE.search(s.text) and "李某" not in s.text


async def test_repeat_report_warns_the_dispatcher(org, domain) -> None:
    h = Harness(domain)
    for text in ("两家因院墙滴水吵架", "两家又因院墙滴水吵起来"):
        await h.say("周小梅", text)
        await h.click("周小梅", "确认上报")
    await h.click("周小梅", "不是,新上报")  # the reporter says it is a new matter: still flagged for the center
    assert any("重复预警" in s.text and "2026-0001" in s.text for s in await h.inbox("林晓"))


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_roster_spreadsheet_bad_rows_named_and_nothing_half_imported(org) -> None:
    before = await RosterEntry.all().count()
    bad = _xlsx([["日期", "值班领导", "值班人员"], ["2026-12-01", "曹军", "林晓"], ["2026-12-02", "无此人", "林晓"],
                 ["12月3日", "曹军", ""]])
    with pytest.raises(RosterImportError) as info:
        await import_roster_xlsx(bad)
    assert any("第3行" in p and "无此人" in p for p in info.value.problems)
    assert any("第4行" in p and "日期" in p for p in info.value.problems)
    assert await RosterEntry.all().count() == before
    good = _xlsx([["日期", "值班领导", "值班人员"], ["2026-12-01", "曹军", "林晓、邓华"]])
    assert await import_roster_xlsx(good) == 1
    assert await RosterEntry.filter(day="2026-12-01").count() == 3


async def test_monday_broadcast_with_the_week_and_personal_reminders(org, domain, clock) -> None:
    h = Harness(domain)
    clock.set(cst(2026, 11, 23, 8, 0))
    assert await roster_broadcast(domain) and not await roster_broadcast(domain)
    await h.flush()
    chat = (await (await GroupChat.get(name="茶园乡矛调工作群")).refs())["wecom"]
    text = next(s.text for s in h.channels[W].sent if s.to == chat)
    assert "【今日值班】" in text and "值班领导 唐志刚" in text and "【本周值班】" in text and "11-25" in text
    assert "【值班提醒】您今天(11月23日 星期一)担任中心值班人员" in [s.text for s in await h.inbox("林晓")]
    assert "【值班提醒】您今天(11月23日 星期一)担任中心值班领导" in [s.text for s in await h.inbox("唐志刚")]
    assert not [s for s in h.channels[W].sent if s.to == "chayuanlead"]  # that group does not take rosters
    assert "11-29 星期日:未排班" in text  # a day past the roster is said in words, not as dashes


async def test_a_process_dying_while_it_broadcasts_leaves_the_roster_to_the_next(org, domain, clock,
                                                                                 monkeypatch) -> None:
    import scheduler.once as claims  # where the once-a-day claim writes its messages

    clock.set(cst(2026, 11, 24, 8, 0))
    real = claims.enqueue

    async def dies(*args: object, **kwargs: object) -> None:
        raise ConnectionError("the process went away mid-write")

    monkeypatch.setattr(claims, "enqueue", dies)
    with pytest.raises(ConnectionError):
        await roster_broadcast(domain)
    monkeypatch.setattr(claims, "enqueue", real)
    h = Harness(domain)
    assert await roster_broadcast(domain)  # the day was not claimed by the run that sent nothing
    await h.flush()
    chat = (await (await GroupChat.get(name="茶园乡矛调工作群")).refs())["wecom"]
    assert [s.text for s in h.channels[W].sent if s.to == chat and "【今日值班】" in s.text]


async def test_swap_is_recorded_with_its_approver(org, domain) -> None:
    h = Harness(domain)
    seen = await h.say("唐志刚", "调班 11-25 韩卫国 曹军")
    assert "已登记调班" in seen.texts[0]
    swap = await RosterSwap.get()
    assert (await swap.approved_by).name == "唐志刚" and (await swap.to_staff).name == "曹军"
    refused = await h.say("周小梅", "调班 11-26 唐志刚 曹军")
    assert "审批" in refused.texts[0] and await RosterSwap.all().count() == 1
