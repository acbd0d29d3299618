"""The plain-English justification report for one decision, as PDF and as HTML, for the public and elected members.

A council that stops (or continues) funding should be able to say why, in words anyone can read: what the
project did, who it served, how strong the evidence is, co-production, cost against benefit, what stopping
costs and who bears it, the risk that it folds, the decision and its reasons, and what happens to the people
affected. Everything comes from the decision record alone (its frozen figures), so a report printed today
or in five years says the same thing, whatever has happened to the data since.

One document model (`Report`: sections of paragraphs, fact lists and tables) is built once and rendered
twice, so the PDF and the HTML cannot disagree:

- PDF with fpdf2 and the bundled DejaVu Sans fonts (report_templates/fonts/; the PDF core fonts are
  Latin-1 only and names such as "Zoë" or "Łódź" must print). Nothing is downloaded at run time.
- HTML, one self-contained page with every value escaped, no script and a restrictive content policy.

Counts of people from 1 to the suppression threshold (default 7) are written as "7 or fewer" and the decision
maker is given by role only, as in the publication register, because the report is for publication.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashboard.database import db
from dashboard.files.decisions import (
    DECISIONS,
    DEFAULT_SUPPRESS_UP_TO,
    NEEDS_TRANSITION_PLAN,
    REASON_CATEGORIES,
    get_decision,
)
from dashboard.rules.formatting import gbp, long_date, month_label, months, percent, plural
from dashboard.rules.stopping import AGENCY_SHORT_LABELS

TEMPLATES_DIR = Path(__file__).resolve().parent / "report_templates"
FONTS_DIR = TEMPLATES_DIR / "fonts"
FONT_REGULAR = FONTS_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"
# DejaVu Sans has Latin, Greek and Cyrillic but no Chinese, Japanese, Korean, Arabic, Hebrew, Devanagari or emoji,
# so a project named "Wah Kiu lunch club (華僑)" lost its name. These fallbacks come from Debian's Noto packages
# (fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji; .ci/run and `make fonts` install them, SIL Open Font
# Licence); a character none of them has still prints as a box rather than vanishing. $COMMISSIONING_FONTS_DIR
# adds a folder to look in first.
FALLBACK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
FALLBACK_FONTS = (
    # family, regular file, bold file (None: regular for bold too), index in a font collection
    ("NotoSansCJKTC", "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", 3),  # traditional Chinese first: 華僑
    ("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", 0),
    ("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", 0),
    ("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf", 0),
    ("NotoColorEmoji", "NotoColorEmoji.ttf", None, 0),
)
# the characters each fallback is for: reading a font costs seconds (the CJK one is 20 MB), so a report loads
# only the fonts its own text needs
FALLBACK_RANGES = {
    "NotoSansCJKTC": (
        (0x1100, 0x11FF),
        (0x2E80, 0x9FFF),
        (0xA960, 0xA97F),
        (0xAC00, 0xD7FF),
        (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F),
        (0xFF00, 0xFFEF),
        (0x20000, 0x3FFFF),
    ),
    "NotoSansArabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "NotoSansHebrew": ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
    "NotoSansDevanagari": ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
    "NotoColorEmoji": ((0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F000, 0x1FAFF)),
}


def fallback_families_for(text: str) -> list[str]:
    """The fallback font families text needs, in FALLBACK_FONTS order."""
    points = {ord(ch) for ch in text if ord(ch) > 0x2000 or 0x0590 <= ord(ch) <= 0x097F}
    return [
        family
        for family, *_ in FALLBACK_FONTS
        if any(low <= p <= high for p in points for low, high in FALLBACK_RANGES[family])
    ]


def _font_file(name: str) -> Path | None:
    extra = os.environ.get("COMMISSIONING_FONTS_DIR")
    for folder in ((Path(extra),) if extra else ()) + FALLBACK_FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    return None


def add_fallback_fonts(pdf, text: str) -> list[str]:
    """Register the fallback fonts text needs that this machine has with pdf; their family names, in order."""
    families = []
    needed = set(fallback_families_for(text))
    for family, regular, bold, index in FALLBACK_FONTS:
        if family not in needed:
            continue
        regular_path, bold_path = _font_file(regular), _font_file(bold) if bold else None
        if regular_path is None:
            continue
        pdf.add_font(family, "", str(regular_path), collection_font_number=index)
        pdf.add_font(family, "B", str(bold_path or regular_path), collection_font_number=index)
        families.append(family)
    if families:
        pdf.set_fallback_fonts(families, exact_match=False)
    return families


# the Nesta Standards of Evidence and the co-production ladder, worded as on the Project page
EVIDENCE_LEVELS = {
    1: "there is a clear account of what it does and why it should work",
    2: "data show some change among the people it works with, but cannot yet show the project caused it",
    3: "a comparison group shows the project causes the change",
    4: "independent evaluations have replicated its impact, with an analysis of its costs",
    5: "it has been replicated at scale, with manuals and systems so it is delivered consistently",
}
COPRODUCTION_LEVELS = {
    0: "People who draw on care and support were not involved in designing or running it (level 0 of 4).",
    1: "People who draw on care and support were informed about it (level 1 of 4).",
    2: "People who draw on care and support were consulted about it (level 2 of 4).",
    3: "People who draw on care and support were involved in designing it (level 3 of 4).",
    4: "It was co-produced with people who draw on care and support, who shared power over how it was designed "
    "and run (level 4 of 4).",
}
LABELS = {
    "innovation_type": {
        "system": "A new way of organising services",
        "social": "A community or social innovation",
        "business_model": "A new business model",
        "adaptation": "An adaptation or piece of equipment",
    },
    "provider_type": {
        "in_house": "the council itself",
        "micro_provider": "a micro-provider",
        "community_org": "a community organisation",
        "vcse": "a voluntary, community or social enterprise organisation",
        "private": "a private company",
        "individual": "the person themselves",
    },
    "funding_mechanism": {
        "grant": "a grant",
        "contract": "a contract",
        "direct_payment": "a direct payment",
        "individual_service_fund": "an individual service fund",
        "personal_budget": "a personal budget",
        "pooled_budget": "a pooled budget",
        "in_house": "the council's own budget",
    },
}


class ReportError(ValueError):
    pass


# --- the document model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Facts:
    """Label-value pairs (a definition list in HTML, a two-column table in the PDF)."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric_columns: tuple[int, ...] = ()


