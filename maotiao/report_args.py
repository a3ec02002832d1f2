"""`maotiao report …` arguments (kept apart from report_cmd so that parsing imports nothing heavy)."""

from __future__ import annotations

import argparse

DIGESTS = ("daily", "weekly", "monthly", "quarterly", "halfyear")
OUTSIDE_HELP = "the spreadsheet leaves the center: no party names, 涉敏 cases' content withheld (rows and counts kept)"


def _outputs(p: argparse.ArgumentParser, *kinds: str) -> None:
    for kind in kinds:
        p.add_argument(f"--{kind}", metavar="FILE", help=f"write the .{kind}")


def add_report_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rep = sub.add_parser("report", help="会商研判 digests, 台账, 三级四步登记表, 通报, 卷宗, 会议纪要")
    kinds = rep.add_subparsers(dest="kind", required=True)
    for kind in DIGESTS:
        p = kinds.add_parser(kind, help=f"the {kind} digest: markdown to stdout, optional 台账 and chart")
        p.add_argument("--date", help="a day inside the period (YYYY-MM-DD), default today")
        p.add_argument("--xlsx", metavar="FILE", help="write the 台账 spreadsheet")
        p.add_argument("--outside", action="store_true", help=OUTSIDE_HELP)
        p.add_argument("--png", metavar="FILE", help="write the chart")
    reg = kinds.add_parser("register", help="《矛盾纠纷调处三级四步登记表》 for one case or a period")
    reg.add_argument("--case", metavar="NUMBER", help="one case (e.g. 2026-0042 or 42)")
    reg.add_argument("--from", dest="start", metavar="DATE", help="first day of the period (YYYY-MM-DD)")
    reg.add_argument("--to", dest="end", metavar="DATE", help="last day of the period (inclusive)")
    reg.add_argument("--escalated", action="store_true", help="only cases that moved up at least one step")
    _outputs(reg, "docx", "xlsx", "pdf")
    reg.add_argument("--outside", action="store_true", help=OUTSIDE_HELP + "; with --xlsx only")
    bul = kinds.add_parser("bulletin", help="考核通报 for a period (.docx), its group-safe summary to stdout")
    bul.add_argument("--period", choices=DIGESTS[1:], default="monthly")
    bul.add_argument("--date", help="a day inside the period, default: the last finished period")
    _outputs(bul, "docx", "pdf")
    case = kinds.add_parser("casefile", help="卷宗 of one case: every record in archive order")
    case.add_argument("number", help="the case number (e.g. 2026-0042 or 42)")
    _outputs(case, "docx", "pdf")
    mins = kinds.add_parser("minutes", help="会议纪要 of a 会商研判 meeting")
    mins.add_argument("meeting", type=int, help="the meeting id (see `maotiao meeting list`)")
    _outputs(mins, "docx", "pdf")
