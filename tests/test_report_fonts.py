"""Reports print every name: the PDF's text, read back with pypdf, holds each script a project name may use."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from dashboard.files.decisions import DecisionInput, record_decision
from dashboard.files.reports import (
    FALLBACK_FONTS,
    Facts,
    Paragraph,
    Report,
    Section,
    _font_file,
    decision_report,
    render_pdf,
)

pytestmark = pytest.mark.slow  # renders PDFs with every fallback font

NAMES = {
    "Chinese": "華僑長者午餐會",
    "Japanese": "ひまわり介護",
    "Korean": "행복한 돌봄",
    "Arabic": "نادي الغداء",
    "Hebrew": "מועדון ארוחות",
    "Devanagari": "सामुदायिक भोजन क्लब",
    "emoji": "Memory café ☕🎵",
}
MISSING = [name for _, name, _, _ in FALLBACK_FONTS if _font_file(name) is None]
needs_fonts = pytest.mark.skipif(
    bool(MISSING),
    reason=f"the report's fallback fonts are not installed ({', '.join(MISSING)}): "
    "`sudo apt-get install fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji` (.ci/run and `make fonts` do)",
)


def pdf_text(data: bytes) -> str:
    """The text a reader copies out, less control characters: pypdf 7.1 puts a NUL before each character of a CFF
    (CIDFontType0) font such as Noto Sans CJK although the font's ToUnicode map is right (<0001> <83EF>), and a
    shaped Devanagari cluster (the vowel sign drawn before its consonant) can leave a stray control code."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_fonts
def test_a_report_whose_names_use_every_script_prints_each_name_in_title_body_tables_and_footer():
    report = Report(
        title="Decision D0099: continue " + NAMES["Chinese"],
        subtitle="Exampleshire County Council: decision report",
        summary=[f"{script}: {name}." for script, name in NAMES.items()],
        sections=[
            Section(
                "Who it serves",
                [
                    Paragraph("Names in a paragraph: " + ", ".join(NAMES.values()) + "."),
                    Facts([(script, name) for script, name in NAMES.items()]),
                ],
            )
        ],
        footer="Published for " + NAMES["Arabic"] + " and " + NAMES["emoji"],
    )
    text = flat(pdf_text(render_pdf(report)))
    for script, name in NAMES.items():
        for word in name.split():
            if script == "emoji":
                continue  # checked below: an emoji is a picture in the PDF with its character behind it
            assert flat(word) in text, f"{script}: {word!r} is missing from the PDF text"
    assert "☕" in text and "🎵" in text, "emoji print as characters a reader can copy, not as boxes or nothing"


@needs_fonts
def test_the_demo_wah_kiu_lunch_club_prints_its_chinese_name(demo_db, read, base_assumptions):
    record_decision(
        demo_db,
        DecisionInput(
            project_id="P003",
            decision="continue",
            effective_date=date(2027, 3, 31),
            reason_category="evidence_of_impact",
            rationale="It keeps older Cantonese-speaking residents in touch.",
            decided_by="A. Tester",
            decided_by_role="Head of commissioning",
        ),
        base_assumptions,
    )
    con = read(demo_db)
    decision_id = con.execute("select max(decision_id) from decisions where project_id = 'P003'").fetchone()[0]
    text = pdf_text(render_pdf(decision_report(con, decision_id)))
    assert "Wah Kiu lunch club (華僑)" in text  # the title, and the body
    assert "()" not in text
