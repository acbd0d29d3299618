"""The benchmark's pandas baseline gives the same figures as the SQL metrics, so the speed comparison is honest.

The baseline is written from README.md's rules, independently of the SQL, so agreement here checks the SQL
against the stated method as well. Where the two disagree the test says so (strict xfail), rather than letting
either side copy the other.
"""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from bench import pandas_baseline
from dashboard.database import db
from dashboard.files import synthetic
from dashboard.rules.appraisal import (
    STORED_FIGURES,
    Assumptions,
    figures_source,
    project_metrics,
    reference_assumptions,
)
from tests.conftest import TINY, build_db

REFERENCE = Assumptions(as_of=date(2025, 11, 1))
CASES = {
    "reference": REFERENCE,
    # another discount rate, a horizon across the 30-year change of rate, every scenario shift; the as-of date
    # after most lines start, so the forward view leaves earlier months out
    "scenario": REFERENCE.with_changes(
        as_of=date(2026, 6, 15),
        horizon_years=35,
        discount_rate=0.05,
        cost_factor=1.1,
        benefit_factor=0.9,
        deadweight_factor=1.5,
        attribution_factor=0.5,
        drop_off_factor=2.0,
        grade_shift=1,
    ),
    # as of before every line starts: the forward view holds every line, no funding is in place yet
    "before lines start": REFERENCE.with_changes(as_of=date(2021, 3, 15), horizon_years=8),
    # as of after most lines end, over a short horizon, no discounting and harsher confidence grades
    "after lines end": REFERENCE.with_changes(
        as_of=date(2029, 7, 31), horizon_years=3, discount_rate=0.0, grade_shift=-1
    ),
}
PORTFOLIOS = ["demo_db", "synthetic_db", "tiny_portfolio_db"]

# compared with a relative tolerance: unrounded in both, equal but for the order floating-point additions were made in
UNROUNDED = [*pandas_baseline.RISK_POINT_COLUMNS, "active_funding_gbp", "non_recurrent_share", "largest_funder_share"]
# compared as values (text, true/false, dates)
EXACT_OBJECTS = ["projectitis_band", "needs_funding", "has_active_recurrent_funding", "latest_active_funding_end"]


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.duckdb"
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
        synthetic.write_portfolio(con, 800, seed=4)
    return path


@pytest.fixture(scope="module")
def tiny_portfolio_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", TINY)


def _both(path, assumptions):
    """The SQL metrics, the baseline's and the tables the baseline read."""
    con = db.connect_read_only(path)
    try:
        sql = project_metrics(con, assumptions).sort_values("project_id", ignore_index=True)
        tables = pandas_baseline.load_tables(con)
        baseline = pandas_baseline.metrics(tables, assumptions)
    finally:
        con.close()
    return sql, baseline, tables


def _assert_same_metrics(sql: pd.DataFrame, baseline: pd.DataFrame, tables, as_of: date) -> None:
    assert list(baseline["project_id"]) == list(sql["project_id"])
    assert (baseline["appraisal_start_date"].to_numpy() == sql["appraisal_start_date"].to_numpy()).all()
    for column in pandas_baseline.METRIC_COLUMNS:
        expected, got = sql[column], baseline[column]
        if column in EXACT_OBJECTS:
            pd.testing.assert_series_equal(got.astype(object), expected.astype(object), check_names=False)
        elif column == "largest_funder":
            _assert_same_largest_funder(sql, baseline, tables, as_of)
        elif column in UNROUNDED:
            np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(float), rtol=1e-12, err_msg=column)
        else:  # money and ratios as rounded, payback months, score, runway months and funder counts: exactly
            np.testing.assert_array_equal(got.to_numpy(float), expected.to_numpy(float), err_msg=column)


def _assert_same_largest_funder(sql, baseline, tables, as_of) -> None:
    """The same funder, or where two give the same amount to the chain (either is the largest), one of them."""
    assert (sql["largest_funder"].isna() == baseline["largest_funder"].isna()).all()
    chain = pandas_baseline.funding_chain(tables, pd.Timestamp(as_of))
    by_funder = chain.groupby(["project_id", "funder"])["amount_gbp"].sum()
    differ = sql["largest_funder"].notna() & (sql["largest_funder"] != baseline["largest_funder"])
    for project_id, picked, expected in zip(
        sql.loc[differ, "project_id"],
        sql.loc[differ, "largest_funder"],
        baseline.loc[differ, "largest_funder"],
        strict=True,
    ):
        assert by_funder[(project_id, picked)] == by_funder[(project_id, expected)], project_id


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("portfolio", PORTFOLIOS)
def test_pandas_baseline_gives_every_metric_to_the_penny(portfolio, case, request):
    sql, baseline, tables = _both(request.getfixturevalue(portfolio), CASES[case])
    _assert_same_metrics(sql, baseline, tables, CASES[case].as_of)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("portfolio", PORTFOLIOS)
