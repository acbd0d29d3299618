"""`python -m dashboard`: the command line the app, the tests and finance automation share.

Every command takes --db PATH; without it the database is $COMMISSIONING_DB, else
data/commissioning.duckdb. Feature modules listed in COMMAND_MODULES add their own
sub-commands with `add_commands(subparsers)`, and kinds of `export` with
`add_export_commands(export_subparsers)` (both optional).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa

from dashboard import db, table_text
from dashboard.appraisal import METRIC_COLUMNS, AssumptionError, project_metrics_table, reference_assumptions
from dashboard.importer import import_folder

# modules that contribute sub-commands with add_commands(subparsers)
COMMAND_MODULES: tuple[str, ...] = (
    "dashboard.scenarios",
    "dashboard.stopping",
    "dashboard.decisions",
    "dashboard.reports",
    "dashboard.finance",
    "dashboard.backup",
)
# the commands (and kinds of export) each adds, so that a command imports only the module it needs: importing
# them all (PDF fonts, openpyxl, ...) cost every command, `metrics` included, about 0.2 s before it started.
# A command not listed here imports them all, so a new command works before it is listed.
MODULE_COMMANDS: dict[str, tuple[str, ...]] = {
    "dashboard.scenarios": ("scenarios",),
    "dashboard.stopping": ("cost-of-stopping",),
    "dashboard.decisions": ("decide", "verify-decisions", "export decisions"),
    "dashboard.reports": ("report",),
    "dashboard.finance": ("export finance",),
    "dashboard.backup": ("backup", "restore"),
}
BUILT_IN_COMMANDS = ("init", "import", "metrics")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, default=None, help="database file (default: $COMMISSIONING_DB or data/commissioning.duckdb)"
    )


def add_assumption_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=iso_date, default=None, help="date the risk is judged at (default today)")
    parser.add_argument("--discount-rate", type=float, default=None, help="Green Book discount rate (default 0.035)")
    parser.add_argument("--horizon-years", type=int, default=None, help="appraisal horizon in years (default 5)")
    parser.add_argument(
        "--scenario",
        default=None,
        metavar="NAME",
        help="a saved scenario (see: scenarios list); --as-of, --discount-rate and --horizon-years override it",
    )


def assumptions_from_args(con, args: argparse.Namespace):
    """The council's reference assumptions, or a saved scenario's, with any options given on top."""
    if getattr(args, "scenario", None):
        from dashboard.scenarios import assumptions_from_cli

        return assumptions_from_cli(con, args)
    assumptions = reference_assumptions(con, args.as_of)
    changes = {}
    if args.discount_rate is not None:
        changes["discount_rate"] = args.discount_rate
    if args.horizon_years is not None:
        changes["horizon_years"] = args.horizon_years
    return assumptions.with_changes(**changes) if changes else assumptions


def write_table(table: pd.DataFrame | pa.Table, fmt: str, out=None, *, order_by: tuple[str, ...] = ()) -> None:
    """Print a table as CSV or JSON (records, ISO dates, null for empty), formatted by DuckDB (table_text).

    CSV as pandas' to_csv wrote it, with formula-safe text; JSON as its to_json(orient="records", indent=2).
    out: a text stream (default stdout; its byte buffer is written when it has one) or a binary file.
    """
    out = out or sys.stdout
    text_format = table_text.RECORDS_JSON if fmt == "json" else table_text.CLI_CSV
    if isinstance(out, io.TextIOBase) and not hasattr(out, "buffer"):  # e.g. StringIO
        data = table_text.to_bytes(table, text_format, order_by=order_by)
        out.write(data.decode("utf-8") + ("\n" if fmt == "json" else ""))
        return
    if isinstance(out, io.TextIOBase):
        out.flush()
        out = out.buffer
    table_text.write(table, out, text_format, order_by=order_by)
    if fmt == "json":
        out.write(b"\n")
    out.flush()


def cmd_init(args: argparse.Namespace) -> int:
    path = args.db or db.default_db_path()
    if path.exists() and not args.force:
        print(
            f"error: {path} already exists ({db.describe_contents(path)}). init would replace it. "
            "Back it up first (python -m dashboard backup) and add --force if you mean it.",
            file=sys.stderr,
        )
        return 2
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
        if args.synthetic is not None:
            from dashboard import synthetic

            added = synthetic.write_portfolio(con, args.synthetic, args.seed)
    if args.synthetic is not None:
        counts = ", ".join(f"{count:,} {name}" for name, count in added.items())
        print(f"Created {path} with a synthetic portfolio (seed {args.seed}): {counts}.")
    elif args.demo:
        result = import_folder(db.DEMO_DIR, path)
        if not result.ok:
            for problem in result.problems:
                print(problem, file=sys.stderr)
            print(f"The demo data failed its checks; {path} holds the schema only.", file=sys.stderr)
            return 1
        print(f"Created {path} with the demo portfolio. {result.summary()}")
    else:
        print(f"Created {path} with an empty portfolio.")
    _retire_decision_log(path)
    return 0


def _retire_decision_log(path: Path) -> None:
    """A new database starts a new decision record: the old log is kept aside, and a lost record is said loudly."""
    from dashboard.decision_anchor import retire

    retired = retire(path)
    if retired is None:
        return
    where, held = retired
    count = len(held.chain)
    print(
        f"warning: the decision log beside {path} recorded {count:,} decision{'s' if count != 1 else ''}; the new "
        f"database holds none, so the log was moved to {where}. If the database was lost rather than replaced on "
        "purpose, restore the newest backup instead (python -m dashboard restore).",
        file=sys.stderr,
    )


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard.import_limits import ImportLimits
    from dashboard.import_sources import import_path
    from dashboard.importer import current_user

    try:
        limits = ImportLimits.from_environment()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    limits = ImportLimits(args.max_mb or limits.max_mb, args.max_rows or limits.max_rows)
    result = import_path(
        args.path,
        args.db,
        format=args.format,
        as_of=args.as_of,
        imported_by=current_user(),
        skip_invalid=args.skip_invalid,
        limits=limits,
    )
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(result.summary(), file=sys.stderr)
        if result.can_skip_invalid:
            noun = result.row_noun or "row"
            print(
                f"To import the {result.sound_rows:,} sound {noun}s and leave out "
                f"{'this' if result.bad_rows == 1 else 'these'} {result.bad_rows:,}, run: "
                f"python -m dashboard import {args.path} --skip-invalid",
                file=sys.stderr,
            )
        return 1
    for left in result.left_out:
        print(f"left out: {left.problem} (Identifier {left.identifier})", file=sys.stderr)
    print(result.summary())
    return 0


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def cmd_metrics(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_args(con, args)
        metrics = project_metrics_table(con, assumptions)  # Arrow, straight to the writer: no pandas frame
    finally:
        con.close()
    columns = [c for c in METRIC_COLUMNS if c in metrics.column_names]
    columns += [c for c in metrics.column_names if c not in columns]
    write_table(metrics.select(columns), args.format, order_by=("project_id",))
    return 0


def modules_for(argv: list[str] | None) -> tuple[str, ...]:
    """The command modules a command line needs: none for a built-in command, the one that adds the command,
    or every one (for --help, a mistyped command, or a command not listed in MODULE_COMMANDS)."""
    words = [a for a in (argv or []) if not a.startswith("-")][:2]
    if not words:
        return COMMAND_MODULES
    if words[0] in BUILT_IN_COMMANDS:
        return ()
    named = " ".join(words)
    for module, commands in MODULE_COMMANDS.items():
        if words[0] in commands or named in commands:
            return (module,)
    return COMMAND_MODULES


def build_parser(modules: tuple[str, ...] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create the database: schema, reference tables and optionally the demo portfolio")
    add_db_option(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--demo", action="store_true", help="load the bundled demo portfolio")
    which.add_argument("--empty", action="store_true", help="no projects")
    which.add_argument("--synthetic", type=int, metavar="N", help="a synthetic portfolio of N projects (benchmarks)")
    p.add_argument("--seed", type=int, default=0, help="random seed for --synthetic (same seed, same portfolio)")
    p.add_argument("--force", action="store_true", help="replace an existing database, decisions and all")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser(
        "import",
        help="load a folder or zip of template CSVs, a template workbook (.xlsx) or a 360Giving file "
        "(CSV, .xlsx, JSON) in one transaction: all rows or none",
    )
    p.add_argument("path", type=Path, help="folder, .zip, .xlsx, .csv or .json")
    add_db_option(p)
    p.add_argument("--format", choices=["template", "360giving"], default=None, help="skip detection")
    p.add_argument("--as-of", type=iso_date, default=None, help="date 360Giving statuses are judged at (default today)")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="360Giving only: import the sound grants and leave out (and list) every grant with a problem",
    )
    p.add_argument(
        "--max-mb",
        type=positive_int,
        default=None,
        metavar="N",
        help="raise the cap on uncompressed data for a trusted bulk load "
        "(default $COMMISSIONING_IMPORT_MAX_MB, else 256)",
    )
    p.add_argument(
        "--max-rows",
        type=positive_int,
        default=None,
        metavar="N",
        help="raise the cap on rows for a trusted bulk load (default $COMMISSIONING_IMPORT_MAX_ROWS, else 2000000)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("metrics", help="one row per project: appraisal and projectitis risk")
    add_db_option(p)
    add_assumption_options(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=cmd_metrics)

    export = sub.add_parser("export", help="write an export file (see the kinds below)")
    export_sub = export.add_subparsers(dest="export_kind", required=True, metavar="KIND")

    for module_name in modules:
        module = importlib.import_module(module_name)
        if hasattr(module, "add_commands"):
            module.add_commands(sub)
        if hasattr(module, "add_export_commands"):
            module.add_export_commands(export_sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(modules_for(argv)).parse_args(argv)
    try:
        return args.func(args)
    except (AssumptionError, db.DatabaseMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `metrics | head`: the reader has what it wanted; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