@dataclass
class Section:
    heading: str
    blocks: list[Paragraph | Facts | Table] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    summary: list[str]
    sections: list[Section]
    footer: str

    def text(self) -> str:
        """All the words in reading order (used by tests and for accessibility checks)."""
        parts = [self.title, self.subtitle, *self.summary]
        for section in self.sections:
            parts.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    parts.append(block.text)
                elif isinstance(block, Facts):
                    parts.extend(f"{k}: {v}" for k, v in block.rows)
                else:
                    parts.append(block.caption)
                    parts.extend(" | ".join(r) for r in [block.headers, *block.rows])
        parts.append(self.footer)
        return "\n".join(parts)


# --- building the report from a record ---------------------------------------------------------------


def people_phrase(count: Any, suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO) -> str:
    """'40 people' / '7 or fewer people (the exact number is not published, to protect privacy)'."""
    if count is None:
        return "an unrecorded number of people"
    n = int(count)
    if 1 <= n <= suppress_up_to:
        return f"{suppress_up_to} or fewer people (the exact number is not published, to protect privacy)"
    return plural(n, "person", "people")


def _label(kind: str, code: Any) -> str:
    return LABELS.get(kind, {}).get(str(code), str(code or "not recorded"))


def build_report(
    record: dict[str, Any], council: str = "The council", suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO
) -> Report:
    """The report for one decision record (as returned by decisions.get_decision)."""
    project = record["project_snapshot"]
    stopping = record["cost_of_stopping"]
    factors = record["risk_factors"]
    assumptions = record["assumptions"]
    decision = str(record["decision"])
    decision_word = DECISIONS.get(decision, decision).lower()
    name = str(record["project_name"])
    effective = long_date(record["effective_date"])
    recorded = long_date(record["recorded_at_utc"])

    summary = [
        f"On {recorded}, {council} recorded a decision to {decision_word} {name}, taking effect on {effective}.",
        str(stopping["sentence"]),
    ]
    if record.get("corrects_decision_id"):
        summary.append(
            f"This decision corrects decision {record['corrects_decision_id']}, which stays on the record unchanged."
        )
    if record.get("corrected_by_decision_id"):
        summary.append(f"This decision was later corrected by decision {record['corrected_by_decision_id']}.")

    sections = [
        _what_it_did(project),
        _who_it_served(project, suppress_up_to),
        _evidence(project, record),
        Section("Co-production", [Paragraph(COPRODUCTION_LEVELS.get(int(project["coproduction_level"]), ""))]),
        _cost_against_benefit(record, project, assumptions),
        _cost_of_stopping(stopping),
        _risk(record, project, factors),
        _decision(record, council),
        _people_affected(record, decision, suppress_up_to),
        _about(record, assumptions),
    ]
    return Report(
        title=f"Decision {record['decision_id']}: {decision_word} {name}",
        subtitle=f"{council}: funding decision on an adult social care project",
        summary=summary,
        sections=sections,
        footer=(
            f"{council}. Decision {record['decision_id']}, recorded on {recorded}. "
            "The figures are those recorded with the decision and do not change if the data change later."
        ),
    )


