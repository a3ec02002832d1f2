"""Closed vocabularies of the domain. Values are stable identifiers stored in the database."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where an action came from: the JSON API, the CLI, the web page, the scheduler, or a chat platform.

    Chat platforms are not named in core: each one's package under integrations/ declares its value with
    `Platform.chat(value)` (integrations/registry.py lists them); from then on the value is a member like the
    others (`Platform(value)`, iteration, `.name`). Core stores and compares the values, and never branches on one.
    """

    API = "api"
    CLI = "cli"
    WEB = "web"
    SYSTEM = "system"

    @classmethod
    def chat(cls, value: str) -> Platform:
        """Declare a chat platform (again: the same member)."""
        found = cls._value2member_map_.get(value)
        if found is not None:
            return found  # type: ignore[return-value]
        member = str.__new__(cls, value)
        member._name_, member._value_ = value.upper(), value
        member.__objclass__ = cls  # type: ignore[attr-defined]
        cls._value2member_map_[value] = member
        cls._member_map_[member._name_] = member
        cls._member_names_.append(member._name_)
        type.__setattr__(cls, member._name_, member)
        return member


NON_CHAT_SOURCES: frozenset[Platform] = frozenset({Platform.API, Platform.CLI, Platform.WEB, Platform.SYSTEM})


def chat_platforms() -> tuple[Platform, ...]:
    """The chat platforms declared, in declaration order: where a person has accounts on several, the earlier
    one is tried first."""
    return tuple(p for p in Platform if p not in NON_CHAT_SOURCES)


class Level(StrEnum):
    GRID = "grid"
    VILLAGE = "village"
    TOWNSHIP = "township"
    DISTRICT = "district"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def label(self) -> str:
        return _LEVEL_LABEL[self]

    def up(self) -> Level | None:
        ordered = sorted(Level, key=lambda lv: lv.rank)
        idx = ordered.index(self)
        return ordered[idx + 1] if idx + 1 < len(ordered) else None


_LEVEL_RANK = {Level.GRID: 0, Level.VILLAGE: 1, Level.TOWNSHIP: 2, Level.DISTRICT: 3}
_LEVEL_LABEL = {Level.GRID: "网格", Level.VILLAGE: "村(社区)", Level.TOWNSHIP: "乡镇(街道)", Level.DISTRICT: "区(县)"}


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    VILLAGE_MEDIATOR = "village_mediator"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    LEADER = "leader"
    SECRETARY = "secretary"
    PETITION_AGENT = "petition_agent"
    ADMIN = "admin"
    EXPERT = "expert"  # 调解专家库: lawyers, psychologists, doctors, retired judges …


class Category(StrEnum):
    NEIGHBOR = "neighbor"
    MARRIAGE_FAMILY = "marriage_family"
    LAND_HOMESTEAD = "land_homestead"
    LABOR_WAGE = "labor_wage"
    PROPERTY_MGMT = "property_mgmt"
    CONSUMER = "consumer"
    MEDICAL = "medical"
    TRAFFIC = "traffic"
    ENVIRONMENT = "environment"
    DEMOLITION = "demolition"
    DEBT = "debt"
    CAMPUS = "campus"
    OTHER = "other"
    # Added later (values are stored in the database: add, never rename); each has the category it was
    # split from, which routing falls back on while a center's org file has no department taking it.
    FINANCE = "finance"
    FOOD_SAFETY = "food_safety"
    NEW_RESIDENT = "new_resident"
    PETITION = "petition"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def fallback(self) -> Category | None:
        return CATEGORY_FALLBACK.get(self)


CATEGORY_LABELS: dict[Category, str] = {
    Category.NEIGHBOR: "邻里纠纷",
    Category.MARRIAGE_FAMILY: "婚姻家庭",
    Category.LAND_HOMESTEAD: "土地宅基地",
    Category.LABOR_WAGE: "劳资纠纷",
    Category.PROPERTY_MGMT: "物业纠纷",
    Category.CONSUMER: "消费维权",
    Category.MEDICAL: "医疗纠纷",
    Category.TRAFFIC: "交通事故",
    Category.ENVIRONMENT: "环境污染",
    Category.DEMOLITION: "征地拆迁",
    Category.DEBT: "债务借贷",
    Category.CAMPUS: "校园纠纷",
    Category.OTHER: "其他",
    Category.FINANCE: "金融纠纷",
    Category.FOOD_SAFETY: "食品安全",
    Category.NEW_RESIDENT: "新居民纠纷",
    Category.PETITION: "信访事项",
}

