"""The cost of stopping, stopping against continuing, against figures worked out by hand from tests/data/tiny.

Discount factors at 3.5%: year t of the comparison window is divided by 1.035**t.
P001 (drumkit): a £350 drumkit once in June 2025 and £1,500 a month of personal-assistant support no longer
needed (council_asc, grade 1, no adjustments) from June 2025; its only funding ends 30 June 2025. The tiny portfolio
gives the benefit no persistence (the demo's drumkit persists 60 months: tests/test_decision_grade_method.py).
P002 (lunch club): runs January 2025 to December 2026; its latest funding ends 31 March 2027.
More cases (persistence, exit costs, an NHS-paid line) are in tests/test_decision_grade_method.py.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from dashboard.commands import main
from dashboard.database import db
from dashboard.rules.stopping import UnknownProjectError, cost_of_stopping

D = [1 / 1.035**t for t in range(10)]  # discount factor for window years


def test_drumkit_at_the_end_of_its_funding_has_nothing_to_stop(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P001", base_assumptions)
    assert c.stop_date == date(2025, 6, 30)
    assert c.is_default_stop_date is True
    assert (c.window_start_date, c.window_last_month_date) == (date(2025, 7, 1), date(2030, 6, 1))
    assert c.nothing_to_stop  # its only cost was the drumkit, bought in June 2025
    assert c.costs_avoided_gbp == 0
    # with no persistence in this tiny portfolio the model lets its saving end; there is still nothing to stop
    assert c.benefits_lost_gbp == round(1500 * 12 * sum(D[:5]), 2) == 84115.43
    assert c.false_economy is False and c.false_economy_for_council is False
    assert c.sentence().startswith("There is nothing to stop after 30 June 2025")


def test_the_month_the_stop_date_falls_in_counts_as_delivered(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    first_day = cost_of_stopping(con, "P002", base_assumptions, date(2026, 6, 1))
    last_day = cost_of_stopping(con, "P002", base_assumptions, date(2026, 6, 30))
    assert first_day.window_start_date == last_day.window_start_date == date(2026, 7, 1)
    assert first_day.to_dict() | {"stop_date": None, "sentence": None, "sentences": None} == last_day.to_dict() | {
        "stop_date": None,
        "sentence": None,
        "sentences": None,
    }


def test_stopping_after_the_planned_end_has_nothing_to_stop(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P002", base_assumptions)  # default: 31 March 2027, after December 2026
    assert c.stop_date == date(2027, 3, 31)
    assert c.nothing_to_stop
    assert (c.costs_avoided_gbp, c.benefits_lost_gbp, c.people_affected) == (0, 0, 40)


def test_a_pilot_stopped_at_the_end_of_its_funding_avoids_what_carrying_it_on_would_cost(
    tiny_db, read, base_assumptions
):
    # P003's £1,000 a month (grade 4, +15%) runs to March 2024, the end of its funding: carrying on is 60 more months
    c = cost_of_stopping(read(tiny_db), "P003", base_assumptions)
    assert c.stop_date == date(2024, 3, 31)
    assert c.costs_avoided_gbp == round(1000 * 1.15 * 12 * sum(D[:5]), 2)
    assert (c.benefits_lost_gbp, c.people_affected, c.false_economy) == (0, 10, False)
    after = cost_of_stopping(read(tiny_db), "P003", base_assumptions, date(2024, 4, 30))
    assert after.nothing_to_stop and after.costs_avoided_gbp == 0


def test_a_longer_horizon_widens_the_comparison_window(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P001", base_assumptions.with_changes(horizon_years=6))
    assert c.window_last_month_date == date(2031, 6, 1)
    assert c.benefits_lost_gbp == round(1500 * 12 * sum(D[:6]), 2)


def test_unknown_project_is_refused(tiny_db, read, base_assumptions):
    with pytest.raises(UnknownProjectError, match="P999"):
        cost_of_stopping(read(tiny_db), "P999", base_assumptions)


def test_negative_exit_costs_are_refused(tiny_db, read, base_assumptions):
    with pytest.raises(ValueError, match="Exit costs"):
        cost_of_stopping(read(tiny_db), "P002", base_assumptions, exit_costs_gbp=-1)


def _params(base_assumptions, project_id, stop_date):
    return {**base_assumptions.query_params(), "project_id": project_id, "stop_date": stop_date}


def test_cost_of_stopping_query_gives_every_project_its_default_stop_date(tiny_db, read, base_assumptions):
    params = {**_params(base_assumptions, None, None), "exit_costs_gbp": 0}
    frame = db.query_df(read(tiny_db), "cost_of_stopping", params)
    assert frame["project_id"].tolist() == ["P001", "P002", "P003"]
    assert [d.date() for d in frame["stop_date"]] == [date(2025, 6, 30), date(2027, 3, 31), date(2024, 3, 31)]
    assert frame["nothing_to_stop"].tolist() == [True, True, False]
    assert frame["false_economy"].tolist() == [False, False, False]


def test_cost_of_stopping_by_agency_query_splits_costs_by_payer_and_benefits_by_receiver(
    tiny_db, read, base_assumptions
):
    params = _params(base_assumptions, "P002", date(2026, 6, 30))
    frame = db.query_df(read(tiny_db), "cost_of_stopping_by_agency", params)
    assert frame[["side", "agency"]].values.tolist() == [
        ["cost", "council_asc"],
        ["benefit", "individual"],
        ["benefit", "nhs"],
    ]
    # B003 in the first month, no drop-off: 3000 / 12 x 0.75 x 0.75 = 140.625, to the penny half up;
    # B002 in July 2026 after one year of drop-off (it started in February 2025): 200 x 0.85 x 0.8 x 0.9 x 0.5
    assert frame["first_month_gbp"].tolist()[1:] == [140.63, 61.2]


def test_cli_cost_of_stopping_json_carries_the_agreed_fields(tiny_db, capsys):
    args = ["cost-of-stopping", "P002", "--db", str(tiny_db), "--as-of", "2026-11-22", "--stop-date", "2026-06-30"]
    assert main([*args, "--exit-costs", "2500"]) == 0
    data = json.loads(capsys.readouterr().out)
    for field in (
        "costs_avoided_gbp",
        "benefits_lost_gbp",
        "net_saving_gbp",
        "costs_avoided_by_payer",
        "benefits_lost_by_agency",
        "council_costs_avoided_gbp",
        "council_cashable_benefits_lost_gbp",
        "returning_to_council_first_month_gbp",
        "false_economy",
        "false_economy_for_council",
    ):
        assert field in data, field
    assert data["exit_costs_gbp"] == 2500
    assert data["costs_avoided_gbp"] == round(data["continue_costs_gbp"] - 2500, 2)
    assert data["net_saving_gbp"] == round(data["costs_avoided_gbp"] - data["benefits_lost_gbp"], 2)
    assert set(data["benefits_lost_by_agency"]) == {"individual", "nhs"}
    assert data["people_affected"] == 40
    assert data["stop_date"] == "2026-06-30"


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_cost_of_stopping_csv_with_a_stop_date(tiny_db, capsys):
    assert main(["cost-of-stopping", "P002", "--stop-date", "2026-06-30", "--format", "csv", "--db", str(tiny_db)]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    assert "benefits_lost_nhs_gbp" in header and "costs_avoided_council_asc_gbp" in header and "false_economy" in header
    assert lines[1].startswith("P002,")


def test_cli_cost_of_stopping_user_errors_exit_non_zero_without_traceback(tiny_db, capsys):
    assert main(["cost-of-stopping", "P999", "--db", str(tiny_db)]) == 2
    err = capsys.readouterr().err
    assert "There is no project with the id 'P999'" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exit_info:
        main(["cost-of-stopping", "P001", "--stop-date", "31/06/2025", "--db", str(tiny_db)])
    assert exit_info.value.code == 2
    assert "is not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_demo_lunch_club_at_the_end_of_its_funding_is_compared_with_carrying_on(demo_db, read, base_assumptions):
    c = cost_of_stopping(read(demo_db), "P003", base_assumptions)
    assert c.project_name == "Wah Kiu lunch club (華僑)"
    assert c.stop_date == date(2027, 1, 31)
    assert not c.nothing_to_stop
    assert c.costs_avoided_gbp > 0 and c.benefits_lost_gbp > 0
    # its friendships and put-off home care outlast it a little (persistence 3 and 6 months)
    assert 0 < c.stop_benefits_gbp < c.continue_benefits_gbp
    assert c.returning_to_council_first_month_gbp == 0