def _what_it_did(project: dict) -> Section:
    facts = [
        ("Service area", str(project.get("service_area") or "")),
        ("Kind of innovation", _label("innovation_type", project.get("innovation_type"))),
        ("Provided by", _provider(project)),
        ("Where", str(project.get("locality") or "")),
        ("Started", long_date(project.get("start_date"), missing="not recorded")),
        ("Planned end", long_date(project.get("end_date"), missing="no end date set")),
        ("Paid for through", _label("funding_mechanism", project.get("funding_mechanism"))),
        ("Funders", ", ".join(project.get("funders") or []) or "none recorded"),
        ("Funding committed", gbp(project.get("committed_funding_gbp") or 0)),
    ]
    blocks: list = []
    if project.get("description"):
        blocks.append(Paragraph(str(project["description"])))
    blocks.append(Facts(facts))
    return Section("What the project did", blocks)


def _provider(project: dict) -> str:
    provider = str(project.get("provider") or "not recorded")
    kind = _label("provider_type", project.get("provider_type"))
    return provider if provider.lower() == kind.lower() else f"{provider} ({kind})"


def _who_it_served(project: dict, suppress_up_to: int) -> Section:
    text = f"It reached {people_phrase(project.get('people_reached'), suppress_up_to)}."
    if project.get("cost_per_person_gbp") is not None and int(project.get("people_reached") or 0) > suppress_up_to:
        text += f" That is {gbp(project['cost_per_person_gbp'])} for each person, in present values."
    if project.get("edi_considered") is True:
        text += " Equality, diversity and inclusion were considered in its design."
    elif project.get("edi_considered") is False:
        text += " Equality, diversity and inclusion were not recorded as considered in its design."
    return Section("Who it served", [Paragraph(text)])


def _evidence(project: dict, record: dict) -> Section:
    level = int(project["evidence_level"])
    strength = "weak" if level <= 2 else "moderate" if level == 3 else "strong"
    blocks: list = [
        Paragraph(
            f"The evidence is {strength}: level {level} of 5 on the Nesta Standards of Evidence, meaning "
            f"{EVIDENCE_LEVELS.get(level, '')}."
        )
    ]
    evidence = record.get("evidence")
    blocks.append(
        Paragraph(
            f"Evidence relied on for this decision: {evidence}"
            if evidence
            else "No further evidence was recorded with this decision."
        )
    )
    return Section("The evidence and how strong it is", blocks)


