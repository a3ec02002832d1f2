"""Center policy from the org file: step limits, task defaults by severity, supervision, follow-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from core import org_memo
from core.durations import Duration
from core.enums import Level, Severity
from core.models import Setting
from core.org_version import POLICY_KEY  # its row moves the organisation's version
from core.workdays import DEFAULT_OFFICE_HOURS, OfficeHours, office_hours


@dataclass(frozen=True)
class TaskDefault:
    deadline: Duration
    remind_before: Duration
    leader_approval: bool = False
    escalate_to: str | None = None  # a region's full name


def _d(text: str) -> Duration:
    return Duration.parse(text)


@dataclass(frozen=True)
class Policy:
    center_name: str = "社会矛盾纠纷调处化解中心"
    step_limits: dict[Level, Duration] = field(
        default_factory=lambda: {
            Level.GRID: _d("1d"),
            Level.VILLAGE: _d("3w"),
            Level.TOWNSHIP: _d("7w"),
            Level.DISTRICT: _d("15w"),
        }
    )
    task_defaults: dict[Severity, TaskDefault] = field(
        default_factory=lambda: {
            Severity.GENERAL: TaskDefault(_d("5w"), _d("1d")),
            Severity.IMPORTANT: TaskDefault(_d("3w"), _d("4h"), leader_approval=True),
            Severity.MAJOR: TaskDefault(_d("1w"), _d("2h")),
        }
    )
    overdue_supervision: Duration = field(default_factory=lambda: _d("1w"))
    follow_up_after: Duration = field(default_factory=lambda: _d("7d"))
    signed_idle: Duration = field(default_factory=lambda: _d("3w"))  # 签收不办: no progress this long
    quiet_start: int = 22  # no non-urgent pushes from 22:00 …
    quiet_end: int = 7  # … to 07:00 (Beijing time)
    max_extension_workdays: int = 10
    accept_within: Duration = field(default_factory=lambda: _d("2h"))  # 受理时限: a report waits this long
    sign_within: Duration = field(default_factory=lambda: _d("4h"))  # 签收时限: a dispatched task waits this long
    office_hours: str = DEFAULT_OFFICE_HOURS  # the periods of a working day the 受理/签收 hours count

    @property
    def office(self) -> OfficeHours:
        return office_hours(self.office_hours)

    def is_quiet(self, local_hour: int) -> bool:
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= local_hour < self.quiet_end
        return local_hour >= self.quiet_start or local_hour < self.quiet_end

    def to_json(self) -> dict[str, object]:
        return {
            "center_name": self.center_name,
            "step_limits": {lv.value: str(d) for lv, d in self.step_limits.items()},
            "task_defaults": {
                sev.value: {
                    "deadline": str(td.deadline),
                    "remind_before": str(td.remind_before),
                    "leader_approval": td.leader_approval,
                    "escalate_to": td.escalate_to,
                }
                for sev, td in self.task_defaults.items()
            },
            "overdue_supervision": str(self.overdue_supervision),
            "follow_up_after": str(self.follow_up_after),
            "signed_idle": str(self.signed_idle),
            "quiet_hours": [self.quiet_start, self.quiet_end],
            "accept_within": str(self.accept_within),
            "sign_within": str(self.sign_within),
            "office_hours": self.office_hours,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Policy:
        base = cls()
        limits = dict(base.step_limits)
        for k, v in dict(data.get("step_limits") or {}).items():  # type: ignore[call-overload]
            limits[Level(k)] = _d(str(v))
        defaults = dict(base.task_defaults)
        for k, v in dict(data.get("task_defaults") or {}).items():  # type: ignore[call-overload]
            defaults[Severity(k)] = TaskDefault(
                _d(v["deadline"]), _d(v["remind_before"]), bool(v.get("leader_approval")), v.get("escalate_to")
            )
        return cls(
            center_name=str(data.get("center_name") or base.center_name),
            step_limits=limits,
            task_defaults=defaults,
            overdue_supervision=_d(str(data.get("overdue_supervision") or base.overdue_supervision)),
            follow_up_after=_d(str(data.get("follow_up_after") or base.follow_up_after)),
            signed_idle=_d(str(data.get("signed_idle") or base.signed_idle)),
            quiet_start=int(list(data.get("quiet_hours") or [base.quiet_start, base.quiet_end])[0]),  # type: ignore[call-overload]
            accept_within=_d(str(data.get("accept_within") or base.accept_within)),
            sign_within=_d(str(data.get("sign_within") or base.sign_within)),
            office_hours=str(data.get("office_hours") or base.office_hours),
            quiet_end=int(list(data.get("quiet_hours") or [base.quiet_start, base.quiet_end])[1]),  # type: ignore[call-overload]
        )


async def load_policy() -> Policy:
    return await org_memo.remembered(("policy",), _load_policy)


async def _load_policy() -> Policy:
    row = await Setting.get_or_none(key=POLICY_KEY)
    return Policy.from_json(row.value) if row else Policy()


async def save_policy(policy: Policy) -> None:
    await Setting.update_or_create(defaults={"value": policy.to_json()}, key=POLICY_KEY)
    org_memo.forget(("policy",))
