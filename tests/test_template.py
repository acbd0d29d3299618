"""The downloadable template is generated from schema.py (so it cannot drift from validation), and the current
data exported as a template imports into an empty database with identical metrics."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.database import db
from dashboard.database.schema import TEMPLATE_TABLES
from dashboard.files import template
from dashboard.files.import_sources import SourceFile, import_files
from dashboard.rules.appraisal import project_metrics
from tests.conftest import TINY, build_db


def test_the_guidance_lists_every_column_of_every_table_with_whether_it_is_required():
    guidance = template.guidance_frame()
    expected = [(t.name, c.name, "required" if c.required else "optional") for t in TEMPLATE_TABLES for c in t.columns]
    assert list(guidance[["table", "column", "required"]].itertuples(index=False, name=None)) == expected
    costs_grade = guidance.query("table == 'costs' and column == 'confidence_grade'").iloc[0]
    assert costs_grade["what is allowed"] == "a whole number from 1 to 6"
    funding_project = guidance.query("table == 'funding' and column == 'project_id'").iloc[0]
    assert "must be a projects id" in funding_project["what is allowed"]


def test_the_blank_workbook_has_a_guidance_sheet_and_one_sheet_per_table_with_the_schema_headers():
    workbook = load_workbook(io.BytesIO(template.blank_xlsx_bytes()))
    assert workbook.sheetnames == ["Guidance", "Lists"] + [t.name for t in TEMPLATE_TABLES]
    for table in TEMPLATE_TABLES:
        header = [cell.value for cell in next(workbook[table.name].iter_rows(max_row=1))]
        assert header == table.column_names
    frequency = [dv for dv in workbook["costs"].data_validations.dataValidation if dv.type == "list"]
    assert any("Lists" in dv.formula1 for dv in frequency)
    guidance_rows = workbook["Guidance"].max_row
    assert guidance_rows == 4 + sum(len(t.columns) for t in TEMPLATE_TABLES)


def test_the_blank_csv_zip_has_one_header_only_csv_per_table_and_a_readme():
    archive = zipfile.ZipFile(io.BytesIO(template.blank_csv_zip_bytes()))
    assert sorted(archive.namelist()) == sorted([t.file_name for t in TEMPLATE_TABLES] + ["README.txt"])
    header = archive.read("costs.csv").decode("utf-8-sig").strip()
    assert header == ",".join(next(t for t in TEMPLATE_TABLES if t.name == "costs").column_names)
    assert "confidence_grade (required)" in archive.read("README.txt").decode("utf-8-sig")


def test_a_blank_template_uploaded_unfilled_is_refused_with_what_to_do(tiny_db):
    result = import_files([SourceFile("template.xlsx", template.blank_xlsx_bytes())], tiny_db)
    assert [str(p) for p in result.problems] == [
        "template.xlsx: has no rows to import; fill in at least one table below its header row"
    ]


def metrics(path, assumptions):
    con = db.connect_read_only(path)
    try:
        frame = project_metrics(con, assumptions)
    finally:
        con.close()
    return frame.sort_values("project_id").reset_index(drop=True)


@pytest.mark.slow  # exports the demo as a template and imports it again
@pytest.mark.parametrize("kind", ["xlsx", "zip"])
def test_the_demo_exported_as_a_template_imports_into_an_empty_database_with_identical_metrics(
    demo_db, tmp_path, kind, base_assumptions
):
    source = demo_db if (db.DEMO_DIR / "projects.csv").is_file() else build_db(tmp_path / "tiny.duckdb", TINY)
    con = db.connect_read_only(source)
    try:
        data = template.current_xlsx_bytes(con) if kind == "xlsx" else template.current_csv_zip_bytes(con)
        originals = {t.name: con.execute("select count(*) from " + t.name).fetchall()[0][0] for t in TEMPLATE_TABLES}  # noqa: S608
    finally:
        con.close()
    empty = build_db(tmp_path / "empty.duckdb", None)
    result = import_files([SourceFile(f"export.{kind}", data)], empty)
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert {name: result.added.get(name, 0) for name in originals} == originals
    pd.testing.assert_frame_equal(metrics(source, base_assumptions), metrics(empty, base_assumptions))


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_text_that_looks_like_a_formula_survives_the_csv_round_trip(tiny_db, tmp_path, read):
    folder = tmp_path / "odd"
    folder.mkdir()
    projects = (TINY / "projects.csv").read_text().replace("Drumkit from a personal budget", "=1+1 drumkit")
    (folder / "projects.csv").write_text(projects)
    assert import_files([SourceFile("projects.csv", (folder / "projects.csv").read_bytes())], tiny_db).ok
    con = db.connect_read_only(tiny_db)
    try:
        data = template.current_csv_zip_bytes(con)
    finally:
        con.close()
    assert b"'=1+1 drumkit" in zipfile.ZipFile(io.BytesIO(data)).read("projects.csv")  # neutralised for Excel
    again = build_db(tmp_path / "again.duckdb", None)
    assert import_files([SourceFile("export.zip", data)], again).ok
    assert read(again).execute("select name from projects where project_id = 'P001'").fetchall() == [("=1+1 drumkit",)]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_fields_still_to_fill_in_are_exported_empty_so_they_must_be_filled_before_reimport(tiny_db, tmp_path):
    grants = (
        "Identifier,Title,Currency,Amount Awarded,Award Date,Funding Org:Name,Recipient Org:Name\n"
        "G1,Lunch club,GBP,1000,2025-01-01,A Trust,A Charity\n"
    )
    assert import_files([SourceFile("grants.csv", grants.encode())], tiny_db).ok
    con = db.connect_read_only(tiny_db)
    try:
        projects = template.current_frames(con)["projects"].set_index("project_id")
    finally:
        con.close()
    assert projects.loc["G1", "service_area"] is None
    assert projects.loc["G1", "name"] == "Lunch club"
    assert projects.loc["P001", "service_area"] == "Physical disability"
