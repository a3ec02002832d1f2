"""Closed vocabularies of the domain. Values are stable identifiers stored in the database."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where an action came from: a chat platform, the JSON API, the CLI or the scheduler."""

    WECOM = "wecom"
    DINGTALK = "dingtalk"
    API = "api"
    CLI = "cli"
    WEB = "web"
    SYSTEM = "system"


CHAT_PLATFORMS: tuple[Platform, ...] = (Platform.WECOM, Platform.DINGTALK)


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

    @property
    def label(self) -> str:
        return {
            "grid_chat": "网格员上报",
            "walk_in": "窗口来访",
            "hotline_12345": "12345热线",
            "petition": "信访",
            "referral": "上级交办/转办",
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


class ResultType(StrEnum):
    AGREEMENT = "agreement"  # 调解成功, agreement signed
    SETTLED = "settled"  # 化解 without a written agreement (incl. 当场调处)
    REFERRAL = "referral"  # 引导诉讼/仲裁/行政复议
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    EXPLAINED = "explained"  # 解释疏导, the party accepts (息诉)

    @property
    def label(self) -> str:
        return {
            "agreement": "达成调解协议",
            "settled": "已化解",
            "referral": "引导诉讼/仲裁",
            "not_accepted": "不予受理",
            "explained": "解释疏导息诉",
        }[self.value]


RESOLVING_RESULTS: tuple[ResultType, ...] = (ResultType.AGREEMENT, ResultType.SETTLED, ResultType.EXPLAINED)


class ReminderMethod(StrEnum):
    CARD = "card"
    URGENT = "urgent"  # DING / 加急
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