def _cost_against_benefit(record: dict, project: dict, assumptions: dict) -> Section:
    years = int(assumptions["horizon_years"])
    start = project.get("appraisal_start_date")
    window = f"over {years} years from {month_label(start)}" if start else f"over {years} years"
    bcr = record.get("bcr")
    blocks: list = [
        Paragraph(
            f"Was it worth it? Counted over its whole life ({window}), in today's money (present values, "
            f"discounted as the HM Treasury Green Book sets out), the project costs {gbp(record.get('pv_cost_gbp'))} "
            f"and its benefits are worth {gbp(record.get('pv_benefit_gbp'))}, after allowing for optimism bias, for "
            "what would have happened anyway, for the part others played and for benefits fading over time."
        )
    ]
    if bcr is not None:
        blocks.append(Paragraph(f"It returns {gbp(bcr, pence=True)} of benefit for every £1 it costs."))
    forward = "forward_pv_cost_gbp" in project
    if forward:
        as_of = assumptions.get("as_of")
        when = f"from {month_label(as_of)}" if as_of else "from the date of the decision"
        blocks.append(
            Paragraph(
                f"What does carrying on cost and return? Counted {when}, over {years} years, money already spent "
                f"left out, it would cost {gbp(project.get('forward_pv_cost_gbp'))} and bring "
                f"{gbp(project.get('forward_pv_benefit_gbp'))} of benefits."
            )
        )
    payback = project.get("fiscal_payback_months", project.get("payback_months"))
    facts = [
        ("Costs, whole life (present value)", gbp(record.get("pv_cost_gbp"))),
        ("Benefits, whole life (present value)", gbp(record.get("pv_benefit_gbp"))),
        ("Benefits less costs, whole life", gbp(record.get("npv_gbp"))),
        ("Benefit-cost ratio, whole life", "not applicable" if bcr is None else f"{float(bcr):,.2f}"),
        ("Benefits that are savings to public bodies", gbp(project.get("pv_fiscal_benefit_gbp"))),
    ]
    if forward:
        facts += [
            ("Costs from now (present value)", gbp(project.get("forward_pv_cost_gbp"))),
            ("Benefits from now (present value)", gbp(project.get("forward_pv_benefit_gbp"))),
        ]
    facts.append(
        (
            "Pays back in savings to public bodies after" if "fiscal_payback_months" in project else "Pays back after",
            months(payback, missing="does not pay back in the window"),
        )
    )
    blocks.append(Facts(facts))
    return Section("Cost against benefit", blocks)


def _cost_of_stopping(stopping: dict) -> Section:
    if "costs_avoided_gbp" not in stopping:
        return _cost_of_stopping_before_stop_against_continue(stopping)
    agencies = list(dict.fromkeys([*stopping["costs_avoided_by_payer"], *stopping["benefits_lost_by_agency"]]))
    rows = [
        [
            AGENCY_SHORT_LABELS.get(agency, agency),
            gbp(stopping["costs_avoided_by_payer"].get(agency, 0)),
            gbp(stopping["benefits_lost_by_agency"].get(agency, 0)),
        ]
        for agency in agencies
    ]
    rows.append(["Total", gbp(stopping["costs_avoided_gbp"]), gbp(stopping["benefits_lost_gbp"])])
    stop = long_date(stopping["stop_date"])
    first = month_label(stopping["window_start_date"])
    last = month_label(stopping["window_last_month_date"])
    blocks = [Paragraph(sentence) for sentence in stopping["sentences"]]
    blocks.append(
        Paragraph(
            f"These figures treat {stop} as the last day of the project and compare carrying it on with stopping it "
            f"from {first} to {last}. If it carries on, its running costs and benefits continue; if it stops, its "
            "costs end"
            + (
                f" (apart from {gbp(stopping['exit_costs_gbp'])} of one-off exit costs)"
                if stopping["exit_costs_gbp"]
                else ""
            )
            + " and each benefit lasts only as long as it is expected to outlive the project. Amounts are present "
            "values."
        )
    )
    blocks.append(
        Table(
            caption="Who pays and who loses if it stops",
            headers=["Who", "Costs avoided", "Benefits lost"],
            rows=rows,
            numeric_columns=(1, 2),
        )
    )
    return Section("The cost of stopping and who bears it", blocks)


