"""Why a project scores as it does: each projectitis factor's points and a plain-English sentence.

The points come from queries/project_appraisal.sql; this module only puts them into words, so the
explanation can never disagree with the score.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.rules.formatting import gbp, long_date, months, percent, score

# (factor key in ref_projectitis_weights, column in the metrics query)
FACTORS = (
    ("funding_runway", "risk_funding_runway_points"),
    ("short_term_funding", "risk_short_term_funding_points"),
    ("funder_concentration", "risk_funder_concentration_points"),
    ("no_exit_plan", "risk_no_exit_plan_points"),
    ("weak_evidence", "risk_weak_evidence_points"),
    ("little_coproduction", "risk_little_coproduction_points"),
    ("poor_value", "risk_poor_value_points"),
)

LABELS = {
    "funding_runway": "Funding runway",
    "short_term_funding": "Short-term funding",
    "funder_concentration": "Reliance on one funder",
    "no_exit_plan": "No exit or mainstreaming plan",
    "weak_evidence": "Weak evidence",
    "little_coproduction": "Little co-production",
    "poor_value": "Poor value for money",
}

BAND_LABELS = {"low": "Low risk", "medium": "Medium risk", "high": "High risk"}


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    points: float
    reason: str


def _value(row, column):
    value = row.get(column) if hasattr(row, "get") else row[column]
    return None if value is None or (not isinstance(value, list | tuple) and pd.isna(value)) else value


def factor_reasons(row) -> list[Factor]:
    """Every factor with its points and the fact behind them, largest first."""
    if _value(row, "projectitis_score") is None:
        return []
    needs = bool(_value(row, "needs_funding"))
    recurrent = bool(_value(row, "has_active_recurrent_funding"))
    active = float(_value(row, "active_funding_gbp") or 0)
    runway = int(_value(row, "runway_months") or 0)
    end = _value(row, "latest_active_funding_end")
    non_recurrent = _value(row, "non_recurrent_share")
    largest = _value(row, "largest_funder")
    largest_share = _value(row, "largest_funder_share")
    funder_count = int(_value(row, "active_funder_count") or 0)
    evidence = int(_value(row, "evidence_level"))
    copro = int(_value(row, "coproduction_level"))
    bcr = _value(row, "bcr")

    reasons = {}
    if not needs:
        reasons["funding_runway"] = "it has no running costs left to fund"
    elif recurrent:
        reasons["funding_runway"] = "it has recurrent (core) funding in place"
    elif active == 0:
        reasons["funding_runway"] = "it has running costs but no funding in place"
    else:
        reasons["funding_runway"] = f"its funding ends on {long_date(end)}, in {months(runway)}"

    if not needs:
        reasons["short_term_funding"] = "it needs no further funding"
    elif non_recurrent is None:
        reasons["short_term_funding"] = "no funding is in place"
    else:
        reasons["short_term_funding"] = f"{percent(non_recurrent)} of its current funding is time-limited"

    if not needs:
        reasons["funder_concentration"] = "it needs no further funding"
    elif largest_share is None:
        reasons["funder_concentration"] = "no funder is in place"
    elif funder_count == 1:
        reasons["funder_concentration"] = f"it relies on one funder, {largest}"
    else:
        reasons["funder_concentration"] = (
            f"{largest} provides {percent(largest_share)} of its funding, across {funder_count} funders"
        )

    reasons["no_exit_plan"] = (
        "it has an exit or mainstreaming plan" if _value(row, "has_exit_plan") else "there is no exit plan"
    )
    reasons["weak_evidence"] = f"its evidence is at level {evidence} of 5 on the Nesta Standards of Evidence"
    reasons["little_coproduction"] = f"co-production is at level {copro} of 4"
    if bcr is None:
        reasons["poor_value"] = "its benefits cannot be set against a cost"
    else:
        reasons["poor_value"] = f"it returns {gbp(bcr, pence=True)} for every £1 it costs"

    factors = [Factor(key, LABELS[key], float(_value(row, column) or 0), reasons[key]) for key, column in FACTORS]
    return sorted(factors, key=lambda f: -f.points)


def _funding_phrase(row) -> str:
    active = float(_value(row, "active_funding_gbp") or 0)
    runway = int(_value(row, "runway_months") or 0)
    funder_count = int(_value(row, "active_funder_count") or 0)
    non_recurrent = _value(row, "non_recurrent_share")
    if active == 0:
        return "it has running costs but no funding in place"
    if funder_count == 1 and non_recurrent == 1:
        subject = f"its only funding, a time-limited award from {_value(row, 'largest_funder')},"
    elif non_recurrent == 1:
        subject = "all its funding is time-limited and"
    else:
        subject = "its funding"
    when = "this month" if runway == 0 else f"in {months(runway)}"
    return f"{subject} ends {when}"


def risk_sentence(row) -> str:
    """One sentence a commissioner can read aloud, e.g.
    "High risk: its only funding, a time-limited award from X, ends in 2 months and there is no exit plan."
    """
    band = _value(row, "projectitis_band")
    if band is None:
        status = _value(row, "status") or "closed"
        return f"Not scored: the project is {status}, so it no longer faces the end of its funding."
    factors = [f for f in factor_reasons(row) if f.points > 0]
    parts = []
    for factor in factors[:3]:
        if factor.key in ("funding_runway", "short_term_funding", "funder_concentration"):
            phrase = _funding_phrase(row)
        else:
            phrase = factor.reason
        if phrase not in parts:
            parts.append(phrase)
    if not parts:
        return f"{BAND_LABELS[band]}: nothing points to the project folding when its funding ends."
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{BAND_LABELS[band]} ({score(_value(row, 'projectitis_score'))} out of 100): {body}."
