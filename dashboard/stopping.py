"""The cost of stopping a project: what a council saves, what it and others lose, and whether it is a false economy.

Councils rarely say what stopping a project costs. Stopping something that saves more than it costs
("being led by delivering savings can be self-defeating") should be visible before it happens, so this
works out, for a project and a stop date, over the rest of its appraisal window and by the same
appraisal rules (it aggregates the macro appraisal_line_months, see queries/cost_of_stopping.sql):

- costs saved: the present value of the project's costs in the months lost;
- benefits lost: the present value of its benefits in those months, split by who receives them, so the
  part that returns to the council's own adult social care budget is plain (returning_to_council_gbp);
- the net effect (costs saved less benefits lost) and a false-economy flag when benefits lost exceed
  costs saved, with a sentence that says so in pounds;
- the undiscounted amounts in the first month lost ("£1,500 a month returns to the council's budget").

The stop date is the last day the project runs. Money moves in whole months in the appraisal, so the
month the stop date falls in counts as delivered and paid for, and every month starting after it is lost:
stopping on 30 June 2025, the last day of funding, loses July 2025 onwards. By default the stop date is
the end of the project's latest secured funding.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import date

import duckdb
import pandas as pd

from dashboard import db
from dashboard.appraisal import Assumptions
from dashboard.formatting import gbp, long_date, month_label, to_date

AGENCY_LABELS = {
    "council_asc": "the council's adult social care budget",
    "nhs": "the NHS",
    "dwp": "the Department for Work and Pensions",
    "individual": "the people who use the service",
    "carer": "unpaid carers",
    "other": "other organisations",
}

# short labels for charts and tables
AGENCY_SHORT_LABELS = {
    "council_asc": "Council adult social care",
    "nhs": "NHS",
    "dwp": "DWP",
    "individual": "People who use the service",
    "carer": "Unpaid carers",
    "other": "Other organisations",
}


class UnknownProjectError(LookupError):
    pass


@dataclass(frozen=True)
class CostOfStopping:
    """The cost of stopping one project after stop_date; money in pounds, present values unless named monthly."""

    project_id: str
    project_name: str
    stop_date: date
    is_default_stop_date: bool
    first_lost_month_date: date
    window_last_month_date: date | None
    months_left_in_window: int
    costs_saved_gbp: float
    benefits_lost_gbp: float
    net_effect_gbp: float
    returning_to_council_gbp: float
    costs_saved_undiscounted_gbp: float
    benefits_lost_undiscounted_gbp: float
    costs_saved_monthly_gbp: float
    benefits_lost_monthly_gbp: float
    returning_to_council_monthly_gbp: float
    people_affected: int
    false_economy: bool
    benefits_lost_by_agency: dict[str, float] = field(default_factory=dict)
    benefits_lost_monthly_by_agency: dict[str, float] = field(default_factory=dict)

    @property
    def nothing_left(self) -> bool:
        return self.costs_saved_gbp == 0 and self.benefits_lost_gbp == 0

    def sentence(self) -> str:
        """The plain-English verdict, in pounds."""
        return false_economy_sentence(self)

    def to_dict(self) -> dict:
        """JSON-ready: ISO dates, money rounded to pence."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, date):
                out[key] = value.isoformat()
        out["sentence"] = self.sentence()
        return out

    def agency_frame(self) -> pd.DataFrame:
        """One row per beneficiary agency: benefits lost (present value) and in the first month lost."""
        rows = [
            {
                "beneficiary_agency": agency,
                "who": AGENCY_SHORT_LABELS.get(agency, agency),
                "benefits_lost_gbp": amount,
                "benefits_lost_monthly_gbp": self.benefits_lost_monthly_by_agency.get(agency, 0.0),
            }
            for agency, amount in self.benefits_lost_by_agency.items()
        ]
        columns = ["beneficiary_agency", "who", "benefits_lost_gbp", "benefits_lost_monthly_gbp"]
        return pd.DataFrame(rows, columns=columns)


def _params(project_id: str | None, assumptions: Assumptions, stop_date: date | None) -> dict:
    return {**assumptions.query_params(), "project_id": project_id, "stop_date": stop_date}


