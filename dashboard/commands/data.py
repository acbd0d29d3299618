"""The commands that make, fill and keep the database: init, import, backup and restore.

They are the only commands that replace the database file; each says what it did, or why it did nothing, in
words a council officer can act on. The work itself is in dashboard/files/importer.py, import_sources.py, synthetic.py
and backup.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.commands.options import add_db_option, iso_date, positive_int
from dashboard.database import db
from dashboard.files.importer import import_folder
from dashboard.rules import appraisal  # noqa: F401 (appraisal: its before-commit hook stores the figures)


def add_init(subparsers) -> None:
    p = subparsers.add_parser(
        "init", help="create the database: schema, reference tables and optionally the demo portfolio"
    )
    add_db_option(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--demo", action="store_true", help="load the bundled demo portfolio")
    which.add_argument("--empty", action="store_true", help="no projects")
    which.add_argument("--synthetic", type=int, metavar="N", help="a synthetic portfolio of N projects (benchmarks)")
    p.add_argument("--seed", type=int, default=0, help="random seed for --synthetic (same seed, same portfolio)")
    p.add_argument("--force", action="store_true", help="replace an existing database, decisions and all")
    p.set_defaults(func=cmd_init)


def add_import(subparsers) -> None:
    p = subparsers.add_parser(
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


def add_backup(subparsers) -> None:
    p = subparsers.add_parser("backup", help="write a consistent copy of the database and a manifest into a folder")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new or empty folder for the backup")
    add_db_option(p)
    p.set_defaults(func=cmd_backup)


def add_refresh_figures(subparsers) -> None:
    p = subparsers.add_parser(
        "refresh-figures",
        help="store every project's figures at the council's reference assumptions for this month, so pages and "
        "metrics read them rather than work them out (after an upgrade, and on the first of each month)",
        description=(
            "Every write stores each project's appraisal and funding figures at the reference assumptions for its "
            "month. A database last written in an earlier month, or by an earlier version of the appraisal, has "
            "none that hold today, so every page view and metrics run works them out (about 6 s against about 1 s "
            "at a million projects). This writes nothing but those figures, and nothing at all when they already "
            "hold. Safe to run from a scheduler on the first of each month."
        ),
    )
    add_db_option(p)
    p.set_defaults(func=cmd_refresh_figures)


def cmd_refresh_figures(args: argparse.Namespace) -> int:
    from datetime import date

    path = db.resolve_db_path(args.db)
    if not path.is_file():
        print(f"error: no database at {path}", file=sys.stderr)
        return 2
    today = date.today()
    con = db.connect_read_only(path)
    try:
        reference = appraisal.reference_assumptions(con, today)
        current = (
            appraisal.figures_source(con, reference) == appraisal.STORED_FIGURES
            and appraisal.funding_source(con, today) == appraisal.STORED_FUNDING
        )
    finally:
        con.close()
    if current:
        print(f"The stored figures of {path} already hold for {today:%B %Y} at the reference assumptions.")
        return 0
    with db.write_database(path):
        pass  # the appraisal's before-commit hook stores the figures for the data as it is, this month
    print(f"Stored the figures of {path} for {today:%B %Y} at the reference assumptions.")
    return 0


def add_restore(subparsers) -> None:
    p = subparsers.add_parser("restore", help="check a backup folder and swap it in as the database")
    p.add_argument("backup_dir", type=Path, metavar="DIR", help="a folder written by the backup command")
    p.add_argument(
        "--accept-loss",
        action="store_true",
        help="restore a backup older than the decision record, losing the decisions recorded since (the decision "
        "log records the loss)",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_restore)


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
            from dashboard.files import synthetic

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
    from dashboard.files.decision_anchor import retire

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
    from dashboard.files.import_limits import ImportLimits
    from dashboard.files.import_sources import import_path
    from dashboard.files.importer import current_user

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


def cmd_backup(args: argparse.Namespace) -> int:
    from dashboard.files import backup, decision_key  # here, not above: init, import and metrics start without them

    try:
        manifest = backup.backup(args.db, args.out)
    except (backup.BackupError, decision_key.DecisionKeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = sum(manifest["tables"].values())
    print(
        f"Backed up {manifest['source']} to {Path(args.out) / backup.BACKUP_FILE}: {rows:,} rows in "
        f"{len(manifest['tables'])} tables, {manifest['decisions']:,} decisions; SHA-256 {manifest['sha256']}."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from dashboard.files import backup, decision_anchor, decision_key

    target = args.db or db.default_db_path()
    try:
        done = backup.restore(args.backup_dir, target, accept_loss=args.accept_loss)
    except (backup.BackupError, decision_key.DecisionKeyError) as exc:
        print(f"error: {exc}. Nothing was restored.", file=sys.stderr)
        return 2
    manifest, kept = done.manifest, done.kept
    if decision_key.generated_here is not None:
        print(f"warning: {decision_key.generated_warning(decision_key.generated_here)}", file=sys.stderr)
    print(
        f"Restored {target} from the backup of {manifest['created_at_utc']} "
        f"({manifest['decisions']:,} decisions)." + (f" The database it replaced is kept as {kept}." if kept else "")
    )
    if done.lost:
        print(
            f"warning: {decision_anchor.join_and(done.lost)} {'was' if len(done.lost) == 1 else 'were'} lost, as "
            "accepted with --accept-loss; the decision log records it, and those ids will not be used again"
            + (f". The replaced database, with them, is kept as {kept}." if kept else "."),
            file=sys.stderr,
        )
    return 0
