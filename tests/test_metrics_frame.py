"""project_metrics fetches its frame through Arrow for speed; it must be the very frame DuckDB's .df() gives
(same columns, dtypes, values and missing values), so pages, exports and decision snapshots cannot tell."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.database import db
from dashboard.rules.appraisal import Assumptions, project_metrics
from tests.conftest import TINY, build_db

CASES = {
    "reference": Assumptions(as_of=date(2026, 11, 22)),
    "long scenario": Assumptions(as_of=date(2025, 4, 1), horizon_years=35, discount_rate=0.05, drop_off_factor=2.0),
}


@pytest.fixture(scope="module")
def tiny_portfolio_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", TINY)


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("empty") / "empty.duckdb", None)


def _both(path, assumptions):
    con = db.connect_read_only(path)
    try:
        fast = project_metrics(con, assumptions)
        slow = db.query_df(con, "project_appraisal", {**assumptions.query_params(), "project_id": None})
    finally:
        con.close()
    # metrics rows come in no particular order
    return fast.sort_values("project_id", ignore_index=True), slow.sort_values("project_id", ignore_index=True)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("portfolio", ["demo_db", "tiny_portfolio_db", "empty_db"])
def test_metrics_frame_is_the_frame_duckdb_df_gives(portfolio, case, request):
    fast, slow = _both(request.getfixturevalue(portfolio), CASES[case])
    assert list(fast.dtypes.astype(str)) == list(slow.dtypes.astype(str))
    funders_fast, funders_slow = fast.pop("funders"), slow.pop("funders")
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert [list(f) for f in funders_fast] == [list(f) for f in funders_slow]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_nullable_columns_stay_nullable_and_full_ones_stay_numpy(demo_db):
    fast, _ = _both(demo_db, CASES["reference"])
    assert fast["fiscal_payback_months"].isna().any() and str(fast["fiscal_payback_months"].dtype) == "Int64"
    assert str(fast["people_reached"].dtype) == "int32"
    assert str(fast["has_exit_plan"].dtype) == "bool"
    assert str(fast["start_date"].dtype) == "datetime64[us]"
    assert fast["latest_active_funding_end"].isna().any()
