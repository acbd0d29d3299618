"""`report DECISION_ID --out FILE.pdf|FILE.html`: the plain-English justification report for one decision.

The report is built from the decision record alone (dashboard/files/reports.py), so printing it again later says
the same thing; this command checks the options and the file name and writes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.commands.options import add_db_option
from dashboard.database import db
from dashboard.files import reports
from dashboard.files.decisions import DEFAULT_SUPPRESS_UP_TO


def add_report(subparsers) -> None:
    p = subparsers.add_parser("report", help="the plain-English justification report for one decision (PDF or HTML)")
    p.add_argument("decision_id", metavar="DECISION_ID")
    p.add_argument("--out", type=Path, required=True, help="FILE.pdf or FILE.html")
    p.add_argument(
        "--suppress-up-to",
        type=int,
        default=DEFAULT_SUPPRESS_UP_TO,
        help=f"counts of people from 1 to this are not given exactly (default {DEFAULT_SUPPRESS_UP_TO})",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() not in (".pdf", ".html", ".htm"):
        print(f"error: {args.out} must end .pdf or .html", file=sys.stderr)
        return 2
    if args.suppress_up_to < 0:
        print("error: --suppress-up-to cannot be negative", file=sys.stderr)
        return 2
    con = db.connect_read_only(args.db)
    try:
        report = reports.decision_report(con, args.decision_id, args.suppress_up_to)
    except reports.ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    try:
        reports.write_report(report, args.out)
    except OSError as exc:
        print(f"error: could not write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote the report for decision {args.decision_id} to {args.out}")
    return 0
