"""The Data page renders, offers the template, imports an upload and shows either the summary or every problem,
and lists past imports and projects still to fill in (AppTest, on a tiny database in a temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DATA, TINY

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "views" / "data.py")


@pytest.fixture
def page(tiny_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(tiny_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    at.button(key="FormSubmitter:upload_form-Check and import").click()
    return at.run()


def test_the_page_offers_the_templates_and_lists_the_first_import(page):
    labels = [b.proto.label for b in page.get("download_button")]
    assert labels == [
        "Blank template (Excel)",
        "Blank template (CSV zip)",
        "Current data as a template (Excel)",
        "Current data as a template (CSV zip)",
    ]
    assert [h.value for h in page.header] == ["1. Get the template", "2. Upload", "Still to fill in", "Past imports"]
    history = page.dataframe[-1].value
    assert history["source_name"].tolist() == ["tiny"]


def test_a_bad_upload_shows_every_problem_as_a_table_and_changes_nothing(page):
    bad = (TINY / "costs.csv").read_text().replace("C001,P001,Drumkit,350,once", "C001,P999,Drumkit,-350,once")
    upload(page, "costs.csv", bad.encode())
    assert not page.exception
    assert page.error[0].value.startswith("Nothing was imported: 3 problems found. The data is exactly as it was.")
    problems = next(d.value for d in page.dataframe if "What is wrong and how to fix it" in d.value.columns)
    # the amount, the unknown project, and C001 would move from P001 to another project
    assert sorted(problems["Column"].tolist()) == ["amount_gbp", "cost_id", "project_id"]
    assert problems["Row"].tolist() == [2, 2, 2]
    assert page.dataframe[-1].value["outcome"].tolist() == ["rejected", "imported"]


def test_a_360giving_upload_imports_and_lists_the_projects_still_to_fill_in(page):
    upload(page, "baring.json", (DATA / "360giving" / "baring.json").read_bytes())
    assert not page.exception
    assert page.success[0].value == ("Imported 53 projects, 53 funding lines. 53 projects still need fields filled in.")
    to_fill = next(d.value for d in page.dataframe if "still_to_fill_in" in d.value.columns)
    assert len(to_fill) == 53
    assert "service_area" in to_fill["still_to_fill_in"].iloc[0]


def test_submitting_without_a_file_asks_for_one(page):
    page.button(key="FormSubmitter:upload_form-Check and import").click().run()
    assert page.warning[0].value == "Choose a file to upload first."


def test_after_a_refusal_caused_only_by_bad_grants_the_page_offers_to_import_the_sound_ones(page):
    upload(page, "power-to-change.json", (DATA / "360giving" / "a002400000nO46WAAS.json").read_bytes())
    assert not page.exception
    assert page.error[0].value.startswith(
        "Nothing was imported: 5 problems found in 5 grants; the other 865 grants are sound."
    )
    button = page.button(key="skip_invalid")
    assert button.label == "Import the 865 sound grants and leave out these 5"
    button.click().run()
    assert not page.exception
    assert page.success[0].value.startswith(
        "Imported 865 projects, 865 funding lines. Left out 5 grants with problems (listed)."
    )
    left_out = next(d.value for d in page.dataframe if "Identifier" in d.value.columns and "Row" in d.value.columns)
    assert left_out["Identifier"].tolist()[0] == "360G-ptc-gr-02264"
    labels = [b.proto.label for b in page.get("download_button")]
    assert "Download what was left out (CSV)" in labels and "Download this list (CSV)" in labels
    history = next(d.value for d in page.dataframe if "left_out" in d.value.columns)
    assert history["outcome"].tolist()[:2] == ["imported", "rejected"]
    assert history["left_out"].tolist()[:2] == [5, 0]


def test_the_page_states_the_import_limits(page):
    assert any("Each import may read up to 256 MB uncompressed and 2,000,000 rows" in c.value for c in page.caption)
