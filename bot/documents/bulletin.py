"""The 考核通报 as .docx.

Laid out as published 通报 are (党政机关公文 GB/T 9704: title, 主送, numbered sections 一、二、…, 落款 and
date; sections and tables as in monthly 矛盾纠纷/信访 bulletins such as 临沂's 初次信访、积案化解情况周通报 —
rates by area with the highest and lowest named — and 赣榆's 办理及时/超期单位, our 红黑榜). No party is
named anywhere: cases appear by number, category and village; 涉敏 cases only as a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from docx.document import Document as DocumentObject
from docx.shared import Pt

from bot.documents import docx as d
from bot.reports.markdown import pct
from core.clock import local
from core.enums import CaseStatus, Difficulty
from core.reports.bulletin import COHORTS, Bulletin
from core.reports.indicators import Figures
from core.reports.periods import Kind
from core.reports.scoring import COHORT_METRICS, Entry

LONG = 20  # a cohort longer than 2 × LONG shows its first and last LONG
SUPERVISED_MAX = 200  # the 督办 list in print: the longest supervised first


def issue_label(b: Bulletin) -> str:
    p = b.period
    n = {Kind.WEEKLY: int(p.first.strftime("%V")), Kind.MONTHLY: p.first.month, Kind.QUARTERLY: (p.first.month + 2) // 3,
         Kind.HALFYEAR: 1 if p.first.month == 1 else 2}.get(p.kind, p.first.month)
    return f"{p.first.year}年第{n}期"


def period_name(b: Bulletin) -> str:
    p = b.period
    return {Kind.MONTHLY: f"{p.first.year}年{p.first.month}月", Kind.QUARTERLY: f"{p.first.year}年第{(p.first.month + 2) // 3}季度",
            Kind.HALFYEAR: f"{p.first.year}年{'上' if p.first.month == 1 else '下'}半年"}.get(p.kind, p.label)


def _figures_row(name: str, f: Figures) -> list[str]:
    return [name, str(f.petitions), str(f.repeats), pct(f.over_level_rate), f"{f.new_backlog}({pct(f.new_backlog_rate)})",
            f"{f.struck}/{f.held}({pct(f.resolve_rate)})"]


def _overview(doc: DocumentObject, b: Bulletin) -> None:
    g, t = b.digest, b.digest.total
    d.heading(doc, "一、总体情况")
    d.para(doc, f"{period_name(b)},共受理矛盾纠纷 {g.new} 件(其中当场调处 {g.settled_on_spot} 件),办结 {g.resolved} 件,"
                f"目前在办 {g.open_now} 件,逾期任务 {g.overdue} 件,上报上级 {g.escalated} 件。化解率 {pct(t.settle_rate)},"
                f"就地化解率 {pct(t.local_rate)}(目标≥90%),按期办结率 {pct(t.on_time_rate)},满意率 {pct(t.satisfaction_rate)}。")
    if g.by_category:
        d.para(doc, "从类别看," + "、".join(f"{n} {c} 件" for n, c in g.by_category[:6]) + "。")


def _backlog(doc: DocumentObject, b: Bulletin) -> None:
    ind = b.backlog
    ok = ind.direction()
    d.heading(doc, "二、信访积案化解“1减2降1升”情况")
    said = {True: "达到目标", False: "未达到目标", None: "暂无可比数据"}
    d.para(doc, f"重复信访 {ind.total.repeats} 件(前期 {ind.previous.repeats} 件,{said[ok['repeats']]});"
                f"越级信访率 {pct(ind.total.over_level_rate)}(前期 {pct(ind.previous.over_level_rate)},{said[ok['over_level']]});"
                f"新增积案率 {pct(ind.total.new_backlog_rate)}(前期 {pct(ind.previous.new_backlog_rate)},{said[ok['new_backlog']]});"
                f"积案化解率 {pct(ind.total.resolve_rate)}(前期 {pct(ind.previous.resolve_rate)},{said[ok['resolve']]})。")
    header = ["乡镇(街道)", "信访件", "重复信访", "越级信访率", "新增积案(率)", "积案化解(率)"]
    rows = [_figures_row(t, ind.by_township[t]) for t in ind.townships] + [_figures_row("合计", ind.total)]
    d.table(doc, header, rows, (34, 20, 20, 24, 30, 32))
    if len(ind.months) > 1:
        d.spacer(doc)
        d.table(doc, ["月份", *header[1:]], [_figures_row(m, ind.by_month[m]) for m in ind.months],
                (34, 20, 20, 24, 30, 32))


def _entries(entries: list[Entry]) -> tuple[list[Entry], int]:
    if len(entries) <= 2 * LONG:
        return entries, 0
    return entries[:LONG] + entries[-LONG:], len(entries) - 2 * LONG


def _ranking(doc: DocumentObject, cohort: str, entries: list[Entry], number: int) -> None:
    if not entries:
        return
    cols = list(entries[0].shown)
    d.para(doc, f"({'一二三四五六七八九十'[number]}){COHORTS[cohort]}", indent=False, bold=True)
    shown, hidden = _entries(entries)
    rows = [[str(e.rank or "—"), e.name, "—" if e.score is None else f"{e.score:.1f}", *(e.shown[c] for c in cols)]
            for e in shown]
    rest = (d.TEXT_WIDTH_MM - 12 - 26 - 13) / max(1, len(cols))
    d.table(doc, ["名次", "名称", "得分", *cols], rows, (12, 26, 13, *([rest] * len(cols))), size=Pt(9))
    if hidden:
        d.para(doc, f"(居中的 {hidden} 名略,见考核台账)", indent=False, size=d.TABLE_SIZE)


def _rankings(doc: DocumentObject, b: Bulletin) -> None:
    d.heading(doc, "三、考核排名")
    for i, cohort in enumerate(("village", "grid_worker", "department", "person")):
        _ranking(doc, cohort, b.rankings[cohort], i)
    d.heading(doc, "四、红黑榜")
    rows = []
    for cohort, (red, black) in b.lists.items():
        rows.append([COHORTS[cohort], "、".join(f"{e.name}({e.score:.1f})" for e in red) or "—",
                     "、".join(f"{e.name}({e.score:.1f})" for e in black) or "—"])
    d.table(doc, ["类别", "红榜", "黑榜"], rows, (26, 65, 65))


def _mediators(doc: DocumentObject, b: Bulletin) -> None:
    d.heading(doc, "五、人民调解“以奖代补”与金牌调解员")
    entries = b.rankings["mediator"]
    if not entries:
        d.para(doc, "本期无登记调解员的调解案件。")
        return
    d.para(doc, f"本期登记调解员 {len(entries)} 名,按难易程度核定“以奖代补”共计 {b.subsidy_total:,.0f} 元"
                f"(标准:" + "、".join(f"{k} {v:,.0f} 元/件" for k, v in _subsidy_labels(b).items()) + ")。")
    _ranking(doc, "mediator", entries, 4)
    gold = b.gold
    d.para(doc, "金牌调解员推荐人选:" + ("、".join(e.name for e in gold) if gold else "本期无人达到条件")
           + f"(条件:一般及以上纠纷调解成功不少于 {b.evaluation.gold.min_cases} 件,成功率不低于 "
           f"{b.evaluation.gold.min_success:.0%},满意率不低于 {b.evaluation.gold.min_satisfaction:.0%})。")


def _subsidy_labels(b: Bulletin) -> dict[str, float]:
    return {Difficulty(k).label: v for k, v in b.evaluation.subsidy.items() if k in Difficulty._value2member_map_}


def _supervision(doc: DocumentObject, b: Bulletin) -> None:
    d.heading(doc, "六、书记督办事项")
    if not b.supervised and not b.supervised_sensitive:
        d.para(doc, "本期无书记督办事项。")
        return
    rows = [[s.number, s.category, s.village, f"{local(s.supervised_at):%m-%d}",
             f"{s.meeting_date:%m-%d}" if s.meeting_date else "—", s.supervisor or "—", s.status, str(s.days)]
            for s in b.supervised[:SUPERVISED_MAX]]
    d.table(doc, ["案件编号", "类别", "村(社区)", "督办日期", "周会商", "督办领导", "状态", "督办天数"], rows,
            (22, 20, 24, 16, 16, 18, 22, 18))
    if len(b.supervised) > SUPERVISED_MAX:
        d.para(doc, f"以上为督办时间最长的 {SUPERVISED_MAX} 件,另有 {len(b.supervised) - SUPERVISED_MAX} 件见督办台账。",
               size=d.TABLE_SIZE)
    if b.supervised_sensitive:
        d.para(doc, f"另有涉敏督办事项 {b.supervised_sensitive} 件,另行报告。", size=d.TABLE_SIZE)


def _requirements(doc: DocumentObject, b: Bulletin) -> None:
    d.heading(doc, "七、工作要求")
    black = sorted({e.name for _, (_, blk) in b.lists.items() for e in blk})
    d.para(doc, "(一)列入黑榜的单位和个人要对照考核指标查找原因,于下期通报前将整改情况报中心。"
           + (f"本期为:{'、'.join(black)}。" if black else ""))
    still_open = [s.number for s in b.supervised if s.status not in (CaseStatus.RESOLVED.label, CaseStatus.CLOSED.label)]
    d.para(doc, "(二)书记督办事项由包案领导在党政联席周会商上汇报办理进展,确有困难的会后拟定处置方案报主要领导审查。"
           + (f"尚未办结的:{'、'.join(still_open)}。" if still_open else ""))
    d.para(doc, "(三)各村(社区)、网格员要落实“小事不出村、大事不出镇、矛盾不上交”,提高首报及时率和当场调处率。")


def _weights_note(doc: DocumentObject, b: Bulletin) -> None:
    parts = []
    for cohort, weights in b.evaluation.weights.items():
        metrics = COHORT_METRICS[cohort]
        parts.append(f"{COHORTS[cohort]}:" + "、".join(f"{metrics[m]}{w:g}" for m, w in weights.items() if m in metrics))
    d.para(doc, "附:考核口径与权重(暂无数据的指标不计入该项得分)。" + ";".join(parts) + "。", size=Pt(9))


def bulletin_docx(b: Bulletin) -> bytes:
    doc = d.new_document()
    d.title(doc, b.center, 20)
    d.title(doc, "考 核 通 报", 26)
    d.para(doc, f"{issue_label(b)}    {local_today(b):%Y年%m月%d日}", indent=False, align="center", size=d.TABLE_SIZE)
    d.title(doc, f"关于{period_name(b)}矛盾纠纷调处化解工作\n考核情况的通报", 18)
    d.para(doc, "各村(社区)、各进驻部门:", indent=False)
    d.para(doc, f"现将{period_name(b)}({b.period.label})矛盾纠纷调处化解工作考核情况通报如下:")
    _overview(doc, b)
    _backlog(doc, b)
    _rankings(doc, b)
    _mediators(doc, b)
    _supervision(doc, b)
    _requirements(doc, b)
    d.spacer(doc)
    d.para(doc, b.center, indent=False, align="right")
    d.para(doc, f"{local_today(b):%Y年%m月%d日}", indent=False, align="right")
    d.spacer(doc)
    _weights_note(doc, b)
    return d.to_bytes(doc)


def local_today(b: Bulletin) -> date:
    """The bulletin's date: the day after its period ends."""
    return b.period.last + timedelta(days=1)


@dataclass(frozen=True)
class BulletinFile:
    filename: str
    docx: bytes
    summary: str  # group-safe markdown to send with it


async def produce(kind: Kind, day: date, now: datetime) -> BulletinFile:
    """The bulletin of the period of `kind` holding `day`: the .docx for the leaders' group and its summary."""
    from bot.reports.markdown import bulletin_summary
    from core.reports import bulletin

    b = await bulletin.build(kind, day, now)
    return BulletinFile(f"考核通报-{period_name(b)}.docx", bulletin_docx(b), bulletin_summary(b))
