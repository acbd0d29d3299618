"""The options several commands share (the database, the as-of date and the assumptions) and their value types.

One definition per option, so `metrics`, `cost-of-stopping`, `decide` and `export finance` cannot drift apart
in what --as-of or --scenario means, and one function turns them into the Assumptions every command runs at.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import duckdb

from dashboard.rules.appraisal import Assumptions, reference_assumptions


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


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


def assumptions_from_options(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> Assumptions:
    """The council's reference assumptions, or a saved scenario's (--scenario), with --as-of, --discount-rate
    and --horizon-years on top of either."""
    if getattr(args, "scenario", None):
        from dashboard.rules.scenarios import get_scenario  # only with --scenario: `metrics` starts without it

        assumptions = get_scenario(con, args.scenario).assumptions()
    else:
        assumptions = reference_assumptions(con)
    changes = {}
    for option in ("as_of", "discount_rate", "horizon_years"):
        value = getattr(args, option, None)
        if value is not None:
            changes[option] = value
    return assumptions.with_changes(**changes) if changes else assumptions
