"""The center's card as a form: the six task fields chosen instead of typed (设定任务 on the center card).

Page 1 asks 执行人, 抄送人, 截止时间; page 2 asks 提醒时间 and 提醒方式 and carries page 1's choices in its submit
button (`CardAction.arg`), so nothing is kept between the pages. Three drop-downs a page, because a platform that
draws them may draw no more (one platform allows three). 诉求内容 is the case's content unless said in words.
A platform without drop-downs shows `buttons` instead: presets that carry all five choices, and the card's note
gives the plain-words line for anything else. Defaults come from the org file (task_defaults by severity).

Option ids are short ASCII: d<id> a department, s<id> a person, durations as the org file writes them (3w, 1d, 2h),
reminder methods by value; "def" the route's default cc, "none" no cc."""

from __future__ import annotations

from bot.cards.common import short
from bot.types import Act, Button, Card, CardAction, Select
from core.durations import Duration
from core.enums import ReminderMethod, Role, Severity
from core.models import CardLink, Case, Department, Region, Staff
from core.policy import load_policy
from core.regions import ancestor_ids
from core.routing import nearest_with_role, officers_of, suggest_route

MAX_OPTIONS = 10  # options a drop-down may offer (the strictest platform: 10)
DEADLINES = ("1w", "3w", "5w", "10w")
REMINDERS = ("2h", "4h", "1d", "1w", "2d")
METHODS = {ReminderMethod.CARD.value: "消息卡片", ReminderMethod.URGENT.value: "加急(DING)",
           ReminderMethod.SMS.value: "短信"}
KEYS = ("a", "c", "d", "r", "m")  # 执行人, 抄送人, 截止时间, 提醒时间, 提醒方式
FIRST_PAGE = ("a", "c", "d")
SECOND_PAGE = ("r", "m")


def _durations(fixed: tuple[str, ...], default: Duration) -> list[tuple[str, str]]:
    ids = list(dict.fromkeys([*fixed, str(default)]))
    hours = {"h": 1.0, "d": 24.0, "w": 24.5}  # a working day is at least a day: listed after it
    ordered = sorted((Duration.parse(i) for i in ids), key=lambda d: d.amount * hours[d.unit.value])
    return [(str(d), d.label) for d in ordered]


async def _assignees(case: Case) -> list[tuple[str, str]]:
    """The route's department and its officers first, then the other departments up the case's region tree."""
    route = await suggest_route(case, await load_policy())
    options: list[tuple[str, str]] = []
    if route.department is not None:
        options.append((f"d{route.department.id}", route.department.name))
    options += [(f"s{s.id}", s.name) for s in route.assignees[:3]]
    region = await Region.get(id=case.handling_region_id)
    for dep in await Department.filter(region_id__in=ancestor_ids(region), active=True).order_by("id"):
        if dep.role != "dispatch" and all(text != dep.name for _, text in options):
            options.append((f"d{dep.id}", dep.name))
    return options[:MAX_OPTIONS]


