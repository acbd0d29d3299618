"""How sure are we? Tornado figures, switching values and a pessimistic break-even count.

Few published social-return studies test how sensitive their answer is, yet a commissioner deciding
whether to keep funding a project needs to know whether its case survives pessimistic assumptions.

Every figure here is the appraisal SQL (queries/project_present_values.sql, the same macro and
rounding as the project metrics) re-run with one input moved: each case runs once for every project
at once, so the portfolio count costs no more than one project's chart. Switching values need no
re-runs: present value is linear in the cost and benefit multipliers, so the fall in benefits (or
rise in costs) at which NPV reaches zero is exactly NPV / PV benefit (or NPV / PV cost).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard.database import db
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import gbp, percent

DEFAULT_SWING = 0.20  # ±20% on costs, benefits, deadweight, attribution and drop-off
GRADE_STEP = 1  # confidence grades moved by ±1 (lower grade number = more confidence)
DISCOUNT_RATE_CASES = (0.015, 0.05)
HORIZON_CASES = (1, 10)

TORNADO_COLUMNS = [
    "project_id",
    "input",
    "input_label",
    "low_setting",
    "high_setting",
    "base_npv_gbp",
    "npv_low_gbp",
    "npv_high_gbp",
    "worst_npv_gbp",
    "best_npv_gbp",
    "swing_gbp",
]


@dataclass(frozen=True)
class Case:
    """One tornado bar: an input, its low and high setting in words, and the assumptions for each."""

    key: str
    label: str
    low_setting: str
    high_setting: str
    low: Assumptions
    high: Assumptions


def _signed_percent(share: float) -> str:
    return ("+" if share > 0 else "−" if share < 0 else "") + percent(abs(share))


def tornado_cases(base: Assumptions, swing: float = DEFAULT_SWING) -> list[Case]:
    """The low and high case of every key input around the base assumptions.

    Multipliers move by ±swing relative to the base (a scenario that already trims benefits by 10%
    is moved from there); confidence grades by ±1 (kept within the allowed shift); the discount rate
    and the horizon take the fixed Green Book test values 1.5% / 5% and 1 / 10 years.
    """
    if not 0 < swing < 1:
        raise ValueError("The swing must be a share between 0 and 1, for example 0.2 for ±20%")
    low_label, high_label = _signed_percent(-swing), _signed_percent(swing)

    def factor_case(key: str, label: str, attribute: str) -> Case:
        value = getattr(base, attribute)
        return Case(
            key,
            label,
            low_label,
            high_label,
            base.with_changes(**{attribute: value * (1 - swing)}),
            base.with_changes(**{attribute: value * (1 + swing)}),
        )

    grade_low = max(-5, base.grade_shift - GRADE_STEP)
    grade_high = min(5, base.grade_shift + GRADE_STEP)
    low_rate, high_rate = DISCOUNT_RATE_CASES
    short, long_ = HORIZON_CASES
    return [
        factor_case("costs", "Costs", "cost_factor"),
        factor_case("benefits", "Benefits", "benefit_factor"),
        factor_case("deadweight", "Deadweight (would have happened anyway)", "deadweight_factor"),
        factor_case("attribution", "Attribution to others", "attribution_factor"),
        factor_case("drop_off", "Drop-off each year", "drop_off_factor"),
        Case(
            "optimism_bias",
            "Optimism bias (confidence grade)",
            "one grade more confident",
            "one grade less confident",
            base.with_changes(grade_shift=grade_low),
            base.with_changes(grade_shift=grade_high),
        ),
        Case(
            "discount_rate",
            "Discount rate",
            percent(low_rate, 1),
            percent(high_rate, 1),
            base.with_changes(discount_rate=low_rate),
            base.with_changes(discount_rate=high_rate),
        ),
        Case(
            "horizon",
            "Appraisal horizon",
            f"{short} year",
            f"{long_} years",
            base.with_changes(horizon_years=short),
            base.with_changes(horizon_years=long_),
        ),
    ]


def present_values(
    con: duckdb.DuckDBPyConnection, assumptions: Assumptions, project_id: str | None = None
) -> pd.DataFrame:
    """One row per project (or just project_id): present values and NPV, whole life and forward (forward_*)."""
    params = assumptions.query_params()
    params["project_id"] = project_id
    return db.query_df(con, "project_present_values", params)


def tornado(
    con: duckdb.DuckDBPyConnection,
    base: Assumptions,
    swing: float = DEFAULT_SWING,
    project_id: str | None = None,
) -> pd.DataFrame:
    """One row per project and input: NPV at the input's low and high setting beside the base NPV.

    Rows of each project are ordered by swing (the widest bar first), as a tornado chart draws them.
    """
    base_pv = present_values(con, base, project_id)[["project_id", "npv_gbp"]]
    base_pv = base_pv.rename(columns={"npv_gbp": "base_npv_gbp"})
    parts = []
    for case in tornado_cases(base, swing):
        low = present_values(con, case.low, project_id)[["project_id", "npv_gbp"]]
        high = present_values(con, case.high, project_id)[["project_id", "npv_gbp"]]
        frame = base_pv.merge(low.rename(columns={"npv_gbp": "npv_low_gbp"}), on="project_id")
        frame = frame.merge(high.rename(columns={"npv_gbp": "npv_high_gbp"}), on="project_id")
        frame.insert(1, "input", case.key)
        frame.insert(2, "input_label", case.label)
        frame.insert(3, "low_setting", case.low_setting)
        frame.insert(4, "high_setting", case.high_setting)
        parts.append(frame)
    if not parts or base_pv.empty:
        return pd.DataFrame(columns=TORNADO_COLUMNS)
    result = pd.concat(parts, ignore_index=True)
    result["worst_npv_gbp"] = result[["npv_low_gbp", "npv_high_gbp"]].min(axis=1)
    result["best_npv_gbp"] = result[["npv_low_gbp", "npv_high_gbp"]].max(axis=1)
    result["swing_gbp"] = (result["npv_high_gbp"] - result["npv_low_gbp"]).abs().round(2)
    result = result.sort_values(["project_id", "swing_gbp"], ascending=[True, False], kind="stable")
    return result[TORNADO_COLUMNS].reset_index(drop=True)


# ------------------------------------------------------------------ switching values


@dataclass(frozen=True)
class SwitchingValues:
    """The change that brings NPV to zero, as a share of today's figure (None when no change can).

    benefit_change_share < 0 means benefits can fall by that much; > 0 that they must rise.
    cost_change_share > 0 means costs can rise by that much; < 0 that they must fall.
    """

    npv_gbp: float
    pv_cost_gbp: float
    pv_benefit_gbp: float
    benefit_change_share: float | None
    cost_change_share: float | None


def switching_values(pv_cost_gbp: float, pv_benefit_gbp: float) -> SwitchingValues:
    """Exact switching values: NPV is linear in the benefit and cost multipliers.

    NPV(k) = k·PVb − PVc is zero at k = PVc / PVb, a change of (PVc − PVb) / PVb = −NPV / PVb.
    Likewise costs reach break-even at a change of NPV / PVc.
    """
    pv_cost = float(pv_cost_gbp or 0)
    pv_benefit = float(pv_benefit_gbp or 0)
    npv = round(pv_benefit - pv_cost, 2)
    benefit_change = -npv / pv_benefit if pv_benefit > 0 else None
    cost_change = npv / pv_cost if pv_cost > 0 else None
    return SwitchingValues(npv, pv_cost, pv_benefit, benefit_change, cost_change)


def _share(value: float) -> str:
    """A change as a percentage that never overclaims: 99.6% is not rounded up to 100%."""
    value = abs(value)
    if value >= 10:
        return f"{value * 100:,.0f}%"  # percent() has no thousands separator
    text = percent(value)
    if text in ("100%", "0%") and value not in (0, 1):
        text = percent(value, 1)
    return text


def switching_sentences(values: SwitchingValues) -> list[str]:
    """The switching values in plain English, benefits first."""
    npv = values.npv_gbp
    if values.pv_cost_gbp == 0 and values.pv_benefit_gbp == 0:
        return ["No costs or benefits are recorded for this project yet, so there is nothing to test."]
    if npv == 0:
        return ["This project exactly breaks even: any fall in benefits or rise in costs would tip it into a loss."]
    sentences = []
    b, c = values.benefit_change_share, values.cost_change_share
    if npv > 0:
        if b is not None:
            sentences.append(
                f"Benefits could fall by {_share(b)} ({gbp(npv)} in present value) "
                "before this project stops paying for itself."
            )
        if c is not None:
            sentences.append(
                f"Costs could rise by {_share(c)} ({gbp(npv)} in present value) before this project stops paying "
                "for itself."
            )
        else:
            sentences.append("It records no costs, so no rise in costs from nothing can be tested.")
    else:
        if b is not None:
            sentences.append(
                f"Benefits would need to rise by {_share(b)} ({gbp(-npv)} in present value) "
                "for this project to pay for itself."
            )
        else:
            return [
                "It records no benefits in pounds, so it cannot pay for itself in pounds at any cost: "
                "its case rests on outcomes that are not money."
            ]
        if c is not None:
            sentences.append(
                f"Or costs would need to fall by {_share(c)} ({gbp(-npv)} in present value) for it to pay for itself."
            )
    return sentences


# ------------------------------------------------------------------ portfolio resilience


def pessimistic_assumptions(base: Assumptions, swing: float = DEFAULT_SWING) -> Assumptions:
    """Every tornado input at its unfavourable end at once, except discount rate and horizon.

    Costs up and benefits down by the swing, deadweight, attribution and drop-off up by it, and every
    confidence grade one step less sure (more optimism bias). Discount rate and horizon stay as chosen,
    because which end of those is unfavourable differs from project to project.
    """
    return base.with_changes(
        cost_factor=base.cost_factor * (1 + swing),
        benefit_factor=base.benefit_factor * (1 - swing),
        deadweight_factor=base.deadweight_factor * (1 + swing),
        attribution_factor=base.attribution_factor * (1 + swing),
        drop_off_factor=base.drop_off_factor * (1 + swing),
        grade_shift=min(5, base.grade_shift + GRADE_STEP),
    )


@dataclass(frozen=True)
class BreakEvenCount:
    projects: int
    above_at_base: int
    above_when_pessimistic: int
    stay_above: int  # above break-even in both cases
    fall_below: tuple[str, ...]  # project_ids above at base but not when pessimistic

    def sentence(self, swing: float = DEFAULT_SWING) -> str:
        if self.projects == 0:
            return "There are no projects to test."
        if self.above_at_base == 0:
            return "No project pays for itself at the chosen assumptions, so none can stay above break-even."
        return (
            f"{self.stay_above:,} of the {self.above_at_base:,} projects that pay for themselves at the chosen "
            f"assumptions stay above break-even under a pessimistic scenario (costs and benefits {percent(swing)} "
            f"worse, more deadweight, attribution and drop-off, and one confidence grade less sure)."
        )


def count_break_even(
    at_base: pd.DataFrame,
    at_worst: pd.DataFrame,
    project_ids: list[str] | None = None,
    npv_column: str = "forward_npv_gbp",
) -> BreakEvenCount:
    """Count from two present_values frames (base and pessimistic), optionally only for project_ids.

    By default a project pays for itself when its forward NPV (what continuing costs and returns from the
    as-of month) is positive; npv_column="npv_gbp" counts over projects' whole lives instead.
    """
    if project_ids is not None:
        wanted = set(project_ids)
        at_base = at_base[at_base["project_id"].isin(wanted)]
        at_worst = at_worst[at_worst["project_id"].isin(wanted)]
    above_base = set(at_base.loc[at_base[npv_column] > 0, "project_id"])
    above_worst = set(at_worst.loc[at_worst[npv_column] > 0, "project_id"])
    return BreakEvenCount(
        projects=len(at_base),
        above_at_base=len(above_base),
        above_when_pessimistic=len(above_worst),
        stay_above=len(above_base & above_worst),
        fall_below=tuple(sorted(above_base - above_worst)),
    )


def break_even_count(
    con: duckdb.DuckDBPyConnection,
    base: Assumptions,
    pessimistic: Assumptions | None = None,
    project_ids: list[str] | None = None,
) -> BreakEvenCount:
    """How many projects have a positive NPV at base and under the pessimistic scenario.

    project_ids limits the count (for example to the Portfolio page's filtered projects).
    """
    pessimistic = pessimistic or pessimistic_assumptions(base)
    return count_break_even(present_values(con, base), present_values(con, pessimistic), project_ids)
