"""`python -m dashboard`: the command line the app, the tests and finance automation share.

Every command takes --db PATH; without it the database is $COMMISSIONING_DB, else
data/commissioning.duckdb. Feature modules listed in COMMAND_MODULES add their own
sub-commands with `add_commands(subparsers)`, and kinds of `export` with
`add_export_commands(export_subparsers)` (both optional).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard import db
from dashboard.appraisal import METRIC_COLUMNS, AssumptionError, project_metrics, reference_assumptions
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


def write_table(frame: pd.DataFrame, fmt: str, out=None) -> None:
    """Print a table as CSV or JSON (records, ISO dates, null for empty)."""
    out = out or sys.stdout
    if fmt == "csv":
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, list | tuple) or hasattr(v, "tolist")).any():
                frame[column] = frame[column].map(lambda v: "; ".join(map(str, list(v))))
    if fmt == "json":
        frame = frame.copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        out.write(frame.to_json(orient="records", date_format="iso", indent=2))
        out.write("\n")
    else:
        frame.to_csv(out, index=False, lineterminator="\n")


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
    from dashboard.import_sources import import_path
    from dashboard.importer import current_user

    result = import_path(args.path, args.db, format=args.format, as_of=args.as_of, imported_by=current_user())
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(result.summary(), file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_args(con, args)
        metrics = project_metrics(con, assumptions)
    finally:
        con.close()
    columns = METRIC_COLUMNS + [c for c in metrics.columns if c not in METRIC_COLUMNS]
    write_table(metrics[columns].sort_values("project_id", kind="stable"), args.format)
    return 0


def build_parser() -> argparse.ArgumentParser:
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
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("metrics", help="one row per project: appraisal and projectitis risk")
    add_db_option(p)
    add_assumption_options(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=cmd_metrics)

    export = sub.add_parser("export", help="write an export file (see the kinds below)")
    export_sub = export.add_subparsers(dest="export_kind", required=True, metavar="KIND")

    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        if hasattr(module, "add_commands"):
            module.add_commands(sub)
        if hasattr(module, "add_export_commands"):
            module.add_export_commands(export_sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (AssumptionError, db.DatabaseMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
