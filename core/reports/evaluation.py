"""考核 per period: scores and rankings for 村(社区), 网格员, 进驻部门, 人员 and 调解员 (with 以奖代补 and
金牌调解员 candidates). The metrics, each 0..1 before weighting (core/reports/scoring.py):

- 村(社区), over cases located in the village and received in the period: 化解率 (settled / received),
  小事不出村率 (settled at grid or village level / settled), 满意率 ((满意+基本满意) / follow-ups),
  非重复率 (1 − repeat reports / received; a repeat is a report linked as the same matter, or a case whose
  place and category already had one in the 30 days before).
- 网格员, over the cases they reported in the period: 上报数 and 当场调处数 (as shares of the cohort's
  largest); 排查完成率 = screenings answered (零报告 or findings) / screenings of the rounds started in the
  period (— for a worker with none, so it weighs nothing); 走访数 (走访 / 巡查 logs, shown, not weighed); 首报及时率 =
  cases in their own grid first reported by them in chat within `first_report_within` (default 24 h)
  of their first message about it / all cases located in their grid (a dispute the grid learns of from
  12345 or a petition was not first reported by its grid worker).
- 进驻部门 and 人员, over tasks dispatched in the period (withdrawn ones excluded): 签收时长 (mean hours
  to sign, full marks within `sign_target`, default 4 h, then target / hours), 按期办结率 (closed by the
  deadline / (closed + still open past the deadline)), 满意率 (of the cases they led), 未退回率 (1 − returned
  / tasks).
- 调解员, over cases resolved in the period that they are recorded as mediating (a case settled on the
  spot counts for its grid worker): 调解件数 (share of the largest), 调解成功率 (化解 / mediated), 满意率.
  以奖代补 = successful cases × the org file's amount for their difficulty grade (recorded, else from the
  case: on the spot → 简易, 重要 → 复杂, 重大 → 重大疑难, otherwise 一般). 金牌调解员 candidates need
  `min_cases` successful cases above 简易, `min_success` and `min_satisfaction` (when visited).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.enums import Difficulty, Level, Role
from core.models import Department, Region, Staff
from core.regions import village_of
from core.reports import evaluation_sql as q
from core.reports import grid_routine
from core.reports.scoring import Entry, Evaluation, against_target, hours_of, score, share_of_max


def _rate(num: float, den: float) -> float | None:
    return num / den if den else None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _int(row: dict[str, Any], key: str) -> int:
    return int(row.get(key) or 0)


async def villages(start: datetime, end: datetime, ev: Evaluation) -> list[Entry]:
    regions = {r.id: r for r in await Region.all()}
    acc: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in await q.village_rows(start, end):
        village = village_of(regions[r["k"]], regions)
        if village.level != Level.VILLAGE.value:
            continue
        for key in ("cases", "settled", "settled_village", "sat_ok", "sat_all", "repeats"):
            acc[village.id][key] += _int(r, key)
    out = []
    for vid, a in acc.items():
        settle, local = _rate(a["settled"], a["cases"]), _rate(a["settled_village"], a["settled"])
        sat = _rate(a["sat_ok"], a["sat_all"])
        repeat = _rate(a["repeats"], a["cases"])
        no_repeat = None if repeat is None else max(0.0, 1 - repeat)
        out.append(Entry(regions[vid].name, {"settle_rate": settle, "village_rate": local, "satisfaction": sat,
                                             "no_repeat": no_repeat},
                         {"受理数": str(a["cases"]), "化解率": _pct(settle), "小事不出村率": _pct(local),
                          "满意率": _pct(sat), "重复上报": str(a["repeats"])}))
    return score(out, ev.weights["village"])


def _has(staff: Staff, role: Role) -> bool:
    return role.value in (staff.roles or [])


async def grid_workers(start: datetime, end: datetime, ev: Evaluation) -> list[Entry]:
    workers = [s for s in await Staff.filter(active=True) if _has(s, Role.GRID_WORKER)]
    in_grid = {int(r["r"]): _int(r, "n") for r in await q.place_rows(start, end)}
    reports: dict[int, int] = defaultdict(int)
    on_spot: dict[int, int] = defaultdict(int)
    timely: dict[int, int] = defaultdict(int)
    home = {w.id: w.region_id for w in workers}
    for r in await q.grid_rows(start, end, hours_of(ev.first_report_within)):
        k = int(r["k"])
        reports[k] += _int(r, "reports")
        on_spot[k] += _int(r, "on_spot")
        if home.get(k) == r["r"]:
            timely[k] += _int(r, "timely")
    names = {w.id: w.name for w in workers}
    screened = await grid_routine.answered_by_worker(start, end)
    visits = await grid_routine.visits_by(start, end, "staff_id")
    shares = share_of_max({str(w.id): reports[w.id] for w in workers})
    spot_shares = share_of_max({str(w.id): on_spot[w.id] for w in workers})
    out = []
    for w in workers:
        first = _rate(timely[w.id], in_grid.get(w.region_id or 0, 0))
        first = None if first is None else min(1.0, first)
        screening = _rate(*screened.get(w.id, (0, 0)))
        out.append(Entry(names[w.id], {"reports": shares[str(w.id)], "on_spot": spot_shares[str(w.id)],
                                       "screening": screening, "first_report": first},
                         {"上报数": str(reports[w.id]), "当场调处数": str(on_spot[w.id]), "排查完成率": _pct(screening),
                          "走访数": str(visits.get(w.id, 0)), "首报及时率": _pct(first)}, extra={"staff_id": w.id}))
    return score(out, ev.weights["grid_worker"])


TASK_FIELDS = ("tasks", "closed", "on_time", "open_late", "returned", "signed", "sat_ok", "sat_all")


def _task_entry(name: str, r: dict[str, float], ev: Evaluation) -> Entry:
    tasks, closed, on_time = int(r["tasks"]), int(r["closed"]), int(r["on_time"])
    late_open, returned = int(r["open_late"]), int(r["returned"])
    sign = r["sign_sum"] / r["signed"] if r["signed"] else None
    on_rate = _rate(on_time, closed + late_open)
    sat = _rate(r["sat_ok"], r["sat_all"])
    ret = _rate(returned, tasks)
    values = {"sign_speed": against_target(sign, hours_of(ev.sign_target)), "on_time": on_rate,
              "satisfaction": sat, "no_return": None if ret is None else 1 - ret}
    shown = {"交办数": str(tasks), "平均签收(小时)": "—" if sign is None else f"{sign:.1f}", "按期办结率": _pct(on_rate),
             "超期未办结": str(late_open), "满意率": _pct(sat), "退回率": _pct(ret)}
    return Entry(name, values, shown)


def _fold(found: list[dict[str, Any]], key: str) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in found:
        if r[key] is None:
            continue
        acc = out[int(r[key])]
        for f in TASK_FIELDS:
            acc[f] += _int(r, f)
        acc["sign_sum"] += float(r.get("sign_sum") or 0)
    return out


async def task_cohorts(start: datetime, end: datetime, cutoff: datetime, ev: Evaluation) -> tuple[list[Entry], list[Entry]]:
    """进驻部门 and 人员 from one pass over the period's tasks (grouped by both, folded here)."""
    found = await q.task_rows(start, end, cutoff)
    depts = {d.id: d for d in await Department.all()}
    by_dept = [_task_entry(depts[k].name, acc, ev) for k, acc in _fold(found, "d").items()
               if k in depts and depts[k].role != "dispatch"]
    folded = _fold(found, "k")
    staff = {s["id"]: s["name"] for s in await Staff.filter(id__in=list(folded)).values("id", "name")}
    by_person = []
    for k, acc in folded.items():
        entry = _task_entry(staff.get(k, "?"), acc, ev)
        entry.extra["staff_id"] = k
        by_person.append(entry)
    return score(by_dept, ev.weights["department"]), score(by_person, ev.weights["person"])


