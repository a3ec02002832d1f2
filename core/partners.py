"""The partner bodies a center docks with (诉调 / 警调 / 访调 / 检调 / 仲调对接), from the org file's `referrals:`
(`partners:` replaces the defaults below, `remind_before:` is how long before a partner's deadline the case's
people are reminded). A partner is found by its name or one of its aliases as a clerk writes them ("法院")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from core.durations import Duration
from core.models import Referral, Setting

REFERRALS_KEY = "referrals"
# kind → (the docking's name, the words that name it in a command)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "court": ("诉调", ("诉调", "诉前调解", "诉前委派", "委派调解")),
    "police": ("警调", ("警调", "警情移交", "警调联动")),
    "petition": ("访调", ("访调", "信访移交", "访调对接")),
    "procuratorate": ("检调", ("检调", "检调对接")),
    "arbitration": ("仲调", ("仲调", "仲裁委派", "仲调对接")),
}
KIND_BY_LABEL = {label: kind for kind, (label, _) in KINDS.items()}


@dataclass(frozen=True)
class Partner:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


DEFAULT_PARTNERS: tuple[Partner, ...] = (
    Partner("人民法院", "court", ("法院", "人民法庭", "法庭")),
    Partner("派出所", "police", ("公安", "公安局", "警方")),
    Partner("信访局", "petition", ("信访办", "信访")),
    Partner("劳动人事争议仲裁院", "arbitration", ("仲裁院", "仲裁委", "仲裁")),
    Partner("检察院", "procuratorate", ("人民检察院", "检察")),
)


@dataclass(frozen=True)
class ReferralPlan:
    partners: tuple[Partner, ...] = DEFAULT_PARTNERS
    remind_before: Duration = field(default_factory=lambda: Duration.parse("3d"))

    def find(self, word: str) -> Partner | None:
        """The partner a word names: its name or an alias, exactly."""
        return next((p for p in self.partners if word in p.names()), None)

    def names(self) -> str:
        return "、".join(p.name for p in self.partners)


def kind_of(word: str) -> str | None:
    """The docking a word names ("诉前调解" → court), or None."""
    return next((kind for kind, (_, words) in KINDS.items() if word in words), None)


async def load_referrals() -> ReferralPlan:
    row = await Setting.get_or_none(key=REFERRALS_KEY)
    if row is None:
        return ReferralPlan()
    v = row.value
    rows = cast(list[dict[str, Any]], v.get("partners") or [])
    given = [Partner(str(p["name"]), KIND_BY_LABEL.get(str(p["kind"]), str(p["kind"])),
                     tuple(str(a) for a in p.get("aliases") or [])) for p in rows]
    return ReferralPlan(partners=tuple(given) or DEFAULT_PARTNERS,
                        remind_before=Duration.parse(str(v.get("remind_before", "3d"))))


async def partner_limit(case_id: int) -> Referral | None:
    """The referral in whose partner set the earliest deadline for the case (None: no such deadline)."""
    return await Referral.filter(case_id=case_id, direction="in", due_at__not_isnull=True).order_by("due_at").first()


async def partner_due(case_id: int) -> datetime | None:
    """The earliest deadline a partner that referred the case in set (None: no such deadline)."""
    row = await partner_limit(case_id)
    return row.due_at if row else None


def bounded(deadline: datetime, cap: datetime | None, now: datetime) -> datetime:
    """A task's deadline within the referring partner's (a deadline already past bounds nothing)."""
    return cap if cap is not None and now < cap < deadline else deadline
