"""The decision-grade method, worked by hand (tests/data/method/): benefits that end when they should, health
values at the health rate, prices converted to one base year, fiscal payback that has to last, the two views, the
funding chain and the cost of stopping as stopping against continuing.

Each expected figure is worked out here from the rule as the README states it, month by month, without the SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.rules.appraisal import Assumptions, project_metrics
from dashboard.rules.stopping import cost_of_stopping
from tests.conftest import build_db

METHOD = Path(__file__).parent / "data" / "method"
STANDARD = 0.035
HEALTH = 0.015
DEFLATOR_2013_14, DEFLATOR_2024_25, DEFLATOR_2025_26 = 73.0337, 100.0, 103.2388  # data/reference/gdp_deflators.csv


def df(year: int, rate: float = STANDARD) -> float:
    return 1 / (1 + rate) ** year


def pv(monthly_amounts: list[float], rate: float = STANDARD) -> float:
    """Present value of a list of amounts, one per window month from month 0."""
    return sum(a * df(m // 12, rate) for m, a in enumerate(monthly_amounts))


@pytest.fixture(scope="module")
def method_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("method") / "method.duckdb", METHOD)


@pytest.fixture(scope="module")
def metrics_at(method_db):
    from dashboard.database import db

    con = db.connect_read_only(method_db)

    def _metrics(as_of: date, **changes) -> pd.DataFrame:
        return project_metrics(con, Assumptions(as_of=as_of, **changes)).set_index("project_id")

    yield _metrics
    con.close()


AS_OF = date(2026, 11, 22)


# ---- line periods -----------------------------------------------------------------------------------------


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_cost_with_no_end_date_ends_with_its_project(metrics_at):
    # MC01 £1,000 a month from January 2025, no end date; the project ends on 30 June 2025: six months
    assert metrics_at(AS_OF).loc["M01", "pv_cost_gbp"] == 6000.00


def test_a_benefit_persists_its_months_past_the_projects_end(metrics_at):
    # MB01 £500 a month, no end date, persistence 6: January to June with the project, then July to December
    m01 = metrics_at(AS_OF).loc["M01"]
    assert m01["pv_benefit_gbp"] == 12 * 500  # all in year 0
    assert m01["npv_gbp"] == 0


def test_persistence_applies_only_after_the_project_ends_so_an_open_project_is_unchanged(metrics_at):
    # M08 has no planned end date: its lines run to the end of the window whatever their persistence
    m08 = metrics_at(AS_OF).loc["M08"]
    assert m08["pv_benefit_gbp"] == round(pv([2500] * 60), 2)


# ---- health values, prices -----------------------------------------------------------------------------------


def test_a_health_value_line_is_discounted_at_the_green_book_health_rate(metrics_at):
    # MB02 £1,200 a year (£100 a month) valued in WELLBYs at 1.5%; MB03 the same amount at the standard 3.5%
    m02 = metrics_at(AS_OF).loc["M02"]
    assert m02["pv_benefit_gbp"] == round(pv([100] * 60, HEALTH) + pv([100] * 60, STANDARD), 2)


def test_a_chosen_discount_rate_scales_the_standard_schedule_but_not_the_health_one(metrics_at):
    m02 = metrics_at(AS_OF, discount_rate=0.05).loc["M02"]
    assert m02["pv_benefit_gbp"] == round(pv([100] * 60, HEALTH) + pv([100] * 60, 0.05), 2)


def test_amounts_in_another_price_year_are_converted_to_the_price_base(metrics_at):
    # base 2024-25 (data/reference/council.csv); MB04 £219 a week in 2013-14 prices; MC03 £1,000 a month in 2025-26
    m03 = metrics_at(AS_OF).loc["M03"]
    benefit = 219 * 52 / 12 * DEFLATOR_2024_25 / DEFLATOR_2013_14
    cost = 1000 * DEFLATOR_2024_25 / DEFLATOR_2025_26
    assert m03["pv_benefit_gbp"] == round(pv([benefit] * 60), 2)
    assert m03["pv_cost_gbp"] == round(pv([cost] * 60), 2)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_an_unknown_price_year_is_an_import_error_naming_the_years_available(tmp_path):
    from dashboard.files.importer import import_folder

    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "costs.csv").write_text(
        "cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade,price_year\n"
        "X1,M03,Rent,100,monthly,2025-04-01,,1,1990-91\n"
        "X2,M03,Rent,100,monthly,2025-04-01,,1,2025/26\n",
        encoding="utf-8",
    )
    path = build_db(tmp_path / "m.duckdb", METHOD)
    result = import_folder(folder, path)
    assert not result.ok
    reasons = {(p.row, p.column): p.reason for p in result.problems}
    assert "the years available are 2000-01, 2001-02" in reasons[(2, "price_year")]
    assert "2024-25" in reasons[(2, "price_year")]
    assert "is not a financial year" in reasons[(3, "price_year")]


# ---- fiscal payback ---------------------------------------------------------------------------------------------


def test_payback_must_last_a_project_that_touches_break_even_and_falls_back_pays_back_later(metrics_at):
    # MB05 £200 a month from month 0; MC04 £1,200 in month 0 and MC05 £1,000 in month 6. Cumulative savings reach
    # £1,200 in month 6 (the first touch) but fall behind when the second cost lands; they reach £2,200 in month 11
    # and stay ahead: fiscal payback month 11, not 6
    assert metrics_at(AS_OF).loc["M04", "fiscal_payback_months"] == 11


def test_payback_counts_a_month_where_savings_exactly_equal_costs_and_stay_equal(metrics_at):
    # M01: costs £6,000 by June; savings £500 a month reach £6,000 in December (month 12) and stay there
    assert metrics_at(AS_OF).loc["M01", "fiscal_payback_months"] == 12


def test_payback_counts_only_fiscal_benefits(metrics_at):
    # M02's benefits are social value only: however large, they never pay back the council's costs
    assert pd.isna(metrics_at(AS_OF).loc["M02", "fiscal_payback_months"])


# ---- the two views --------------------------------------------------------------------------------------------


def test_a_project_started_in_2022_has_a_whole_life_and_a_forward_view(metrics_at):
    # MC08 £1,000 a month and MB08 £1,500 a month (drop-off 10% a year from January 2022), no end dates
    m07 = metrics_at(AS_OF).loc["M07"]
    # whole life: January 2022 to December 2026
    benefit = [1500 * 0.9 ** (m // 12) for m in range(60)]
    assert m07["pv_cost_gbp"] == round(pv([1000] * 60), 2)
    assert m07["pv_benefit_gbp"] == round(pv(benefit), 2)
    # forward: November 2026 to October 2031, year 0 from November 2026; the line is in its 5th year then
    # (58 months since January 2022) and its 6th from January 2027
    forward_benefit = [1500 * 0.9 ** ((m + 58) // 12) for m in range(60)]
    assert m07["forward_pv_cost_gbp"] == round(pv([1000] * 60), 2)
    assert m07["forward_pv_benefit_gbp"] == round(pv(forward_benefit), 2)
    assert m07["forward_npv_gbp"] == round(pv(forward_benefit) - pv([1000] * 60), 2)
    assert m07["forward_bcr"] == round(pv(forward_benefit) / pv([1000] * 60), 2)


def test_the_forward_view_leaves_out_money_already_spent(metrics_at):
    m01 = metrics_at(AS_OF).loc["M01"]  # ended in June 2025
    assert (m01["forward_pv_cost_gbp"], m01["forward_pv_benefit_gbp"]) == (0, 0)
    assert pd.isna(m01["forward_bcr"])


def test_forward_figures_share_one_base_date_so_they_add_up(metrics_at):
    at = metrics_at(AS_OF)
    # M05 and M06 are the same shape started the same month: forward, both are discounted to November 2026
    assert at.loc["M05", "forward_pv_cost_gbp"] == at.loc["M06", "forward_pv_cost_gbp"] == round(pv([1000] * 60), 2)


# ---- the funding chain ----------------------------------------------------------------------------------------


def test_recurrent_funding_from_the_month_after_the_award_ends_joins_the_chain(metrics_at):
    # 15 March 2025: MF02 ends 31 March, MF03 (recurrent) starts 1 April, the month after: one chain
    m05 = metrics_at(date(2025, 3, 15)).loc["M05"]
    assert m05["risk_funding_runway_points"] == 0  # recurrent funding in place
    assert m05["risk_short_term_funding_points"] == 20 * 12000 / 48000
    assert m05["risk_funder_concentration_points"] == 10 * 36000 / 48000
    assert m05["runway_months"] == 36  # March 2025 to March 2028
    assert m05["projectitis_score"] == 12.5


def test_funding_after_a_three_month_gap_does_not_join_the_chain(metrics_at):
    # MF05 starts in July: April to June are unfunded, so on 15 March 2025 the chain is MF04 alone
    m06 = metrics_at(date(2025, 3, 15)).loc["M06"]
    assert m06["runway_months"] == 0
    assert m06["risk_funding_runway_points"] == 25
    assert m06["risk_short_term_funding_points"] == 20
    assert m06["risk_funder_concentration_points"] == 10
    assert m06["projectitis_score"] == 55


def test_once_the_gap_has_passed_the_later_funding_is_the_chain(metrics_at):
    m06 = metrics_at(date(2025, 7, 15)).loc["M06"]
    assert m06["risk_funding_runway_points"] == 0  # recurrent funding in place
    assert m06["projectitis_score"] == 10  # one funder


def test_a_project_whose_costs_ended_with_it_needs_no_funding(metrics_at):
    m01 = metrics_at(date(2025, 8, 1)).loc["M01"]  # its costs ended in June; its benefit persists
    assert not m01["needs_funding"]


# ---- the cost of stopping: stopping against continuing ----------------------------------------------------------


def test_demo_drumkit_has_nothing_to_stop_and_loses_nothing(demo_db, read):
    c = cost_of_stopping(read(demo_db), "P001", Assumptions(as_of=AS_OF))
    assert c.stop_date == date(2025, 6, 30)  # the end of its only funding line
    assert (c.costs_avoided_gbp, c.benefits_lost_gbp, c.net_saving_gbp) == (0, 0, 0)
    assert c.nothing_to_stop
    assert not c.false_economy and not c.false_economy_for_council
    assert "nothing to stop" in c.sentence()


def test_demo_drumkit_keeps_its_whole_life_figures(demo_db, read):
    drumkit = project_metrics(read(demo_db), Assumptions(as_of=AS_OF)).set_index("project_id").loc["P001"]
    assert (drumkit["pv_cost_gbp"], drumkit["pv_benefit_gbp"], drumkit["bcr"]) == (350.00, 84115.43, 240.33)
    assert drumkit["fiscal_payback_months"] == 1


def _lunch_club_continue(stop_month_offset: int):
    """The tiny portfolio's lunch club (tests/data/tiny) carried on after June 2026, by hand, for 60 months."""
    weekly = 100 * 52 / 12 * 1.10  # C002, grade 3
    annual = 6000 / 12 * 1.05  # C003, grade 2
    gp = 200 * 0.85 * 0.8 * 0.9  # B002, grade 4, deadweight 0.2, attribution 0.1, drop-off 50% a year
    social = 3000 / 12 * 0.75 * 0.75  # B003, grade 5, deadweight 0.25
    # B002 started in February 2025, 17 months before July 2026
    gp_months = [gp * 0.5 ** ((m + stop_month_offset) // 12) for m in range(60)]
    return [weekly + annual] * 60, gp_months, [social] * 60


def test_lunch_club_stopped_against_continued(tiny_db, read):
    c = cost_of_stopping(read(tiny_db), "P002", Assumptions(as_of=AS_OF), date(2026, 6, 30))
    costs, gp, social = _lunch_club_continue(17)
    assert c.window_start_date == date(2026, 7, 1)
    assert c.continue_costs_gbp == round(pv(costs), 2)
    assert c.costs_avoided_gbp == round(pv(costs), 2)
    assert c.benefits_lost_by_agency == {"individual": round(pv(social), 2), "nhs": round(pv(gp), 2)}
    assert c.benefits_lost_gbp == round(pv(social) + pv(gp), 2)  # nothing persists after stopping
    assert c.net_saving_gbp == round(c.costs_avoided_gbp - c.benefits_lost_gbp, 2)
    assert c.costs_avoided_by_payer == {"council_asc": round(pv(costs), 2)}
    assert (c.council_cashable_benefits_lost_gbp, c.returning_to_council_first_month_gbp) == (0, 0)
    assert not c.false_economy and not c.nothing_to_stop
    assert c.to_dict()["sentences"][0].startswith("Continuing after 30 June 2026 would cost")


def test_exit_costs_come_off_the_costs_avoided_for_the_council(tiny_db, read):
    con = read(tiny_db)
    plain = cost_of_stopping(con, "P002", Assumptions(as_of=AS_OF), date(2026, 6, 30))
    with_exit = cost_of_stopping(con, "P002", Assumptions(as_of=AS_OF), date(2026, 6, 30), exit_costs_gbp=5000)
    assert with_exit.costs_avoided_gbp == round(plain.costs_avoided_gbp - 5000, 2)
    assert with_exit.council_costs_avoided_gbp == round(plain.council_costs_avoided_gbp - 5000, 2)
    assert with_exit.net_saving_gbp == round(plain.net_saving_gbp - 5000, 2)
    council = plain.costs_avoided_by_payer["council_asc"]
    assert with_exit.costs_avoided_by_payer["council_asc"] == round(council - 5000, 2)
    assert with_exit.benefits_lost_gbp == plain.benefits_lost_gbp
    assert "exit costs" in with_exit.sentence()


def test_an_nhs_paid_cost_line_is_avoided_for_the_nhs_not_the_council(method_db, read):
    # M08 stopped after 31 December 2025: the NHS avoids £2,000 a month, the council £1,000, and the council loses
    # £2,500 a month of cashable savings
    c = cost_of_stopping(read(method_db), "M08", Assumptions(as_of=AS_OF), date(2025, 12, 31))
    assert c.costs_avoided_by_payer == {"nhs": round(pv([2000] * 60), 2), "council_asc": round(pv([1000] * 60), 2)}
    assert c.council_costs_avoided_gbp == round(pv([1000] * 60), 2)
    assert c.council_cashable_benefits_lost_gbp == round(pv([2500] * 60), 2)
    assert c.returning_to_council_first_month_gbp == 2500
    assert c.false_economy_for_council  # the council loses £2,500 a month to save £1,000
    assert not c.false_economy  # the public purse as a whole saves £3,000 a month to lose £2,500


def test_a_benefit_that_persists_is_not_lost_for_those_months(method_db, read):
    # M01 stopped after 31 March 2025: continuing, MC01 and MB01 carry on for 60 months; stopping, MB01 lasts 6 more
    c = cost_of_stopping(read(method_db), "M01", Assumptions(as_of=AS_OF), date(2025, 3, 31))
    assert c.costs_avoided_gbp == round(pv([1000] * 60), 2)
    assert c.stop_benefits_gbp == 6 * 500
    assert c.benefits_lost_gbp == round(pv([500] * 60) - 3000, 2)
    assert c.returning_to_council_first_month_gbp == 0  # the saving persists in the first month


def test_at_the_end_of_its_funding_continuing_means_carrying_on_past_the_planned_end(method_db, read):
    # the default stop date is the end of MF01, 30 June 2025, the project's last planned month: its lines are
    # running then, so continuing carries them on and stopping lets the benefit persist its 6 months
    c = cost_of_stopping(read(method_db), "M01", Assumptions(as_of=AS_OF))
    assert c.stop_date == date(2025, 6, 30)
    assert c.costs_avoided_gbp == round(pv([1000] * 60), 2)
    assert c.benefits_lost_gbp == round(pv([500] * 60) - 3000, 2)


def test_stopping_after_the_project_has_ended_has_nothing_to_stop(method_db, read):
    c = cost_of_stopping(read(method_db), "M01", Assumptions(as_of=AS_OF), date(2025, 8, 31))
    assert c.nothing_to_stop
    assert (c.costs_avoided_gbp, c.benefits_lost_gbp) == (0, 0)
