"""Tornado figures and switching values against hand-worked cases (the drumkit and a loss-maker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.rules import sensitivity
from dashboard.rules.appraisal import Assumptions, project_metrics
from tests.conftest import AS_OF, DATA, build_db

# the drumkit (tests/data/tiny P001): £350 once (grade 1); £1,500 a month of personal-assistant support
# avoided from its first month, grade 1, no deadweight, attribution or drop-off. So at rate r over H years
# PV benefit = 1500 x 12 x sum_{t<H} 1/(1+r)^t and NPV = that - 350.


def drumkit_pv_benefit(rate: float, years: int, factor: float = 1.0) -> float:
    return 1500 * 12 * factor * sum(1 / (1 + rate) ** t for t in range(years))


# the loss-maker (tests/data/sensitivity X1), at a 2-year horizon and 3.5%:
# cost £1,000 once at grade 3 (10% optimism bias) = £1,100 in month 0;
# benefit £100 a month x (1 - 0.25 deadweight) x (1 - 0.2 attribution) = £60 a month = £720 in year 0,
# halved by 50% drop-off in year 1 and discounted once: 360 / 1.035.


def loss_maker_pv_benefit(deadweight=0.25, attribution=0.2, drop_off=0.5, rate=0.035, years=2, bias=0.0) -> float:
    year0 = 100 * 12 * (1 - deadweight) * (1 - attribution) * (1 - bias)
    return sum(year0 * (1 - drop_off) ** t / (1 + rate) ** t for t in range(years))


@pytest.fixture
def loss_db(tmp_path) -> Path:
    return build_db(tmp_path / "sensitivity.duckdb", DATA / "sensitivity")


def by_input(frame, project_id):
    rows = frame[frame["project_id"] == project_id].set_index("input")
    return {k: (rows.loc[k, "npv_low_gbp"], rows.loc[k, "npv_high_gbp"]) for k in rows.index}


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_drumkit_tornado_matches_the_closed_form_for_every_input(tiny_db, read):
    con = read(tiny_db)
    rows = sensitivity.tornado(con, Assumptions(as_of=AS_OF), 0.2, "P001")
    got = by_input(rows, "P001")
    base = drumkit_pv_benefit(0.035, 5)
    assert rows["base_npv_gbp"].iloc[0] == pytest.approx(round(base - 350, 2), abs=0.005)
    expected = {
        "costs": (base - 280, base - 420),
        "benefits": (0.8 * base - 350, 1.2 * base - 350),
        "deadweight": (base - 350, base - 350),  # no deadweight to scale
        "attribution": (base - 350, base - 350),
        "drop_off": (base - 350, base - 350),
        "optimism_bias": (base - 350, 0.95 * base - 350 * 1.05),  # grade 1 cannot be more sure; grade 2 is 5%
        "discount_rate": (drumkit_pv_benefit(0.015, 5) - 350, drumkit_pv_benefit(0.05, 5) - 350),
        "horizon": (1500 * 12 - 350, drumkit_pv_benefit(0.035, 10) - 350),
    }
    for key, (low, high) in expected.items():
        assert got[key][0] == pytest.approx(low, abs=0.006), key
        assert got[key][1] == pytest.approx(high, abs=0.006), key
    # horizon moves it most (from £17,650 to £154,588.36), so it is the top bar
    assert rows.iloc[0]["input"] == "horizon"
    assert rows.iloc[0]["npv_low_gbp"] == 17650.00
    assert rows["swing_gbp"].is_monotonic_decreasing


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_loss_maker_tornado_matches_hand_worked_figures(loss_db, read):
    con = read(loss_db)
    base = Assumptions(as_of=AS_OF, horizon_years=2)
    got = by_input(sensitivity.tornado(con, base, 0.2), "X1")
    pv = loss_maker_pv_benefit()
    assert pv == pytest.approx(720 + 360 / 1.035)
    expected = {
        "costs": (pv - 880, pv - 1320),
        "benefits": (0.8 * pv - 1100, 1.2 * pv - 1100),
        "deadweight": (loss_maker_pv_benefit(deadweight=0.2) - 1100, loss_maker_pv_benefit(deadweight=0.3) - 1100),
        "attribution": (loss_maker_pv_benefit(attribution=0.16) - 1100, loss_maker_pv_benefit(attribution=0.24) - 1100),
        "drop_off": (loss_maker_pv_benefit(drop_off=0.4) - 1100, loss_maker_pv_benefit(drop_off=0.6) - 1100),
        # grade shift -1: the cost moves to grade 2 (5%), the benefit stays at grade 1; +1: 15% and 5%
        "optimism_bias": (pv - 1050, loss_maker_pv_benefit(bias=0.05) - 1150),
        "discount_rate": (loss_maker_pv_benefit(rate=0.015) - 1100, loss_maker_pv_benefit(rate=0.05) - 1100),
        "horizon": (720 - 1100, loss_maker_pv_benefit(years=10) - 1100),
    }
    for key, (low, high) in expected.items():
        assert got[key][0] == pytest.approx(low, abs=0.006), key
        assert got[key][1] == pytest.approx(high, abs=0.006), key
    assert got["deadweight"] == (pytest.approx(39.01, abs=0.006), pytest.approx(-103.36, abs=0.006))


def test_switching_values_are_exact_because_present_value_is_linear_in_the_factors(tiny_db, read):
    con = read(tiny_db)
    base = Assumptions(as_of=AS_OF)
    pv = sensitivity.present_values(con, base, "P001").iloc[0]
    values = sensitivity.switching_values(pv["pv_cost_gbp"], pv["pv_benefit_gbp"])
    expected_fall = (drumkit_pv_benefit(0.035, 5) - 350) / drumkit_pv_benefit(0.035, 5)
    assert -values.benefit_change_share == pytest.approx(expected_fall, abs=1e-7)
    assert values.cost_change_share == pytest.approx(
        (drumkit_pv_benefit(0.035, 5) - 350) / 350, abs=2e-5
    )  # pennies / £350
    # re-running the SQL at the switching value really lands on break-even
    at_switch = base.with_changes(benefit_factor=1 + values.benefit_change_share)
    assert sensitivity.present_values(con, at_switch, "P001").iloc[0]["npv_gbp"] == pytest.approx(0, abs=0.01)
    at_cost_switch = base.with_changes(cost_factor=1 + values.cost_change_share)
    assert sensitivity.present_values(con, at_cost_switch, "P001").iloc[0]["npv_gbp"] == pytest.approx(0, abs=0.01)


def test_drumkit_switching_sentence_says_benefits_could_fall_by_99_6_percent(tiny_db, read):
    pv = sensitivity.present_values(read(tiny_db), Assumptions(as_of=AS_OF), "P001").iloc[0]
    sentences = sensitivity.switching_sentences(sensitivity.switching_values(pv["pv_cost_gbp"], pv["pv_benefit_gbp"]))
    assert sentences[0] == (
        "Benefits could fall by 99.6% (£83,765 in present value) before this project stops paying for itself."
    )
    assert sentences[1].startswith("Costs could rise by 23,933% ")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_loss_maker_is_told_how_far_benefits_would_need_to_rise(loss_db, read):
    con = read(loss_db)
    pv = sensitivity.present_values(con, Assumptions(as_of=AS_OF, horizon_years=2)).iloc[0]
    assert (pv["pv_cost_gbp"], pv["pv_benefit_gbp"], pv["npv_gbp"]) == (1100.00, 1067.83, -32.17)
    values = sensitivity.switching_values(pv["pv_cost_gbp"], pv["pv_benefit_gbp"])
    assert values.benefit_change_share == pytest.approx(32.17 / 1067.83)  # about 3.01%
    assert values.cost_change_share == pytest.approx(-32.17 / 1100)  # about 2.92%
    sentences = sensitivity.switching_sentences(values)
    assert sentences == [
        "Benefits would need to rise by 3% (£32 in present value) for this project to pay for itself.",
        "Or costs would need to fall by 3% (£32 in present value) for it to pay for itself.",
    ]


def test_switching_sentences_for_no_benefits_and_for_nothing_recorded():
    assert (
        "cannot pay for itself in pounds" in sensitivity.switching_sentences(sensitivity.switching_values(13800, 0))[0]
    )
    assert "nothing to test" in sensitivity.switching_sentences(sensitivity.switching_values(0, 0))[0]
    assert "exactly breaks even" in sensitivity.switching_sentences(sensitivity.switching_values(500, 500))[0]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_present_values_agree_with_the_project_metrics_to_the_penny(tiny_db, read):
    con = read(tiny_db)
    for assumptions in (Assumptions(as_of=AS_OF), Assumptions(as_of=AS_OF, benefit_factor=0.8, grade_shift=1)):
        ours = sensitivity.present_values(con, assumptions).set_index("project_id")
        theirs = project_metrics(con, assumptions).set_index("project_id")
        for column in ("pv_cost_gbp", "pv_benefit_gbp", "npv_gbp"):
            assert ours[column].tolist() == pytest.approx(theirs[column].tolist(), abs=0.011), column


def test_pessimistic_count_on_the_tiny_portfolio(tiny_db, read):
    con = read(tiny_db)
    base = Assumptions(as_of=AS_OF)
    pessimistic = sensitivity.pessimistic_assumptions(base)
    assert (pessimistic.cost_factor, pessimistic.benefit_factor, pessimistic.grade_shift) == (1.2, 0.8, 1)
    count = sensitivity.break_even_count(con, base)
    # only the drumkit pays for itself, and it still does when pessimistic (0.8 x 0.95 x £84,115 > £441)
    assert (count.projects, count.above_at_base, count.stay_above, count.fall_below) == (3, 1, 1, ())
    assert count.sentence().startswith("1 of the 1 projects that pay for themselves")
    assert sensitivity.break_even_count(con, base, project_ids=["P002", "P003"]).above_at_base == 0


def test_a_swing_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        sensitivity.tornado_cases(Assumptions(as_of=AS_OF), 1.5)