def _cost_of_stopping_before_stop_against_continue(stopping: dict) -> Section:
    """A decision recorded before costs were compared with continuing: its figures as they were worked out then."""
    rows = [
        [
            AGENCY_SHORT_LABELS.get(agency, agency),
            gbp(amount),
            gbp(stopping.get("benefits_lost_monthly_by_agency", {}).get(agency, 0)),
        ]
        for agency, amount in stopping["benefits_lost_by_agency"].items()
    ]
    rows.append(["Total benefits lost", gbp(stopping["benefits_lost_gbp"]), gbp(stopping["benefits_lost_monthly_gbp"])])
    rows.append(["Project costs saved", gbp(stopping["costs_saved_gbp"]), gbp(stopping["costs_saved_monthly_gbp"])])
    first = month_label(stopping["first_lost_month_date"])
    stop = long_date(stopping["stop_date"])
    last = stopping.get("window_last_month_date")
    period = f"from {first} to {month_label(last)}" if last else f"from {first}"
    blocks = [
        Paragraph(stopping["sentence"]),
        Paragraph(
            f"These figures treat {stop} as the last day of the project, so everything {period} (the rest of its "
            "appraisal window) is lost. Amounts are present values; the last column is the amount in the first "
            "month without the project, before discounting. (This decision was recorded before the dashboard "
            "compared stopping with continuing; its figures are shown as they were recorded.)"
        ),
        Table(
            caption="Who bears the cost of stopping",
            headers=["Who", "Present value", f"In {first}"],
            rows=rows,
            numeric_columns=(1, 2),
        ),
    ]
    return Section("The cost of stopping and who bears it", blocks)


def _risk(record: dict, project: dict, factors: list[dict]) -> Section:
    score = record.get("projectitis_score")
    blocks: list = [Paragraph(str(project.get("risk_sentence") or ""))]
    if score is not None:
        blocks.append(
            Paragraph(
                "Projectitis is the pattern of innovations that are funded for a year or two and then fold. The "
                "score adds up points for each warning sign, out of 100."
            )
        )
        rows = [[f["label"], f"{float(f['points']):.1f}", f["reason"]] for f in factors]
        blocks.append(
            Table(
                caption=f"Risk factors (score {float(score):.0f} out of 100)",
                headers=["Factor", "Points", "Why"],
                rows=rows,
                numeric_columns=(1,),
            )
        )
    return Section("The risk that the project folds", blocks)


def _decision(record: dict, council: str) -> Section:
    facts = [
        ("Decision", DECISIONS.get(record["decision"], record["decision"])),
        ("Takes effect", long_date(record["effective_date"])),
        ("Reason", REASON_CATEGORIES.get(record["reason_category"], record["reason_category"])),
        ("Decided by", str(record.get("decided_by_role") or f"an officer of {council}")),
        ("Recorded", long_date(record["recorded_at_utc"])),
    ]
    if record.get("corrects_decision_id"):
        facts.append(("Corrects", f"decision {record['corrects_decision_id']}"))
    return Section("The decision and why", [Facts(facts), Paragraph(str(record["rationale"]))])


def _people_affected(record: dict, decision: str, suppress_up_to: int) -> Section:
    blocks = [Paragraph(f"The decision affects {people_phrase(record.get('people_affected'), suppress_up_to)}.")]
    plan = record.get("transition_plan")
    if plan:
        blocks.append(Paragraph(str(plan)))
    elif decision in NEEDS_TRANSITION_PLAN:  # cannot happen for records made through the app
        blocks.append(Paragraph("No transition plan was recorded."))
    else:
        blocks.append(Paragraph("The service carries on, so no transition plan was needed."))
    return Section("What happens to the people affected", blocks)


