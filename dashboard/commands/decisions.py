"""The decision record from the command line: `decide`, `verify-decisions` and `export decisions`.

There is deliberately no command that changes or deletes a decision: a mistake is put right by a new record
with --corrects. The record's rules (append-only, chained fingerprints, seals, the decision log) are in
dashboard/files/decisions.py; these commands only read their options and say what happened.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from dashboard.commands.options import add_assumption_options, add_db_option, assumptions_from_options
from dashboard.database import db
from dashboard.files import decision_key, decisions
from dashboard.rules import stopping


def add_decide(subparsers) -> None:
    p = subparsers.add_parser(
        "decide",
        help="record a funding decision (append-only; a correction is a new record with --corrects)",
        description=(
            "Append a funding decision to the decision record, with the figures at the time frozen into it. "
            "Records are never changed or deleted: to put one right, record a new decision with --corrects ID."
        ),
    )
    p.add_argument("project_id", metavar="PROJECT_ID")
    p.add_argument("--decision", required=True, help=f"one of: {', '.join(decisions.DECISIONS)}")
    p.add_argument("--effective", required=True, help="date it takes effect (for a stop: the last day), YYYY-MM-DD")
    p.add_argument("--reason", required=True, help=f"reason category, one of: {', '.join(decisions.REASON_CATEGORIES)}")
    p.add_argument("--rationale", required=True, help="why, in plain English (published)")
    p.add_argument("--transition-plan", default=None, help="what happens to the people affected (needed to stop)")
    p.add_argument("--by", required=True, dest="decided_by", help="who decided (kept in the record, not published)")
    p.add_argument("--role", default=None, dest="decided_by_role", help="their role (published)")
    p.add_argument("--evidence", default=None, help="the evidence relied on")
    p.add_argument("--people-affected", default=None, help="default: the project's people reached")
    p.add_argument("--corrects", default=None, metavar="DECISION_ID", help="the earlier decision this one corrects")
    p.add_argument(
        "--exit-costs", default=None, metavar="GBP", help="one-off costs of stopping, paid by the council (default 0)"
    )
    p.add_argument(
        "--request-token",
        default=None,
        metavar="TOKEN",
        help="an id for this request: run again with the same token, it returns the first record instead of a second",
    )
    add_db_option(p)
    add_assumption_options(p)
    p.set_defaults(func=cmd_decide)


def add_verify_decisions(subparsers) -> None:
    p = subparsers.add_parser(
        "verify-decisions",
        help="check the decision record has not been altered: its chain, its seals and the decision log",
    )
    p.add_argument(
        "--published",
        type=Path,
        action="append",
        default=[],
        metavar="REGISTER",
        help="also check the database still holds every decision as in a published register (.csv or .xlsx)",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_verify)


def add_export_decisions(export_subparsers) -> None:
    p = export_subparsers.add_parser(
        "decisions",
        help="the publication register of decisions (.csv or .xlsx; no names; small counts suppressed)",
    )
    p.add_argument("--out", type=Path, required=True, help="register.csv or register.xlsx")
    p.add_argument(
        "--suppress-up-to",
        type=int,
        default=decisions.DEFAULT_SUPPRESS_UP_TO,
        help=f"counts of people from 1 to this are shown as * (default {decisions.DEFAULT_SUPPRESS_UP_TO})",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_export_register)


def cmd_decide(args: argparse.Namespace) -> int:
    entry = decisions.DecisionInput(
        project_id=args.project_id,
        decision=args.decision,
        effective_date=args.effective,
        reason_category=args.reason,
        rationale=args.rationale,
        decided_by=args.decided_by,
        transition_plan=args.transition_plan,
        evidence=args.evidence,
        decided_by_role=args.decided_by_role,
        people_affected=args.people_affected,
        corrects_decision_id=args.corrects,
        exit_costs_gbp=args.exit_costs,
    )
    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_options(con, args)
    finally:
        con.close()
    if args.as_of is None:
        assumptions = assumptions.with_changes(as_of=datetime.now(UTC).date())
    try:
        record = decisions.record_decision(args.db, entry, assumptions, request_token=args.request_token)
    except (decisions.DecisionError, stopping.UnknownProjectError, decision_key.DecisionKeyError) as exc:
        problems = exc.problems if isinstance(exc, decisions.DecisionError) else [str(exc)]
        print("error: the decision was not recorded:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    if decision_key.generated_here is not None:
        print(f"warning: {decision_key.generated_warning(decision_key.generated_here)}", file=sys.stderr)
    print(
        f"Recorded decision {record['decision_id']}: {decisions.DECISIONS[record['decision']].lower()} "
        f"{record['project_id']} ({record['project_name']}) from {record['effective_date'].isoformat()}. "
        f"Report: python -m dashboard report {record['decision_id']} --out {record['decision_id']}.pdf"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        check = decisions.check_record(con)
        for register in args.published:
            try:
                published = decisions.read_published_register(register)
            except (OSError, ValueError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            check.problems += decisions.compare_with_published(con, published, str(register))
            check.notes.append(f"Every decision published in {register} ({len(published):,}) is held as published.")
    except decision_key.DecisionKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if check.problems:
        print("error: the decision record has been altered:", file=sys.stderr)
        for problem in check.problems:
            print(f"  - {problem}", file=sys.stderr)
        print("No decision can be added until this is resolved (README.md, Security and access).", file=sys.stderr)
        return 1
    sealed = check.count - check.legacy_count
    lines = [f"The decision record is intact: {check.count} decisions."]
    if check.count:
        key = check.key
        if key is not None and (sealed or check.sealed):
            lines.append(f"Sealed under key {key.key_id} ({key.source}); the decision log beside the database agrees.")
        else:
            lines.append("None is sealed yet: the next decision seals them.")
        lines.append(decisions.head_sentence(check))
    lines += [f"note: {note}" for note in check.notes]
    print("\n".join(lines))
    return 0


def cmd_export_register(args: argparse.Namespace) -> int:
    from dashboard.files.export_files import write_bytes_atomically

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print(f"error: {args.out} must end .csv or .xlsx", file=sys.stderr)
        return 2
    if args.suppress_up_to < 0:
        print("error: --suppress-up-to cannot be negative", file=sys.stderr)
        return 2
    con = db.connect_read_only(args.db)
    try:
        data = decisions.register_bytes(con, suffix[1:], args.suppress_up_to)
        count = len(decisions.decision_history(con))
    finally:
        con.close()
    write_bytes_atomically(args.out, data)
    print(f"Wrote the decision register ({count} decisions) to {args.out}")
    return 0