CATEGORY_FALLBACK: dict[Category, Category] = {
    Category.FINANCE: Category.DEBT,
    Category.FOOD_SAFETY: Category.CONSUMER,
    Category.NEW_RESIDENT: Category.OTHER,
    Category.PETITION: Category.OTHER,
}


class Severity(StrEnum):
    GENERAL = "general"
    IMPORTANT = "important"
    MAJOR = "major"

    @property
    def label(self) -> str:
        return {"general": "一般", "important": "重要", "major": "重大"}[self.value]


class Flag(StrEnum):
    GROUP = "group"
    SENSITIVE = "sensitive"
    STABILITY = "stability"

    @property
    def label(self) -> str:
        return {"group": "群体性", "sensitive": "涉敏", "stability": "涉稳"}[self.value]


class CaseSource(StrEnum):
    GRID_CHAT = "grid_chat"
    WALK_IN = "walk_in"
    HOTLINE_12345 = "hotline_12345"
    PETITION = "petition"
    REFERRAL = "referral"
    PHONE = "phone"  # a call to the center's own line, registered by the clerk who took it
    ENTRUSTED = "entrusted"  # 委派: sent by a partner body (诉前委派, 警调, 访调), which set a deadline

    @property
    def label(self) -> str:
        return {
            "grid_chat": "网格员上报",
            "walk_in": "窗口来访",
            "hotline_12345": "12345热线",
            "petition": "信访",
            "referral": "上级交办/转办",
            "phone": "来电",
            "entrusted": "委派调解",
        }[self.value]


class CaseStatus(StrEnum):
    REPORTED = "reported"  # waiting for the center to accept (受理)
    RETURNED = "returned"  # sent back to the reporter for more information (退回补充)
    AWAITING_APPROVAL = "awaiting_approval"  # 重要: a leader decides the plan first
    ACCEPTED = "accepted"  # accepted, waiting to be dispatched (交办)
    ESCALATED = "escalated"  # moved up one step, waiting for the new level to accept
    DISPATCHED = "dispatched"  # tasks out with officers
    RESOLVED = "resolved"  # 办结, follow-up visit pending
    CLOSED = "closed"  # follow-up done, satisfied

    @property
    def label(self) -> str:
        return {
            "reported": "待受理",
            "returned": "退回补充",
            "awaiting_approval": "待领导审定",
            "accepted": "已受理待交办",
            "escalated": "已上报上级",
            "dispatched": "办理中",
            "resolved": "已办结",
            "closed": "已结案",
        }[self.value]


OPEN_CASE_STATUSES: tuple[CaseStatus, ...] = (
    CaseStatus.REPORTED,
    CaseStatus.RETURNED,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.ACCEPTED,
    CaseStatus.ESCALATED,
    CaseStatus.DISPATCHED,
)


class TaskStatus(StrEnum):
    PENDING = "pending"  # dispatched, not yet signed
    SIGNED = "signed"  # 签收
    RETURNED = "returned"  # 退回 by the assignee
    RESOLVED = "resolved"  # 办结
    RELEASED = "released"  # withdrawn by the center (re-dispatch, escalation)

    @property
    def label(self) -> str:
        return {
            "pending": "待签收",
            "signed": "办理中",
            "returned": "已退回",
            "resolved": "已办结",
            "released": "已撤回",
        }[self.value]


OPEN_TASK_STATUSES: tuple[TaskStatus, ...] = (TaskStatus.PENDING, TaskStatus.SIGNED)
# Tasks that still tie their people to the case (to read it, to draw up its 协议书): open or done, not given
# back (退回) nor withdrawn by the center.
LIVE_TASK_STATUSES: tuple[TaskStatus, ...] = (*OPEN_TASK_STATUSES, TaskStatus.RESOLVED)


