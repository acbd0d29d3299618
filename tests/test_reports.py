"""The justification report: the PDF read back with a real text extractor (pypdf), the HTML escaped and script-free."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from dashboard.commands import main
from dashboard.files.decisions import DecisionInput, get_decision, record_decision
from dashboard.files.reports import build_report, decision_report, people_phrase, render_html, render_pdf

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def drumkit_decision(tiny_db, base_assumptions):
    record_decision(
        tiny_db,
        DecisionInput(
            project_id="P001",
            decision="stop",
            effective_date=date(2025, 6, 30),
            reason_category="budget_pressure",
            rationale="The personal budget was reviewed and this support is no longer funded.",
            transition_plan="Their social worker reviews their support plan within four weeks.",
            decided_by="Jane Smith",
            decided_by_role="Head of commissioning",
            evidence="Support plan review, May 2025",
        ),
        base_assumptions,
        now=NOW,
    )
    return tiny_db


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_pdf_report_states_the_figures_in_plain_english(drumkit_decision, read):
    report = decision_report(read(drumkit_decision), "D0001")
    data = render_pdf(report)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (
        "Decision D0001: stop Drumkit from a personal budget",
        "Exampleshire County Council",
        "taking effect on 30 June 2025",
        "There is nothing to stop after 30 June 2025",
        "Council adult social care £0 £84,115",
        "the project costs £350 and its benefits are worth £84,115",
        "It returns £240.33 of benefit for every £1 it costs.",
        "level 2 of 5 on the Nesta Standards of Evidence",
        "Weak evidence 7.5",
        "Budget pressure",
        "Head of commissioning",
        "Their social worker reviews their support plan within four weeks.",
        "7 or fewer people",
        "3.5% a year",
    ):
        assert expected in text, expected
    assert "Jane Smith" not in text


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_stop_report_leads_with_continuing_then_the_council_then_everyone_else(tiny_db, read, base_assumptions):
    record_decision(
        tiny_db,
        DecisionInput(
            project_id="P002",
            decision="stop",
            effective_date=date(2026, 6, 30),
            reason_category="budget_pressure",
            rationale="The lunch club's members have moved to the community centre's own club.",
            transition_plan="Members are introduced to the community centre's club by its volunteers.",
            decided_by="Jane Smith",
            exit_costs_gbp="2,500",
        ),
        base_assumptions,
        now=NOW,
    )
    text = pdf_text(render_pdf(decision_report(read(tiny_db), "D0001")))
    continuing = text.index("Continuing after 30 June 2026 would cost")
    council = text.index("For the council's adult social care budget, stopping would avoid")
    wider = text.index("Beyond the council, stopping would lose")
    assert continuing < council < wider
    assert "(after £2,500 of exit costs)" in text
    assert "Who pays and who loses if it stops" in text
    assert "What does carrying on cost and return?" in text


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_pdf_prints_names_outside_latin_1(drumkit_decision, read):
    record = get_decision(read(drumkit_decision), "D0001")
    record["project_name"] = "Zoë's café in Łódź"
    text = pdf_text(render_pdf(build_report(record, "Exampleshire County Council")))
    assert "stop Zoë's café in Łódź" in text


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_html_report_escapes_everything_and_has_no_script(drumkit_decision, read):
    record = get_decision(read(drumkit_decision), "D0001")
    record["rationale"] = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    page = render_html(build_report(record, "Exampleshire <County> Council"))
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page
    assert "Exampleshire &lt;County&gt; Council" in page
    assert '<html lang="en-GB">' in page
    assert "£84,115" in page and "30 June 2025" in page


def test_people_counts_up_to_the_threshold_are_not_given_exactly():
    assert people_phrase(1).startswith("7 or fewer people")
    assert people_phrase(7).startswith("7 or fewer people")
    assert people_phrase(8) == "8 people"
    assert people_phrase(0) == "0 people"
    assert people_phrase(40, suppress_up_to=50).startswith("50 or fewer people")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_continue_decision_says_no_transition_plan_was_needed(tiny_db, read, base_assumptions):
    record_decision(
        tiny_db,
        DecisionInput(
            project_id="P002",
            decision="continue",
            effective_date="2026-04-01",
            reason_category="evidence_of_impact",
            rationale="The lunch club reduces loneliness; keep funding it.",
            decided_by="Sam Lee",
        ),
        base_assumptions,
        now=NOW,
    )
    report = decision_report(read(tiny_db), "D0001")
    text = report.text()
    assert "The decision affects 40 people." in text
    assert "The service carries on, so no transition plan was needed." in text
    assert 'Lunch club "Wah Kiu", Riverside' in text
    assert "Decided by: an officer of Exampleshire County Council" in text


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_report_writes_pdf_and_html_and_refuses_bad_input(drumkit_decision, tmp_path, capsys):
    pdf = tmp_path / "D0001.pdf"
    assert main(["report", "D0001", "--out", str(pdf), "--db", str(drumkit_decision)]) == 0
    assert "£84,115" in pdf_text(pdf.read_bytes())
    page = tmp_path / "D0001.html"
    assert main(["report", "D0001", "--out", str(page), "--db", str(drumkit_decision)]) == 0
    assert "nothing to stop" in page.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["report", "D0999", "--out", str(pdf), "--db", str(drumkit_decision)]) == 2
    err = capsys.readouterr().err
    assert "There is no decision with the id 'D0999'" in err and "Traceback" not in err
    assert main(["report", "D0001", "--out", str(tmp_path / "D0001.docx"), "--db", str(drumkit_decision)]) == 2
    assert "must end .pdf or .html" in capsys.readouterr().err
