"""Real funders' 360Giving files (issue 16): the planned dates govern over a duration, a grant shorter than a month
is appraised in the months its dates touch, and a few broken grants never block the sound ones without the user's
say (--skip-invalid, in JSON, CSV and XLSX alike, with what was left out in the import's audit).

The two files are published data kept in tests/data/360giving/ (see the README there for source and licence):
- awefw001p00000zgyHZAAY.json: 154 grants from many funders; 4 have plannedDates duration 0 beside start and end
  dates (two are a fortnight apart, two a single day);
- a002400000nO46WAAS.json: Power to Change's 870 grants (over £51 million); 5 have an end date before their start
  (360G-ptc-gr-02264 ends 2000-12-31 but starts 2017-12-21).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter

from dashboard import commands
from dashboard.database import db
from dashboard.files.import_sources import SourceFile, import_files, import_path
from tests.conftest import DATA, build_db

pytestmark = pytest.mark.slow  # imports real published 360Giving files

REAL = DATA / "360giving"
SHORT_GRANTS = REAL / "awefw001p00000zgyHZAAY.json"
POWER_TO_CHANGE = REAL / "a002400000nO46WAAS.json"
AS_OF = date(2026, 11, 22)
BROKEN = ["360G-ptc-gr-02264", "360G-ptc-gr-02351", "360G-ptc-gr-02451", "360G-ptc-gr56", "360G-ptc-gr53"]
CSV_COLUMNS = {
    "Identifier": lambda g: g["id"],
    "Title": lambda g: g.get("title", ""),
    "Description": lambda g: g.get("description", ""),
    "Currency": lambda g: g.get("currency", ""),
    "Amount Awarded": lambda g: g.get("amountAwarded", ""),
    "Award Date": lambda g: g.get("awardDate", ""),
    "Planned Dates:Start Date": lambda g: (g.get("plannedDates") or [{}])[0].get("startDate", ""),
    "Planned Dates:End Date": lambda g: (g.get("plannedDates") or [{}])[0].get("endDate", ""),
    "Planned Dates:Duration (months)": lambda g: (g.get("plannedDates") or [{}])[0].get("duration", ""),
    "Funding Org:Identifier": lambda g: g["fundingOrganization"][0].get("id", ""),
    "Funding Org:Name": lambda g: g["fundingOrganization"][0].get("name", ""),
    "Recipient Org:Identifier": lambda g: g["recipientOrganization"][0].get("id", ""),
    "Recipient Org:Name": lambda g: g["recipientOrganization"][0].get("name", ""),
}


@pytest.fixture
def empty_db(tmp_path):
    return build_db(tmp_path / "empty.duckdb", None)


def grants_as_rows(path) -> list[list]:
    """A real JSON file flattened to the 360Giving CSV/Excel columns, as a funder's spreadsheet export has them."""
    grants = json.loads(path.read_text(encoding="utf-8"))["grants"]
    return [list(CSV_COLUMNS)] + [[str(f(g)) for f in CSV_COLUMNS.values()] for g in grants]


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("grants")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


# ---------------------------------------------------------------- the dates govern


def test_duration_0_beside_explicit_dates_is_accepted_with_a_note_and_the_dates_govern(empty_db, read):
    result = import_path(SHORT_GRANTS, empty_db, as_of=AS_OF)
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert result.added == {"projects": 154, "funding": 154}
    notes = [w for w in result.warnings if w.reason.startswith("is 0 months")]
    assert [(w.row, w.column, w.value) for w in notes] == [
        (row, "plannedDates:duration", "0") for row in (29, 83, 107, 109)
    ]  # 360G-FoundationScotland-A383999, -A435768, 360G-LeedCF-A536737, -A588771
    assert "the planned dates govern, so the grant runs to its end date (2015-12-21)" in " ".join(
        w.reason for w in notes
    )
    dates = (
        read(empty_db)
        .execute(
            "select p.start_date, p.end_date, f.start_date, f.end_date"
            " from projects p join funding f using (project_id) where project_id = '360G-FoundationScotland-A383999'"
        )
        .fetchall()
    )
    assert dates == [(date(2015, 12, 7), date(2015, 12, 21), date(2015, 12, 7), date(2015, 12, 21))]