def test_pandas_baseline_equals_the_stored_reference_figures(portfolio, request):
    """The path the app and the benchmark take at the council's reference assumptions (figures stored by a write)."""
    path = request.getfixturevalue(portfolio)
    con = db.connect_read_only(path)
    try:
        assumptions = reference_assumptions(con)
        assert figures_source(con, assumptions) == STORED_FIGURES
    finally:
        con.close()
    sql, baseline, tables = _both(path, assumptions)
    _assert_same_metrics(sql, baseline, tables, assumptions.as_of)


# --- the comparison cannot silently become weaker -------------------------------------------------------------

NEW_LINE_COLUMNS = """
select
    (select count(*) from costs where payer_agency is not null) as cost_payer_agency,
    (select count(*) from costs where price_year is not null) as cost_price_year,
    (select count(*) from benefits where price_year is not null) as benefit_price_year,
    (select count(*) from benefits where is_health_value) as benefit_is_health_value,
    (select count(*) from benefits where persistence_months > 0) as benefit_persistence_months,
    -- persistence changes a figure only for a running benefit with no end date in a project with a planned end
    (
        select count(*)
        from benefits as b
        inner join projects as p on b.project_id = p.project_id
        where b.persistence_months > 0 and b.end_date is null and b.frequency <> 'once' and p.end_date is not null
    ) as persistence_that_applies,
    -- and a cost line with no end date ends with its project
    (
        select count(*)
        from costs as c
        inner join projects as p on c.project_id = p.project_id
        where c.end_date is null and c.frequency <> 'once' and p.end_date is not null
    ) as cost_ending_with_its_project
"""


@pytest.mark.parametrize("portfolio", ["demo_db", "synthetic_db"])
def test_compared_portfolios_use_every_new_line_column(portfolio, request):
    con = db.connect_read_only(request.getfixturevalue(portfolio))
    try:
        cursor = con.execute(NEW_LINE_COLUMNS)
        counts = dict(zip([d[0] for d in cursor.description], cursor.fetchall()[0], strict=True))
    finally:
        con.close()
    assert all(count > 0 for count in counts.values()), counts


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("case", ["reference", "scenario"])
def test_every_compared_column_varies_on_the_synthetic_portfolio(synthetic_db, case):
    """Each column the test compares holds at least two different values (a column all empty or all one value
    would be compared without checking anything)."""
    _, baseline, _ = _both(synthetic_db, CASES[case])
    for column in ["appraisal_start_date", *pandas_baseline.METRIC_COLUMNS]:
        assert baseline[column].nunique(dropna=True) >= 2, column
    assert baseline["fiscal_payback_months"].isna().any() and baseline["fiscal_payback_months"].notna().any()


def test_baseline_gives_the_drumkit_its_whole_life_figures(demo_db):
    _, baseline, _ = _both(demo_db, REFERENCE)
    drumkit = baseline.set_index("project_id").loc["P001"]
    assert (drumkit["pv_cost_gbp"], drumkit["pv_benefit_gbp"], drumkit["bcr"]) == (350.0, 84115.43, 240.33)
    assert drumkit["fiscal_payback_months"] == 1


# --- "running costs left" (README, projectitis): cases where the SQL once disagreed with the README ------------
# The baseline follows README.md; these held strict xfails until the SQL was brought to the README's rule.


def test_costs_starting_after_the_forward_window_are_running_costs_left(tiny_portfolio_db):
    # as of 15 January 2024 over 1 year: the lunch club's weekly costs start on 15 January 2025, the drumkit's
    # £350 in June 2025; neither has funding in place yet (its first award starts after the as-of month)
    sql, baseline, _ = _both(tiny_portfolio_db, Assumptions(as_of=date(2024, 1, 15), horizon_years=1))
    lunch_club = baseline.set_index("project_id").loc["P002"]
    assert lunch_club["needs_funding"] and lunch_club["risk_funding_runway_points"] == 25
    pd.testing.assert_series_equal(sql["needs_funding"], baseline["needs_funding"])


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_zero_pound_cost_line_is_no_running_cost(tmp_path):
    # the lunch club's paid costs end with the project (31 December 2026); unpaid volunteer drivers, recorded at
    # £0 a month, carry on to 2028
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    with (folder / "costs.csv").open("a", encoding="utf-8") as f:
        f.write("C099,P002,Volunteer drivers (unpaid),0,monthly,2025-01-15,2028-12-31,1\n")
    sql, baseline, _ = _both(build_db(tmp_path / "zero.duckdb", folder), Assumptions(as_of=date(2027, 3, 1)))
    assert not baseline.set_index("project_id").loc["P002", "needs_funding"]
    pd.testing.assert_series_equal(sql["needs_funding"], baseline["needs_funding"])


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_chunks_do_not_change_the_figures(synthetic_db, monkeypatch):
    """Projects are appraised in chunks to bound memory; a chunk boundary splits nothing."""
    _, whole, _ = _both(synthetic_db, CASES["scenario"])
    monkeypatch.setattr(pandas_baseline, "CHUNK_PROJECTS", 37)
    _, chunked, _ = _both(synthetic_db, CASES["scenario"])
    pd.testing.assert_frame_equal(chunked, whole)
