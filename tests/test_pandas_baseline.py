"""The benchmark's pandas baseline gives the same figures as the SQL metrics, so the speed comparison is honest."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from bench import pandas_baseline
from dashboard import db, synthetic
from dashboard.appraisal import Assumptions, project_metrics
from tests.conftest import TINY, build_db

AS_OF = date(2025, 11, 1)
CASES = {
    "reference": Assumptions(as_of=AS_OF),
    "scenario": Assumptions(
        as_of=date(2026, 6, 15),
        horizon_years=35,
        discount_rate=0.05,
        cost_factor=1.1,
        drop_off_factor=2.0,
        grade_shift=1,
    ),
}


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
    con = db.connect_read_only(path)
    try:
        sql = project_metrics(con, assumptions).sort_values("project_id", ignore_index=True)
        baseline = pandas_baseline.metrics(pandas_baseline.load_tables(con), assumptions)
    finally:
        con.close()
    return sql, baseline


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("portfolio", ["demo_db", "synthetic_db", "tiny_portfolio_db"])
def test_pandas_baseline_gives_every_metric_to_the_penny(portfolio, case, request):
    sql, baseline = _both(request.getfixturevalue(portfolio), CASES[case])
    assert list(baseline["project_id"]) == list(sql["project_id"])
    for column in pandas_baseline.METRIC_COLUMNS:  # money, ratios, score and payback exactly as rounded
        expected, got = sql[column], baseline[column]
        if column in ("projectitis_band", "needs_funding"):
            pd.testing.assert_series_equal(got.astype(object), expected.astype(object), check_names=False)
        elif column.startswith("risk_") or column == "active_funding_gbp":
            # unrounded in both: equal but for the order floating-point additions were made in
            np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(float), rtol=1e-12, err_msg=column)
        else:
            np.testing.assert_array_equal(got.to_numpy(float), expected.to_numpy(float), err_msg=column)
    assert (baseline["appraisal_start_date"].to_numpy() == sql["appraisal_start_date"].to_numpy()).all()


def test_baseline_knows_the_drumkit_pays_back_in_its_first_month(tiny_portfolio_db):
    _, baseline = _both(tiny_portfolio_db, CASES["reference"])
    drumkit = baseline.set_index("project_id").loc["P001"]
    assert drumkit["payback_months"] == 1
    assert drumkit["pv_cost_gbp"] == 350.0