def test_a_grant_shorter_than_a_month_is_appraised_in_the_months_its_dates_touch(empty_db, read):
    result = import_path(SHORT_GRANTS, empty_db, as_of=AS_OF)
    assert result.ok
    con = read(empty_db)
    # a fortnight inside December 2015: the whole grant in that month, financial year 2015-16
    fortnight = con.execute(
        "select financial_year, months_in_year, amount_pence from finance_line_years(?, 5) where line_id = ?",
        [AS_OF, "360G-FoundationScotland-A383999"],
    ).fetchall()
    amount = con.execute(
        "select amount_gbp from funding where funding_id = '360G-FoundationScotland-A383999'"
    ).fetchall()[0][0]
    assert fortnight == [("2015-16", 1, int(amount * 100))]
    # a single day (start = end, duration 0): one month
    one_day = con.execute(
        "select months_in_year from finance_line_years(?, 5) where line_id = '360G-LeedCF-A536737'", [AS_OF]
    ).fetchall()
    assert one_day == [(1,)]


def test_a_fortnight_across_a_month_end_is_spread_over_both_months_it_touches(empty_db, read):
    header = (
        "Identifier,Title,Currency,Amount Awarded,Award Date,Planned Dates:Start Date,Planned Dates:End Date,"
        "Planned Dates:Duration (months),Funding Org:Identifier,Funding Org:Name,Recipient Org:Identifier,"
        "Recipient Org:Name,Description"
    )
    row = "G-SHORT,Winter pressures,GBP,1000,2025-03-01,2025-03-20,2025-04-03,0,GB-X,A Trust,GB-Y,A Charity,Two weeks"
    result = import_files([SourceFile("short.csv", f"{header}\n{row}\n".encode())], empty_db, as_of=AS_OF)
    assert result.ok, [str(p) for p in result.problems]
    years = (
        read(empty_db)
        .execute(
            "select financial_year, months_in_year, amount_pence from finance_line_years(?, 5)"
            " where line_id = 'G-SHORT' order by 1",
            [AS_OF],
        )
        .fetchall()
    )
    assert years == [("2024-25", 1, 50000), ("2025-26", 1, 50000)]  # March and April, £500 each


def test_duration_0_without_an_end_date_is_a_problem_naming_what_to_give():
    header = "Identifier,Title,Currency,Amount Awarded,Award Date,Planned Dates:Duration (months),Funding Org:Name"
    data = f"{header},Recipient Org:Name\nG1,Lunch,GBP,10,2025-01-01,0,A Trust,A Charity\n".encode()
    from dashboard.files.import_sources import read_files

    problems = [str(p) for p in read_files([SourceFile("g.csv", data)], as_of=AS_OF).problems]
    assert (
        "g.csv, row 2, column Planned Dates:Duration (months) (value '0'): is 0 months and there is no planned end "
        "date; give the end date, or a duration of 1 month or more"
    ) in problems


# ---------------------------------------------------------------- a few bad grants, knowingly left out


def test_without_the_flag_the_file_is_refused_saying_how_many_grants_are_sound(empty_db, read):
    result = import_path(POWER_TO_CHANGE, empty_db, as_of=AS_OF)
    assert not result.ok
    assert result.summary() == ("Nothing was imported: 5 problems found in 5 grants; the other 865 grants are sound.")
    assert [p.row for p in result.problems] == [110, 150, 338, 469, 621]
    assert all("is before" in p.reason for p in result.problems)
    con = read(empty_db)
    assert con.execute("select count(*) from projects").fetchall() == [(0,)]
    assert db.query_df(con, "import_history")["outcome"].tolist() == ["rejected"]


def test_skip_invalid_imports_the_865_sound_grants_and_audits_the_5_left_out(empty_db, read):
    result = import_path(POWER_TO_CHANGE, empty_db, as_of=AS_OF, skip_invalid=True)
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert result.added == {"projects": 865, "funding": 865}
    assert result.summary().startswith(
        "Imported 865 projects, 865 funding lines. Left out 5 grants with problems (listed)."
    )
    assert [lo.identifier for lo in result.left_out] == BROKEN
    first = result.left_out[0].problem
    assert (first.row, first.value) == (110, "2000-12-31")
    con = read(empty_db)
    assert con.execute("select count(*) from projects where project_id in ?", [BROKEN]).fetchall() == [(0,)]
    history = db.query_df(con, "import_history").iloc[0]
    assert (history["outcome"], history["problem_count"]) == ("imported", 0)
    assert "Left out 5 grants" in history["summary"]
    assert db.query_df(con, "import_left_out_counts")["rows_left_out"].tolist() == [5]
    audit = db.query_df(con, "import_left_out_rows", {"import_id": int(history["import_id"])})
    assert audit["identifier"].tolist() == BROKEN
    assert audit["row_number"].tolist() == [110, 150, 338, 469, 621]
    assert audit["value"].tolist()[0] == "2000-12-31"
    total = con.execute("select sum(amount_gbp) from funding").fetchall()[0][0]
    assert total > Decimal("51000000")


