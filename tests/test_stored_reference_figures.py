"""Every write stores the appraisal figures at the council's reference assumptions, and project_metrics reads them
there instead of computing them. The stored figures must always be the computed ones (after every kind of write,
including a restore), a database written before they existed must still work, and asking at any other assumptions
must compute, so the metrics frame is the same to the penny whichever way it was made."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from dashboard.database import db
from dashboard.files import synthetic
from dashboard.rules import appraisal
from dashboard.rules.appraisal import COMPUTED_FIGURES, STORED_FIGURES, figures_source, project_metrics
from tests.conftest import TINY, build_db

# every write stores the forward view from the month it is written in (today), so reads in that month use them
AS_OF = date.today()


def reference(path, as_of=AS_OF):
    con = db.connect_read_only(path)
    try:
        return appraisal.reference_assumptions(con, as_of)
    finally:
        con.close()


def source_and_frames(path, assumptions):
    """The figures source project_metrics picks, its frame, and the frame computed without stored figures."""
    con = db.connect_read_only(path)
    try:
        source = figures_source(con, assumptions)
        metrics = project_metrics(con, assumptions)
        # the variables unset: computes (made into a frame the same way: .df() would make an all-null text column
        # object where project_metrics keeps it text)
        computed = appraisal._as_duckdb_frame(
            con.sql(
                db.load_query("project_appraisal"), params={**assumptions.query_params(), "project_id": None}
            ).to_arrow_table()
        )
    finally:
        con.close()
    return source, metrics, computed


def assert_same_frame(metrics, computed):
    assert list(metrics.dtypes.astype(str)) == list(computed.dtypes.astype(str))
    # metrics rows come in no particular order
    metrics = metrics.sort_values("project_id", ignore_index=True)
    computed = computed.sort_values("project_id", ignore_index=True)
    funders_a, funders_b = metrics.pop("funders"), computed.pop("funders")
    pd.testing.assert_frame_equal(metrics, computed, check_exact=True)
    assert [list(f) for f in funders_a] == [list(f) for f in funders_b]


def stored_key(path):
    con = db.connect_read_only(path)
    try:
        return con.execute(
            "select appraisal_version, inputs_fingerprint, computed_at from project_figures_reference_key"
        ).fetchall()
    finally:
        con.close()


def stored_rows(path):
    con = db.connect_read_only(path)
    try:
        return con.execute("select count(*) from project_figures_reference").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.duckdb"
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
        synthetic.write_portfolio(con, 400, seed=3)
    return path


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("as_of", [AS_OF, AS_OF.replace(day=1)])
@pytest.mark.parametrize("portfolio", ["demo_db", "synthetic_db"])
def test_stored_figures_give_the_very_frame_computing_them_gives(portfolio, as_of, request):
    path = request.getfixturevalue(portfolio)
    source, metrics, computed = source_and_frames(path, reference(path, as_of))
    assert source == STORED_FIGURES
    assert len(metrics) == len(computed) > 50
    assert_same_frame(metrics, computed)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_another_as_of_month_computes_because_the_forward_view_starts_there(demo_db):
    last_year = reference(demo_db, date(AS_OF.year - 1, AS_OF.month, 1))
    source, metrics, computed = source_and_frames(demo_db, last_year)
    assert source == COMPUTED_FIGURES
    assert_same_frame(metrics, computed)
    this_month = source_and_frames(demo_db, reference(demo_db))[1].set_index("project_id")
    forward = metrics.set_index("project_id")["forward_pv_cost_gbp"]
    assert (forward != this_month["forward_pv_cost_gbp"]).any()  # a different base date, different figures


@pytest.mark.parametrize(
    "change",
    [
        {"discount_rate": 0.05},
        {"horizon_years": 10},
        {"optimism_bias": (0.0, 0.05, 0.10, 0.15, 0.25, 0.41)},
        {"benefit_factor": 0.9},
        {"grade_shift": 1},
    ],
)
@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_other_assumptions_are_computed(demo_db, change):
    assumptions = reference(demo_db).with_changes(**change)
    source, metrics, computed = source_and_frames(demo_db, assumptions)
    assert source == COMPUTED_FIGURES
    assert_same_frame(metrics, computed)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_the_stored_path_does_not_run_the_appraisal(demo_db):
    """Only the CTE the variable names is bound: the stored path never reads benefit lines; the computed one does."""
    assumptions = reference(demo_db)
    con = db.connect_read_only(demo_db)
    try:
        computed_plan = con.execute(
            "explain " + db.load_query("project_appraisal"), {**assumptions.query_params(), "project_id": None}
        )
        computed_plan = computed_plan.fetchall()[0][1]
        con.execute(db.load_query("set_project_figures_source"), {"figures_source": STORED_FIGURES}).fetchall()
        stored_plan = con.execute(
            "explain " + db.load_query("project_appraisal"), {**assumptions.query_params(), "project_id": None}
        )
        stored_plan = stored_plan.fetchall()[0][1]
    finally:
        con.close()
    assert "main.benefits" in computed_plan and "main.project_figures_reference" not in computed_plan
    assert "main.benefits" not in stored_plan and "main.project_figures_reference" in stored_plan


def test_stored_figures_asked_for_at_other_assumptions_are_an_error_not_wrong_figures(demo_db):
    con = db.connect_read_only(demo_db)
    try:
        con.execute(db.load_query("set_project_figures_source"), {"figures_source": STORED_FIGURES}).fetchall()
        other = reference(demo_db).with_changes(discount_rate=0.05)
        with pytest.raises(duckdb.InvalidInputException, match="computed at other assumptions"):
            db.query_df(con, "project_appraisal", {**other.query_params(), "project_id": None})
    finally:
        con.close()


def test_project_metrics_leaves_the_connection_computing(demo_db):
    con = db.connect_read_only(demo_db)
    try:
        project_metrics(con, reference(demo_db))
        assert con.execute("select getvariable('project_figures_source')").fetchall() == [(None,)]
        assert con.execute("select getvariable('project_funding_source')").fetchall() == [(None,)]
    finally:
        con.close()


def _write_changed_costs(folder, amount_gbp):
    folder.mkdir()
    frame = pd.read_csv(TINY / "costs.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["project_id"] == "P002", "amount_gbp"] = amount_gbp
    frame.to_csv(folder / "costs.csv", index=False)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_an_import_that_changes_the_data_stores_figures_equal_to_computed_ones(tmp_path):
    from dashboard.files.importer import import_folder

    path = build_db(tmp_path / "tiny.duckdb", TINY)
    before = source_and_frames(path, reference(path))[1].set_index("project_id")
    _write_changed_costs(tmp_path / "changed", "123.45")
    result = import_folder(tmp_path / "changed", path)
    assert result.ok, [str(p) for p in result.problems]

    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)
    after = metrics.set_index("project_id")
    assert after.loc["P002", "pv_cost_gbp"] != before.loc["P002", "pv_cost_gbp"]  # the import did change it
    assert after.loc["P001", "pv_cost_gbp"] == before.loc["P001", "pv_cost_gbp"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_write_that_changes_no_input_keeps_the_figures_and_one_that_does_stores_them_again(tmp_path):
    from dashboard.files.decisions import DecisionInput, record_decision
    from dashboard.files.importer import import_folder
    from dashboard.rules.scenarios import Scenario, save_scenario

    path = build_db(tmp_path / "tiny.duckdb", TINY)
    first = stored_key(path)
    assert len(first) == 1 and first[0][0] == appraisal.appraisal_version()

    entry = DecisionInput(
        project_id="P002",
        decision="continue",
        effective_date=date(2026, 4, 1),
        reason_category="evidence_of_impact",
        rationale="The lunch club keeps people out of hospital; keep it going.",
        decided_by="Test Officer",
    )
    record_decision(path, entry, reference(path))
    con = db.connect_read_only(path)
    scenario = Scenario.from_assumptions("Cautious", reference(path).with_changes(benefit_factor=0.8))
    con.close()
    save_scenario(scenario, path)
    assert stored_key(path) == first  # neither touched projects, lines or the reference tables

    _write_changed_costs(tmp_path / "changed", "99.99")
    assert import_folder(tmp_path / "changed", path).ok
    after = stored_key(path)
    assert after[0][1] != first[0][1] and after[0][2] > first[0][2]
    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_changed_reference_tables_store_the_figures_at_the_new_reference_assumptions(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    with db.write_database(path) as con:
        con.execute("update ref_optimism_bias set optimism_bias_share = 0.5 where confidence_grade = 6").fetchall()
        con.execute("update ref_discount_rates set rate = rate * 0.5").fetchall()
    assumptions = reference(path)
    assert assumptions.optimism_bias[5] == 0.5
    source, metrics, computed = source_and_frames(path, assumptions)
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_database_written_before_stored_figures_existed_computes_its_metrics(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    expected = source_and_frames(path, reference(path))[2]
    con = duckdb.connect(str(path))  # as an older version of the app left it: no stored figures at all
    con.execute("drop table project_figures_reference")
    con.execute("drop table project_figures_reference_key")
    con.close()

    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == COMPUTED_FIGURES
    assert_same_frame(metrics, expected)
    assert_same_frame(computed, expected)

    with db.write_database(path):  # its next write, whatever it is, stores them
        pass
    source, metrics, _ = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, expected)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_figures_stored_by_another_version_of_the_appraisal_are_not_read(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    con = duckdb.connect(str(path))
    con.execute("update project_figures_reference_key set appraisal_version = 'an older macro'")
    con.execute("update project_figures_reference set pv_cost_gbp = pv_cost_gbp + 1000")
    con.close()
    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == COMPUTED_FIGURES
    assert_same_frame(metrics, computed)
    with db.write_database(path):  # and the next write stores this version's figures
        pass
    assert stored_key(path)[0][0] == appraisal.appraisal_version()
    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_inside_a_write_the_stored_figures_are_read_only_while_the_data_still_matches_them(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    assumptions = reference(path)
    with db.write_database(path) as con:
        assert figures_source(con, assumptions) == STORED_FIGURES
        con.execute("update costs set amount_gbp = amount_gbp + 10 where project_id = 'P001'").fetchall()
        assert figures_source(con, assumptions) == COMPUTED_FIGURES
        inside = project_metrics(con, assumptions).set_index("project_id")
    source, metrics, computed = source_and_frames(path, assumptions)
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)
    assert inside.loc["P001", "pv_cost_gbp"] == metrics.set_index("project_id").loc["P001", "pv_cost_gbp"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_failed_write_leaves_the_stored_figures_as_they_were(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    first = stored_key(path)
    with pytest.raises(RuntimeError), db.write_database(path) as con:
        con.execute("delete from costs").fetchall()
        raise RuntimeError("the write fails")
    assert stored_key(path) == first
    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_restored_backup_brings_its_own_matching_figures(tmp_path):
    from dashboard.files import backup
    from dashboard.files.importer import import_folder

    path = build_db(tmp_path / "tiny.duckdb", TINY)
    original = source_and_frames(path, reference(path))[1]
    backup.backup(path, tmp_path / "backup")
    _write_changed_costs(tmp_path / "changed", "555.55")
    assert import_folder(tmp_path / "changed", path).ok
    backup.restore(tmp_path / "backup", path)

    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)
    assert_same_frame(metrics, original)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_empty_and_synthetic_portfolios_store_one_row_per_project_with_lines(tmp_path, synthetic_db):
    empty = build_db(tmp_path / "empty.duckdb", None)
    assert stored_rows(empty) == 0
    source, metrics, computed = source_and_frames(empty, reference(empty))
    assert source == STORED_FIGURES and metrics.empty
    assert_same_frame(metrics, computed)

    copy = tmp_path / "synthetic.duckdb"
    shutil.copyfile(synthetic_db, copy)
    con = db.connect_read_only(copy)
    with_lines = con.execute(
        "select count(*) from (select project_id from costs union select project_id from benefits)"
    ).fetchall()[0][0]
    con.close()
    assert stored_rows(copy) == with_lines > 0


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_block_that_caught_a_failed_statement_commits_nothing_and_stores_nothing(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    first = stored_key(path)
    with db.write_database(path) as con:
        con.execute("delete from costs where project_id = 'P001'").fetchall()
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into projects select * from projects limit 1").fetchall()
    assert stored_key(path) == first
    source, metrics, computed = source_and_frames(path, reference(path))
    assert source == STORED_FIGURES
    assert_same_frame(metrics, computed)
    assert metrics.set_index("project_id").loc["P001", "pv_cost_gbp"] > 0


# --- funding figures: stored on the first of the write's month, for any assumptions -------------------------------


def _write_funding_ending_this_month(folder, this_month):
    """P002 funded by one grant that ends on the 10th of this month and another that starts next month."""
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    folder.mkdir()
    frame = pd.read_csv(TINY / "funding.csv", dtype=str, keep_default_na=False)
    frame = frame[frame["project_id"] != "P002"]
    ending = {"funding_id": "F002", "project_id": "P002", "funder": "National Lottery Community Fund"}
    following = {"funding_id": "F003", "project_id": "P002", "funder": "Exampleshire CC core budget"}
    lines = [
        {**ending, "recurrent": "false", "amount_gbp": "12000", "start_date": "2025-01-01"},
        {**following, "recurrent": "false", "amount_gbp": "4000", "start_date": next_month.isoformat()},
    ]
    lines[0]["end_date"] = this_month.replace(day=10).isoformat()
    lines[1]["end_date"] = next_month.replace(year=next_month.year + 1).isoformat()
    pd.concat([frame, pd.DataFrame(lines)]).to_csv(folder / "funding.csv", index=False)


@pytest.fixture
def funding_ending_this_month(tmp_path):
    from dashboard.files.importer import import_folder

    path = build_db(tmp_path / "tiny.duckdb", TINY)
    _write_funding_ending_this_month(tmp_path / "funding", AS_OF.replace(day=1))
    result = import_folder(tmp_path / "funding", path)
    assert result.ok, [str(p) for p in result.problems]
    return path


def funding_row(path, assumptions, project_id="P002"):
    source, metrics, computed = source_and_frames(path, assumptions)
    assert_same_frame(metrics, computed)
    con = db.connect_read_only(path)
    try:
        funding = appraisal.funding_source(con, assumptions.as_of)
    finally:
        con.close()
    return funding, metrics.set_index("project_id").loc[project_id]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_stored_funding_gives_the_chain_on_the_day_asked_not_on_the_first_of_the_month(funding_ending_this_month):
    path = funding_ending_this_month
    # on the 5th the grant ending on the 10th still runs and the next one follows on: 12,000 + 4,000 secured
    funding, before_end = funding_row(path, reference(path, AS_OF.replace(day=5)))
    assert funding == appraisal.STORED_FUNDING
    assert before_end["active_funding_gbp"] == 16000
    assert before_end["committed_funding_gbp"] == 16000
    # on the 15th it has ended, and the next starts only next month: a gap, so nothing is secured now (the
    # figures stored for the 1st say 16,000; the project is worked out afresh because a line ended since)
    funding, after_end = funding_row(path, reference(path, AS_OF.replace(day=15)))
    assert funding == appraisal.STORED_FUNDING
    assert after_end["active_funding_gbp"] == 0
    assert after_end["runway_months"] == 0
    assert after_end["committed_funding_gbp"] == 16000
    assert list(after_end["funders"]) == ["Exampleshire CC core budget", "National Lottery Community Fund"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("change", [{"discount_rate": 0.05}, {"benefit_factor": 0.8}])
def test_stored_funding_holds_at_any_assumptions_in_the_month_of_the_write(funding_ending_this_month, change):
    assumptions = reference(funding_ending_this_month, AS_OF.replace(day=15)).with_changes(**change)
    funding, row = funding_row(funding_ending_this_month, assumptions)
    assert funding == appraisal.STORED_FUNDING
    assert row["active_funding_gbp"] == 0


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_funding_in_another_month_is_computed_and_asking_for_it_stored_is_an_error(funding_ending_this_month):
    path = funding_ending_this_month
    last_year = reference(path, date(AS_OF.year - 1, AS_OF.month, 15))
    funding, _ = funding_row(path, last_year)
    assert funding == appraisal.COMPUTED_FUNDING
    con = db.connect_read_only(path)
    try:
        con.execute(db.load_query("set_project_funding_source"), {"funding_source": appraisal.STORED_FUNDING})
        with pytest.raises(duckdb.InvalidInputException, match="computed for another month"):
            db.query_df(con, "project_appraisal", {**last_year.query_params(), "project_id": None})
    finally:
        con.close()


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_an_import_of_funding_alone_stores_the_funding_figures_again(tmp_path):
    from dashboard.files.importer import import_folder

    path = build_db(tmp_path / "tiny.duckdb", TINY)
    first = stored_key(path)
    _write_funding_ending_this_month(tmp_path / "funding", AS_OF.replace(day=1))
    assert import_folder(tmp_path / "funding", path).ok
    assert stored_key(path)[0][1] != first[0][1]  # funding is in the fingerprint
    funding, row = funding_row(path, reference(path, AS_OF.replace(day=5)))
    assert funding == appraisal.STORED_FUNDING
    assert row["committed_funding_gbp"] == 16000


def test_refresh_figures_stores_this_months_figures_for_a_database_last_written_in_another_month(tiny_db, capsys, read):
    from dashboard.commands import main

    with duckdb.connect(str(tiny_db)) as con:  # as a database last written in January 2020 would be
        con.execute("update project_figures_reference_key set forward_start_month = date '2020-01-01'")
    today = date.today()
    con = read(tiny_db)
    assert figures_source(con, appraisal.reference_assumptions(con, today)) == COMPUTED_FIGURES
    assert appraisal.funding_source(con, today) == appraisal.COMPUTED_FUNDING
    con.close()

    assert main(["refresh-figures", "--db", str(tiny_db)]) == 0
    assert f"Stored the figures of {tiny_db.resolve()} for {today:%B %Y}" in capsys.readouterr().out
    con = read(tiny_db)
    reference = appraisal.reference_assumptions(con, today)
    assert figures_source(con, reference) == STORED_FIGURES
    assert appraisal.funding_source(con, today) == appraisal.STORED_FUNDING
    con.close()

    before = tiny_db.stat().st_mtime_ns
    assert main(["refresh-figures", "--db", str(tiny_db)]) == 0  # nothing to do: nothing written
    assert "already hold" in capsys.readouterr().out
    assert tiny_db.stat().st_mtime_ns == before