async def _cc_options(case: Case, assignees: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The route's default cc, none, then the liaison people, the leaders nearest up, and the officers of the
    departments offered as 执行人."""
    route = await suggest_route(case, await load_policy())
    default = "、".join(s.name for s in route.cc) or "无"
    people = [*route.cc, *await nearest_with_role(await Region.get(id=case.handling_region_id), Role.LEADER)]
    for choice, _ in assignees:
        if choice.startswith("d"):
            people += await officers_of(await Department.get(id=int(choice[1:])))
    options = [("def", f"按规则({default})"), ("none", "不抄送")]
    options += [(f"s{s.id}", s.name) for s in dict.fromkeys(people)]
    return options[:MAX_OPTIONS]


def encode(chosen: dict[str, str]) -> str:
    return ";".join(f"{k}={chosen[k]}" for k in KEYS if chosen.get(k))


def decode(arg: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in arg.split(";") if part)
    return {k: v for k, _, v in pairs if k in KEYS and v}


async def _defaults(case: Case) -> dict[str, str]:
    defaults = (await load_policy()).task_defaults[Severity(case.severity)]
    return {"c": "def", "d": str(defaults.deadline), "r": str(defaults.remind_before), "m": ReminderMethod.CARD.value}


async def shown(case: Case) -> dict[str, str]:
    """What the form shows preselected: the route's first candidate and the org file's defaults."""
    chosen = await _defaults(case)
    assignees = await _assignees(case)
    if assignees:
        chosen["a"] = assignees[0][0]
    return chosen


def _note(case: Case) -> str:
    return (f"其他设定请回复「交办 {case.number[-4:]} 给部门或姓名 抄送… 3个工作日 提前一天提醒 加急/短信 诉求:…」;"
            f"诉求内容默认为案件内容")


async def form_page1(link: CardLink) -> Card:
    case = await Case.get(id=link.case_id)
    chosen = await shown(case)
    assignees = await _assignees(case)
    selects = [
        Select(key="a", title="执行人", options=assignees, selected=chosen.get("a", "")),
        Select(key="c", title="抄送人", options=await _cc_options(case, assignees), selected="def"),
        Select(key="d", title="截止时间", options=_durations(DEADLINES, Duration.parse(chosen["d"])), selected=chosen["d"]),
    ]
    submit = Button(label="下一步", action=CardAction(Act.FORM_NEXT, link.id).encode(), style="primary")
    presets = [("按默认交办", "card", "primary"), ("默认+加急提醒", "urgent", "default"), ("默认+短信提醒", "sms", "default")]
    buttons = [Button(label=label, style=style,  # type: ignore[arg-type]
                      action=CardAction(Act.FORM_DISPATCH, link.id, encode({**chosen, "m": method})).encode())
               for label, method, style in presets] if assignees else []
    buttons.append(Button(label="返回", action=CardAction(Act.FORM_BACK, link.id).encode()))
    fields = [("编号", case.number), ("诉求内容", short(case.content, 60)),
              *[(s.title, dict(s.options).get(s.selected, "")) for s in selects],
              ("提醒", f"截止前{Duration.parse(chosen['r']).label}")]
    return Card(kind="center", title=f"交办任务 {case.number}", subtitle="请选择执行人、抄送人和截止时间",
                fields=fields, selects=selects, submit=submit, buttons=buttons, note=_note(case))


async def choice_name(choice: str) -> str:
    """The department (d<id>) or person (s<id>) an option names; "" for anything else."""
    kind, rest = choice[:1], choice[1:]
    if kind not in ("d", "s") or not rest.isdigit() or len(rest) > 12:
        return ""
    found: Department | Staff | None = (await Department.get_or_none(id=int(rest)) if kind == "d"
                                        else await Staff.get_or_none(id=int(rest)))
    return found.name if found is not None else ""


async def form_page2(link: CardLink, chosen: dict[str, str]) -> Card:
    """提醒时间 and 提醒方式, with page 1's choices summed up and carried by the submit button."""
    case = await Case.get(id=link.case_id)
    defaults = await _defaults(case)
    cc = {"def": "按规则抄送", "none": "不抄送"}.get(chosen.get("c", "def")) or "抄送" + await choice_name(chosen["c"])
    summary = f"{await choice_name(chosen.get('a', ''))} · {cc} · {Duration.parse(chosen['d']).label}"
    selects = [
        Select(key="r", title="提醒时间(截止前)", options=_durations(REMINDERS, Duration.parse(defaults["r"])),
               selected=defaults["r"]),
        Select(key="m", title="提醒方式", options=list(METHODS.items()), selected=defaults["m"]),
    ]
    carried = encode({k: v for k, v in chosen.items() if k in FIRST_PAGE})
    submit = Button(label="确认交办", action=CardAction(Act.FORM_DISPATCH, link.id, carried).encode(), style="primary")
    return Card(kind="center", title=f"交办任务 {case.number}", subtitle=summary,
                fields=[("编号", case.number), ("诉求内容", short(case.content, 60))], selects=selects, submit=submit,
                note=_note(case))
