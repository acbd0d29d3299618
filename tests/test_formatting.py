"""Money, dates and financial years as GOV.UK style writes them."""

from datetime import date

import pytest

from dashboard.formatting import financial_year, financial_year_start, gbp, long_date, months, percent


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1500, "£1,500"),
        (350.0, "£350"),
        (-250, "-£250"),
        (2_400_000, "£2.4 million"),
        (15_600_000, "£15.6 million"),
        (1_250_000_000, "£1.25 billion"),
        (0.4, "£0.40"),
        (None, ""),
    ],
)
def test_money_reads_as_people_write_it(value, text):
    assert gbp(value) == text


def test_money_with_pence_keeps_two_decimals():
    assert gbp(84115.43, pence=True) == "£84,115.43"


def test_dates_are_written_day_month_year_in_words():
    assert long_date(date(2025, 4, 1)) == "1 April 2025"
    assert long_date("2026-12-31") == "31 December 2026"
    assert long_date(None, missing="ongoing") == "ongoing"


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
