"""Money, dates and financial years as GOV.UK style writes them."""

from datetime import date

import pytest

from dashboard.rules.formatting import (
    financial_year,
    financial_year_start,
    gbp,
    gbp_headline,
    long_date,
    months,
    number,
    percent,
    ratio,
    score,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1500, "£1,500"),
        (350.0, "£350"),
        (-12_417, "\u2212£12,417"),  # a minus sign before the pound, not "£-12,417" or a hyphen
        (-250.4, "\u2212£250"),
        (11_100_000, "£11,100,000"),  # in full outside headline figures, so a column compares
        (0.5, "£1"),  # halves go up
        (0.4, "£0.40"),
        (-0.2, "\u2212£0.20"),
        (-0.0001, "£0.00"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_money_reads_as_people_write_it(value, text):
    assert gbp(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (851_600, "£851,600"),
        (2_400_000, "£2.4 million"),
        (15_600_000, "£15.6 million"),
        (-11_100_000, "\u2212£11.1 million"),
        (1_250_000_000, "£1.25 billion"),
        (None, "—"),
    ],
)
def test_headline_figures_alone_use_millions(value, text):
    assert gbp_headline(value) == text


def test_numbers_have_thousands_separators_and_scores_one_decimal():
    assert number(1600) == "1,600"
    assert number(-25) == "\u221225"
    assert number(None) == "—"
    assert [score(v) for v in (77.5, 90, 7.25, None)] == ["77.5", "90", "7.3", "—"]
    assert ratio(240.333) == "240.33"
    assert ratio(None) == "not applicable"
    assert percent(-0.2) == "\u221220%"


def test_money_with_pence_keeps_two_decimals():
    assert gbp(84115.43, pence=True) == "£84,115.43"


def test_dates_are_written_day_month_year_in_words():
    assert long_date(date(2025, 4, 1)) == "1 April 2025"
    assert long_date("2026-12-31") == "31 December 2026"
    assert long_date(None, missing="ongoing") == "ongoing"
    assert long_date(None) == "—"


@pytest.mark.parametrize(
    ("day", "label"),
    [(date(2025, 4, 1), "2025-26"), (date(2026, 3, 31), "2025-26"), (date(2099, 12, 1), "2099-00")],
)
def test_financial_year_runs_april_to_march(day, label):
    assert financial_year(day) == label


def test_financial_year_label_gives_its_first_day_and_rejects_nonsense():
    assert financial_year_start("2025-26") == date(2025, 4, 1)
    with pytest.raises(ValueError, match="financial year"):
        financial_year_start("2025-27")


def test_percent_and_months():
    assert percent(0.035, 1) == "3.5%"
    assert months(1) == "1 month"
    assert months(2) == "2 months"