def _about(record: dict, assumptions: dict) -> Section:
    bias = ", ".join(percent(b) for b in assumptions["optimism_bias"])
    facts = [
        ("Discount rate", f"{percent(assumptions['discount_rate'], 1)} a year (HM Treasury Green Book)"),
        ("Appraisal window", f"{assumptions['horizon_years']} years from the start of the project"),
        ("Risk judged as of", long_date(assumptions["as_of"])),
        ("Optimism bias by confidence grade 1 to 6", bias),
        ("Decision record", f"{record['decision_id']}, record {record['sequence_no']} of the council's decision log"),
        ("Record fingerprint (SHA-256)", str(record["record_hash"])),
    ]
    if record.get("record_mac"):  # records made before keyed seals have none
        facts.append(("Record seal (HMAC-SHA-256, the council's key)", str(record["record_mac"])))
    shifted = [
        k
        for k in ("cost_factor", "benefit_factor", "deadweight_factor", "attribution_factor", "drop_off_factor")
        if float(assumptions.get(k, 1)) != 1
    ]
    if shifted or int(assumptions.get("grade_shift", 0)):
        facts.append(("Scenario", "the figures were worked out under a scenario that shifts the base assumptions"))
    return Section(
        "About these figures",
        [
            Paragraph(
                "The figures were worked out when the decision was recorded and are stored with it. The fingerprint "
                "lets anyone check that the published record has not been changed since."
            ),
            Facts(facts),
        ],
    )


def decision_report(
    con: duckdb.DuckDBPyConnection, decision_id: str, suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO
) -> Report:
    """The report for a stored decision; raises ReportError for an unknown id."""
    try:
        record = get_decision(con, decision_id)
    except LookupError as exc:
        raise ReportError(str(exc)) from None
    frame = db.query_df(con, "council_settings")
    council = dict(zip(frame["setting"], frame["value"], strict=True)).get("council_name", "The council")
    return build_report(record, council, suppress_up_to)


# --- HTML --------------------------------------------------------------------------------------------

_CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 46em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; } h2 { font-size: 1.3em; margin-top: 1.6em; }
.subtitle { color: #505a5f; margin-top: 0; } .summary { font-size: 1.15em; border-left: 6px solid #0072B2;
       padding-left: 0.8em; }
dl { display: grid; grid-template-columns: 16em 1fr; gap: 0.3em 1em; } dt { font-weight: bold; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.8em 0; } caption { text-align: left; font-weight: bold; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; } footer { margin-top: 2em; color: #505a5f; font-size: 0.9em; }
.hash { font-family: monospace; word-break: break-all; }
"""


def render_html(report: Report) -> str:
    """One self-contained HTML page: every value escaped, no script, no external resources."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{e(report.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{e(report.title)}</h1>",
        f'<p class="subtitle">{e(report.subtitle)}</p>',
    ]
    out.extend(f'<p class="summary">{e(text)}</p>' for text in report.summary)
    for section in report.sections:
        out.append("<section>")
        out.append(f"<h2>{e(section.heading)}</h2>")
        for block in section.blocks:
            out.append(_html_block(block))
        out.append("</section>")
    out.extend(["</main>", f"<footer><p>{e(report.footer)}</p></footer>", "</body>", "</html>", ""])
    return "\n".join(out)