@pytest.mark.parametrize("shape", ["csv", "xlsx"])
def test_the_same_holds_for_the_file_as_360giving_csv_and_excel(empty_db, read, shape):
    rows = grants_as_rows(POWER_TO_CHANGE)
    data = as_csv(rows) if shape == "csv" else as_xlsx(rows)
    upload = [SourceFile(f"power-to-change.{shape}", data)]
    refused = import_files(upload, empty_db, as_of=AS_OF)
    assert refused.summary() == "Nothing was imported: 5 problems found in 5 grants; the other 865 grants are sound."
    assert [p.row for p in refused.problems] == [111, 151, 339, 470, 622]  # spreadsheet rows: the header is row 1
    result = import_files(upload, empty_db, as_of=AS_OF, skip_invalid=True)
    assert result.ok and result.added == {"projects": 865, "funding": 865}
    assert [lo.identifier for lo in result.left_out] == BROKEN


def test_a_grant_listed_twice_is_left_out_both_times(empty_db):
    header = "Identifier,Title,Currency,Amount Awarded,Award Date,Funding Org:Name,Recipient Org:Name"
    rows = ["G1,A,GBP,10,2025-01-01,T,R", "G2,B,GBP,10,2025-01-01,T,R", "G1,C,GBP,99,2025-01-01,T,R"]
    data = ("\n".join([header, *rows]) + "\n").encode()
    result = import_files([SourceFile("g.csv", data)], empty_db, as_of=AS_OF, skip_invalid=True)
    assert result.ok and result.added == {"projects": 1, "funding": 1}
    assert sorted((lo.problem.row, lo.identifier) for lo in result.left_out) == [(2, "G1"), (4, "G1")]


def test_a_template_import_given_skip_invalid_is_refused_with_the_reason(tiny_db, read):
    from tests.conftest import TINY

    result = import_path(TINY, tiny_db, skip_invalid=True)
    assert not result.ok
    assert result.problems[0].reason.startswith(
        'cannot be imported with --skip-invalid ("import the sound rows and leave out the rest"): that is only for '
        "360Giving grant files"
    )
    assert "a template import is all or nothing" in result.problems[0].reason
    assert db.query_df(read(tiny_db), "import_history")["outcome"].tolist()[0] == "rejected"


def test_the_command_line_refuses_with_the_command_to_use_then_imports_with_it_and_exits_0(empty_db, capsys):
    code = commands.main(["import", str(POWER_TO_CHANGE), "--db", str(empty_db), "--as-of", "2026-11-22"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Nothing was imported: 5 problems found in 5 grants; the other 865 grants are sound." in err
    assert err.splitlines()[-1] == (
        f"To import the 865 sound grants and leave out these 5, run: python -m dashboard import {POWER_TO_CHANGE} "
        "--skip-invalid"
    )
    code = commands.main(
        ["import", str(POWER_TO_CHANGE), "--db", str(empty_db), "--as-of", "2026-11-22", "--skip-invalid"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.startswith("Imported 865 projects, 865 funding lines. Left out 5 grants with problems")
    left = [line for line in captured.err.splitlines() if line.startswith("left out:")]
    assert len(left) == 5
    assert left[0].startswith("left out: a002400000nO46WAAS.json grants, row 110, column plannedDates:endDate")
    assert left[0].endswith("(Identifier 360G-ptc-gr-02264)")


def test_the_template_on_the_command_line_with_skip_invalid_exits_1(tiny_db, capsys):
    from tests.conftest import TINY

    assert commands.main(["import", str(TINY), "--db", str(tiny_db), "--skip-invalid"]) == 1
    assert "only for 360Giving grant files" in capsys.readouterr().err
