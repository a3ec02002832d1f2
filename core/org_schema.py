"""The org file's shape (YAML a center hands over), validated before anything is written.

Chat platforms are read generically, for every value of chat_platforms(): a person's account on a platform is
the key named by the platform's value (`<platform>: userid`), a group's address there is the one key starting
with the value and an underscore (`<platform>_<what its plug-in calls a group id>: …`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from core.durations import Duration
from core.enums import Category, Level, Platform, Role, Severity, chat_platforms
from core.workdays import office_hours

GROUP_FEEDS = ("roster", "digest", "warning", "supervision", "bulletin", "audit", "emergency")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


def _duration(value: Any) -> str:
    return str(Duration.parse(str(value)))


DurationText = Annotated[str, BeforeValidator(_duration)]
# Ids in YAML may be written as numbers ("dt1001" or 1001): keep them as text.
IdText = Annotated[str | None, BeforeValidator(lambda v: None if v is None else str(v))]
AccountId = Annotated[Annotated[str, Field(max_length=128)] | None,
                      BeforeValidator(lambda v: None if v is None else str(v))]
# A mobile as people write it (138 0000 0101, 138-0000-0101, +86 …) kept as 11 digits.
PhoneText = Annotated[Annotated[str, Field(pattern=r"^1\d{10}$")] | None, BeforeValidator(
    lambda v: None if v in (None, "") else re.sub(r"^(?:\+?86)(?=1\d{10}$)", "", re.sub(r"[\s\-()]", "", str(v))))]
# Entry fields that collect per-platform keys; error messages name the key as written, not these.
COLLECTED = ("accounts", "addresses")


def group_key_platform(key: str) -> Platform | None:
    """The platform a group entry's key gives an address on (`<platform>_…`), if any."""
    return next((p for p in chat_platforms() if key.startswith(f"{p.value}_")), None)


class _HasAccounts(_Entry):
    """An entry that may name the person's account on each chat platform."""

    accounts: dict[str, AccountId] = Field(default_factory=dict)  # platform value → user id, as written

    @model_validator(mode="before")
    @classmethod
    def _collect(cls, data: Any) -> Any:
        if isinstance(data, dict):
            chat = {p.value for p in chat_platforms()}
            data = {k: v for k, v in data.items() if k not in chat} | {
                "accounts": {k: v for k, v in data.items() if k in chat}}
        return data

    def ids(self) -> dict[Platform, str]:
        """Platform → the person's user id there, for the platforms given."""
        return {Platform(k): v for k, v in self.accounts.items() if v}


class CenterIn(_Entry):
    name: str = Field(min_length=1, max_length=100)
    timezone: str = "Asia/Shanghai"


class RegionIn(_Entry):
    name: str = Field(min_length=1, max_length=100)
    level: Level
    children: list[RegionIn] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        if "/" in value:
            raise ValueError("a region name cannot contain '/'")
        return value


DEPARTMENT_KINDS = ("department", "committee", "studio", "stationed")  # 职能部门, 调委会, 品牌工作室, 派驻


class DepartmentIn(_Entry):
    name: str = Field(min_length=1, max_length=100)
    region: str
    role: str = ""
    kind: Literal["department", "committee", "studio", "stationed"] = "department"
    categories: list[Category] = Field(default_factory=list)


class StaffIn(_HasAccounts):
    name: str = Field(min_length=1, max_length=64)
    id: IdText = Field(default=None, max_length=64)
    roles: list[Role] = Field(min_length=1)
    region: str | None = None
    department: str | None = None
    title: str = ""
    phone: PhoneText = None  # mainland mobile, for SMS reminders (提醒方式 短信)
    text_only: bool = False  # reads chat where markdown and cards do not show (a plugin inside another app)
    backup: str | None = None  # AB岗: the staff member (by name) who takes new tasks and reminders while this one is away


class ExpertIn(_HasAccounts):
    """调解专家库 entry: an expert who can be invited to mediation sessions."""

    name: str = Field(min_length=1, max_length=64)
    id: IdText = Field(default=None, max_length=64)
    field: str = Field(default="", max_length=64, description="律师 / 心理咨询师 / 医生 / 退休法官 …")
    categories: list[Category] = Field(default_factory=list)
    region: str | None = None


class LiaisonIn(_Entry):
    leader: str | None = None
    cadre: str | None = None


class TaskDefaultIn(_Entry):
    deadline: DurationText
    remind_before: DurationText
    leader_approval: bool = False
    escalate_to: str | None = None


