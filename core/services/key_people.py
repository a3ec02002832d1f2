"""重点人员: the register of people a grid keeps an eye on. Registered by the center, a leader or the grid's own
grid worker; each person has the grid worker responsible and a follow-up cadence (随访, recorded as a 走访 log,
reminded when due by scheduler/key_people_jobs.py); a report naming a registered person of its area is linked
to them when the case is made. Only the person responsible and the viewers of the org file (leaders by
default, within their area) see names and categories. The audit trail keeps neither: ids, counts and lengths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from core import audit, org_memo
from core.enums import Level, Platform, Role
from core.errors import InvalidInput, NotFound, Refused
from core.key_people_settings import KeyPeoplePlan, load_key_people
from core.masking import remember_names
from core.models import Case, KeyPerson, KeyPersonCase, KeyPersonFollowUp, Region, Staff, VisitLog
from core.prepared import Prepared
from core.regions import contains
from core.services.base import Actor, Domain, note_text

CENTER = (Role.DISPATCHER, Role.ADMIN)
MAX_EVERY_DAYS = 366
NAME = re.compile(r"^[\u4e00-\u9fff·A-Za-z]{2,16}$")


@dataclass(frozen=True)
class FollowedUp:
    person: KeyPerson
    visit: VisitLog


def _in_scope(actor: Actor, region: Region) -> bool:
    return actor.scope_path is not None and contains(actor.scope_path, region.path)


def may_see(actor: Actor, person: KeyPerson, grid: Region, plan: KeyPeoplePlan) -> bool:
    """The grid worker responsible, and the org file's viewers (leaders by default) whose area holds the grid."""
    if actor.staff_id is not None and actor.staff_id == person.worker_id:
        return True
    return actor.has(*plan.viewers) and _in_scope(actor, grid)


async def _grid(grid_id: int) -> Region:
    grid = await Region.get_or_none(id=grid_id, active=True)
    if grid is None or grid.level != Level.GRID.value:
        raise InvalidInput("请写明重点人员所在的网格")
    return grid


async def _worker(actor: Actor, grid: Region) -> Staff:
    """The actor when they are a grid worker of the grid, else the grid's first active grid worker."""
    workers = [s for s in await Staff.filter(region_id=grid.id, active=True).order_by("id")
               if Role.GRID_WORKER.value in s.roles]
    mine = [s for s in workers if s.id == actor.staff_id]
    if not (mine or workers):
        raise InvalidInput(f"{grid.name}没有网格员,无法登记重点人员")
    return (mine or workers)[0]


def _check_registrar(actor: Actor, grid: Region, worker: Staff, plan: KeyPeoplePlan) -> None:
    own_grid = actor.staff_id == worker.id
    center = actor.has(*CENTER, *plan.viewers) and _in_scope(actor, grid)
    if actor.is_system or not (own_grid or center):
        raise Refused("重点人员由本网格网格员、中心或领导登记")


def _every(days: int | None, category: str, plan: KeyPeoplePlan) -> int:
    every = plan.categories[category] if days is None else days
    if not 1 <= every <= MAX_EVERY_DAYS:
        raise InvalidInput(f"随访周期应为 1 到 {MAX_EVERY_DAYS} 天")
    return every


async def register_person(d: Domain, actor: Actor, name: str, category: str, grid_id: int, every_days: int | None,
                          *, source: Platform) -> KeyPerson:
    """A person on the register; their first follow-up falls due one cadence from now."""
    plan = await load_key_people()
    name = name.strip()
    if not NAME.match(name):
        raise InvalidInput("重点人员姓名应为 2 到 16 个汉字或字母")
    remember_names(name)  # masked in this process's log lines from now on
    if category not in plan.categories:
        raise InvalidInput("类别应为:" + "、".join(plan.categories))
    grid = await _grid(grid_id)
    worker = await _worker(actor, grid)
    _check_registrar(actor, grid, worker, plan)
    every = _every(every_days, category, plan)
    if await KeyPerson.exists(name=name, grid_id=grid.id, active=True):
        raise InvalidInput(f"{grid.name}已登记同名重点人员")
    now = d.clock.now()
    due = now + timedelta(days=every)
    async with in_transaction():
        row = await KeyPerson.create(name=name, category=category, grid_id=grid.id, worker_id=worker.id,
                                     every_days=every, due_at=due, next_follow_up_at=due,
                                     created_by_id=actor.staff_id, created_at=now)
        await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="register_key_person", entity="key_person", entity_id=row.id, case_id=None,
                           before={}, after={"worker_id": worker.id, "every_days": every}, region_id=grid.id)
    return row


async def visible_people(actor: Actor) -> list[KeyPerson]:
    """The active people this actor may see, by grid then name (their grids prefetched)."""
    plan = await load_key_people()
    rows = await KeyPerson.filter(active=True).order_by("grid_id", "name").prefetch_related("grid")
    remember_names(*(p.name for p in rows))
    return [p for p in rows if may_see(actor, p, p.grid, plan)]


async def find_visible(actor: Actor, name: str) -> KeyPerson:
    """One person this actor may see, by name (a grid's name before it when two share the name)."""
    words = name.split()
    rows = [p for p in await visible_people(actor) if p.name == words[-1]]
    if len(words) > 1:
        rows = [p for p in rows if p.grid.name == words[0] or p.grid.full_name.endswith(words[0])]
    if not rows:
        raise NotFound(f"您的重点人员名单中没有「{words[-1]}」")
    if len(rows) > 1:
        raise InvalidInput("有多名同名重点人员,请在姓名前写明网格:" + "、".join(p.grid.name for p in rows))
    return rows[0]


