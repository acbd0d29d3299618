"""`scenarios list | save | delete`: the council's named sets of assumptions, from the command line.

Saving and deleting go through dashboard/rules/scenarios.py, which keeps the Base case fixed; any command that takes
the shared assumption options (commands/options.py) can then run at a saved one with --scenario NAME.
"""

from __future__ import annotations

import argparse
import sys

from dashboard.commands.options import add_db_option, iso_date
from dashboard.commands.output import write_table
from dashboard.database import db
from dashboard.rules import scenarios


def _bias(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not six numbers separated by commas") from None
    if len(values) != 6:
        raise argparse.ArgumentTypeError("the optimism-bias table needs six shares, grades 1 to 6, e.g. 0,0.05,...")
    return values


def add_scenarios(subparsers) -> None:
    p = subparsers.add_parser("scenarios", help="list, save or delete named scenarios (the Base case is fixed)")
    sub = p.add_subparsers(dest="scenarios_action", required=True, metavar="ACTION")

    q = sub.add_parser("list", help="every scenario, the Base case first")
    add_db_option(q)
    q.add_argument("--format", choices=["csv", "json"], default="csv")
    q.set_defaults(func=_cmd_list)

    q = sub.add_parser("save", help="save a scenario: unspecified settings are the Base case's")
    q.add_argument("name")
    add_db_option(q)
    q.add_argument("--description", default="")
    q.add_argument("--discount-rate", type=float, default=None, help="e.g. 0.015")
    q.add_argument("--horizon-years", type=int, default=None)
    q.add_argument(
        "--as-of", type=iso_date, default=None, help="a fixed as-of date (default: whichever day it is used)"
    )
    q.add_argument("--optimism-bias", type=_bias, default=None, help="six shares for grades 1-6, e.g. 0,0.05,0.1,...")
    for attribute, label in scenarios.SHIFT_LABELS.items():
        q.add_argument(
            "--" + attribute.replace("_", "-"),
            type=float,
            default=1.0,
            help=f"multiply every {label} figure by this (default 1; 0.8 means 20%% lower)",
        )
    q.add_argument("--grade-shift", type=int, default=0, help="add this to every confidence grade (+1 = less sure)")
    q.add_argument("--replace", action="store_true", help="overwrite a saved scenario of the same name")
    q.set_defaults(func=_cmd_save)

    q = sub.add_parser("delete", help="delete a saved scenario")
    q.add_argument("name")
    add_db_option(q)
    q.set_defaults(func=_cmd_delete)


def _cmd_list(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        frame = scenarios.scenarios_frame(scenarios.list_scenarios(con))
    finally:
        con.close()
    write_table(frame, args.format)
    return 0


def _cmd_save(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        base = scenarios.base_case(con)
    finally:
        con.close()
    scenario = scenarios.Scenario(
        name=args.name,
        description=args.description,
        discount_rate=base.discount_rate if args.discount_rate is None else args.discount_rate,
        horizon_years=base.horizon_years if args.horizon_years is None else args.horizon_years,
        optimism_bias=base.optimism_bias if args.optimism_bias is None else args.optimism_bias,
        as_of_date=args.as_of,
        grade_shift=args.grade_shift,
        **{attribute: getattr(args, attribute) for attribute in scenarios.SHIFT_LABELS},
    )
    try:
        stored = scenarios.save_scenario(scenario, args.db, replace=args.replace)
    except scenarios.ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Saved scenario {stored.name!r}: {stored.describe()}.")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    try:
        scenarios.delete_scenario(args.name, args.db)
    except scenarios.ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Deleted scenario {args.name!r}.")
    return 0