class TasksIn(_Entry):
    general: TaskDefaultIn | None = None
    important: TaskDefaultIn | None = None
    major: TaskDefaultIn | None = None
    overdue_supervision: DurationText | None = None
    signed_idle: DurationText | None = None
    accept_within: DurationText | None = None  # 受理时限: the center is reminded of a report waiting longer
    sign_within: DurationText | None = None  # 签收时限: the officer is reminded of a task left unsigned

    def by_severity(self) -> dict[Severity, TaskDefaultIn]:
        out = {}
        for sev in Severity:
            item = getattr(self, sev.value)
            if item is not None:
                out[sev] = item
        return out


class FollowUpIn(_Entry):
    after: DurationText = "7d"


class GroupIn(_Entry):
    name: str = Field(min_length=1, max_length=100)
    addresses: dict[str, str | None] = Field(default_factory=dict)  # `<platform>_…` key → chat id, as written
    receives: list[str] = Field(default_factory=list)
    region: str | None = None
    # Who the app puts in the chat it creates (`maotiao groups create`): roles (leader, officer …) and/or staff
    # names, in order — the first person found owns the chat. Left out: the center roles of `region`.
    members: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _collect(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        found = {k: v for k, v in data.items() if group_key_platform(str(k)) is not None}
        for platform in chat_platforms():
            keys = [str(k) for k in found if group_key_platform(str(k)) is platform]
            if len(keys) > 1:
                raise ValueError(f"more than one {platform} address ({', '.join(keys)})")
        return {k: v for k, v in data.items() if k not in found} | {"addresses": found}

    def refs(self) -> dict[Platform, str]:
        """Platform → the group's chat id there, for the platforms given."""
        out: dict[Platform, str] = {}
        for key, ref in self.addresses.items():
            platform = group_key_platform(key)
            if platform is not None and ref:
                out[platform] = ref
        return out

    @field_validator("receives")
    @classmethod
    def _feeds(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if v not in GROUP_FEEDS]
        if bad:
            raise ValueError(f"unknown feed {bad[0]!r}; use {', '.join(GROUP_FEEDS)}")
        return value


class RosterIn(_Entry):
    date: date
    leader: str | None = None
    staff: list[str] = Field(default_factory=list)


class RoomIn(_Entry):
    name: str = Field(min_length=1, max_length=64)
    region: str | None = None


Weight = Annotated[float, Field(ge=0, le=1000)]


class GoldIn(_Entry):
    min_cases: int = Field(default=10, ge=0)
    min_success: float = Field(default=0.9, ge=0, le=1)
    min_satisfaction: float = Field(default=0.9, ge=0, le=1)


class EvaluationIn(_Entry):
    """考核: weights per cohort (missing cohorts keep the defaults), 以奖代补 amounts, thresholds."""

    village: dict[Literal["settle_rate", "village_rate", "satisfaction", "no_repeat"], Weight] = Field(default_factory=dict)
    grid_worker: dict[Literal["reports", "on_spot", "screening", "first_report"], Weight] = Field(default_factory=dict)
    department: dict[Literal["sign_speed", "on_time", "satisfaction", "no_return"], Weight] = Field(default_factory=dict)
    person: dict[Literal["sign_speed", "on_time", "satisfaction", "no_return"], Weight] = Field(default_factory=dict)
    mediator: dict[Literal["cases", "success", "satisfaction"], Weight] = Field(default_factory=dict)
    subsidy: dict[Literal["simple", "general", "complex", "major"], Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict)
    first_report_within: DurationText | None = None
    sign_target: DurationText | None = None
    lists: int | None = Field(default=None, ge=0, le=50)
    gold_mediator: GoldIn | None = None


WEEKDAY_NAMES = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
                 "周一": 1, "周二": 2, "周三": 3, "周四": 4, "周五": 5, "周六": 6, "周日": 7, "周天": 7}


def _weekday(value: Any) -> int:
    text = str(value).strip().lower()
    if text in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[text]
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    raise ValueError("day: a weekday, 1 (Monday) to 7, monday … sunday or 周一 … 周日")


class ScreeningIn(_Entry):
    """每周排查: when each grid worker is asked to screen their grid, when the unanswered are reminded, and when
    a round closes (the unanswered are then listed for their village and the center)."""

    day: Annotated[int, BeforeValidator(_weekday)] = 1  # Monday
    time: str = Field(default="09:00", pattern=r"^([01]?\d|2[0-3]):[0-5]\d$")
    remind_after: DurationText = "1w"  # after the prompt: one reminder to those who have not answered
    answer_within: DurationText = "2w"  # after the prompt: the round closes, the unanswered are listed


class PartnerIn(_Entry):
    """A body the center docks with: a court, a police station, the 信访局 … (core/partners.py)."""

    name: str = Field(min_length=1, max_length=64)
    kind: Literal["诉调", "警调", "访调", "检调", "仲调"]
    aliases: list[str] = Field(default_factory=list)  # what clerks write for it: 法院, 法庭 …


