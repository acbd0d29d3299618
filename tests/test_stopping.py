"""The cost of stopping against figures worked out by hand from tests/data/tiny.

Discount factors at 3.5%: year t of the appraisal window is divided by 1.035**t.
P001 (drumkit): a £350 drumkit once in June 2025 (grade 1, no optimism bias) and £1,500 a month of personal
assistant support no longer needed (council_asc, grade 1, no deadweight/attribution/drop-off) from June 2025.
Its only funding ends 30 June 2025, so by default July 2025 (month 1) to May 2030 (month 59) are lost.
P002 (lunch club): appraisal starts January 2025; funding ends 31 March 2027, so April 2027 (month 27) onwards.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from dashboard import db
from dashboard.appraisal import project_metrics
from dashboard.cli import main
from dashboard.stopping import UnknownProjectError, cost_of_stopping

D = [1 / 1.035**t for t in range(5)]  # discount factor for window years 0..4


def test_drumkit_stopped_at_end_of_funding_is_a_false_economy_returning_1500_a_month(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P001", base_assumptions)
    # months 1..11 in year 0, then four whole years
    by_hand = 1500 * 11 * D[0] + 1500 * 12 * (D[1] + D[2] + D[3] + D[4])
    assert round(by_hand, 2) == 82615.43
    assert c.stop_date == date(2025, 6, 30)
    assert c.is_default_stop_date
    assert c.first_lost_month_date == date(2025, 7, 1)
    assert c.window_last_month_date == date(2030, 5, 1)
    assert c.months_left_in_window == 59
    assert c.costs_saved_gbp == 0
    assert c.benefits_lost_gbp == 82615.43
    assert c.net_effect_gbp == -82615.43
    assert c.returning_to_council_gbp == 82615.43
    assert c.returning_to_council_monthly_gbp == 1500
    assert c.benefits_lost_by_agency == {"council_asc": 82615.43}
    assert c.benefits_lost_undiscounted_gbp == 1500 * 59
    assert c.people_affected == 1
    assert c.false_economy is True
    sentence = c.sentence()
    assert "would save £0 in project costs but lose £82,615 of benefits" in sentence
    assert "£82,615 more than it saves: a false economy" in sentence
    assert "(£1,500 a month at first)" in sentence


def test_lunch_club_stopped_at_end_of_funding_saves_more_than_it_loses(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P002", base_assumptions)
    assert c.stop_date == date(2027, 3, 31)
    assert c.first_lost_month_date == date(2027, 4, 1)
    # months 27..35 are in year 2, 36..47 in year 3, 48..59 in year 4
    months_weighted = 9 * D[2] + 12 * D[3] + 12 * D[4]
    # coordinator £6,000 a year = £500 a month, grade 2 (+5%); the weekly venue cost ended December 2026
    costs = 500 * 1.05 * months_weighted
    # loneliness £3,000 a year = £250 a month, grade 5 (-25%), 25% deadweight
    individual = 250 * 0.75 * 0.75 * months_weighted
    # GP visits £200 a month, grade 4 (-15%), 20% deadweight, 10% attribution, halves each year from February 2025
    gp = 200 * 0.85 * 0.8 * 0.9
    nhs = gp * (0.25 * (9 * D[2] + D[3]) + 0.125 * (11 * D[3] + D[4]) + 0.0625 * 11 * D[4])
    assert c.costs_saved_gbp == round(costs, 2) == 15583.16
    assert c.benefits_lost_by_agency == {"individual": round(individual, 2), "nhs": round(nhs, 2)}
    assert c.benefits_lost_by_agency == {"individual": 4174.06, "nhs": 523.15}
    assert c.benefits_lost_gbp == round(individual + nhs, 2)
    assert c.net_effect_gbp == round(15583.16 - c.benefits_lost_gbp, 2)
    assert c.returning_to_council_gbp == 0
    assert c.costs_saved_monthly_gbp == 525
    assert gp * 0.25 + 250 * 0.75 * 0.75 == pytest.approx(171.225)  # April 2027: £30.60 NHS + £140.625 individual
    assert c.benefits_lost_monthly_gbp == 171.23
    assert c.people_affected == 40
    assert c.false_economy is False
    assert "a net saving of £10,886: not a false economy" in c.sentence()


def test_the_month_the_stop_date_falls_in_counts_as_delivered(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    first_day = cost_of_stopping(con, "P001", base_assumptions, date(2025, 7, 1))
    last_day = cost_of_stopping(con, "P001", base_assumptions, date(2025, 7, 31))
    day_before = cost_of_stopping(con, "P001", base_assumptions, date(2025, 6, 30))
    assert first_day.first_lost_month_date == last_day.first_lost_month_date == date(2025, 8, 1)
    assert first_day.benefits_lost_gbp == last_day.benefits_lost_gbp
    assert round(day_before.benefits_lost_gbp - first_day.benefits_lost_gbp, 2) == 1500  # July, year 0
    assert not first_day.is_default_stop_date


def test_stopping_before_the_project_starts_loses_its_whole_appraisal(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    metrics = project_metrics(con, base_assumptions).set_index("project_id")
    for project_id in ("P001", "P002"):
        c = cost_of_stopping(con, project_id, base_assumptions, date(2024, 12, 31))
        assert c.costs_saved_gbp == pytest.approx(metrics.loc[project_id, "pv_cost_gbp"], abs=0.01)
        assert c.benefits_lost_gbp == pytest.approx(metrics.loc[project_id, "pv_benefit_gbp"], abs=0.01)


def test_stopping_after_the_appraisal_window_saves_and_loses_nothing(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P001", base_assumptions, date(2031, 1, 31))
    assert (c.costs_saved_gbp, c.benefits_lost_gbp, c.months_left_in_window) == (0, 0, 0)
    assert c.false_economy is False
    assert "would neither save nor lose anything" in c.sentence()


def test_an_ended_project_stops_at_the_end_of_its_funding_with_nothing_left(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P003", base_assumptions)
    assert c.stop_date == date(2024, 3, 31)
    assert (c.costs_saved_gbp, c.benefits_lost_gbp, c.people_affected) == (0, 0, 10)


def test_a_longer_horizon_loses_more_of_the_drumkits_benefit(tiny_db, read, base_assumptions):
    c = cost_of_stopping(read(tiny_db), "P001", base_assumptions.with_changes(horizon_years=6))
    five_years = 1500 * 11 + 1500 * 12 * (D[1] + D[2] + D[3] + D[4])
    extra_year = 1500 * 12 / 1.035**5
    assert c.benefits_lost_gbp == round(five_years + extra_year, 2) == 97770.94


def test_unknown_project_is_refused(tiny_db, read, base_assumptions):
    with pytest.raises(UnknownProjectError, match="P999"):
        cost_of_stopping(read(tiny_db), "P999", base_assumptions)


def test_cost_of_stopping_query_gives_every_project_its_default_stop_date(tiny_db, read, base_assumptions):
    params = {**base_assumptions.query_params(), "project_id": None, "stop_date": None}
    frame = db.query_df(read(tiny_db), "cost_of_stopping", params)
    assert frame["project_id"].tolist() == ["P001", "P002", "P003"]
    assert [d.date() for d in frame["stop_date"]] == [date(2025, 6, 30), date(2027, 3, 31), date(2024, 3, 31)]
    assert frame["false_economy"].tolist() == [True, False, False]


def test_cost_of_stopping_by_agency_query_lists_each_agency_of_the_project(tiny_db, read, base_assumptions):
    params = {**base_assumptions.query_params(), "project_id": "P002", "stop_date": date(2027, 3, 31)}
    frame = db.query_df(read(tiny_db), "cost_of_stopping_by_agency", params)
    assert frame[["beneficiary_agency", "benefits_lost_gbp"]].values.tolist() == [
        ["individual", 4174.06],
        ["nhs", 523.15],
    ]
    assert frame["benefits_lost_monthly_gbp"].tolist() == [140.63, 30.6]


def test_cli_cost_of_stopping_json_carries_the_agreed_fields(tiny_db, capsys):
    assert main(["cost-of-stopping", "P001", "--db", str(tiny_db), "--as-of", "2026-11-22"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["costs_saved_gbp"] == 0
    assert data["benefits_lost_gbp"] == 82615.43
    assert data["net_effect_gbp"] == -82615.43
    assert data["returning_to_council_gbp"] == 82615.43
    assert data["returning_to_council_monthly_gbp"] == 1500
    assert data["benefits_lost_by_agency"] == {"council_asc": 82615.43}
    assert data["people_affected"] == 1
    assert data["false_economy"] is True
    assert data["stop_date"] == "2025-06-30"


def test_cli_cost_of_stopping_csv_with_a_stop_date(tiny_db, capsys):
    assert main(["cost-of-stopping", "P002", "--stop-date", "2027-03-31", "--format", "csv", "--db", str(tiny_db)]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    assert "benefits_lost_nhs_gbp" in header and "false_economy" in header
    assert lines[1].startswith("P002,")


def test_cli_cost_of_stopping_user_errors_exit_non_zero_without_traceback(tiny_db, capsys):
    assert main(["cost-of-stopping", "P999", "--db", str(tiny_db)]) == 2
    err = capsys.readouterr().err
    assert "There is no project with the id 'P999'" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as exit_info:
        main(["cost-of-stopping", "P001", "--stop-date", "31/06/2025", "--db", str(tiny_db)])
    assert exit_info.value.code == 2
    assert "is not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_demo_drumkit_is_a_false_economy_with_1500_a_month_back_on_the_council(demo_db, read, base_assumptions):
    c = cost_of_stopping(read(demo_db), "P001", base_assumptions)
    assert c.project_name == "Drumkit from a personal budget"
    assert c.costs_saved_gbp == 0
    assert c.returning_to_council_monthly_gbp == 1500
    assert c.false_economy is True
    assert c.benefits_lost_gbp > c.costs_saved_gbp
