"""The portfolio metrics computed the way an analyst would in pandas, as the benchmark's baseline.

Why it exists: the claim "the SQL appraisal is N times faster" is only honest against a fair,
straightforward alternative that gives the same numbers. This is that alternative: read the template and
reference tables into DataFrames, expand every cost and benefit line into one row per month of each view's
window (whole life and from now), apply the Green Book / GMCA rules to those rows (vectorised), group by
project, and work out fiscal payback from each project's running totals and the projectitis risk from its
funding chain with groupby and merges. Projects are processed in chunks so a million projects fit in memory,
as an analyst would do once the monthly table no longer fits.

It is written from the rules as README.md states them ("How the figures are worked out" and "Projectitis
risk"), not from the SQL, and is read as a second statement of the method: each rule is a few lines under a
comment quoting it. tests/test_pandas_baseline.py holds it equal, column by column and to the penny, to
dashboard.rules.appraisal.project_metrics, so the speed comparison compares like with like and the two statements of
the method check each other. Where they disagree (which cost lines count as "running costs left"), the baseline
follows README.md and the test marks the disagreement as an expected failure that names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.database.schema import FISCAL_BENEFIT_TYPES, OPEN_STATUSES
from dashboard.rules.appraisal import Assumptions

CHUNK_PROJECTS = 50_000
VIEWS = ("whole_life", "forward")  # "was it worth it" and "what continuing costs and returns"
PER_MONTH = {"once": 1.0, "weekly": 52 / 12, "monthly": 1.0, "annual": 1 / 12}

WHOLE_LIFE_COLUMNS = [
    "pv_cost_gbp",
    "pv_benefit_gbp",
    "pv_fiscal_benefit_gbp",
    "npv_gbp",
    "bcr",
    "fiscal_bcr",
    "cost_per_person_gbp",
]
FORWARD_COLUMNS = [
    "forward_pv_cost_gbp",
    "forward_pv_benefit_gbp",
    "forward_pv_fiscal_benefit_gbp",
    "forward_npv_gbp",
    "forward_bcr",
    "forward_fiscal_bcr",
]
RISK_POINT_COLUMNS = [  # in the order the score adds them up
    "risk_funding_runway_points",
    "risk_short_term_funding_points",
    "risk_funder_concentration_points",
    "risk_no_exit_plan_points",
    "risk_weak_evidence_points",
    "risk_little_coproduction_points",
    "risk_poor_value_points",
]
RISK_FACT_COLUMNS = [  # the facts behind the points, as the Project page states them
    "needs_funding",
    "has_active_recurrent_funding",
    "active_funding_gbp",
    "non_recurrent_share",
    "largest_funder",
    "largest_funder_share",
    "active_funder_count",
    "latest_active_funding_end",
    "runway_months",
]
METRIC_COLUMNS = [
    *WHOLE_LIFE_COLUMNS,
    *FORWARD_COLUMNS,
    "fiscal_payback_months",
    "projectitis_score",
    "projectitis_band",
    *RISK_POINT_COLUMNS,
    *RISK_FACT_COLUMNS,
]


@dataclass
class Tables:
    projects: pd.DataFrame
    funding: pd.DataFrame
    costs: pd.DataFrame
    benefits: pd.DataFrame
    discount_rates: pd.DataFrame
    gdp_deflators: pd.DataFrame
    council: pd.DataFrame
    weights: pd.DataFrame
    runway: pd.DataFrame
    bands: pd.DataFrame


def load_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """Every table the metrics need, as DataFrames (money as float, dates as datetime64)."""

    def frame(table: str) -> pd.DataFrame:
        return con.sql("select * from " + table).df()  # noqa: S608 - fixed table names

    tables = Tables(
        projects=frame("projects"),
        funding=frame("funding"),
        costs=frame("costs"),
        benefits=frame("benefits"),
        discount_rates=frame("ref_discount_rates"),
        gdp_deflators=frame("ref_gdp_deflators"),
        council=frame("ref_council"),
        weights=frame("ref_projectitis_weights"),
        runway=frame("ref_projectitis_runway"),
        bands=frame("ref_projectitis_bands"),
    )
    for t in (tables.funding, tables.costs, tables.benefits):
        t["amount_gbp"] = t["amount_gbp"].astype(float)
    return tables


# --- small helpers ------------------------------------------------------------------------------------------


def month_number(dates: pd.Series) -> pd.Series:
    """Calendar months since year 0 (a difference of two is a count of months); NaN for a missing date."""
    return dates.dt.year * 12 + dates.dt.month - 1


def round_half_up(values: pd.Series | np.ndarray, digits: int) -> np.ndarray:
    """Money as the dashboard rounds it: noise beyond 6 decimal places dropped, then halves away from zero."""
    x = np.asarray(values, dtype=float)
    micro = np.rint(x * 1e6)
    step = 10 ** (6 - digits)
    whole = np.floor((np.abs(micro) + step // 2) / step)
    return np.sign(micro) * whole / 10**digits


def round_half_away(values: pd.Series | np.ndarray, digits: int) -> np.ndarray:
    """Plain rounding, halves away from zero (the projectitis score to one decimal place)."""
    x = np.asarray(values, dtype=float) * 10**digits
    return np.sign(x) * np.floor(np.abs(x) + 0.5) / 10**digits


# --- reference figures --------------------------------------------------------------------------------------


def discount_factors(tables: Tables, assumptions: Assumptions) -> dict[bool, np.ndarray]:
    """The discount factor of each window year 0..horizon-1, for standard lines (False) and health lines (True).

    "A month in year t is multiplied by the product of 1 / (1 + rate) over years 1 to t", each year's rate from
    the Green Book schedule it falls in; "a rate chosen on the Assumptions page scales the standard schedule only".
    """
    schedule = tables.discount_rates
    years = np.arange(assumptions.horizon_years)
    band = [schedule.index[(schedule["from_year"] <= y) & (y <= schedule["to_year"])][0] for y in years]
    standard = schedule.loc[band, "rate"].to_numpy() * assumptions.discount_rate / schedule["rate"].iloc[0]
    health = schedule.loc[band, "health_rate"].to_numpy()
    factors = {}
    for is_health, rates in ((False, standard), (True, health)):
        yearly = np.where(years == 0, 1.0, 1 / (1 + rates))  # year 0 is not discounted
        factors[is_health] = np.cumprod(yearly)
    return factors


def to_price_base(tables: Tables) -> pd.Series:
    """Financial year -> the factor converting its prices to the council's price base year.

    "amount x index[base year] / index[price year]", with HM Treasury's GDP deflator by financial year.
    """
    settings = tables.council.set_index("setting")["value"]
    index = tables.gdp_deflators.set_index("financial_year")["index"]
    return index[settings["price_base_year"]] / index


# --- the lines ----------------------------------------------------------------------------------------------


def stage_lines(tables: Tables, a: Assumptions) -> pd.DataFrame:
    """One row per cost or benefit line: its period in month numbers, its monthly amount in the council's price
    base after the scenario shifts, optimism bias, deadweight and attribution, and the share it keeps each year
    after drop-off."""
    costs = tables.costs
    benefits = tables.benefits
    lines = pd.concat(
        [
            pd.DataFrame(
                {
                    "project_id": costs["project_id"],
                    "is_cost": True,
                    "is_fiscal": False,
                    "is_health_value": False,
                    "amount_gbp": costs["amount_gbp"],
                    "frequency": costs["frequency"],
                    "start_date": costs["start_date"],
                    "end_date": costs["end_date"],
                    "price_year": costs["price_year"],
                    "confidence_grade": costs["confidence_grade"],
                    "deadweight_share": 0.0,
                    "attribution_others_share": 0.0,
                    "drop_off_rate": 0.0,
                    "persistence_months": 0,
                }
            ),
            pd.DataFrame(
                {
                    "project_id": benefits["project_id"],
                    "is_cost": False,
                    "is_fiscal": benefits["benefit_type"].isin(FISCAL_BENEFIT_TYPES),
                    # blank = false: not valued in QALYs or WELLBYs
                    "is_health_value": benefits["is_health_value"].fillna(False).astype(bool),
                    "amount_gbp": benefits["amount_gbp"],
                    "frequency": benefits["frequency"],
                    "start_date": benefits["start_date"],
                    "end_date": benefits["end_date"],
                    "price_year": benefits["price_year"],
                    "confidence_grade": benefits["confidence_grade"],
                    "deadweight_share": benefits["deadweight_share"],
                    "attribution_others_share": benefits["attribution_others_share"],
                    "drop_off_rate": benefits["drop_off_rate"],
                    # blank = 0: benefits end with the project
                    "persistence_months": benefits["persistence_months"].fillna(0).astype(int),
                }
            ),
        ],
        ignore_index=True,
    )
    # projects are numbered by their row in the projects table (grouping by a number is quicker than by text)
    lines["project"] = pd.Index(tables.projects["project_id"]).get_indexer(lines["project_id"])
    is_cost = lines["is_cost"].to_numpy(bool)

    # Line periods: "A line starts in the month of its start date; a one-off line ends there. A line with an end
    # date ends in that month. A cost line with no end date ends in the month of its project's planned end date;
    # a benefit line with no end date ends persistence_months after that month. With no planned end date either,
    # both run to the end of the window being appraised" (NaN here: open).
    planned_end = month_number(tables.projects["end_date"]).to_numpy()[lines["project"]]
    lines["start_month"] = month_number(lines["start_date"])
    lines["end_month"] = np.select(
        [lines["frequency"] == "once", lines["end_date"].notna(), is_cost],
        [lines["start_month"], month_number(lines["end_date"]), planned_end],
        planned_end + lines["persistence_months"],
    )

    # Monthly model: once -> the amount in its start month; weekly -> x 52 / 12; monthly -> x 1; annual -> / 12
    monthly = lines["amount_gbp"] * lines["frequency"].map(PER_MONTH)

    # Prices: amounts with a price_year are converted to the price base year (blank = already in it)
    factors = to_price_base(tables)
    price_years = lines["price_year"].dropna()
    unknown = sorted(set(price_years) - set(factors.index))
    if unknown:
        raise ValueError(f"No GDP deflator for price years {unknown}; the table has {list(factors.index)}")
    monthly = monthly * lines["price_year"].map(factors).fillna(1.0)

    # Scenario shifts, then optimism bias by confidence grade: costs x (1 + bias), benefits x (1 - bias); benefits
    # also x (1 - deadweight) x (1 - attribution to others)
    monthly = monthly * np.where(is_cost, a.cost_factor, a.benefit_factor)
    grade = np.clip(lines["confidence_grade"] + a.grade_shift, 1, 6).astype(int)
    bias = np.array(a.optimism_bias)[grade - 1]
    deadweight = np.minimum(1.0, lines["deadweight_share"] * a.deadweight_factor)
    attribution = np.minimum(1.0, lines["attribution_others_share"] * a.attribution_factor)
    lines["monthly_gbp"] = np.where(
        is_cost, monthly * (1 + bias), monthly * (1 - bias) * (1 - deadweight) * (1 - attribution)
    )
    # Drop-off: benefits x (1 - drop-off) ^ k, k the whole years since the line's own start month
    lines["kept_share"] = 1 - np.minimum(1.0, lines["drop_off_rate"] * a.drop_off_factor)
    return lines[
        [
            "project_id",
            "project",
            "is_cost",
            "is_fiscal",
            "is_health_value",
            "amount_gbp",
            "start_month",
            "end_month",
            "monthly_gbp",
            "kept_share",
        ]
    ]


def appraisal_starts(tables: Tables, lines: pd.DataFrame) -> np.ndarray:
    """Each project's whole-life window start (a month number, by project number): the month of the earliest of
    its start date and its lines' start dates."""
    own_start = month_number(tables.projects["start_date"])
    first_line = lines.groupby("project")["start_month"].min().reindex(own_start.index)
    return np.fmin(own_start, first_line).to_numpy(int)


