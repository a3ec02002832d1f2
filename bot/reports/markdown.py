"""A digest as markdown for group chats: counts, case numbers and categories only — never names,
phone or ID numbers, and 涉敏 cases only as counts."""

from __future__ import annotations

from core.reports.bulletin import COHORTS, Bulletin
from core.reports.digest import Digest
from core.reports.grid_routine import GridRoutine
from core.reports.indicators import Indicators
from core.reports.kpi import Kpi
from core.reports.periods import Kind


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def kpi_line(k: Kpi) -> str:
    return (f"化解率 {pct(k.settle_rate)},就地化解率 {pct(k.local_rate)}(目标≥90%),"
            f"按期办结率 {pct(k.on_time_rate)},满意率 {pct(k.satisfaction_rate)}")


def _moved(ok: bool | None) -> str:
    return "" if ok is None else ("✓" if ok else "✗")


def backlog_line(ind: Indicators) -> str:
    """1减2降1升 against the period before: ✓ where it moved the way it should."""
    cur, prev, ok = ind.total, ind.previous, ind.direction()
    return (f"1减2降1升:重复信访 {cur.repeats} 件(前期 {prev.repeats}){_moved(ok['repeats'])},"
            f"越级信访率 {pct(cur.over_level_rate)}(前期 {pct(prev.over_level_rate)}){_moved(ok['over_level'])},"
            f"新增积案率 {pct(cur.new_backlog_rate)}(前期 {pct(prev.new_backlog_rate)}){_moved(ok['new_backlog'])},"
            f"积案化解率 {pct(cur.resolve_rate)}(前期 {pct(prev.resolve_rate)}){_moved(ok['resolve'])}")


def grid_lines(g: GridRoutine, monthly: bool) -> list[str]:
    """排查 coverage by township and village, the grids that missed; 走访 logs per grid (a month or longer)."""
    lines = []
    if g.expected:
        lines.append(f"- 排查:应报 {g.expected} 网格次,已报 {g.answered}(零报告 {g.zero},有发现 {g.found}),"
                     f"报送率 {pct(g.rate)}")
        lines.append("  - 乡镇(街道):" + "、".join(f"{t.name} {pct(t.rate)}" for t in g.townships))
        lines.append("  - 村(社区):" + "、".join(f"{t.name} {pct(t.rate)}" for t in g.villages[:12]))
        if g.missed_grids:
            lines.append("  - 未报网格:" + "、".join(f"{name}{n}次" for name, n in g.missed_grids[:12]))
    if monthly and g.visits:
        lines.append(f"- 走访巡查 {sum(n for _, n in g.visits)} 次:" + "、".join(f"{name}{n}" for name, n in g.visits[:12]))
    return lines


def render(d: Digest) -> str:
    p = d.period
    lines = [f"### {d.center} {p.kind.label}", f"统计时段:{p.label}", "",
             f"- 新增 **{d.new}** 起(当场调处 {d.settled_on_spot} 起,涉敏 {d.sensitive_new} 起)",
             f"- 办结 **{d.resolved}** 起,在办 {d.open_now} 起",
             f"- 逾期任务 **{d.overdue}** 件,次日到期 {d.due_next_day} 件,上报上级 {d.escalated} 起"]
    if d.by_category:
        lines.append("- 类别:" + "、".join(f"{name}{n}" for name, n in d.by_category[:8]))
    if d.by_village:
        lines.append("- 区域:" + "、".join(f"{name}{n}" for name, n in d.by_village[:8]))
    lines.append(f"- {kpi_line(d.total)}")
    if d.backlog is not None:
        lines.append(f"- {backlog_line(d.backlog)}")
    if p.kind is not Kind.DAILY and d.departments:
        lines.append("- 部门:" + ";".join(
            f"{k.name} 交办{k.tasks} 办结{k.tasks_closed} 按期{pct(k.on_time_rate)}" for k in d.departments[:8]))
    if p.kind in (Kind.MONTHLY, Kind.QUARTERLY, Kind.HALFYEAR) and d.departments:
        ranked = sorted((k for k in d.departments if k.tasks_closed),
                        key=lambda k: (-(k.on_time_rate or 0), k.sign_hours or 0, k.name))
        lines.append("- 通报排名(按期办结率,同率比签收速度):" + ";".join(
            f"{i}. {k.name} {pct(k.on_time_rate)}" for i, k in enumerate(ranked, start=1)))
    if d.grid is not None:
        lines += grid_lines(d.grid, p.kind in (Kind.MONTHLY, Kind.QUARTERLY, Kind.HALFYEAR))
    if p.kind is Kind.WEEKLY and (d.supervised or d.supervised_sensitive):
        items = "、".join(f"{num}({cat})" for num, cat in d.supervised)
        extra = f";另有涉敏 {d.supervised_sensitive} 起" if d.supervised_sensitive else ""
        lines.append(f"- 书记督办(提交党政联席周会商):{items or '无'}{extra}")
    return "\n".join(lines)


def bulletin_summary(b: Bulletin) -> str:
    """What the leaders' group gets beside the .docx: counts, rates, 红黑榜 names of units and staff, case
    numbers of 书记督办 — no party, no content, 涉敏 cases only as a count."""
    g = b.digest
    lines = [f"### {b.center} 考核通报", f"统计时段:{b.period.label}", "",
             f"- 受理 **{g.new}** 起,办结 {g.resolved} 起,在办 {g.open_now} 起;{kpi_line(g.total)}",
             f"- {backlog_line(b.backlog)}"]
    for cohort, (red, black) in b.lists.items():
        if red or black:
            lines.append(f"- {COHORTS[cohort]} 红榜:{'、'.join(e.name for e in red) or '—'};"
                         f"黑榜:{'、'.join(e.name for e in black) or '—'}")
    if b.rankings["mediator"]:
        gold = "、".join(e.name for e in b.gold) or "无"
        lines.append(f"- 以奖代补 {b.subsidy_total:,.0f} 元({len(b.rankings['mediator'])} 名调解员),金牌调解员人选:{gold}")
    items = "、".join(s.number for s in b.supervised) or "无"
    extra = f";另有涉敏 {b.supervised_sensitive} 件" if b.supervised_sensitive else ""
    lines.append(f"- 书记督办:{items}{extra}")
    lines.append("- 详见通报全文(附件)")
    return "\n".join(lines)
