"""Data: download the template, upload a filled one (or a 360Giving grants file), see what was imported or
every problem, the projects still to fill in, and every past import.

The page never holds the database open for writing: an import writes a copy and swaps it in
(db.write_database), so people viewing other pages are not locked out, and the rerun picks up the new
file because every cache is keyed on the file's identity.
"""

from __future__ import annotations

from datetime import date

import duckdb
import streamlit as st

from dashboard import ui
from dashboard.components import auth
from dashboard.database import db
from dashboard.files import template
from dashboard.files.export_files import csv_bytes
from dashboard.files.import_limits import ImportLimits
from dashboard.files.import_sources import ACCEPTED_EXTENSIONS, MAX_UPLOAD_MB, SourceFile, import_files
from dashboard.files.importer import ImportResult, problems_frame
from dashboard.rules.formatting import long_date, plural

RESULT_KEY = "data_page_last_import"
PENDING_KEY = "data_page_refused_upload"
HISTORY_COLUMNS = ["when", "by", "source_name", "source_format", "outcome", "summary", "rows_by_table"] + [
    "left_out",
    "fingerprint",
]  # the files of a refused upload, kept for "import the sound grants"
FORMAT_CHOICES = {"Work it out from the file": None, "Template": "template", "360Giving grants": "360giving"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _current_data(kind: str):
    """A callable for a download button: the current data as a filled template, built when clicked."""
    path = db.default_db_path()

    def build() -> bytes:
        con = db.connect_read_only(path)
        try:
            return template.current_xlsx_bytes(con) if kind == "xlsx" else template.current_csv_zip_bytes(con)
        finally:
            con.close()

    return build


def _safe_query(name: str, params: dict | None = None):
    try:
        return ui.query(name, **(params or {}))
    except duckdb.CatalogException:
        return None  # a database made before the import audit existed: nothing recorded yet


def _left_out_frame(result: ImportResult):
    frame = problems_frame([lo.problem for lo in result.left_out])
    frame.insert(2, "Identifier", [lo.identifier for lo in result.left_out])
    return frame


def _run_import(files: list[SourceFile], format_: str | None, as_of_: date, by: str | None, skip: bool) -> None:
    with st.spinner("Checking every row…"):
        outcome = import_files(
            files, db.default_db_path(), format=format_, as_of=as_of_, imported_by=by, skip_invalid=skip, limits=LIMITS
        )
    st.session_state[RESULT_KEY] = outcome
    if outcome.can_skip_invalid:
        st.session_state[PENDING_KEY] = (files, format_, as_of_, by)
    else:
        st.session_state.pop(PENDING_KEY, None)
    st.rerun()  # every page now reads the new database file


try:
    LIMITS = ImportLimits.from_environment()
except ValueError as exc:  # the operator's setting is wrong: say so rather than guess
    st.error(f"The import limits are misconfigured: {exc}")
    st.stop()


ui.require("import_data")  # roles: dashboard/access.py
st.title("Data")
st.markdown(
    "Bring your projects in from a spreadsheet. Download the template, fill in one sheet per table, and upload it."
    " If you already publish grants in the [360Giving Data Standard](https://www.threesixtygiving.org/), upload that"
    " file as it is: each grant becomes a project with its funding, and the appraisal fields a grant cannot tell us"
    " are listed below for you to fill in. Nothing is imported unless every row passes."
)
st.caption(
    f"Each import may read up to {LIMITS.describe()} (blank rows count; a zip counts as unpacked). Larger, trusted"
    " files go through the command line on the server, with --max-mb and --max-rows."
)

st.header("1. Get the template")
# two buttons a row: four in one row cut their labels short at 1440 pixels ("Current data as a template (E…")
blank, blank_csv = st.columns(2)
current, current_csv = st.columns(2)
blank.download_button(
    "Blank template (Excel)",
    template.blank_xlsx_bytes(),
    file_name="commissioning-template.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    icon=":material/download:",
    help="One sheet per table with drop-down lists, and a Guidance sheet explaining every column.",
)
blank_csv.download_button(
    "Blank template (CSV zip)",
    template.blank_csv_zip_bytes(),
    file_name="commissioning-template.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/download:",
    help="One CSV per table and a README with the guidance.",
)
current.download_button(
    "Current data as a template (Excel)",
    _current_data("xlsx"),
    file_name=f"commissioning-data-{date.today().isoformat()}.xlsx",
    mime=XLSX_MIME,
    on_click="ignore",
    icon=":material/download:",
    help="Everything in the dashboard now, ready to edit and upload again. Fields still to fill in are empty.",
)
current_csv.download_button(
    "Current data as a template (CSV zip)",
    _current_data("zip"),
    file_name=f"commissioning-data-{date.today().isoformat()}.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/download:",
)

with st.expander("What goes in each column"):
    st.dataframe(template.guidance_frame(), hide_index=True, width="stretch")

st.header("2. Upload")
with st.form("upload_form", clear_on_submit=True):
    uploads = st.file_uploader(
        "A template workbook (.xlsx), template CSVs or a zip of them, or a 360Giving file (CSV, .xlsx or JSON)",
        type=list(ACCEPTED_EXTENSIONS),
        accept_multiple_files=True,
        max_upload_size=MAX_UPLOAD_MB,
        help=f"Up to {MAX_UPLOAD_MB} MB a file. Larger files: python -m dashboard import PATH on the server.",
    )
    left, middle, right = st.columns(3)
    format_label = left.radio("What kind of file is it?", list(FORMAT_CHOICES), index=0)
    as_of = middle.date_input(
        "360Giving: judge each grant's status as of",
        value=date.today(),
        format="DD/MM/YYYY",
        help="A grant that ended before this date is 'ended'; one starting after it is 'proposed'.",
    )
    person = auth.signed_in_person()  # with sign-in, the account is recorded, never a typed name
    if person is not None:
        right.text_input("Imported by (from your sign-in)", value=person.name, disabled=True)
    else:
        typed_name = right.text_input("Your name (kept with the import record)")
    submitted = st.form_submit_button("Check and import", type="primary", icon=":material/upload:")

if submitted:
    if not uploads:
        st.warning("Choose a file to upload first.")
    else:
        files = [SourceFile(u.name, u.getvalue()) for u in uploads]
        _run_import(
            files,
            FORMAT_CHOICES[format_label],
            as_of,
            person.audit_label if person is not None else (typed_name.strip() or None),
            skip=False,
        )

result = st.session_state.get(RESULT_KEY)
if result is not None:
    if result.ok:
        st.success(result.summary(), icon=":material/check_circle:")
        if result.flagged_projects:
            st.info(
                f"{plural(result.flagged_projects, 'project')} still "
                f"{'needs' if result.flagged_projects == 1 else 'need'} fields filled in: see "
                "'Still to fill in' below.",
                icon=":material/edit_note:",
            )
        if result.left_out:
            st.warning(
                f"{plural(result.rows_left_out, result.row_noun or 'row')} with problems "
                f"{'was' if result.rows_left_out == 1 else 'were'} left out, as you chose; each is below and in the "
                "import history.",
                icon=":material/playlist_remove:",
            )
            left_out = _left_out_frame(result)
            st.dataframe(left_out, hide_index=True, width="stretch")
            st.download_button(
                "Download what was left out (CSV)",
                csv_bytes(left_out),
                file_name="import-left-out.csv",
                mime="text/csv",
                on_click="ignore",
            )
    else:
        st.error(
            f"{result.summary()} The data is exactly as it was. Fix these in your file and upload it again.",
            icon=":material/error:",
        )
        problems = problems_frame(result.problems)
        st.dataframe(problems, hide_index=True, width="stretch")
        st.download_button(
            "Download the problems (CSV)",
            csv_bytes(problems),
            file_name="import-problems.csv",
            mime="text/csv",
            on_click="ignore",
        )
        pending = st.session_state.get(PENDING_KEY)
        if result.can_skip_invalid and pending is not None:
            noun = result.row_noun or "row"
            st.markdown(
                f"The other {plural(result.sound_rows, noun)} passed every check. You can import them and leave"
                f" out the {plural(result.bad_rows, noun)} listed above; what is left out is recorded with the import."
            )
            if st.button(
                f"Import the {result.sound_rows:,} sound {noun}s and leave out "
                f"{'this' if result.bad_rows == 1 else 'these'} {result.bad_rows:,}",
                key="skip_invalid",
                type="primary",
                icon=":material/playlist_add_check:",
            ):
                files, format_, as_of_, by = pending
                _run_import(files, format_, as_of_, by, skip=True)
    if result.warnings:
        with st.expander(f"{plural(len(result.warnings), 'note')} about the file (imported anyway)"):
            st.dataframe(problems_frame(result.warnings), hide_index=True, width="stretch")

st.header("Still to fill in")
to_fill = _safe_query("projects_to_complete")
if to_fill is None or to_fill.empty:
    st.caption("Every project has its appraisal fields filled in.")
else:
    st.markdown(
        f"{plural(len(to_fill), 'project')} came from a file that could not supply every field; the dashboard"
        " has used placeholders (for example service area 'Not yet recorded', 0 people, no exit plan), so their"
        " figures and risk are not yet reliable. Download the current data as a template (above), fill in the"
        " empty cells and add cost and benefit lines, then upload it."
    )
    st.dataframe(
        to_fill[["project_id", "project_name", "provider", "fields_to_fill", "still_to_fill_in"]],
        hide_index=True,
        width="stretch",
        column_config={
            "project_id": "Project",
            "project_name": "Name",
            "provider": "Provider",
            "fields_to_fill": st.column_config.NumberColumn("Fields", format="%d"),
            "still_to_fill_in": "Still to fill in",
        },
    )

st.header("Past imports")
history = _safe_query("import_history")
if history is None or history.empty:
    st.caption("Nothing has been imported into this database through the import yet.")
else:
    counts = _safe_query("import_left_out_counts")
    left = dict(zip(counts["import_id"], counts["rows_left_out"], strict=True)) if counts is not None else {}
    shown = history.assign(
        when=[f"{long_date(t)} {t:%H:%M}" for t in history["imported_at"]],
        by=history["imported_by"].fillna("not known"),
        fingerprint=history["source_sha256"].str.slice(0, 12),
        left_out=[int(left.get(i, 0)) for i in history["import_id"]],
    )
    st.dataframe(
        shown[HISTORY_COLUMNS],
        hide_index=True,
        width="stretch",
        column_config={
            "when": "When",
            "by": "By",
            "source_name": "File",
            "source_format": "Format",
            "outcome": "Outcome",
            "summary": "What happened",
            "rows_by_table": "Rows by table",
            "left_out": st.column_config.NumberColumn("Left out", format="%d", help="Grants left out on purpose"),
            "fingerprint": st.column_config.TextColumn(
                "SHA-256", help="The start of the file's SHA-256 fingerprint: the same file gives the same one."
            ),
        },
    )
    with_left_out = [i for i in history["import_id"].tolist() if left.get(i)]
    if with_left_out:
        names = dict(zip(history["import_id"], shown["when"] + " — " + history["source_name"], strict=True))
        chosen = st.selectbox(
            "What an import left out",
            with_left_out,
            format_func=lambda i: f"{names[i]} ({plural(int(left[i]), 'row')} left out)",
        )
        rows = _safe_query("import_left_out_rows", {"import_id": int(chosen)})
        if rows is not None:
            table = rows.rename(
                columns={
                    "row_number": "Row",
                    "identifier": "Identifier",
                    "column_name": "Column",
                    "value": "Value",
                    "reason": "Why it was left out",
                }
            )
            st.dataframe(table, hide_index=True, width="stretch")
            st.download_button(
                "Download this list (CSV)",
                csv_bytes(table),
                file_name=f"import-{int(chosen)}-left-out.csv",
                mime="text/csv",
                on_click="ignore",
            )