def line_months(lines: pd.DataFrame, window_start: np.ndarray, window_months: int, factors) -> pd.DataFrame:
    """One row per line per month of a window (window_start by project number, 12 x horizon months long) in which
    the line runs: month 0-based in the window, the adjusted amount and its present value."""
    start = window_start[lines["project"].to_numpy()]
    line_first = lines["start_month"].to_numpy(int) - start  # negative: started before the window
    first = np.maximum(line_first, 0)  # earlier months are left out
    last = np.minimum(lines["end_month"].fillna(np.inf).to_numpy() - start, window_months - 1)  # open: to the end
    count = np.where(first <= last, last - first + 1, 0).astype(int)

    row = np.repeat(np.arange(len(lines)), count)
    # the months of each line, counted from its first: 0, 1, 2, ... restarting at every line
    within = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    month = first[row] + within
    years_since_line_start = (month - line_first[row]) // 12
    adjusted = lines["monthly_gbp"].to_numpy()[row] * lines["kept_share"].to_numpy()[row] ** years_since_line_start
    # Year t of a window is its months 12t to 12t + 11; health-value lines use the health schedule
    year = month // 12
    is_health = lines["is_health_value"].to_numpy(bool)[row]
    discount = np.where(is_health, factors[True][year], factors[False][year])
    return pd.DataFrame(
        {
            "project": lines["project"].to_numpy()[row],
            "month": month,
            "is_cost": lines["is_cost"].to_numpy(bool)[row],
            "is_fiscal": lines["is_fiscal"].to_numpy(bool)[row],
            "adjusted_gbp": adjusted,
            "pv_gbp": adjusted * discount,
        }
    )


