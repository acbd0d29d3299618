"""At assumptions other than the stored reference ones, project_metrics still reads the parts of the stored figures
that do not depend on what changed, and works out only the rest: whole-life present values (not the as-of date),
the payback (neither the discount rate nor the as-of date), what is committed to each project (not the date). The
frame must be the very one computing everything gives, and asking for a reuse where it does not hold is an error,
never wrong figures."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from dashboard.database import db
from dashboard.files import synthetic
from dashboard.rules import appraisal
from dashboard.rules.appraisal import (
    COMPUTED_FIGURES,
    COMPUTED_FUNDING,
    STORED_COMMITTED_FUNDING,
    STORED_FIGURES,
    STORED_FUNDING,
    STORED_PAYBACK_FIGURES,
    STORED_UNDISCOUNTED_FIGURES,
    STORED_WHOLE_LIFE_FIGURES,
    figures_reuse,
    figures_source,
    funding_reuse,
)
from tests.test_stored_reference_figures import AS_OF, assert_same_frame, reference, source_and_frames

pytestmark = pytest.mark.slow  # builds a synthetic portfolio and appraises it at many assumptions


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.duckdb"
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
        synthetic.write_portfolio(con, 600, seed=5)
    return path


def sources(path, assumptions):
    con = db.connect_read_only(path)
    try:
        return figures_reuse(con, assumptions), funding_reuse(con, assumptions.as_of)
    finally:
        con.close()


MONTHS = {
    "last year": date(AS_OF.year - 1, AS_OF.month, 1),
    "2022, before most lines start (running costs beyond the forward window)": date(2022, 3, 15),
    "2031, after most lines end": date(2031, 7, 31),
}


@pytest.mark.parametrize("as_of", list(MONTHS.values()), ids=list(MONTHS))
@pytest.mark.parametrize("portfolio", ["demo_db", "synthetic_db"])
def test_another_month_reads_the_whole_life_figures_and_what_is_committed(portfolio, as_of, request):
    path = request.getfixturevalue(portfolio)
    assumptions = reference(path, as_of)
    assert sources(path, assumptions) == (STORED_WHOLE_LIFE_FIGURES, STORED_COMMITTED_FUNDING)
    source, metrics, computed = source_and_frames(path, assumptions)
    assert source == COMPUTED_FIGURES  # not all of the stored figures hold
    assert len(metrics) == len(computed) > 50
    assert_same_frame(metrics, computed)


@pytest.mark.parametrize("as_of", [AS_OF, *MONTHS.values()], ids=["this month", *MONTHS])
@pytest.mark.parametrize("portfolio", ["demo_db", "synthetic_db"])
def test_another_discount_rate_reads_the_payback(portfolio, as_of, request):
    path = request.getfixturevalue(portfolio)
    assumptions = reference(path, as_of).with_changes(discount_rate=0.05)
    if as_of == AS_OF:  # running costs left hold too
        assert sources(path, assumptions) == (STORED_UNDISCOUNTED_FIGURES, STORED_FUNDING)
    else:
        assert sources(path, assumptions) == (STORED_PAYBACK_FIGURES, STORED_COMMITTED_FUNDING)
    source, metrics, computed = source_and_frames(path, assumptions)
    assert len(metrics) == len(computed) > 50
    assert_same_frame(metrics, computed)
    assert metrics["fiscal_payback_months"].notna().any()


@pytest.mark.parametrize(
    "change",
    [
        {"horizon_years": 10},
        {"optimism_bias": (0.0, 0.05, 0.10, 0.15, 0.25, 0.41)},
        {"cost_factor": 1.1},
        {"drop_off_factor": 0.5},
        {"grade_shift": 1},
        {"horizon_years": 10, "discount_rate": 0.05, "as_of": date(2022, 3, 15)},
    ],
)
def test_a_change_to_the_lines_or_the_window_computes_every_figure(demo_db, change):
    assumptions = reference(demo_db).with_changes(**change)
    funding = STORED_FUNDING if assumptions.as_of == AS_OF else STORED_COMMITTED_FUNDING
    assert sources(demo_db, assumptions) == (COMPUTED_FIGURES, funding)
    source, metrics, computed = source_and_frames(demo_db, assumptions)
    assert_same_frame(metrics, computed)


def test_the_reference_assumptions_read_everything(demo_db):
    assumptions = reference(demo_db)
    assert sources(demo_db, assumptions) == (STORED_FIGURES, STORED_FUNDING)


def _query_with(path, variable, source, assumptions):
    con = db.connect_read_only(path)
    try:
        con.execute(db.load_query(f"set_project_{variable}_source"), {f"{variable}_source": source}).fetchall()
        return db.query_df(con, "project_appraisal", {**assumptions.query_params(), "project_id": None})
    finally:
        con.close()


@pytest.mark.parametrize(
    ("source", "change", "message"),
    [
        (STORED_WHOLE_LIFE_FIGURES, {"discount_rate": 0.05}, "whole-life figures were computed at other assumptions"),
        (STORED_WHOLE_LIFE_FIGURES, {"horizon_years": 10}, "whole-life figures were computed at other assumptions"),
        (STORED_WHOLE_LIFE_FIGURES, {"benefit_factor": 0.9}, "whole-life figures were computed at other assumptions"),
        (STORED_PAYBACK_FIGURES, {"horizon_years": 10}, "payback was computed at other assumptions"),
        (STORED_PAYBACK_FIGURES, {"grade_shift": 1}, "payback was computed at other assumptions"),
        (STORED_PAYBACK_FIGURES, {"optimism_bias": (0.0, 0.05, 0.1, 0.15, 0.25, 0.5)}, "payback was computed at"),
        (STORED_UNDISCOUNTED_FIGURES, {"cost_factor": 0.0}, "running costs left were computed at other assumptions"),
        (STORED_UNDISCOUNTED_FIGURES, {"as_of": date(2022, 3, 15)}, "running costs left were computed at other"),
    ],
)
def test_a_reuse_asked_for_where_it_does_not_hold_is_an_error(demo_db, source, change, message):
    assumptions = reference(demo_db).with_changes(**change)
    with pytest.raises(duckdb.InvalidInputException, match=message):
        _query_with(demo_db, "figures", source, assumptions)


def test_figures_stored_by_another_version_are_not_reused(tmp_path, demo_db, monkeypatch):
    monkeypatch.setattr(appraisal, "appraisal_version", lambda: "another version")
    for assumptions in (reference(demo_db, date(2022, 3, 15)), reference(demo_db).with_changes(discount_rate=0.05)):
        assert sources(demo_db, assumptions) == (COMPUTED_FIGURES, COMPUTED_FUNDING)
        con = db.connect_read_only(demo_db)
        try:
            assert figures_source(con, assumptions) == COMPUTED_FIGURES
        finally:
            con.close()


def test_inside_a_write_that_changed_the_data_nothing_stored_is_reused(tmp_path):
    from tests.conftest import TINY, build_db

    path = build_db(tmp_path / "tiny.duckdb", TINY)
    last_year = reference(path, date(AS_OF.year - 1, AS_OF.month, 1))
    with db.write_database(path) as con:
        assert figures_reuse(con, last_year) == STORED_WHOLE_LIFE_FIGURES
        con.execute("update costs set amount_gbp = amount_gbp + 1").fetchall()
        assert figures_reuse(con, last_year) == COMPUTED_FIGURES
        assert funding_reuse(con, last_year.as_of) == COMPUTED_FUNDING


@pytest.mark.parametrize(
    "changes",
    [{"as_of": date(2022, 3, 15)}, {"discount_rate": 0.05}, {"discount_rate": 0.05, "as_of": date(2031, 7, 31)}],
)
def test_one_project_reuses_as_the_whole_portfolio_does(synthetic_db, changes):
    assumptions = reference(synthetic_db).with_changes(**changes)
    con = db.connect_read_only(synthetic_db)
    try:
        assert figures_reuse(con, assumptions) != COMPUTED_FIGURES
        project_ids = [r[0] for r in con.execute("select project_id from projects order by project_id").fetchall()]
        for project_id in project_ids[:: len(project_ids) // 7]:
            one = appraisal.project_metrics(con, assumptions, project_id)
            computed = appraisal._as_duckdb_frame(  # the variables unset: computes
                con.sql(
                    db.load_query("project_appraisal"), params={**assumptions.query_params(), "project_id": project_id}
                ).to_arrow_table()
            )
            assert len(one) == 1
            assert_same_frame(one, computed)
    finally:
        con.close()