class ResultType(StrEnum):
    """How a case ended. Stored values never change: `referral` stays readable for cases closed before the
    referral kinds were told apart, but is no longer chosen for new results."""

    AGREEMENT = "agreement"  # 调解成功, written agreement (书面协议)
    SETTLED = "settled"  # 化解 without a written agreement (口头协议, incl. 当场调处)
    EXPLAINED = "explained"  # 解释疏导, the party accepts (息诉)
    NO_AGREEMENT = "no_agreement"  # 调解不成 (终止调解), parties told their legal routes
    LITIGATION = "litigation"  # 引导诉讼
    ARBITRATION = "arbitration"  # 引导仲裁 (劳动人事 / 商事)
    RECONSIDERATION = "reconsideration"  # 引导行政复议
    PETITION = "petition"  # 转信访 (依法逐级走访)
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    REFERRAL = "referral"  # legacy: 引导诉讼/仲裁/行政复议 before they were told apart

    @property
    def label(self) -> str:
        return _RESULT_LABELS[self]

    @property
    def ledger_label(self) -> str:
        """The 结果 column of a 人民调解台账: 协议 / 口头 / 未达成 / 转诉讼 / 仲裁 / 复议 / 信访."""
        return _RESULT_LEDGER[self]


_RESULT_LABELS = {
    ResultType.AGREEMENT: "达成调解协议",
    ResultType.SETTLED: "已化解",
    ResultType.EXPLAINED: "解释疏导息诉",
    ResultType.NO_AGREEMENT: "调解未达成",
    ResultType.LITIGATION: "引导诉讼",
    ResultType.ARBITRATION: "引导仲裁",
    ResultType.RECONSIDERATION: "引导行政复议",
    ResultType.PETITION: "转信访",
    ResultType.NOT_ACCEPTED: "不予受理",
    ResultType.REFERRAL: "引导诉讼/仲裁",
}
_RESULT_LEDGER = {
    ResultType.AGREEMENT: "协议",
    ResultType.SETTLED: "口头",
    ResultType.EXPLAINED: "口头",
    ResultType.NO_AGREEMENT: "未达成",
    ResultType.LITIGATION: "转诉讼",
    ResultType.ARBITRATION: "仲裁",
    ResultType.RECONSIDERATION: "复议",
    ResultType.PETITION: "信访",
    ResultType.NOT_ACCEPTED: "不予受理",
    ResultType.REFERRAL: "转诉讼/仲裁",
}
RESOLVING_RESULTS: tuple[ResultType, ...] = (ResultType.AGREEMENT, ResultType.SETTLED, ResultType.EXPLAINED)
# sent on to a court, an arbitration commission, administrative review or the petition system
REFERRAL_RESULTS: tuple[ResultType, ...] = (ResultType.LITIGATION, ResultType.ARBITRATION, ResultType.RECONSIDERATION,
                                            ResultType.PETITION, ResultType.REFERRAL)


class MediationMethod(StrEnum):
    """调解方式, as a 人民调解台账 records it."""

    ON_SPOT = "on_spot"
    SESSION = "session"
    VISIT = "visit"
    JOINT = "joint"
    ONLINE = "online"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return {"on_spot": "当场调解", "session": "调解室调解", "visit": "上门调解", "joint": "联合调解",
                "online": "线上调解", "phone": "电话调解"}[self.value]


class Difficulty(StrEnum):
    """难易程度, the grade 以奖代补 pays by."""

    SIMPLE = "simple"
    GENERAL = "general"
    COMPLEX = "complex"
    MAJOR = "major"

    @property
    def label(self) -> str:
        return {"simple": "简易", "general": "一般", "complex": "复杂", "major": "重大疑难"}[self.value]


class Performance(StrEnum):
    """协议履行."""

    PERFORMED = "performed"
    PARTIAL = "partial"
    PENDING = "pending"
    UNPERFORMED = "unperformed"
    NOT_NEEDED = "not_needed"

    @property
    def label(self) -> str:
        return {"performed": "已履行", "partial": "部分履行", "pending": "履行中", "unperformed": "未履行",
                "not_needed": "当场履结"}[self.value]


class ReminderMethod(StrEnum):
    CARD = "card"
    URGENT = "urgent"  # 加急: the platform's strongest push where it has one
    SMS = "sms"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}[self.value]


class EscalationReason(StrEnum):
    MANUAL = "manual"
    TIMEOUT = "timeout"
    MAJOR = "major"
    LEADER = "leader"
