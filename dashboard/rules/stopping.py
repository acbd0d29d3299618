"""The cost of stopping a project as stop against continue: what continuing costs and buys, and what stopping loses.

Councils rarely say what stopping a project costs, and a saving that loses more than it saves ("being led
by delivering savings can be self-defeating") should be visible before it happens. Both courses are
appraised over the same comparison window, the horizon's months after the stop month, by the appraisal's
own rules (queries/cost_of_stopping.sql over the macro appraisal_line_pvs, views continue and stop):

- continuing: every running line carries on at its monthly amount; lines that start later run as planned;
- stopping: no project costs after the stop date except one-off exit costs, and each benefit lasts only its
  persistence (the drumkit is his: stopping the project does not take it away).

From those come the costs avoided (by who pays them), the benefits lost (by who receives them), the net
saving, the council's own budget (council-paid costs avoided against the council's cashable savings lost,
also in the first month), and the two false-economy flags: for the public purse as a whole and for the council.

The stop date is the last day the project runs: the month it falls in counts as delivered and paid for, so
stopping on 30 June 2025 compares July 2025 onwards. By default it is the end of the project's latest funding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from dashboard.database import db
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import gbp, long_date, month_label, to_date

# short labels for charts and tables
AGENCY_SHORT_LABELS = {
    "council_asc": "Council adult social care",
    "nhs": "NHS",
    "dwp": "DWP",
    "individual": "People who use the service",
    "carer": "Unpaid carers",
    "other": "Other organisations",
}

# who else gains from a project, as a sentence names them
WIDER_AGENCY_NAMES = {
    "nhs": "the NHS",
    "dwp": "the Department for Work and Pensions",
    "individual": "the people who use the service",
    "carer": "unpaid carers",
    "other": "other organisations",
}


class UnknownProjectError(LookupError):
    pass


@dataclass(frozen=True)
class CostOfStopping:
    """Stopping one project after stop_date against continuing it; money in pounds, present values unless named."""

    project_id: str
    project_name: str
    stop_date: date
    is_default_stop_date: bool
    window_start_date: date  # the first month of the comparison window (the month after the stop month)
    window_last_month_date: date
    horizon_years: int
    people_affected: int
    exit_costs_gbp: float
    continue_costs_gbp: float
    continue_benefits_gbp: float
    stop_benefits_gbp: float
    continue_costs_first_month_gbp: float
    costs_avoided_gbp: float
    benefits_lost_gbp: float
    net_saving_gbp: float
    council_costs_avoided_gbp: float
    council_cashable_benefits_lost_gbp: float
    returning_to_council_first_month_gbp: float
    false_economy: bool
    false_economy_for_council: bool
    nothing_to_stop: bool
    costs_avoided_by_payer: dict[str, float] = field(default_factory=dict)
    benefits_lost_by_agency: dict[str, float] = field(default_factory=dict)
    benefits_lost_first_month_by_agency: dict[str, float] = field(default_factory=dict)

    @property
    def wider_benefits_lost_gbp(self) -> float:
        """Benefits lost to everyone but the council's adult social care budget (the NHS, DWP, people, carers)."""
        return round(sum(v for k, v in self.benefits_lost_by_agency.items() if k != "council_asc"), 2)

    def sentence(self) -> str:
        """The plain-English verdict, in pounds, leading with what continuing costs and buys."""
        return " ".join(verdict_sentences(self))

    def to_dict(self) -> dict:
        """JSON-ready: ISO dates, money in pounds to the penny."""
        out = {
            "project_id": self.project_id,
            "project_name": self.project_name,
            "stop_date": self.stop_date.isoformat(),
            "is_default_stop_date": self.is_default_stop_date,
            "window_start_date": self.window_start_date.isoformat(),
            "window_last_month_date": self.window_last_month_date.isoformat(),
            "horizon_years": self.horizon_years,
            "people_affected": self.people_affected,
            "exit_costs_gbp": self.exit_costs_gbp,
            "continue_costs_gbp": self.continue_costs_gbp,
            "continue_benefits_gbp": self.continue_benefits_gbp,
            "stop_benefits_gbp": self.stop_benefits_gbp,
            "costs_avoided_gbp": self.costs_avoided_gbp,
            "benefits_lost_gbp": self.benefits_lost_gbp,
            "net_saving_gbp": self.net_saving_gbp,
            "costs_avoided_by_payer": dict(self.costs_avoided_by_payer),
            "benefits_lost_by_agency": dict(self.benefits_lost_by_agency),
            "council_costs_avoided_gbp": self.council_costs_avoided_gbp,
            "council_cashable_benefits_lost_gbp": self.council_cashable_benefits_lost_gbp,
            "returning_to_council_first_month_gbp": self.returning_to_council_first_month_gbp,
            "false_economy": self.false_economy,
            "false_economy_for_council": self.false_economy_for_council,
            "nothing_to_stop": self.nothing_to_stop,
        }
        out["sentences"] = verdict_sentences(self)
        out["sentence"] = " ".join(out["sentences"])
        return out

    def agency_frame(self) -> pd.DataFrame:
        """One row per agency: costs avoided (by who pays) and benefits lost (by who receives), in present value."""
        agencies = list(dict.fromkeys([*self.costs_avoided_by_payer, *self.benefits_lost_by_agency]))
        rows = [
            {
                "agency": agency,
                "who": AGENCY_SHORT_LABELS.get(agency, agency),
                "costs_avoided_gbp": self.costs_avoided_by_payer.get(agency, 0.0),
                "benefits_lost_gbp": self.benefits_lost_by_agency.get(agency, 0.0),
                "benefits_lost_first_month_gbp": self.benefits_lost_first_month_by_agency.get(agency, 0.0),
            }
            for agency in agencies
        ]
        columns = ["agency", "who", "costs_avoided_gbp", "benefits_lost_gbp", "benefits_lost_first_month_gbp"]
        return pd.DataFrame(rows, columns=columns)


