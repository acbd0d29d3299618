"""The view a link carries: which scenario, which assumptions, which as-of date, which financial years.

A commissioner shares a view by its address, and "Open" on a project, a bookmark or a colleague's new browser
must show the same figures and say which scenario they come from. One place reads those query parameters and
writes them back, so every page agrees:

    ?scenario=Benefits%2020%25%20lower       a saved scenario by name (none: the Base case)
    &as_of=2026-11-22                        a chosen as-of date (none: today)
    &discount_rate=0.05&horizon_years=10     only what differs from the named scenario (set on the
    &optimism_bias=0,0.05,0.1,0.15,0.25,0.4  Assumptions page), so a custom view is carried exactly
    &cost_factor=1.2&benefit_factor=0.8 ...
    &fy=2025-26&fy=2026-27                   financial years chosen for the finance exports

The Portfolio page's filters (dashboard/rules/filters.py) travel in the same address. Anything in a link that cannot
be used (9999-12-31, a date that does not exist, a scenario nobody saved, a discount rate of 400%) is left out
with a sentence that says what and why, and the page shows its figures without it, never an error.

Plain Python: no streamlit here, so the rules are tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

from dashboard.rules.appraisal import AssumptionError, Assumptions
from dashboard.rules.formatting import financial_year_start, long_date

SCENARIO = "scenario"
AS_OF = "as_of"
YEARS = "fy"
# the date inputs offer this range too; beyond it DuckDB's date arithmetic over a 60-year horizon overflows
AS_OF_RANGE = (date(2000, 1, 1), date(2100, 12, 31))
MAX_YEARS = 100

# Assumptions fields a link may carry, each with how it is read and written
_FLOAT = "float"
_INT = "int"
_SHARES = "shares"
ASSUMPTION_FIELDS = {
    "discount_rate": _FLOAT,
    "horizon_years": _INT,
    "optimism_bias": _SHARES,
    "cost_factor": _FLOAT,
    "benefit_factor": _FLOAT,
    "deadweight_factor": _FLOAT,
    "attribution_factor": _FLOAT,
    "drop_off_factor": _FLOAT,
    "grade_shift": _INT,
}
ASSUMPTION_LABELS = {
    "discount_rate": "discount rate",
    "horizon_years": "horizon",
    "optimism_bias": "optimism-bias table",
    "cost_factor": "cost change",
    "benefit_factor": "benefit change",
    "deadweight_factor": "deadweight change",
    "attribution_factor": "attribution change",
    "drop_off_factor": "drop-off change",
    "grade_shift": "confidence-grade shift",
}
PARAMS = (SCENARIO, AS_OF, YEARS, *ASSUMPTION_FIELDS)


@dataclass(frozen=True)
class View:
    """What a link asks for, checked: the scenario it starts from, the assumptions, the financial years."""

    scenario: str
    assumptions: Assumptions
    financial_years: tuple[str, ...] = ()
    as_of_chosen: bool = False  # False: "as of today", which moves with the calendar
    problems: tuple[str, ...] = ()


def _first(params: Mapping, key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    values = list(value)
    return values[-1] if values else None


def _all(params: Mapping, key: str) -> list[str]:
    value = params.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _shown(text: str, limit: int = 40) -> str:
    """A value from a link, quoted for a message: printable and short."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")


def parse_as_of(text: str | None) -> tuple[date | None, str | None]:
    """A link's as-of date and, if it cannot be used, why (the page then works as of today)."""
    if text is None or text == "":
        return None, None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        return None, f"The as-of date in the link, {_shown(text)}, is not a date written like 2026-11-22"
    low, high = AS_OF_RANGE
    if not low <= value <= high:
        return None, (
            f"The as-of date in the link, {long_date(value)}, is outside the dates the dashboard works with "
            f"({long_date(low)} to {long_date(high)})"
        )
    return value, None


def _parse_field(name: str, text: str):
    kind = ASSUMPTION_FIELDS[name]
    if kind == _SHARES:
        values = tuple(float(part) for part in text.split(","))
        if not all(math.isfinite(v) for v in values):
            raise ValueError(text)
        return values
    if kind == _INT:
        number = float(text)
        if not number.is_integer():
            raise ValueError(text)
        return int(number)
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _format_field(name: str, value) -> str:
    kind = ASSUMPTION_FIELDS[name]
    if kind == _SHARES:
        return ",".join(f"{float(v):g}" for v in value)
    if kind == _INT:
        return str(int(value))
    return f"{float(value):g}"