def _date_or_none(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return to_date(value)


def cost_of_stopping(
    con: duckdb.DuckDBPyConnection, project_id: str, assumptions: Assumptions, stop_date: date | None = None
) -> CostOfStopping:
    """The cost of stopping project_id after stop_date (default: the end of its latest secured funding)."""
    params = _params(project_id, assumptions, stop_date)
    totals = db.query_df(con, "cost_of_stopping", params)
    if totals.empty:
        raise UnknownProjectError(f"There is no project with the id {project_id!r}")
    row = totals.iloc[0]
    agencies = db.query_df(con, "cost_of_stopping_by_agency", params)
    return CostOfStopping(
        project_id=str(row["project_id"]),
        project_name=str(row["name"]),
        stop_date=to_date(row["stop_date"]),
        is_default_stop_date=bool(row["is_default_stop_date"]),
        first_lost_month_date=to_date(row["first_lost_month_date"]),
        window_last_month_date=_date_or_none(row["window_last_month_date"]),
        months_left_in_window=int(row["months_left_in_window"]),
        costs_saved_gbp=float(row["costs_saved_gbp"]),
        benefits_lost_gbp=float(row["benefits_lost_gbp"]),
        net_effect_gbp=round(float(row["net_effect_gbp"]), 2),
        returning_to_council_gbp=float(row["returning_to_council_gbp"]),
        costs_saved_undiscounted_gbp=float(row["costs_saved_undiscounted_gbp"]),
        benefits_lost_undiscounted_gbp=float(row["benefits_lost_undiscounted_gbp"]),
        costs_saved_monthly_gbp=float(row["costs_saved_monthly_gbp"]),
        benefits_lost_monthly_gbp=float(row["benefits_lost_monthly_gbp"]),
        returning_to_council_monthly_gbp=float(row["returning_to_council_monthly_gbp"]),
        people_affected=int(row["people_affected"]),
        false_economy=bool(row["false_economy"]),
        benefits_lost_by_agency={
            str(a): float(v) for a, v in zip(agencies["beneficiary_agency"], agencies["benefits_lost_gbp"], strict=True)
        },
        benefits_lost_monthly_by_agency={
            str(a): float(v)
            for a, v in zip(agencies["beneficiary_agency"], agencies["benefits_lost_monthly_gbp"], strict=True)
        },
    )


def false_economy_sentence(c: CostOfStopping) -> str:
    """'Stopping it on 30 June 2025 would save £0 … a false economy.' plus who bears the loss."""
    when = f"Stopping the project on {long_date(c.stop_date)}"
    if c.nothing_left:
        return (
            f"{when} would neither save nor lose anything: it has no costs or benefits left in its appraisal "
            f"window after {month_label(c.stop_date)}."
        )
    saves = f"would save {gbp(c.costs_saved_gbp)} in project costs"
    loses = f"lose {gbp(c.benefits_lost_gbp)} of benefits"
    if c.false_economy:
        text = (
            f"{when} {saves} but {loses}, so it would cost {gbp(-c.net_effect_gbp)} more than it saves: "
            "a false economy."
        )
    elif c.net_effect_gbp > 0:
        text = f"{when} {saves} and {loses}, a net saving of {gbp(c.net_effect_gbp)}: not a false economy."
    else:
        text = f"{when} {saves} and {loses}: it would save as much as it loses."
    if c.returning_to_council_gbp > 0:
        monthly = c.returning_to_council_monthly_gbp
        text += f" Of the benefits lost, {gbp(c.returning_to_council_gbp)} would come back to the council's own "
        text += "adult social care budget"
        text += f" ({gbp(monthly)} a month at first)." if monthly > 0 else "."
    return text


def window_phrase(c: CostOfStopping) -> str:
    """'from July 2025 to May 2030, in present values' — the period the figures cover."""
    if c.window_last_month_date is None or c.months_left_in_window == 0:
        return "after the end of its appraisal window, so nothing is counted"
    return (
        f"from {month_label(c.first_lost_month_date)} to {month_label(c.window_last_month_date)} "
        "(the rest of its appraisal window), in present values"
    )


# command line -------------------------------------------------------------------------------------


def add_commands(subparsers) -> None:
    from dashboard.cli import add_assumption_options, add_db_option, iso_date

    p = subparsers.add_parser(
        "cost-of-stopping",
        help="what stopping a project saves and loses, and who bears it",
        description=(
            "The cost of stopping a project after a stop date (the last day it runs; default: the end of its "
            "latest secured funding). Every month that starts after the stop date is lost."
        ),
    )
    p.add_argument("project_id", metavar="PROJECT_ID")
    p.add_argument("--stop-date", type=iso_date, default=None, help="last day the project runs, YYYY-MM-DD")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    add_db_option(p)
    add_assumption_options(p)
    p.set_defaults(func=cmd_cost_of_stopping)


def cmd_cost_of_stopping(args: argparse.Namespace) -> int:
    from dashboard.cli import assumptions_from_args
    from dashboard.export_files import csv_bytes

    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_args(con, args)
        result = cost_of_stopping(con, args.project_id, assumptions, args.stop_date)
    except UnknownProjectError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    data = result.to_dict()
    if args.format == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        flat = {k: v for k, v in data.items() if not isinstance(v, dict)}
        for agency, amount in result.benefits_lost_by_agency.items():
            flat[f"benefits_lost_{agency}_gbp"] = amount
        sys.stdout.buffer.write(csv_bytes(pd.DataFrame([flat])))
    return 0