async def record_follow_up(d: Domain, actor: Actor, person_id: int, text: str, *, source: Platform) -> FollowedUp:
    """随访: kept as a 走访 log of the person's grid (it counts toward 考核); the next one falls due a cadence on."""
    plan = await load_key_people()
    text = note_text(text, "随访情况")
    now = d.clock.now()
    async with in_transaction():
        person = await KeyPerson.filter(id=person_id, active=True).select_for_update().first()
        if person is None:
            raise NotFound("找不到该重点人员")
        remember_names(person.name)
        grid = await Region.get(id=person.grid_id)
        if not may_see(actor, person, grid, plan):
            raise Refused("只有负责的网格员和领导可以登记该重点人员的随访")
        visit = await VisitLog.create(staff_id=actor.staff_id, grid_id=grid.id, kind="visit", text=text, at=now)
        await KeyPersonFollowUp.create(person_id=person.id, visit_id=visit.id, at=now)
        person.last_follow_up_at = now
        person.next_follow_up_at = person.due_at = now + timedelta(days=person.every_days)
        await person.save(update_fields=["last_follow_up_at", "next_follow_up_at", "due_at"])
        await audit.append(at=now, actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="follow_up_key_person", entity="key_person", entity_id=person.id, case_id=None,
                           before={}, after={"visit_id": visit.id, "chars": len(text)}, region_id=grid.id)
    return FollowedUp(person, visit)


async def deregister(d: Domain, actor: Actor, person_id: int, *, source: Platform) -> KeyPerson:
    """Off the register (稳控到位, moved away …): no more reminders; links and follow-ups are kept."""
    plan = await load_key_people()
    async with in_transaction():
        person = await KeyPerson.filter(id=person_id, active=True).select_for_update().first()
        if person is None:
            raise NotFound("找不到该重点人员")
        remember_names(person.name)
        grid = await Region.get(id=person.grid_id)
        if not may_see(actor, person, grid, plan):
            raise Refused("只有负责的网格员和领导可以撤销该重点人员")
        person.active, person.due_at = False, None
        await person.save(update_fields=["active", "due_at"])
        await audit.append(at=d.clock.now(), actor_id=actor.staff_id, actor_name=actor.name, source=source.value,
                           action="deregister_key_person", entity="key_person", entity_id=person.id, case_id=None,
                           before={"active": True}, after={"active": False}, region_id=grid.id)
    return person


async def responsible(d: Domain, person: KeyPerson) -> Staff | None:
    """The grid worker to remind: the one recorded while they are active and still on the grid, else the grid's
    first active grid worker, who then takes the person over (recorded and audited); None when the grid has
    none left."""
    worker = await Staff.get_or_none(id=person.worker_id, active=True, region_id=person.grid_id)
    if worker is not None and Role.GRID_WORKER.value in worker.roles:
        return worker
    workers = [s for s in await Staff.filter(region_id=person.grid_id, active=True).order_by("id")
               if Role.GRID_WORKER.value in s.roles]
    if not workers:
        return None
    before, person.worker_id = person.worker_id, workers[0].id
    await person.save(update_fields=["worker_id"])
    await audit.append(at=d.clock.now(), actor_id=None, actor_name="定时任务", source=Platform.SYSTEM.value,
                       action="hand_over_key_person", entity="key_person", entity_id=person.id, case_id=None,
                       before={"worker_id": before}, after={"worker_id": person.worker_id}, region_id=person.grid_id)
    return workers[0]


async def _area(region: Region) -> Region:
    """Where a report's registered people live: its village when it was reported at a grid."""
    if region.level == Level.GRID.value and region.parent_id is not None:
        return await org_memo.region(region.parent_id)
    return region


async def link_mentions(d: Domain, case: Case) -> list[KeyPerson]:
    """Part of making a case (core/services/intake.py, in its transaction and audit event): each active person
    registered in the report's area whose name its words contain is linked to it (and their grid worker told,
    scheduler/key_people_jobs.py)."""
    area = await _area(await org_memo.region(case.region_id))
    grids = await org_memo.remembered(("grids under", area.id), lambda: Region.filter(
        path__startswith=area.path, level=Level.GRID.value).values_list("id", flat=True))
    named = [p for p in await KeyPerson.filter(active=True, grid_id__in=list(grids)) if p.name in case.content]
    remember_names(*(p.name for p in named))
    for p in named:
        await KeyPersonCase.get_or_create(person_id=p.id, case_id=case.id,
                                          defaults={"at": d.clock.now(), "tell_at": d.clock.now()})
    return named


_LINKS_OF_CASE = Prepared(KeyPersonCase, lambda case_id: KeyPersonCase.filter(case_id=case_id), int)


async def linked_people(case_id: int) -> list[KeyPerson]:
    ids = [link.person_id for link in await _LINKS_OF_CASE.all(case_id)]
    if not ids:  # most cases name nobody listed
        return []
    rows = await KeyPerson.filter(id__in=ids).order_by("id").prefetch_related("grid", "worker")
    remember_names(*(p.name for p in rows))
    return rows