class ReferralsIn(_Entry):
    """诉调 / 警调 / 访调 / 检调对接: the partner bodies (given: they replace the defaults) and how long before a
    partner's deadline the case's people are reminded."""

    partners: list[PartnerIn] = Field(default_factory=list)
    remind_before: DurationText = "3d"


class EmergencyPlanIn(_Entry):
    """应急预案 for one grade: what the leader and the center check off, who is sent (department or staff names,
    e.g. 综合执法应急中队, 派出所) and how often the party committee gets a 续报."""

    checklist: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list)
    team: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)
    report_every: DurationText = "2h"


class ReceptionIn(_Entry):
    """领导接访: a leader receives citizens at `place` every `day` (a weekday) or on the `dates` given, in the
    morning (上午), the afternoon (下午) or all day (全天); `limit` citizens may be booked (预约接访) each time."""

    leader: str
    day: Annotated[int, BeforeValidator(_weekday)] | None = None
    dates: list[date] = Field(default_factory=list)
    time: Literal["上午", "下午", "全天"] = "上午"
    place: str = Field(min_length=1, max_length=100)
    limit: int = Field(default=10, ge=1, le=200)

    @model_validator(mode="after")
    def _one_way(self) -> ReceptionIn:
        if (self.day is None) == (not self.dates):
            raise ValueError("give either day (a weekday) or dates, not both")
        return self


# 重点人员 categories with their default follow-up cadence in days
KEY_PEOPLE_CATEGORIES: dict[str, int] = {"精神障碍": 7, "长期上访": 7, "社区矫正": 14, "刑满释放": 30, "矛盾激化": 3}
KeyPeopleViewer = Literal["leader", "secretary", "dispatcher", "admin", "village_mediator"]


def _default_viewers() -> list[KeyPeopleViewer]:
    return ["leader", "secretary"]


class KeyPeopleIn(_Entry):
    """重点人员: the categories registered (each with its default follow-up cadence in days) and the roles that
    see the register of their area besides the grid worker responsible for each person."""

    categories: dict[Annotated[str, Field(min_length=1, max_length=32)], Annotated[int, Field(ge=1, le=366)]] = \
        Field(default_factory=lambda: dict(KEY_PEOPLE_CATEGORIES), min_length=1)
    viewers: list[KeyPeopleViewer] = Field(default_factory=_default_viewers)


class PrivacyIn(_Entry):
    """How parties' names appear where a document goes inside the center (台账, batch 登记表)."""

    parties: Literal["full", "surname", "hidden"] = "surname"


class OrgFile(_Entry):
    center: CenterIn
    regions: list[RegionIn] = Field(min_length=1)
    departments: list[DepartmentIn] = Field(default_factory=list)
    staff: list[StaffIn] = Field(default_factory=list)
    experts: list[ExpertIn] = Field(default_factory=list)
    rooms: list[RoomIn] = Field(default_factory=list)  # the center's mediation rooms (预约调解)
    liaisons: dict[str, LiaisonIn] = Field(default_factory=dict)
    escalation: dict[Level, DurationText] = Field(default_factory=dict)
    tasks: TasksIn = Field(default_factory=TasksIn)
    follow_up: FollowUpIn = Field(default_factory=FollowUpIn)
    groups: list[GroupIn] = Field(default_factory=list)
    roster: list[RosterIn] = Field(default_factory=list)
    quiet_hours: str | None = Field(default=None, pattern=r"^\d{1,2}:00-\d{1,2}:00$")
    # 工作时间: the periods the 受理/签收 limits in hours count (default 09:00-12:00,13:30-17:30, Beijing time)
    office_hours: str | None = Field(default=None, max_length=100)
    warnings: dict[Literal["blue", "yellow", "orange", "red"], str] = Field(default_factory=dict)  # 预案 per grade
    evaluation: EvaluationIn = Field(default_factory=EvaluationIn)
    privacy: PrivacyIn = Field(default_factory=PrivacyIn)
    screening: ScreeningIn = Field(default_factory=ScreeningIn)  # 每周排查 (issue 22)
    referrals: ReferralsIn = Field(default_factory=ReferralsIn)  # 诉调 / 警调 / 访调对接 (issue 22)
    emergency_plans: dict[Literal["red", "orange"], EmergencyPlanIn] = Field(default_factory=dict)  # 应急预案
    receptions: list[ReceptionIn] = Field(default_factory=list)  # 领导接访 (issue 22)
    key_people: KeyPeopleIn = Field(default_factory=KeyPeopleIn)  # 重点人员 (issue 22)
    text_only: bool = False  # everyone gets plain text instead of markdown and cards

    @field_validator("office_hours")
    @classmethod
    def _office_periods(cls, value: str | None) -> str | None:
        if value is not None:
            office_hours(value)  # raises ValueError naming the bad period
        return value
