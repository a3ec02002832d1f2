"""`maotiao meeting open|item|done|list`: record 会商研判 meetings and their 议定事项 from the command line
(recording them in chat comes later); `maotiao report minutes ID` prints the 纪要."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time

from core.clock import DISPLAY_TZ, SystemClock, fmt_local, local
from core.enums import Platform
from core.errors import DomainError
from core.meetings import MeetingKind, add_item, complete_item, open_meeting
from core.models import Meeting, MeetingItem, Staff
from core.numbering import parse_number
from core.services.base import Actor, Domain

KINDS = {"weekly": MeetingKind.WEEKLY_JOINT, "monthly": MeetingKind.MONTHLY_STABILITY, "special": MeetingKind.SPECIAL}
CLI = Platform.CLI


def add_meeting_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    grp = sub.add_parser("meeting", help="会商研判 meetings and their 议定事项").add_subparsers(dest="action", required=True)
    op = grp.add_parser("open", help="open a meeting (its agenda is frozen now)")
    op.add_argument("--kind", choices=list(KINDS), default="weekly")
    op.add_argument("--date", required=True, help="the meeting day (YYYY-MM-DD)")
    op.add_argument("--place", default="")
    op.add_argument("--chair", help="who chairs (a name in the org file)")
    op.add_argument("--recorder", help="who takes the minutes")
    op.add_argument("--attend", default="", help="attendees, comma-separated names")
    op.add_argument("--guests", default="", help="列席, comma-separated (name and unit)")
    it = grp.add_parser("item", help="add a 议定事项 with its owner and deadline")
    it.add_argument("meeting", type=int)
    it.add_argument("content")
    it.add_argument("--owner", required=True)
    it.add_argument("--deadline", required=True, help="YYYY-MM-DD (the day ends 18:00)")
    it.add_argument("--case", help="the case it is about")
    done = grp.add_parser("done", help="mark a 议定事项 done")
    done.add_argument("item", type=int)
    done.add_argument("--note", default="")
    grp.add_parser("list", help="meetings and their open 议定事项")


async def _staff(name: str | None) -> int | None:
    if not name:
        return None
    found = await Staff.filter(name=name.strip(), active=True)
    if len(found) != 1:
        raise SystemExit(f"{'no' if not found else 'more than one'} active person named {name}")
    return found[0].id


async def _open(d: Domain, actor: Actor, args: argparse.Namespace) -> None:
    attend = [i for i in [await _staff(n) for n in args.attend.split(",") if n.strip()] if i]
    out = await open_meeting(d, actor, KINDS[args.kind], date.fromisoformat(args.date), place=args.place,
                             chair_id=await _staff(args.chair), recorder_id=await _staff(args.recorder),
                             attendee_ids=attend, guests=[g for g in args.guests.split(",") if g.strip()], source=CLI)
    m = out.meeting
    print(f"meeting {m.id}: {m.title} 第{m.number}期 {m.day}" + ("" if out.created else " (already open)"))
    print(m.agenda)


async def _item(d: Domain, actor: Actor, args: argparse.Namespace) -> None:
    deadline = datetime.combine(date.fromisoformat(args.deadline), time(18), tzinfo=DISPLAY_TZ)
    case_id = None
    if args.case:
        from core.models import Case

        number = parse_number(args.case, local(d.clock.now()).year)
        case = await Case.get_or_none(number=number) if number else None
        if case is None:
            raise SystemExit(f"no case {args.case}")
        case_id = case.id
    owner = await _staff(args.owner)
    assert owner is not None
    item = await add_item(d, actor, args.meeting, args.content, owner, deadline, case_id=case_id, source=CLI)
    print(f"item {item.id} ({item.seq}) due {fmt_local(item.deadline)}")


async def _list() -> None:
    for m in await Meeting.all().order_by("-day"):
        print(f"{m.id}\t{m.day}\t{m.title} 第{m.number}期")
        for it in await MeetingItem.filter(meeting_id=m.id, status="open").prefetch_related("owner").order_by("seq"):
            print(f"\t#{it.id} ({it.seq}) {it.content[:40]} — {it.owner.name}, {fmt_local(it.deadline)}")


async def meeting(args: argparse.Namespace) -> int:
    d, actor = Domain(clock=SystemClock()), Actor.system("管理员(命令行)")
    try:
        if args.action == "open":
            await _open(d, actor, args)
        elif args.action == "item":
            await _item(d, actor, args)
        elif args.action == "done":
            item = await complete_item(d, actor, args.item, args.note, source=CLI)
            print(f"item {item.id} done")
        else:
            await _list()
    except (DomainError, ValueError) as exc:
        raise SystemExit(str(exc)) from None
    return 0
