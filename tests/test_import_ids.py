"""A line id belongs to one project, and one id has one spelling (issue 18): an import that would move a cost,
benefit, funding or outcome line to another project is refused with the row named; ids are compared after
Unicode NFC normalisation and trimming, case-sensitively, and an id that differs from another only by case is
refused rather than becoming a second thing."""

from __future__ import annotations

import unicodedata

import pytest

from dashboard.database import db
from dashboard.files.import_sources import SourceFile, import_files
from tests.conftest import TINY

NFC = unicodedata.normalize("NFC", "Pé1")
NFD = unicodedata.normalize("NFD", "Pé1")
PROJECT_HEADER = (TINY / "projects.csv").read_text(encoding="utf-8").splitlines()[0]
COST_HEADER = "cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade"


def project(pid: str) -> str:
    return f"{pid},Name,,Older people,social,Provider,vcse,grant,Riverside,2025-01-01,,active,3,2,2,true,true"


def upload(name: str, header: str, *rows: str) -> list[SourceFile]:
    return [SourceFile(name, ("\n".join([header, *rows]) + "\n").encode("utf-8"))]


def messages(result) -> list[str]:
    assert not result.ok
    return [str(p) for p in result.problems]


def test_a_reused_cost_id_cannot_move_the_drumkits_only_cost_line_to_another_project(tiny_db, read):
    result = import_files(upload("costs.csv", COST_HEADER, "C001,P002,Sticks,20,once,2025-07-01,,1"), tiny_db)
    assert messages(result) == [
        "costs.csv, row 2, column cost_id (value 'C001'): already belongs to project 'P001'; a line cannot move to "
        "another project: give this line its own cost_id, or set project_id back to 'P001'"
    ]
    assert read(tiny_db).execute("select project_id, item from costs where cost_id = 'C001'").fetchall() == [
        ("P001", "Drumkit")
    ]


def test_the_same_line_id_for_the_same_project_still_replaces_the_line(tiny_db, read):
    result = import_files(
        upload("costs.csv", COST_HEADER, "C001,P001,Drumkit and stool,400,once,2025-06-01,,1"), tiny_db
    )
    assert result.ok and result.replaced == {"costs": 1}


@pytest.mark.parametrize(("name", "key"), [("funding.csv", "funding_id"), ("benefits.csv", "benefit_id")])
def test_funding_and_benefit_lines_cannot_move_either(tiny_db, name, key):
    rows = (TINY / name).read_text(encoding="utf-8").splitlines()
    first = rows[1].split(",")
    owner = first[1]
    first[1] = "P003" if owner != "P003" else "P002"
    result = import_files(upload(name, rows[0], ",".join(first)), tiny_db)
    assert messages(result)[0].startswith(
        f"{name}, row 2, column {key} (value '{first[0]}'): already belongs to project '{owner}'"
    )


def test_ids_differing_only_by_case_in_one_upload_are_refused(tiny_db):
    result = import_files(upload("projects.csv", PROJECT_HEADER, project("PX1"), project("px1")), tiny_db)
    assert messages(result) == [
        "projects.csv, row 3, column project_id (value 'px1'): differs only in capitals from 'PX1' on row 2; ids "
        "are case-sensitive, so one thing must have one spelling: use the same one, or choose a different id"
    ]


def test_an_id_differing_only_by_case_from_one_in_the_database_is_refused(tiny_db):
    result = import_files(upload("projects.csv", PROJECT_HEADER, project("p001")), tiny_db)
    assert messages(result) == [
        "projects.csv, row 2, column project_id (value 'p001'): differs only in capitals from the existing "
        "project_id 'P001'; ids are case-sensitive: write 'P001' to replace it, or choose a different id"
    ]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_nfc_and_nfd_spellings_of_one_id_are_the_same_id(tiny_db, read):
    assert NFC != NFD
    result = import_files(upload("projects.csv", PROJECT_HEADER, project(NFC), project(NFD)), tiny_db)
    assert messages(result) == [
        f"projects.csv, row 3, column project_id (value '{NFD}'): is a duplicate project_id; it also appears on "
        "row 2; give each row its own reference"
    ]  # the value as typed on row 3 (decomposed), found equal to row 2's after normalisation
    assert import_files(upload("projects.csv", PROJECT_HEADER, project(NFD)), tiny_db).ok
    con = read(tiny_db)
    stored = con.execute("select project_id from projects where project_id like 'P%1' and project_id <> 'P001'")
    assert stored.fetchall() == [(NFC,)]  # stored composed, however it was typed
    costs = upload("costs.csv", COST_HEADER, f"CX1,{NFC},Sticks,20,once,2025-07-01,,1")
    assert import_files(costs, tiny_db).ok  # the composed spelling finds the project typed decomposed


def test_ids_are_trimmed_before_they_are_compared(tiny_db):
    result = import_files(upload("costs.csv", COST_HEADER, " C001 ,P002,Sticks,20,once,2025-07-01,,1"), tiny_db)
    assert "already belongs to project 'P001'" in messages(result)[0]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_grant_whose_identifier_is_another_projects_funding_line_is_left_out_not_moved(tiny_db, read):
    header = "Identifier,Title,Currency,Amount Awarded,Award Date,Funding Org:Name,Recipient Org:Name,Description"
    funding_id = (TINY / "funding.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    data = upload("g.csv", header, f"{funding_id},A,GBP,10,2025-01-01,T,R,D", "G-NEW,B,GBP,10,2025-01-01,T,R,D")
    refused = import_files(data, tiny_db)
    assert refused.summary() == "Nothing was imported: 1 problem found in 1 grant; the other 1 grant is sound."
    result = import_files(data, tiny_db, skip_invalid=True)
    assert result.ok and [lo.identifier for lo in result.left_out] == [funding_id]
    assert "already belongs to project" in result.left_out[0].problem.reason
    con = read(tiny_db)
    assert db.query_df(con, "import_left_out_counts")["rows_left_out"].tolist() == [1]