async def departments(start: datetime, end: datetime, cutoff: datetime, ev: Evaluation) -> list[Entry]:
    return (await task_cohorts(start, end, cutoff, ev))[0]


async def people(start: datetime, end: datetime, cutoff: datetime, ev: Evaluation) -> list[Entry]:
    return (await task_cohorts(start, end, cutoff, ev))[1]


@dataclass
class MediatorTally:
    cases: int = 0
    ok: int = 0
    sat_ok: int = 0
    sat_all: int = 0
    ok_by_grade: dict[str, int] = field(default_factory=lambda: defaultdict(int))


async def mediators(start: datetime, end: datetime, ev: Evaluation) -> list[Entry]:
    tallies: dict[int, MediatorTally] = defaultdict(MediatorTally)
    for r in await q.mediator_rows(start, end):
        t = tallies[int(r["k"])]
        t.cases += _int(r, "cases")
        t.ok += _int(r, "ok")
        t.sat_ok += _int(r, "sat_ok")
        t.sat_all += _int(r, "sat_all")
        t.ok_by_grade[str(r["grade"])] += _int(r, "ok")
    staff = {s["id"]: s["name"] for s in await Staff.filter(id__in=list(tallies)).values("id", "name")}
    shares = share_of_max({str(k): t.cases for k, t in tallies.items()})
    out = []
    for k, t in tallies.items():
        success, sat = _rate(t.ok, t.cases), _rate(t.sat_ok, t.sat_all)
        pay = sum(n * ev.subsidy.get(grade, 0) for grade, n in t.ok_by_grade.items())
        graded = {Difficulty(g).label: t.ok_by_grade.get(g, 0) for g in (d.value for d in Difficulty)}
        above_simple = t.ok - t.ok_by_grade.get(Difficulty.SIMPLE.value, 0)
        gold = (above_simple >= ev.gold.min_cases and (success or 0) >= ev.gold.min_success
                and (sat is None or sat >= ev.gold.min_satisfaction))
        shown = {"调解件数": str(t.cases), "成功件数": str(t.ok), **{f"{g}": str(n) for g, n in graded.items()},
                 "调解成功率": _pct(success), "满意率": _pct(sat), "以奖代补(元)": f"{pay:,.0f}"}
        out.append(Entry(staff.get(k, "?"), {"cases": shares[str(k)], "success": success, "satisfaction": sat}, shown,
                         extra={"staff_id": k, "subsidy": pay, "gold": gold, "by_grade": graded}))
    return score(out, ev.weights["mediator"])
