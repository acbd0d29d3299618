"""Budget monitoring, the MTFS view and who pays, who benefits: hand-worked figures on tests/data/budget (see its
README), the actuals template file's checks, and the demo's reconciliation to the imported actuals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from dashboard.files.importer import import_folder
from dashboard.rules import budget
from dashboard.rules.appraisal import Assumptions
from tests.conftest import AS_OF, DATA, build_db

BUDGET = DATA / "budget"
FY_2026 = 2026


@pytest.fixture(scope="module")
def budget_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("budget") / "budget.duckdb", BUDGET)


@pytest.fixture
def monitoring(budget_db, read) -> pd.DataFrame:
    return budget.budget_monitoring(read(budget_db), Assumptions(as_of=AS_OF), FY_2026).set_index("project_id")


def gbp(text: str) -> float:
    """Money as the frame holds it (a decimal(18,2) column read as float64): the exact pence, written as text."""
    return float(Decimal(text))


def pence(values: pd.Series) -> pd.Series:
    return (values * 100).round().astype("int64")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_monitoring_month_defaults_to_the_latest_month_of_the_year_with_any_actual(monitoring):
    assert set(monitoring["monitoring_month"]) == {pd.Timestamp(2026, 8, 1)}
    assert set(monitoring["financial_year"]) == {"2026-27"}


def test_a_project_across_the_year_end_with_a_missing_month_a_credit_and_savings_below_plan(monitoring):
    p1 = monitoring.loc["P1"]
    # plan: £1,000 a month April 2026 to March 2027; to date April to August
    assert p1["plan_gbp"] == gbp("12000.00")
    assert p1["plan_to_date_gbp"] == gbp("5000.00")
    # actuals: February is last year; no June; July is 1,200 less a 300 credit: 1,000 + 1,100 + 900 + 1,000
    assert p1["actual_to_date_gbp"] == gbp("4000.00")
    assert p1["forecast_outturn_gbp"] == gbp("11000.00")  # 4,000 + 7 months x 1,000
    assert p1["variance_gbp"] == gbp("-1000.00")
    assert p1["rag"] == "amber"  # 1,000 / 12,000 = 8.3%
    assert p1["planned_savings_to_date_gbp"] == gbp("2500.00")  # 5 months x 500
    assert p1["actual_savings_to_date_gbp"] == gbp("1600.00")  # 400 + 400 + 450 + 350
    assert p1["savings_realised_share"] == pytest.approx(0.64)
    assert p1["funding_committed_to_date_gbp"] == gbp("5000.00")  # 24,000 / 24 months x 5
    assert p1["funding_received_to_date_gbp"] == gbp("6000.00")  # two quarters in advance


def test_rag_at_each_threshold_exactly(monitoring):
    # plan 12,000; forecast = April's actual + 7 x 1,000; variance = actual - 5,000
    assert monitoring.loc["P2", "variance_gbp"] == gbp("600.00")
    assert monitoring.loc["P2", "rag"] == "green"  # exactly 5%
    assert monitoring.loc["P3", "variance_gbp"] == gbp("600.01")
    assert monitoring.loc["P3", "rag"] == "amber"  # a penny over 5%
    assert monitoring.loc["P4", "variance_gbp"] == gbp("1200.00")
    assert monitoring.loc["P4", "rag"] == "amber"  # exactly 10%
    assert monitoring.loc["P5", "variance_gbp"] == gbp("1200.01")
    assert monitoring.loc["P5", "rag"] == "red"  # a penny over 10%


def test_spend_with_no_plan_is_red_and_no_plan_no_spend_is_green(monitoring):
    assert monitoring.loc["P6", "plan_gbp"] == 0 and monitoring.loc["P6", "actual_to_date_gbp"] == gbp("10.00")
    assert monitoring.loc["P6", "rag"] == "red"
    assert monitoring.loc["P7", "plan_gbp"] == 0 and monitoring.loc["P7", "rag"] == "green"
    assert pd.isna(monitoring.loc["P6", "variance_share"])


def test_an_earlier_monitoring_month_counts_only_the_months_up_to_it(budget_db, read):
    frame = budget.budget_monitoring(read(budget_db), Assumptions(as_of=AS_OF), FY_2026, date(2026, 6, 1))
    p1 = frame.set_index("project_id").loc["P1"]
    assert (p1["plan_to_date_gbp"], p1["actual_to_date_gbp"]) == (gbp("3000.00"), gbp("2100.00"))
    assert p1["forecast_outturn_gbp"] == gbp("11100.00")  # 2,100 + 9 x 1,000


def test_a_monitoring_month_outside_the_year_is_refused(budget_db, read):
    with pytest.raises(ValueError, match="monitoring month must be in the financial year"):
        budget.budget_monitoring(read(budget_db), Assumptions(as_of=AS_OF), FY_2026, date(2027, 4, 1))


def test_mtfs_in_year_and_full_year_effect_of_a_saving_that_starts_in_october(budget_db, read):
    mtfs = budget.mtfs_by_financial_year(read(budget_db), Assumptions(as_of=AS_OF)).set_index("financial_year")
    assert list(mtfs.index) == ["2026-27", "2027-28", "2028-29", "2029-30", "2030-31"]
    y1 = mtfs.loc["2026-27"]
    assert y1["council_paid_spend_gbp"] == gbp("60000.00")  # P1 12,000 + P2-P5 4 x 12,000; P8 is NHS-paid
    # in-year: P1 12 x 500 + P7 6 x 100 (October to March) + P8 12 x 300
    assert y1["savings_in_year_gbp"] == gbp("10200.00")
    # full-year: 12 x March's 500 + 100 + 300; P7's October start counts for a whole year
    assert y1["savings_full_year_gbp"] == gbp("10800.00")
    assert y1["net_effect_gbp"] == gbp("49800.00")
    assert y1["funding_secured_gbp"] == gbp("12000.00")
    assert y1["unfunded_gap_gbp"] == gbp("48000.00")  # P2-P5 have no funding
    y2 = mtfs.loc["2027-28"]
    assert y2["savings_in_year_gbp"] == gbp("2700.00")  # P1 April-June 3 x 500 + P7 12 x 100
    assert y2["savings_full_year_gbp"] == gbp("1200.00")  # only P7 runs in March 2028
    assert y2["council_paid_spend_gbp"] == gbp("3000.00")  # P1 April-June 2027


def test_who_pays_shows_an_nhs_paid_line_saving_the_council(budget_db, read):
    con = read(budget_db)
    table = budget.who_pays_by_agency_and_year(con, Assumptions(as_of=AS_OF))
    y1 = table[table["financial_year"] == "2026-27"].set_index("agency")
    assert list(y1.index) == ["council_asc", "nhs", "dwp", "individual", "carer", "other"]
    assert y1.loc["nhs", "pays_gbp"] == gbp("2400.00") and y1.loc["nhs", "benefits_gbp"] == 0
    assert y1.loc["nhs", "net_gbp"] == gbp("-2400.00")
    assert y1.loc["council_asc", "pays_gbp"] == gbp("60000.00")
    assert y1.loc["council_asc", "benefits_gbp"] == gbp("10200.00")
    pv = budget.who_pays_forward_pv(con, Assumptions(as_of=AS_OF)).set_index("agency")
    # forward from November 2026: 5 months x 200 in window year 0 (discount factor 1, grade 1: no optimism bias)
    assert pv.loc["nhs", "pv_costs_paid_gbp"] == gbp("1000.00")
    assert pv.loc["nhs", "pv_benefits_received_gbp"] == 0


def test_demo_monitoring_reconciles_to_the_imported_actuals_to_the_penny(demo_db, read):
    con = read(demo_db)
    frame = budget.budget_monitoring(con, Assumptions(as_of=AS_OF), FY_2026, date(2026, 10, 1))
    imported = con.execute(
        "select sum(amount_gbp) from actuals where kind = 'spend' and month between '2026-04-01' and '2026-10-01'"
    ).fetchone()[0]
    assert pence(frame["actual_to_date_gbp"]).sum() == int(imported * 100)
    forecast, actual = pence(frame["forecast_outturn_gbp"]), pence(frame["actual_to_date_gbp"])
    plan, plan_to_date = pence(frame["plan_gbp"]), pence(frame["plan_to_date_gbp"])
    assert (forecast - actual == plan - plan_to_date).all()
    assert (pence(frame["variance_gbp"]) == forecast - plan).all()


def test_demo_drumkit_saves_1500_a_month_as_planned(demo_db, read):
    frame = budget.budget_monitoring(read(demo_db), Assumptions(as_of=AS_OF), FY_2026, date(2026, 10, 1))
    drumkit = frame.set_index("project_id").loc["P001"]
    assert drumkit["actual_savings_to_date_gbp"] == gbp("10500.00")  # 7 months x 1,500
    assert drumkit["savings_realised_share"] == pytest.approx(1.0)


def test_demo_has_overspending_projects_and_savings_below_plan(demo_db, read):
    frame = budget.budget_monitoring(read(demo_db), Assumptions(as_of=AS_OF), FY_2026, date(2026, 10, 1))
    assert (frame["rag"] != "green").any() and (frame["rag"] == "green").sum() > len(frame) / 2
    assert (frame["savings_realised_share"] < 0.8).sum() >= 3


# ---------------------------------------------------------------- the actuals template file


def _folder_with_actuals(tmp_path, text: str):
    folder = tmp_path / "upload"
    folder.mkdir()
    for name in ("projects", "costs", "benefits", "funding"):
        (folder / f"{name}.csv").write_bytes((BUDGET / f"{name}.csv").read_bytes())
    (folder / "actuals.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_bad_actuals_are_refused_by_row_column_and_reason_and_nothing_is_imported(tmp_path, read):
    path = build_db(tmp_path / "empty.duckdb", None)
    folder = _folder_with_actuals(
        tmp_path,
        "actual_id,project_id,kind,month,amount_gbp,ledger_code,note\n"
        "X1,P1,refund,2026-04,10,,\n"
        "X2,P1,spend,2026-13,10,,\n"
        "X3,P1,spend,2026-04-15,10,,\n"
        "X4,P1,spend,2026-04,10.005,,\n"
        "X5,P9,spend,2026-04,10,,\n"
        "X1,P1,spend,2026-04,-5,,\n",
    )
    result = import_folder(folder, path)
    assert not result.ok
    found = {(p.file, p.row, p.column) for p in result.problems}
    assert ("actuals.csv", 2, "kind") in found
    assert ("actuals.csv", 3, "month") in found
    assert ("actuals.csv", 4, "month") in found
    assert ("actuals.csv", 5, "amount_gbp") in found
    assert ("actuals.csv", 6, "project_id") in found
    assert ("actuals.csv", 7, "actual_id") in found  # the duplicate id, not the negative amount
    reasons = {(p.row, p.column): p.reason for p in result.problems}
    assert "write the month as YYYY-MM" in reasons[(4, "month")]
    assert read(path).execute("select count(*) from actuals").fetchone()[0] == 0
    assert read(path).execute("select count(*) from projects").fetchone()[0] == 0


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_actuals_keep_credits_months_from_spreadsheet_dates_and_hostile_text_as_text(tmp_path, read):
    path = build_db(tmp_path / "empty.duckdb", None)
    folder = _folder_with_actuals(
        tmp_path,
        "actual_id,project_id,kind,month,amount_gbp,ledger_code,note\n"
        'Y1,P1,spend,2026-04-01 00:00:00,-120.5,"=HYPERLINK(""http://x"")",<script>alert(1)</script>\n'
        'Y2,P1,saving,2026-5,"£1,500.00",,\n',
    )
    result = import_folder(folder, path)
    assert result.ok, [str(p) for p in result.problems]
    rows = (
        read(path).execute("select actual_id, month, amount_gbp, ledger_code, note from actuals order by 1").fetchall()
    )
    assert rows[0] == (
        "Y1",
        date(2026, 4, 1),
        Decimal("-120.50"),
        '=HYPERLINK("http://x")',
        "<script>alert(1)</script>",
    )
    assert rows[1][1:3] == (date(2026, 5, 1), Decimal("1500.00"))


# ---------------------------------------------------------------- the finance export's budget sheets


@pytest.fixture(scope="module")
def demo_book(demo_db):
    import io

    import openpyxl

    from dashboard.database import db
    from dashboard.files import finance

    con = db.connect_read_only(demo_db)
    try:
        request = finance.FinanceRequest(Assumptions(as_of=AS_OF), financial_years=("2026-27",))
        sheets = finance.build_finance_sheets(con, request, council_name="Exampleshire County Council")
        imported = con.execute(
            "select sum(amount_gbp) from actuals where kind = 'spend' and month between '2026-04-01' and '2026-10-01'"
        ).fetchone()[0]
    finally:
        con.close()
    return openpyxl.load_workbook(io.BytesIO(finance.finance_xlsx_bytes(sheets, request))), imported


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_budget_sheets_open_cleanly_and_reconcile_to_the_imported_actuals(demo_book):
    from dashboard.files.export_files import MONEY_FORMAT

    book, imported = demo_book
    names = ["Budget monitoring", "MTFS by year", "Who pays by year", "Who pays, present value"]
    assert book.sheetnames[5:9] == names and book.sheetnames[-1] == "About this export"
    for name in names:
        ws = book[name]
        assert ws.freeze_panes == "A2", name
        assert ws.page_setup.orientation == "landscape", name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
    ws = book["Budget monitoring"]
    table = [list(r) for r in ws.iter_rows(values_only=True)]
    heading = table[0].index("Actual to date (£)")
    assert table[-1][0] == "Total" and ws.cell(row=len(table), column=1).font.bold
    total = table[-1][heading]
    assert not str(total).startswith("=")  # totals are values, not formulas
    assert round(total * 100) == int(imported * 100)  # to the penny
    assert round(sum(r[heading] for r in table[1:-1]) * 100) == round(total * 100)
    assert ws.cell(row=2, column=heading + 1).number_format == MONEY_FORMAT
    about = " ".join(str(c) for r in book["About this export"].iter_rows(values_only=True) for c in r if c)
    for words in ("Forecast outturn = actual to date", "amber at most 10%", "full-year effect = 12 x", "wrong pocket"):
        assert words in about


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_export_finance_writes_the_budget_monitoring_table_for_a_monitoring_month(demo_db, tmp_path):
    import csv

    from dashboard.commands import main

    out = tmp_path / "m.csv"
    args = ["export", "finance", "--db", str(demo_db), "--as-of", "2026-11-22", "--table", "budget_monitoring"]
    assert main([*args, "--fy", "2026-27", "--monitoring-month", "2026-11", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["Monitoring month"] for r in rows} == {"2026-11-01"}
    drumkit = next(r for r in rows if r["Project ID"] == "P001")
    assert drumkit["Planned savings to date (£)"] == "12000.00"  # April to November, 8 x 1,500
    assert drumkit["Actual savings to date (£)"] == "10500.00"  # the demo's actuals run to October
    assert main([*args, "--monitoring-month", "2026-13", "--out", str(out)]) == 2


# ---------------------------------------------------------------- the Project page's against-plan figures


def test_project_months_run_cumulatively_to_the_latest_actual_with_the_missing_month_as_nil(budget_db, read):
    months = budget.project_months(read(budget_db), Assumptions(as_of=AS_OF), "P1").set_index("month")
    assert months.index[0] == pd.Timestamp(2026, 1, 1) and months.index[-1] == pd.Timestamp(2026, 8, 1)
    assert months.loc[pd.Timestamp(2026, 6, 1), "actual_spend_gbp"] == 0  # no June actual
    assert months.loc[pd.Timestamp(2026, 7, 1), "actual_spend_gbp"] == gbp("900.00")  # 1,200 less the credit
    last = months.iloc[-1]
    assert last["cumulative_planned_spend_gbp"] == gbp("8000.00")  # January to August 2026
    assert last["cumulative_actual_spend_gbp"] == gbp("5000.00")  # February's 1,000 counts here
    assert last["cumulative_planned_savings_gbp"] == gbp("4000.00")
    assert last["cumulative_actual_savings_gbp"] == gbp("1600.00")


def test_the_against_plan_sentence_says_how_far_ahead_and_what_share_was_saved(budget_db, read):
    months = budget.project_months(read(budget_db), Assumptions(as_of=AS_OF), "P1")
    assert budget.against_plan_sentence(months) == (
        "Spending is £3,000 (38%) behind plan; savings are 40% of what was planned by August 2026."
    )
    ahead = pd.DataFrame(
        {
            "month": [pd.Timestamp(2026, 11, 1)],
            "cumulative_planned_spend_gbp": [70000.0],
            "cumulative_actual_spend_gbp": [74200.0],
            "cumulative_planned_savings_gbp": [10000.0],
            "cumulative_actual_savings_gbp": [8200.0],
        }
    )
    assert budget.against_plan_sentence(ahead) == (
        "Spending is £4,200 (6%) ahead of plan; savings are 82% of what was planned by November 2026."
    )


def test_a_project_with_no_actuals_has_no_months(budget_db, read):
    assert budget.project_months(read(budget_db), Assumptions(as_of=AS_OF), "P7").empty


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_database_from_before_actuals_has_nothing_to_monitor_but_still_exports(tmp_path, read):
    import duckdb

    from dashboard.files import finance

    path = build_db(tmp_path / "old.duckdb", BUDGET)
    con = duckdb.connect(str(path))
    con.execute("drop table actuals")
    con.execute("drop table ref_budget_rag_thresholds")
    con.close()
    old = read(path)
    assert not budget.has_monitoring_tables(old)
    assert budget.budget_monitoring(old, Assumptions(as_of=AS_OF), FY_2026).empty
    assert budget.project_months(old, Assumptions(as_of=AS_OF), "P1").empty
    sheets = finance.build_finance_sheets(old, finance.FinanceRequest(Assumptions(as_of=AS_OF)))
    assert [s.name for s in sheets][5] == "Budget monitoring" and sheets[5].frame.empty


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_the_filled_workbook_template_carries_the_actuals_back_to_the_penny(demo_db, tmp_path, read):
    from dashboard.files import template
    from dashboard.files.import_sources import import_path

    workbook = tmp_path / "filled.xlsx"
    workbook.write_bytes(template.current_xlsx_bytes(read(demo_db)))
    fresh = build_db(tmp_path / "fresh.duckdb", None)
    result = import_path(workbook, fresh)
    assert result.ok, [str(p) for p in result.problems[:5]]
    query = "select count(*), sum(amount_gbp), min(month), max(month), count(note) from actuals"
    assert read(fresh).execute(query).fetchall() == read(demo_db).execute(query).fetchall()