def _html_block(block: Paragraph | Facts | Table) -> str:
    e = html.escape
    if isinstance(block, Paragraph):
        return f"<p>{e(block.text)}</p>"
    if isinstance(block, Facts):
        items = []
        for label, value in block.rows:
            css = ' class="hash"' if "SHA-256" in label else ""
            items.append(f"<dt>{e(label)}</dt><dd{css}>{e(value)}</dd>")
        return "<dl>" + "".join(items) + "</dl>"
    num = ' class="num"'
    head = "".join(
        f'<th scope="col"{num if i in block.numeric_columns else ""}>{e(h)}</th>' for i, h in enumerate(block.headers)
    )
    body = []
    for row in block.rows:
        cells = []
        for i, value in enumerate(row):
            if i == 0:
                cells.append(f'<th scope="row">{e(value)}</th>')
            else:
                css = ' class="num"' if i in block.numeric_columns else ""
                cells.append(f"<td{css}>{e(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{e(block.caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


# --- PDF ---------------------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    """An A4 PDF of the report (fpdf2, bundled DejaVu Sans so any name prints)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("DejaVu", size=8)
            self.set_text_color(80, 90, 95)
            self.cell(0, 10, f"{report.title} · page {self.page_no()} of {{nb}}", align="C")

    pdf = _PDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    if add_fallback_fonts(pdf, report.text()):
        _shape_right_to_left_text(pdf)
    pdf.set_title(report.title)
    pdf.set_subject(report.subtitle)
    pdf.set_author(report.subtitle.split(":")[0])
    pdf.set_creator("Adult social care commissioning dashboard")
    pdf.set_lang("en-GB")
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, report.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(80, 90, 95)
    pdf.multi_cell(width, 6, report.subtitle, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(11, 12, 12)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11.5)
    for text in report.summary:
        pdf.multi_cell(width, 6, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    headings = FontFace(family="DejaVu", emphasis="BOLD", fill_color=(243, 242, 241))
    for section in report.sections:
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(width, 7, section.heading, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font("DejaVu", "", 10)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                pdf.multi_cell(width, 5.2, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1.5)
            elif isinstance(block, Facts):
                with pdf.table(
                    col_widths=(38, 62),
                    first_row_as_headings=False,
                    text_align="LEFT",
                    borders_layout="HORIZONTAL_LINES",
                    line_height=5.2,
                    padding=1,
                ) as table:
                    for label, value in block.rows:
                        row = table.row()
                        pdf.set_font("DejaVu", "B", 9.5)
                        row.cell(label)
                        pdf.set_font("DejaVu", "", 9.5)
                        row.cell(value)
                pdf.set_font("DejaVu", "", 10)
                pdf.ln(2)
            else:
                pdf.set_font("DejaVu", "B", 10)
                pdf.multi_cell(width, 6, block.caption, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("DejaVu", "", 9.5)
                aligns = tuple("RIGHT" if i in block.numeric_columns else "LEFT" for i in range(len(block.headers)))
                widths = (30, 14, 56) if len(block.headers) == 3 and block.numeric_columns == (1,) else None
                with pdf.table(
                    col_widths=widths,
                    text_align=aligns,
                    headings_style=headings,
                    borders_layout="HORIZONTAL_LINES",
                    line_height=5.2,
                    padding=1,
                ) as table:
                    for cells in [block.headers, *block.rows]:
                        row = table.row()
                        for value in cells:
                            row.cell(value)
                pdf.set_font("DejaVu", "", 10)
                pdf.ln(2)

    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(80, 90, 95)
    pdf.multi_cell(width, 4.5, report.footer, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _shape_right_to_left_text(pdf) -> None:
    """Arabic letters join and Arabic and Hebrew run right to left only with text shaping (uharfbuzz)."""
    try:
        pdf.set_text_shaping(True)
    except Exception:  # uharfbuzz missing (requirements.txt pins it): letters print unjoined rather than not at all
        pass


def write_report(report: Report, out: Path) -> None:
    """Write the report as PDF or HTML, chosen by out's suffix, atomically."""
    from dashboard.files.export_files import write_bytes_atomically

    suffix = out.suffix.lower()
    if suffix == ".pdf":
        data = render_pdf(report)
    elif suffix in (".html", ".htm"):
        data = render_html(report).encode("utf-8")
    else:
        raise ReportError(f"{out} must end .pdf or .html")
    write_bytes_atomically(out, data)