# --- the appraisal ------------------------------------------------------------------------------------------


def present_values(months: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Present values of costs, benefits and fiscal benefits (cashable and non-cashable) by project number."""
    pv = months["pv_gbp"].to_numpy()
    by_side = pd.DataFrame(
        {
            "project": months["project"],
            prefix + "pv_cost_gbp": np.where(months["is_cost"], pv, 0.0),
            prefix + "pv_benefit_gbp": np.where(months["is_cost"], 0.0, pv),
            prefix + "pv_fiscal_benefit_gbp": np.where(months["is_fiscal"], pv, 0.0),
        }
    )
    return by_side.groupby("project").sum()


def fiscal_payback(months: pd.DataFrame, window_months: int) -> pd.Series:
    """The fiscal payback month of each project (by project number), from its whole-life months.

    "The first month m (1-based from the appraisal start) by whose end some cost has been incurred and from which
    cumulative undiscounted adjusted fiscal benefits stay at or above cumulative adjusted costs in every later
    month of the whole-life window; empty when there is none."
    """
    money = months[months["is_cost"] | months["is_fiscal"]]
    # a projects x months table of each month's costs and fiscal benefits over every month of the window (the
    # months without money are later months too)
    projects, row = np.unique(money["project"].to_numpy(), return_inverse=True)
    cell = row * window_months + money["month"].to_numpy()
    adjusted = money["adjusted_gbp"].to_numpy()

    def table(amounts: np.ndarray) -> np.ndarray:
        return np.bincount(cell, amounts, minlength=len(projects) * window_months).reshape(-1, window_months)

    cost = table(np.where(money["is_cost"], adjusted, 0.0))
    fiscal = table(np.where(money["is_fiscal"], adjusted, 0.0))
    cumulative_cost = cost.cumsum(axis=1)
    cumulative_fiscal = fiscal.cumsum(axis=1)
    # below break-even by more than floating-point noise in the running totals (compared to a millionth of a pound)
    below = round_half_away(cumulative_fiscal, 6) < round_half_away(cumulative_cost, 6)
    below_now_or_later = np.flip(np.logical_or.accumulate(np.flip(below, axis=1), axis=1), axis=1)
    paid_back = (cumulative_cost > 0) & ~below_now_or_later
    month = np.where(paid_back.any(axis=1), paid_back.argmax(axis=1) + 1, np.nan)
    return pd.Series(month, index=projects, name="fiscal_payback_months")


def appraise(tables: Tables, assumptions: Assumptions, lines: pd.DataFrame) -> pd.DataFrame:
    """Present values in both views and fiscal payback for every project, month by month, chunk by chunk."""
    window_months = assumptions.horizon_years * 12
    factors = discount_factors(tables, assumptions)
    as_of = pd.Timestamp(assumptions.as_of)
    n_projects = len(tables.projects)
    starts = {
        # whole life: from each project's appraisal start
        "whole_life": appraisal_starts(tables, lines),
        # from now: from the as-of month, the same for every project
        "forward": np.full(n_projects, as_of.year * 12 + as_of.month - 1),
    }
    parts = []
    for _, chunk_lines in lines.groupby(lines["project"] // CHUNK_PROJECTS):
        whole_life = line_months(chunk_lines, starts["whole_life"], window_months, factors)
        forward = line_months(chunk_lines, starts["forward"], window_months, factors)
        parts.append(
            pd.concat(
                [
                    present_values(whole_life, ""),
                    present_values(forward, "forward_"),
                    fiscal_payback(whole_life, window_months),
                ],
                axis=1,
            )
        )
    columns = [p + c for p in ("", "forward_") for c in ("pv_cost_gbp", "pv_benefit_gbp", "pv_fiscal_benefit_gbp")]
    figures = pd.concat(parts) if parts else pd.DataFrame(columns=[*columns, "fiscal_payback_months"], dtype=float)
    figures = figures.reindex(range(n_projects))
    figures[columns] = figures[columns].fillna(0.0)  # a project with no lines in a view: nothing to add up
    start = starts["whole_life"]
    figures["appraisal_start_date"] = pd.to_datetime(
        pd.DataFrame({"year": start // 12, "month": start % 12 + 1, "day": 1})
    )
    figures.index = pd.Index(tables.projects["project_id"].astype(object), name="project_id")
    return figures


# --- projectitis risk ---------------------------------------------------------------------------------------


def funding_chain(tables: Tables, as_of: pd.Timestamp) -> pd.DataFrame:
    """The funding lines in each project's secured funding chain at the as-of date.

    "Secured funding is every funding line ending on or after the as-of date. Taking them in order of start date,
    a line joins the chain when its start month is no later than the month after the chain's last month so far
    (the chain starts just before the as-of month)."
    """
    as_of_month = as_of.year * 12 + as_of.month - 1
    secured = tables.funding[tables.funding["end_date"] >= as_of]
    secured = secured.sort_values(["project_id", "start_date", "end_date"], kind="stable").copy()
    secured["start_month"] = month_number(secured["start_date"])
    secured["end_month"] = month_number(secured["end_date"])
    by_project = secured.groupby("project_id")
    # the chain's last month before each line: the latest end month of the lines before it. Until the first line
    # that cannot join, every line before has joined; after it, none can (each starts later still)
    last_so_far = by_project["end_month"].cummax().groupby(secured["project_id"]).shift()
    last_so_far = np.maximum(last_so_far.fillna(as_of_month - 1), as_of_month - 1)
    cannot_join = secured["start_month"] > last_so_far + 1
    return secured[cannot_join.groupby(secured["project_id"]).cumsum() == 0]


def needs_funding(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Projects with running costs left: "a cost line with money in the as-of month or later, by the line periods".

    Any later month counts, not only those of the forward window. A line with no end (neither its own nor its
    project's) runs on, so it has money later. A line of £0 has none; the line's own amount decides, so a scenario
    that scales costs does not change whether a project needs funding."""
    as_of_month = as_of.year * 12 + as_of.month - 1
    costs = lines[lines["is_cost"] & (lines["amount_gbp"] > 0)]
    end = costs["end_month"].fillna(np.inf)
    running = (end >= as_of_month) & (end >= costs["start_month"])
    return running.groupby(costs["project_id"]).any()


def risk(tables: Tables, lines: pd.DataFrame, figures: pd.DataFrame, assumptions: Assumptions) -> pd.DataFrame:
    """The projectitis risk points of every project as of the assumptions' date, and the facts behind them."""
    as_of = pd.Timestamp(assumptions.as_of)
    projects = tables.projects.set_index("project_id")
    projects.index = projects.index.astype(object)
    weights = tables.weights.set_index("factor")["max_points"]

    chain = funding_chain(tables, as_of)
    per_funder = chain.groupby(["project_id", "funder"])["amount_gbp"].sum()
    by_project = chain.groupby("project_id")
    r = pd.DataFrame(index=projects.index)
    r["needs_funding"] = needs_funding(lines, as_of).reindex(r.index, fill_value=False)
    r["needs_funding"] = r["needs_funding"].astype(bool)
    r["has_active_recurrent_funding"] = by_project["recurrent"].any().reindex(r.index, fill_value=False).astype(bool)
    r["active_funding_gbp"] = by_project["amount_gbp"].sum().reindex(r.index, fill_value=0.0)
    non_recurrent = chain[~chain["recurrent"]].groupby("project_id")["amount_gbp"].sum()
    funded = r["active_funding_gbp"] > 0
    r["non_recurrent_share"] = (non_recurrent.reindex(r.index, fill_value=0.0) / r["active_funding_gbp"]).where(funded)
    largest = per_funder.groupby(level="project_id")
    r["largest_funder"] = largest.idxmax().map(lambda key: key[1]).reindex(r.index)
    r["largest_funder_share"] = (largest.max().reindex(r.index) / r["active_funding_gbp"]).where(funded)
    r["active_funder_count"] = largest.size().reindex(r.index, fill_value=0).astype(int)
    r["latest_active_funding_end"] = by_project["end_date"].max().reindex(r.index)
    # "whole calendar months from the as-of date to the end of the funding chain's latest line" (0 with no chain)
    months_left = month_number(r["latest_active_funding_end"]) - (as_of.year * 12 + as_of.month - 1)
    r["runway_months"] = months_left.fillna(0).astype(int)

    # the points: a runway scores the points of the first step whose max_months reaches it (0 beyond the last)
    steps = tables.runway.sort_values("max_months")
    runway_points = pd.Series(0.0, index=r.index)
    for max_months, points in reversed(list(zip(steps["max_months"], steps["points"], strict=True))):
        runway_points[r["runway_months"] <= max_months] = points
    needs = r["needs_funding"]
    # 0 with recurrent funding in the chain or no running costs left; the two funding-share factors also count
    # only for a project with running costs left (README's table leaves this out; ref_projectitis_weights says it)
    r["risk_funding_runway_points"] = np.where(~needs | r["has_active_recurrent_funding"], 0.0, runway_points)
    r["risk_short_term_funding_points"] = np.where(
        ~needs, 0.0, weights["short_term_funding"] * r["non_recurrent_share"].fillna(1.0)
    )
    r["risk_funder_concentration_points"] = np.where(
        ~needs, 0.0, weights["funder_concentration"] * r["largest_funder_share"].fillna(1.0)
    )
    r["risk_no_exit_plan_points"] = np.where(projects["has_exit_plan"], 0.0, weights["no_exit_plan"])
    r["risk_weak_evidence_points"] = weights["weak_evidence"] * (5 - projects["evidence_level"]) / 4
    r["risk_little_coproduction_points"] = weights["little_coproduction"] * (4 - projects["coproduction_level"]) / 4
    bcr = figures["bcr_raw"].reindex(r.index)
    r["risk_poor_value_points"] = np.where(bcr.isna() | (bcr < 1), weights["poor_value"], 0.0)

    # scored only for proposed, active and paused projects
    is_scored = projects["status"].isin(OPEN_STATUSES)
    r[RISK_POINT_COLUMNS] = r[RISK_POINT_COLUMNS].where(is_scored)
    score = r[RISK_POINT_COLUMNS[0]].copy()
    for column in RISK_POINT_COLUMNS[1:]:
        score = score + r[column]
    r["projectitis_score"] = round_half_away(score, 1)
    # a score takes the band with the highest min_score it reaches
    bands = tables.bands.sort_values("min_score")
    band = pd.Series(None, index=r.index, dtype=object)
    for name, min_score in zip(bands["band"], bands["min_score"], strict=True):
        band[r["projectitis_score"] >= min_score] = name
    r["projectitis_band"] = band.where(is_scored)
    return r


# --- the metrics --------------------------------------------------------------------------------------------


def _ratio(benefit: pd.Series, cost: pd.Series) -> pd.Series:
    """Ratios are empty when the cost is 0."""
    return (benefit / cost).where(cost > 0)


def metrics(tables: Tables, assumptions: Assumptions) -> pd.DataFrame:
    """One row per project, with the metric columns of project_metrics (METRIC_COLUMNS), sorted by project_id."""
    lines = stage_lines(tables, assumptions)
    f = appraise(tables, assumptions, lines)
    f["bcr_raw"] = _ratio(f["pv_benefit_gbp"], f["pv_cost_gbp"])
    r = risk(tables, lines, f, assumptions)
    people = tables.projects.set_index("project_id")["people_reached"]
    people.index = people.index.astype(object)
    people = people.reindex(f.index)

    out = pd.DataFrame({"appraisal_start_date": f["appraisal_start_date"]}, index=f.index)
    for prefix in ("", "forward_"):
        cost, benefit = f[prefix + "pv_cost_gbp"], f[prefix + "pv_benefit_gbp"]
        fiscal = f[prefix + "pv_fiscal_benefit_gbp"]
        out[prefix + "pv_cost_gbp"] = round_half_up(cost, 2)
        out[prefix + "pv_benefit_gbp"] = round_half_up(benefit, 2)
        out[prefix + "pv_fiscal_benefit_gbp"] = round_half_up(fiscal, 2)
        out[prefix + "npv_gbp"] = round_half_up(benefit - cost, 2)
        out[prefix + "bcr"] = round_half_up(_ratio(benefit, cost), 2)
        out[prefix + "fiscal_bcr"] = round_half_up(_ratio(fiscal, cost), 2)
    out["cost_per_person_gbp"] = round_half_up((f["pv_cost_gbp"] / people).where(people > 0), 2)
    out["fiscal_payback_months"] = f["fiscal_payback_months"]
    out = out.join(r)
    return out.rename_axis("project_id").reset_index().sort_values("project_id", ignore_index=True)
