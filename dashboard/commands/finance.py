"""`export finance`: the finance workbook, zip of CSVs or one CSV, named for what it holds.

The tables and their rules are in dashboard/files/finance.py (the same ones the Finance page downloads); this
command turns the options (filters, financial years, monitoring month and the shared assumptions) into a
FinanceRequest, chooses the kind of file from --out and says what it wrote.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dashboard.commands.options import add_assumption_options, add_db_option, assumptions_from_options
from dashboard.database import db
from dashboard.files import export_files, finance
from dashboard.rules.filters import FILTERS, PortfolioFilters
from dashboard.rules.formatting import financial_year_start, long_date, plural

OUTPUT_KINDS = (".xlsx", ".zip", ".csv")


def add_export_finance(export_subparsers) -> None:
    p = export_subparsers.add_parser(
        "finance",
        help="funding and planned spend by financial year, funder and service area (Excel, zip of CSVs or one CSV)",
        description=(
            "Write the finance export. FILE.xlsx: the workbook (ten sheets). FILE.zip: every table as a CSV. "
            "FILE.csv: one table, chosen with --table (default summary_by_financial_year). Filters choose "
            "projects and may be repeated; --fy limits the financial years shown. Write a value that starts with "
            "a dash as --service-area=-VALUE."
        ),
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="FILE.xlsx, FILE.zip or FILE.csv, or a folder (default: the current one) to write a file named for its "
        "years, filters and as-of date, e.g. finance-2025-26-older-people-as-of-2026-03-31.xlsx",
    )
    add_db_option(p)
    add_assumption_options(p)
    p.add_argument("--fy", action="append", default=[], metavar="YYYY-YY", help="financial year to show, e.g. 2025-26")
    for f in FILTERS:
        metavar = f.option.lstrip("-").upper().replace("-", "_")  # as argparse names the option itself
        p.add_argument(f.option, dest=f.field, metavar=metavar, action="append", default=[], help=f.help)
    p.add_argument("--table", choices=list(finance.TABLES), default=None, help="with FILE.csv: which table to write")
    p.add_argument(
        "--monitoring-month",
        default=None,
        metavar="YYYY-MM",
        help="budget monitoring's month M (default: the latest month of each year with any actual)",
    )
    p.set_defaults(func=cmd_export_finance)


def request_from_args(con, args: argparse.Namespace) -> finance.FinanceRequest:
    for label in args.fy:
        try:
            financial_year_start(label)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--fy {label!r} is not a financial year written like 2025-26") from None
    filters = PortfolioFilters(**{f.field: tuple(getattr(args, f.field)) for f in FILTERS})
    month = None
    if args.monitoring_month:
        from dashboard.rules.budget import parse_month

        try:
            month = parse_month(args.monitoring_month)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"--monitoring-month {exc}") from None
    return finance.FinanceRequest(assumptions_from_options(con, args), filters, tuple(dict.fromkeys(args.fy)), month)


def cmd_export_finance(args: argparse.Namespace) -> int:
    out: Path | None = args.out
    folder = None  # no --out, or a folder: the file is named for what it holds (file_name)
    if out is None or out.is_dir() or str(out).endswith(("/", os.sep)):
        folder, out = out or Path("."), None
        kind = ".csv" if args.table else ".xlsx"
    else:
        kind = out.suffix.lower()
    if out is not None and kind not in OUTPUT_KINDS:
        print(
            f"error: --out {out}: the file must end .xlsx (Excel workbook), .zip (every table as CSV) or .csv "
            f"(one table, see --table); {out.suffix or 'no extension'} is not supported",
            file=sys.stderr,
        )
        return 2
    if args.table and kind != ".csv":
        print("error: --table only applies to a .csv output", file=sys.stderr)
        return 2
    db_path = Path(args.db) if args.db else db.default_db_path()
    con = db.connect_read_only(db_path)
    try:
        try:
            request = request_from_args(con, args)
        except argparse.ArgumentTypeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        settings = db.query_df(con, "council_settings")
        council = dict(zip(settings["setting"], settings["value"], strict=True)).get("council_name", "")
        sheets = finance.build_finance_sheets(
            con, request, council_name=council, data_source=finance.describe_source(db_path)
        )
    finally:
        con.close()
    unknown = finance.unknown_filter_values(sheets, request)
    if out is None:
        out = folder / finance.file_name(request, kind, args.table)
    # each file is streamed to a temporary file beside it and renamed into place (never half a file)
    if kind == ".xlsx":
        export_files.write_xlsx(sheets, out, finance.workbook_properties(request, council))
    elif kind == ".zip":
        export_files.write_csv_zip(finance.finance_csv_tables(sheets), out, readme=finance.CSV_README)
    else:
        key = args.table or "summary_by_financial_year"
        export_files.write_csv(sheets[list(finance.TABLES).index(key)], out)
    projects = len(sheets[3].frame)
    print(f"Wrote {out}: {plural(projects, 'project')}, as of {long_date(request.assumptions.as_of)}.")
    for message in unknown:
        print(f"warning: {message}", file=sys.stderr)
    return 0