def _params(project_id: str | None, assumptions: Assumptions, stop_date: date | None, exit_costs_gbp: float) -> dict:
    return {
        **assumptions.query_params(),
        "project_id": project_id,
        "stop_date": stop_date,
        "exit_costs_gbp": exit_costs_gbp,
    }


def cost_of_stopping(
    con: duckdb.DuckDBPyConnection,
    project_id: str,
    assumptions: Assumptions,
    stop_date: date | None = None,
    exit_costs_gbp: float = 0.0,
) -> CostOfStopping:
    """Stopping project_id after stop_date (default: the end of its latest funding) against continuing it."""
    if exit_costs_gbp < 0:
        raise ValueError("Exit costs cannot be negative")
    params = _params(project_id, assumptions, stop_date, round(float(exit_costs_gbp), 2))
    totals = db.query_df(con, "cost_of_stopping", params)
    if totals.empty:
        raise UnknownProjectError(f"There is no project with the id {project_id!r}")
    row = totals.iloc[0]
    agencies = db.query_df(
        con, "cost_of_stopping_by_agency", {k: v for k, v in params.items() if k != "exit_costs_gbp"}
    )
    costs = agencies[agencies["side"] == "cost"]
    benefits = agencies[agencies["side"] == "benefit"]
    exit_costs = float(row["exit_costs_gbp"])
    by_payer = {str(a): float(v) for a, v in zip(costs["agency"], costs["amount_gbp"], strict=True)}
    if exit_costs:  # the council pays the exit costs, so they come off what it avoids
        by_payer["council_asc"] = round(by_payer.get("council_asc", 0.0) - exit_costs, 2)
    return CostOfStopping(
        project_id=str(row["project_id"]),
        project_name=str(row["name"]),
        stop_date=to_date(row["stop_date"]),
        is_default_stop_date=bool(row["is_default_stop_date"]),
        window_start_date=to_date(row["window_start_date"]),
        window_last_month_date=to_date(row["window_last_month_date"]),
        horizon_years=int(assumptions.horizon_years),
        people_affected=int(row["people_affected"]),
        exit_costs_gbp=exit_costs,
        continue_costs_gbp=float(row["continue_costs_gbp"]),
        continue_benefits_gbp=float(row["continue_benefits_gbp"]),
        stop_benefits_gbp=float(row["stop_benefits_gbp"]),
        continue_costs_first_month_gbp=float(row["continue_costs_first_month_gbp"]),
        costs_avoided_gbp=float(row["costs_avoided_gbp"]),
        benefits_lost_gbp=float(row["benefits_lost_gbp"]),
        net_saving_gbp=float(row["net_saving_gbp"]),
        council_costs_avoided_gbp=float(row["council_costs_avoided_gbp"]),
        council_cashable_benefits_lost_gbp=float(row["council_cashable_benefits_lost_gbp"]),
        returning_to_council_first_month_gbp=float(row["returning_to_council_first_month_gbp"]),
        false_economy=bool(row["false_economy"]),
        false_economy_for_council=bool(row["false_economy_for_council"]),
        nothing_to_stop=bool(row["nothing_to_stop"]),
        costs_avoided_by_payer=by_payer,
        benefits_lost_by_agency={
            str(a): float(v) for a, v in zip(benefits["agency"], benefits["amount_gbp"], strict=True) if v != 0
        },
        benefits_lost_first_month_by_agency={
            str(a): float(v) for a, v in zip(benefits["agency"], benefits["first_month_gbp"], strict=True) if v != 0
        },
    )


