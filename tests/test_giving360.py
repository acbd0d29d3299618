"""360Giving grant files: the date, amount and duration variants real publishers write, the real files,
errors by row (non-GBP, missing fields), placeholders flagged per project and never overwriting filled-in values."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from dashboard.database import db
from dashboard.files.giving360 import add_months, normalise_key, parse_amount, parse_date, parse_months
from dashboard.files.import_sources import SourceFile, import_files, import_path, read_files
from tests.conftest import DATA

REAL = DATA / "360giving"
AS_OF = date(2026, 11, 22)
HEADER = (
    "Identifier,Title,Description,Currency,Amount Awarded,Award Date,Planned Dates:Start Date,"
    "Planned Dates:End Date,Planned Dates:Duration (months),Funding Org:Identifier,Funding Org:Name,"
    "Recipient Org:Identifier,Recipient Org:Name,Beneficiary Location:Name"
)


def grant(**changes) -> str:
    values = {
        "Identifier": "360G-EX-1",
        "Title": "Lunch club",
        "Description": "Weekly lunch club",
        "Currency": "GBP",
        "Amount Awarded": "12000",
        "Award Date": "2025-01-10",
        "Start": "2025-02-01",
        "End": "",
        "Months": "12",
        "Funder Id": "GB-CHC-1",
        "Funder": "Exampleshire Community Foundation",
        "Recipient Id": "GB-CHC-2",
        "Recipient": "Wah Kiu Community Association",
        "Location": "Riverside",
    }
    values.update(changes)
    return ",".join(v if "," not in v and "\n" not in v else '"' + v.replace('"', '""') + '"' for v in values.values())


def upload(*rows: str, name: str = "grants.csv", newline: str = "\n", bom: bool = False) -> SourceFile:
    text = newline.join([HEADER, *rows]) + newline
    return SourceFile(name, (("\ufeff" if bom else "") + text).encode("utf-8"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", date(2025, 4, 1)),
        ("2025-04-01T00:00:00Z", date(2025, 4, 1)),
        ("2025-04-01T09:30:00+01:00", date(2025, 4, 1)),
        ("01/04/2025", date(2025, 4, 1)),
        ("1/4/2025", date(2025, 4, 1)),
        ("26/03/2001 00:00", date(2001, 3, 26)),
        ("29/04/2015 12:10", date(2015, 4, 29)),
        ("", None),
    ],
)
def test_dates_are_read_in_iso_and_uk_forms_with_or_without_a_time(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2025-13-01", "31/02/2025", "April 2025", "2025/04/01"])
def test_impossible_or_unknown_dates_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "months"),
    [("12 months", 12), ("12", 12), ("12.0", 12), ("1 month", 1), ("2 years", 24), ("Undefined", None), ("", None)],
)
def test_durations_are_read_with_or_without_the_word_months(text, months):
    assert parse_months(text) == months


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12000", "12000.00"), ("£12,000", "12000.00"), ("£1,500.50", "1500.50"), ("15000.0", "15000.00"), ("", None)],
)
def test_amounts_are_read_with_pound_signs_and_commas(text, amount):
    assert parse_amount(text) == (None if amount is None else Decimal(amount))


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2015, 7, 1), 12, date(2016, 6, 30)),
        (date(2014, 3, 17), 36, date(2017, 3, 16)),
        (date(2024, 1, 31), 1, date(2024, 2, 28)),
    ],
)
def test_an_end_date_is_derived_from_a_duration_as_the_last_day_covered(start, months, end):
    assert add_months(start, months) == end


def test_field_names_match_across_csv_and_json_spellings():
    assert normalise_key("Recipient Org:Name") == normalise_key("recipientOrganization:name") == "recipientorgname"
    assert normalise_key("Planned Dates:Duration (months)") == normalise_key("Planned Dates:Duration months")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_grant_becomes_a_project_and_one_non_recurrent_funding_line(tiny_db, read):
    result = import_files(
        [upload(grant(**{"Amount Awarded": "£12,000.00", "Start": "01/02/2025"}))], tiny_db, as_of=AS_OF
    )
    assert result.ok, [str(p) for p in result.problems]
    assert result.summary() == "Imported 1 project, 1 funding line. 1 project still needs fields filled in."
    con = read(tiny_db)
    project = con.execute(
        "select name, provider, provider_type, funding_mechanism, locality, start_date, end_date, status"
        " from projects where project_id = '360G-EX-1'"
    ).fetchall()[0]
    assert project == (
        "Lunch club",
        "Wah Kiu Community Association",
        "vcse",
        "grant",
        "Riverside",
        date(2025, 2, 1),
        date(2026, 1, 31),
        "ended",
    )
    funding = con.execute(
        "select funder, recurrent, amount_gbp, start_date, end_date from funding where project_id = '360G-EX-1'"
    ).fetchall()
    assert funding == [
        ("Exampleshire Community Foundation", False, Decimal("12000.00"), date(2025, 2, 1), date(2026, 1, 31))
    ]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_status_comes_from_the_dates_and_the_as_of_date(tiny_db, read):
    rows = [grant(Identifier="G-FUTURE", Start="2027-01-01"), grant(Identifier="G-NOW", Start="2026-06-01")]
    assert import_files([upload(*rows)], tiny_db, as_of=AS_OF).ok
    statuses = (
        read(tiny_db)
        .execute("select project_id, status from projects where project_id like 'G-%' order by 1")
        .fetchall()
    )
    assert statuses == [("G-FUTURE", "proposed"), ("G-NOW", "active")]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_fields_a_grant_cannot_supply_are_placeholders_flagged_on_the_project(tiny_db, read):
    assert import_files([upload(grant(Start="", Location=""))], tiny_db, as_of=AS_OF).ok
    con = read(tiny_db)
    row = db.query_df(con, "projects_to_complete").iloc[0]
    assert row["project_id"] == "360G-EX-1"
    assert row["still_to_fill_in"] == (
        "benefits, coproduction_level, costs, evidence_level, has_exit_plan, innovation_type, locality, "
        "people_reached, service_area, start_date"
    )
    assert con.execute(
        "select service_area, people_reached, start_date from projects where project_id = '360G-EX-1'"
    ).fetchall() == [
        ("Not yet recorded", 0, date(2025, 1, 10))  # the Award Date stands in for the missing planned start
    ]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_template_row_for_the_project_clears_its_field_flags_and_cost_lines_clear_the_costs_flag(
    tiny_db, tmp_path, read
):
    assert import_files([upload(grant())], tiny_db, as_of=AS_OF).ok
    folder = tmp_path / "fill"
    folder.mkdir()
    (folder / "projects.csv").write_text(
        "project_id,name,service_area,innovation_type,provider,provider_type,funding_mechanism,locality,start_date,"
        "status,people_reached,coproduction_level,evidence_level,has_exit_plan\n"
        "360G-EX-1,Lunch club,Older people,social,Wah Kiu,community_org,grant,Riverside,2025-02-01,active,40,3,2,true\n"
    )
    (folder / "costs.csv").write_text(
        "cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade\n"
        "X1,360G-EX-1,Food,100,weekly,2025-02-01,,3\n"
    )
    assert import_path(folder, tiny_db).ok
    assert db.query_df(read(tiny_db), "projects_to_complete")["still_to_fill_in"].tolist() == ["benefits"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_reimporting_the_grants_keeps_values_filled_in_since(tiny_db, tmp_path, read):
    assert import_files([upload(grant())], tiny_db, as_of=AS_OF).ok
    folder = tmp_path / "fill"
    folder.mkdir()
    (folder / "projects.csv").write_text(
        "project_id,name,service_area,innovation_type,provider,provider_type,funding_mechanism,locality,start_date,"
        "status,people_reached,coproduction_level,evidence_level,has_exit_plan\n"
        "360G-EX-1,Lunch club,Older people,social,Wah Kiu,community_org,grant,Riverside,2025-02-01,mainstreamed,"
        "40,3,2,true\n"
    )
    assert import_path(folder, tiny_db).ok
    again = import_files([upload(grant(Title="Lunch club (renamed)"))], tiny_db, as_of=AS_OF)
    assert again.ok and again.flagged_projects == 1  # only "no cost / benefit lines" remain
    con = read(tiny_db)
    assert con.execute(
        "select name, service_area, people_reached, has_exit_plan, status from projects where project_id = '360G-EX-1'"
    ).fetchall() == [("Lunch club (renamed)", "Older people", 40, True, "mainstreamed")]
    assert db.query_df(con, "projects_to_complete")["still_to_fill_in"].tolist() == ["benefits, costs"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_non_gbp_grants_are_errors_not_conversions_and_nothing_is_imported(tiny_db, read):
    result = import_files([upload(grant(), grant(Identifier="360G-EX-2", Currency="USD"))], tiny_db, as_of=AS_OF)
    assert [str(p) for p in result.problems] == [
        "grants.csv, row 3, column Currency (value 'USD'): is not GBP; only grants in pounds can be imported (amounts "
        "are never converted): leave this grant out, or convert it yourself and set Currency to GBP"
    ]
    assert read(tiny_db).execute("select count(*) from projects where project_id like '360G%'").fetchall() == [(0,)]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_missing_required_fields_and_bad_values_are_reported_by_row_in_one_pass(tiny_db):
    rows = [
        grant(Identifier="G1", Title=""),
        grant(Identifier="G2", **{"Amount Awarded": "lots"}),
        grant(Identifier="G3", **{"Award Date": "", "Start": ""}),
        grant(Identifier="G4", Start="31/02/2025"),
        grant(Identifier="G5", Months="ongoing"),
        grant(Identifier="G6", Start="2025-05-01", End="2025-04-01"),
        grant(Identifier="G1"),
        grant(Identifier="G8", Funder="", Recipient=""),
    ]
    result = import_files([upload(*rows)], tiny_db, as_of=AS_OF)
    messages = [str(p) for p in result.problems]
    expected = [
        "row 2, column Title: is empty; every grant needs its Title",
        "row 3, column Amount Awarded (value 'lots'): is not an amount of money",
        "row 4, column Planned Dates:Start Date: is empty and so is Award Date",
        "row 5, column Planned Dates:Start Date (value '31/02/2025'): is not a date",
        "row 6, column Planned Dates:Duration (months) (value 'ongoing'): is not a number of months",
        "row 7, column Planned Dates:End Date (or Planned Dates:Duration (months)) (value '2025-04-01'): is before",
        "row 8, column Identifier (value 'G1'): is a duplicate Identifier; it also appears on row 2",
        "row 9, column Funding Org:Name: is empty",
        "row 9, column Recipient Org:Name: is empty",
    ]
    for text in expected:
        assert any(text in m for m in messages), (text, messages)
    assert result.rejected == {"projects": 8, "funding": 8}


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_bom_crlf_and_multi_line_descriptions_are_read(tiny_db, read):
    file = upload(grant(Description='First line\r\nsecond line, with "quotes"'), newline="\r\n", bom=True)
    assert import_files([file], tiny_db, as_of=AS_OF).ok
    assert read(tiny_db).execute("select description from projects where project_id = '360G-EX-1'").fetchall() == [
        ('First line\r\nsecond line, with "quotes"',)
    ]


def test_the_format_can_be_forced_for_a_file_detection_would_not_recognise():
    assert read_files([upload(grant())], format="template").problems[0].reason.startswith("is not a template file")
    assert read_files([upload(grant())], format="360giving").format == "360giving"


@pytest.mark.parametrize(
    ("file", "grants", "warnings"),
    [("IndigoTrust_360giving.csv", 269, 0), ("baring.json", 53, 0), ("360_giving_LBFEW_2010_2015.xlsx", 4116, 6)],
)
@pytest.mark.slow  # imports real published files
def test_the_real_published_files_import(tmp_path, file, grants, warnings, read):
    from tests.conftest import build_db

    database = build_db(tmp_path / "empty.duckdb", None)
    result = import_path(REAL / file, database, as_of=AS_OF)
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert (result.added, len(result.warnings)) == ({"projects": grants, "funding": grants}, warnings)
    con = read(database)
    assert con.execute("select count(*) from funding where recurrent").fetchall() == [(0,)]
    history = db.query_df(con, "import_history").iloc[0]
    assert (history["source_format"], history["flagged_projects"]) == ("360giving", grants)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_real_indigo_csv_details_survive_uk_times_durations_and_multi_line_quotes(tmp_path, read):
    from tests.conftest import build_db

    database = build_db(tmp_path / "empty.duckdb", None)
    assert import_path(REAL / "IndigoTrust_360giving.csv", database, as_of=AS_OF).ok
    con = read(database)
    ind7 = con.execute(
        "select p.description, f.amount_gbp, f.start_date, f.end_date from projects p join funding f using (project_id)"
        " where project_id = '360G-indigotrust:IND7'"
    ).fetchall()
    assert ind7 == [
        (
            "Towards the costs of the public awareness programme (£35,000) and the \nchildren's services (£8,000).",
            Decimal("43000.00"),
            date(2002, 8, 28),  # Award Date 28/08/2002 00:00, no planned start
            date(2004, 8, 27),  # "24 months"
        )
    ]
    # "Undefined" durations: the funding line assumes 12 months and says so
    flagged = con.execute(
        "select count(*) from import_flags where table_name = 'funding' and field = 'end_date'"
    ).fetchall()
    assert flagged == [(3,)]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_real_baring_json_reads_the_non_standard_keys(tmp_path, read):
    from tests.conftest import build_db

    database = build_db(tmp_path / "empty.duckdb", None)
    assert import_path(REAL / "baring.json", database, as_of=AS_OF).ok
    row = (
        read(database)
        .execute(
            "select p.provider, p.locality, p.start_date, p.end_date, f.funder"
            " from projects p join funding f using (project_id)"
            " where project_id = '360G-baringfoundation-20130071'"
        )
        .fetchall()
    )
    assert row == [
        ("Comic Relief Limited", "Sub-Sahara Africa", date(2014, 3, 17), date(2015, 3, 16), "The Baring Foundation")
    ]


def test_a_json_file_without_grants_is_refused_clearly(tmp_path):
    bad = SourceFile("grants.json", json.dumps({"something": []}).encode())
    assert read_files([bad]).problems[0].reason == 'has no "grants" list; is it a 360Giving JSON file?'
    broken = SourceFile("grants.json", b'{"grants": [')
    assert read_files([broken]).problems[0].reason.startswith("is not valid JSON")
