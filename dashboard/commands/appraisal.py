"""The commands that print figures: `metrics` (every project's appraisal and risk) and `cost-of-stopping`.

Both read the database only, at the assumptions the shared options give (commands/options.py); the figures
come from dashboard/rules/appraisal.py and stopping.py, so the command line prints what the pages show.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from dashboard.commands.options import add_assumption_options, add_db_option, assumptions_from_options, iso_date
from dashboard.commands.output import write_table
from dashboard.database import db
from dashboard.rules.appraisal import METRIC_COLUMNS, project_metrics_table


def add_metrics(subparsers) -> None:
    p = subparsers.add_parser("metrics", help="one row per project: appraisal and projectitis risk")
    add_db_option(p)
    add_assumption_options(p)
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=cmd_metrics)


def cmd_metrics(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_options(con, args)
        metrics = project_metrics_table(con, assumptions)  # Arrow, straight to the writer: no pandas frame
    finally:
        con.close()
    columns = [c for c in METRIC_COLUMNS if c in metrics.column_names]
    columns += [c for c in metrics.column_names if c not in columns]
    write_table(metrics.select(columns), args.format, order_by=("project_id",))
    return 0


def add_cost_of_stopping(subparsers) -> None:
    p = subparsers.add_parser(
        "cost-of-stopping",
        help="what stopping a project saves and loses, and who bears it",
        description=(
            "The cost of stopping a project after a stop date (the last day it runs; default: the end of its "
            "latest funding), as stopping against continuing over the horizon's months after the stop month."
        ),
    )
    p.add_argument("project_id", metavar="PROJECT_ID")
    p.add_argument("--stop-date", type=iso_date, default=None, help="last day the project runs, YYYY-MM-DD")
    p.add_argument(
        "--exit-costs", type=float, default=0.0, metavar="GBP", help="one-off costs of stopping, paid by the council"
    )
    p.add_argument("--format", choices=["json", "csv"], default="json")
    add_db_option(p)
    add_assumption_options(p)
    p.set_defaults(func=cmd_cost_of_stopping)


def cmd_cost_of_stopping(args: argparse.Namespace) -> int:
    from dashboard.files.export_files import csv_bytes
    from dashboard.rules import stopping  # here, not above: metrics starts without it

    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_options(con, args)
        result = stopping.cost_of_stopping(con, args.project_id, assumptions, args.stop_date, args.exit_costs)
    except (stopping.UnknownProjectError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    data = result.to_dict()
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
        for agency, amount in result.costs_avoided_by_payer.items():
            flat[f"costs_avoided_{agency}_gbp"] = amount
        for agency, amount in result.benefits_lost_by_agency.items():
            flat[f"benefits_lost_{agency}_gbp"] = amount
        sys.stdout.buffer.write(csv_bytes(pd.DataFrame([flat])))
    return 0