def window_phrase(c: CostOfStopping) -> str:
    """'over the 5 years from July 2025 to June 2030, in present values' — the period the figures cover."""
    years = f"{c.horizon_years} year{'s' if c.horizon_years != 1 else ''}"
    return (
        f"over the {years} from {month_label(c.window_start_date)} to {month_label(c.window_last_month_date)}, "
        "in present values"
    )


def verdict_sentences(c: CostOfStopping) -> list[str]:
    """Three sentences: continuing against what it buys; the council's budget; the wider public and social value."""
    when = f"after {long_date(c.stop_date)}"
    if c.nothing_to_stop:
        first = (
            f"There is nothing to stop {when}: the project has no running costs then and none planned later, "
            "so stopping it would save nothing."
        )
        if c.benefits_lost_gbp > 0:
            first += f" Its benefits ({gbp(c.benefits_lost_gbp)} in present value) are expected to fade anyway."
        elif c.continue_benefits_gbp > 0:
            first += f" Its benefits carry on ({gbp(c.continue_benefits_gbp)} in present value {window_phrase(c)})."
        return [first]
    sentences = [
        f"Continuing {when} would cost {gbp(c.continue_costs_gbp)} and bring {gbp(c.continue_benefits_gbp)} of "
        f"benefits {window_phrase(c)}; stopping would avoid {gbp(c.costs_avoided_gbp)}"
        + (f" (after {gbp(c.exit_costs_gbp)} of exit costs)" if c.exit_costs_gbp else "")
        + f" and lose {gbp(c.benefits_lost_gbp)} of them, "
        + (
            f"a net loss of {gbp(-c.net_saving_gbp)}: a false economy."
            if c.false_economy
            else f"a net saving of {gbp(c.net_saving_gbp)}."
            if c.net_saving_gbp > 0
            else "saving as much as it loses."
        )
    ]
    council = (
        f"For the council's adult social care budget, stopping would avoid {gbp(c.council_costs_avoided_gbp)} of "
        f"council-paid costs and lose {gbp(c.council_cashable_benefits_lost_gbp)} of cashable savings"
    )
    if c.returning_to_council_first_month_gbp > 0:
        council += f" ({gbp(c.returning_to_council_first_month_gbp)} back on its budget in the first month)"
    council += ": a false economy for the council." if c.false_economy_for_council else "."
    sentences.append(council)
    wider = {k: v for k, v in c.benefits_lost_by_agency.items() if k in WIDER_AGENCY_NAMES and v > 0}
    if wider:
        parts = [f"{gbp(v)} to {WIDER_AGENCY_NAMES[k]}" for k, v in wider.items()]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        sentences.append(f"Beyond the council, stopping would lose {joined}.")
    else:
        sentences.append("Beyond the council, no public or social value would be lost.")
    return sentences
