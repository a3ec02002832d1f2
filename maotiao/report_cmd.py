"""`maotiao report …` (digests and 台账, 三级四步登记表, 通报, 卷宗, 会议纪要) and `maotiao roster import`.

A file argument's suffix says nothing: --docx writes Word, --xlsx Excel, --pdf PDF (through LibreOffice).
What goes to stdout is the group-safe text; files follow the audience rules in core/privacy.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from bot.documents import bulletin as bulletin_doc
from bot.documents import pdf
from bot.documents.register import batch_docx, case_docx
from bot.reports import chart, ledger
from bot.reports.markdown import render
from bot.reports.register import register_xlsx
from core.clock import SystemClock, local
from core.errors import DomainError
from core.models import Case
from core.numbering import parse_number
from core.privacy import Audience, party_mode
from core.reports import digest, kpi, register
from core.reports.periods import Kind, Period, period_of
from core.roster import RosterImportError, import_roster_xlsx


async def write(path: str, data: bytes, what: str) -> None:
    await asyncio.to_thread(Path(path).write_bytes, data)
    print(f"{what} written to {path}", file=sys.stderr)


async def write_docx_pdf(args: argparse.Namespace, docx: bytes, what: str) -> None:
    if getattr(args, "docx", None):
        await write(args.docx, docx, what)
    if getattr(args, "pdf", None):
        try:
            await write(args.pdf, await pdf.to_pdf(docx), f"{what} (PDF)")
        except pdf.PdfUnavailable as exc:
            raise SystemExit(str(exc)) from None


async def find_case(text: str) -> Case:
    number = parse_number(text, local(SystemClock().now()).year)
    case = await Case.get_or_none(number=number) if number else None
    if case is None:
        raise SystemExit(f"no case {text}")
    return case


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"{what}: not a date (YYYY-MM-DD): {text}") from None


async def digest_report(args: argparse.Namespace) -> int:
    if args.outside and not args.xlsx:
        raise SystemExit("--outside makes the 台账 spreadsheet for outside the center: give --xlsx")
    now = SystemClock().now()
    day = _day(args.date, "--date") or local(now).date()
    kind = Kind(args.kind)
    built = await digest.build(kind, day, now)
    print(render(built))
    if args.xlsx:
        period = period_of(kind, day)
        extra = {"人员": await kpi.by_person(period.start, period.end),
                 "村社区": await kpi.by_village(period.start, period.end),
                 "层级": await kpi.by_level(period.start, period.end)}
        await write(args.xlsx, await ledger.xlsx(built, extra, outside=args.outside),
                    "ledger for outside the center" if args.outside else "ledger")
    if args.png:
        await write(args.png, chart.png(built), "chart")
    return 0


async def register_report(args: argparse.Namespace) -> int:
    if args.outside and (args.docx or args.pdf or not args.xlsx):
        raise SystemExit("--outside makes the spreadsheet for outside the center: give --xlsx, without --docx/--pdf")
    if args.case:
        reg = await register.for_case(await find_case(args.case))
        docx = case_docx(reg, await party_mode(Audience.ARCHIVE))
        regs = [reg]
        heading = f"案件 {reg.number}"
    else:
        today = local(SystemClock().now()).date()
        first = _day(args.start, "--from") or today.replace(day=1)
        last = _day(args.end, "--to") or today
        if last < first:
            raise SystemExit("--to is before --from")
        span = Period(Kind.DAILY, first, last)
        regs = await register.for_period(span.start, span.end, escalated_only=args.escalated)
        heading = f"矛盾纠纷调处三级四步登记表({span.label})"
        docx = batch_docx(regs, await party_mode(Audience.CENTER), heading)
    print(f"{heading}: {len(regs)} 件")
    await write_docx_pdf(args, docx, "register")
    if args.xlsx:
        mode = await party_mode(Audience.ARCHIVE if args.case else Audience.CENTER)
        await write(args.xlsx, register_xlsx(regs, mode, outside=args.outside),
                    "register spreadsheet for outside the center" if args.outside else "register spreadsheet")
    return 0


async def bulletin_report(args: argparse.Namespace) -> int:
    now = SystemClock().now()
    kind = Kind(args.period)
    day = _day(args.date, "--date") or last_finished(kind, local(now).date())
    made = await bulletin_doc.produce(kind, day, now)
    print(made.summary)
    await write_docx_pdf(args, made.docx, "bulletin")
    return 0


async def minutes_report(args: argparse.Namespace) -> int:
    from bot.documents.minutes import minutes_docx
    from core.models import Meeting

    meeting = await Meeting.get_or_none(id=args.meeting)
    if meeting is None:
        raise SystemExit(f"no meeting {args.meeting} (see `maotiao meeting list`)")
    print(f"{meeting.title} 第{meeting.number}期 {meeting.day}")
    await write_docx_pdf(args, await minutes_docx(meeting), "minutes")
    return 0


async def casefile_report(args: argparse.Namespace) -> int:
    from bot.documents.casefile import casefile_docx
    from core.reports import casefile

    case = await find_case(args.number)
    cf = await casefile.build(case)
    print(f"卷宗 {case.number}: {len(cf.steps)} 项办理记录, {len(cf.sessions)} 次调解, {len(cf.agreements)} 份协议, "
          f"{len(cf.visits)} 次回访")
    await write_docx_pdf(args, await casefile_docx(cf), "case file")
    return 0


REPORTS: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
    "casefile": casefile_report,
    "minutes": minutes_report,
    "register": register_report,
    "bulletin": bulletin_report,
}


async def report(args: argparse.Namespace) -> int:
    handler = REPORTS.get(args.kind, digest_report)
    try:
        return await handler(args)
    except DomainError as exc:
        raise SystemExit(str(exc)) from None


def last_finished(kind: Kind, today: date) -> date:
    """A day in the last period of `kind` that has ended (a bulletin is about a finished month)."""
    return period_of(kind, today).first - timedelta(days=1)


async def roster_import(args: argparse.Namespace) -> int:
    try:
        count = await import_roster_xlsx(await asyncio.to_thread(Path(args.file).read_bytes))
    except OSError as exc:
        raise SystemExit(f"cannot read {args.file}: {exc.strerror}") from None
    except RosterImportError as exc:
        print(f"roster import failed, nothing changed ({len(exc.problems)} problem(s)):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    print(f"imported {count} duty day(s)")
    return 0