def read_link(params: Mapping, scenarios: Mapping[str, object], base_case: str, today: date) -> View:
    """The view a link's query parameters ask for.

    params: query parameter name -> value or list of values. scenarios: name -> an object with
    `assumptions(today)` (dashboard.rules.scenarios.Scenario), including the Base case under base_case.
    """
    problems: list[str] = []
    name = _first(params, SCENARIO)
    if name and name not in scenarios:
        problems.append(f"The link names a scenario, {_shown(name)}, that is not saved here; the Base case is used")
        name = None
    name = name or base_case
    as_of, problem = parse_as_of(_first(params, AS_OF))
    if problem:
        problems.append(problem + "; figures are as of today")
    try:
        assumptions = scenarios[name].assumptions(today)
    except AssumptionError as exc:  # a stored scenario that no longer passes the checks
        problems.append(f"The scenario {_shown(name)} cannot be used ({exc}); the Base case is used")
        name = base_case
        assumptions = scenarios[name].assumptions(today)
    scenario_as_of = assumptions.as_of
    if as_of is not None:
        assumptions = assumptions.with_changes(as_of=as_of)
    for field_name in ASSUMPTION_FIELDS:
        text = _first(params, field_name)
        if text is None or text == "":
            continue
        label = ASSUMPTION_LABELS[field_name]
        try:
            value = _parse_field(field_name, text)
        except (ValueError, TypeError, OverflowError):
            problems.append(f"The {label} in the link, {_shown(text)}, is not a number the dashboard can use")
            continue
        try:
            candidate = assumptions.with_changes(**{field_name: value})
        except AssumptionError as exc:
            problems.append(f"The {label} in the link, {_shown(text)}, cannot be used: {exc}")
            continue
        assumptions = candidate
    years, bad_years = [], []
    for label in _all(params, YEARS):
        try:
            financial_year_start(label)
        except ValueError:
            bad_years.append(label)
            continue
        if label not in years:
            years.append(label)
    if bad_years:
        shown = ", ".join(_shown(y) for y in bad_years[:3])
        problems.append(f"The financial years in the link include {shown}, not written like 2025-26; left out")
    return View(
        scenario=name,
        assumptions=assumptions,
        financial_years=tuple(sorted(years)[:MAX_YEARS]),
        as_of_chosen=as_of is not None and as_of != scenario_as_of,
        problems=tuple(p + "." for p in problems),
    )


def link_params(view: View, scenario_assumptions: Assumptions, base_case: str) -> dict[str, object]:
    """The query parameters that reproduce view: the scenario, then only what differs from it.

    scenario_assumptions: the named scenario's own assumptions (as of today unless it fixes a date).
    """
    out: dict[str, object] = {}
    if view.scenario != base_case:
        out[SCENARIO] = view.scenario
    if view.as_of_chosen:
        out[AS_OF] = view.assumptions.as_of.isoformat()
    for field_name in ASSUMPTION_FIELDS:
        value = getattr(view.assumptions, field_name)
        if value != getattr(scenario_assumptions, field_name):
            out[field_name] = _format_field(field_name, value)
    if view.financial_years:
        out[YEARS] = list(view.financial_years)
    return out


def differs_from(assumptions: Assumptions, scenario_assumptions: Assumptions) -> list[str]:
    """Which assumptions (other than the as-of date) differ from the scenario's, by label."""
    return [
        ASSUMPTION_LABELS[f.name]
        for f in fields(Assumptions)
        if f.name in ASSUMPTION_FIELDS and getattr(assumptions, f.name) != getattr(scenario_assumptions, f.name)
    ]


def with_assumptions(view: View, assumptions: Assumptions, scenario_assumptions: Assumptions) -> View:
    """view at new assumptions (the Assumptions page, the as-of date): the scenario stays its starting point."""
    return replace(view, assumptions=assumptions, as_of_chosen=assumptions.as_of != scenario_assumptions.as_of)


def with_scenario(view: View, name: str, scenario_assumptions: Assumptions) -> View:
    """view switched to a scenario: its assumptions exactly, as of its own date (or today)."""
    return replace(view, scenario=name, assumptions=scenario_assumptions, as_of_chosen=False)


def with_years(view: View, years: Sequence[str]) -> View:
    return replace(view, financial_years=tuple(sorted(dict.fromkeys(years))))
