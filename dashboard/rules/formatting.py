"""Every number, sum of money and date the dashboard shows, written the way council officers and the public read
them: pages, charts (axis ticks and hover text), reports and the words in exports all call these.

GOV.UK style: "£1,500", "−£12,417" (a true minus sign, before the pound), "—" where there is no figure,
thousands separators, "1 April 2025", financial years "2025-26". Millions and billions ("£2.4 million") only in
headline figures (`gbp_headline`): in tables and charts every figure is written in full so a column compares.
Risk scores have one rounding everywhere: one decimal place ("77.5"), as stored.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

NONE = "—"  # an em dash: no figure (not zero)
MINUS = "\u2212"  # the minus sign, not a hyphen

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round_half_up(amount: float, digits: int = 0) -> float:
    """Halves away from zero (so £0.5 is £1 and 77.25 is 77.3), after dropping float noise."""
    scale = 10**digits
    return math.floor(round(abs(amount) * scale, 6) + 0.5) / scale


def gbp(value, *, pence: bool = False, missing: str = NONE) -> str:
    """£1,500 / −£250 / £11,100,000 in full; pence=True keeps pence: £1,500.50. Under £1: £0.40."""
    if _is_missing(value):
        return missing
    amount = float(value)
    if not math.isfinite(amount):
        return missing
    if pence:
        rounded = _round_half_up(amount, 2)
        return f"{MINUS if amount < 0 and rounded else ''}£{rounded:,.2f}"
    rounded = _round_half_up(amount)
    if rounded == 0 and amount != 0:
        return gbp(value, pence=True)
    return f"{MINUS if amount < 0 and rounded else ''}£{int(rounded):,}"


def gbp_headline(value, *, missing: str = NONE) -> str:
    """A headline figure: £2.4 million, £1.25 billion, otherwise as gbp (£851,600)."""
    if _is_missing(value):
        return missing
    amount = float(value)
    sign = MINUS if amount < 0 else ""
    size = abs(amount)
    if size >= 1_000_000_000:
        return f"{sign}£{_trim(size / 1_000_000_000)} billion"
    if size >= 1_000_000:
        return f"{sign}£{_trim(size / 1_000_000)} million"
    return gbp(value, missing=missing)


def _trim(x: float) -> str:
    text = f"{x:,.2f}" if x < 10 else f"{x:,.1f}"
    return text.rstrip("0").rstrip(".")


def number(value, *, digits: int = 0, missing: str = NONE) -> str:
    """1,600 / −25 / 3.5 with digits=1; thousands separators always."""
    if _is_missing(value):
        return missing
    amount = float(value)
    rounded = _round_half_up(amount, digits)
    sign = MINUS if amount < 0 and rounded else ""
    return f"{sign}{rounded:,.{digits}f}"


def score(value, missing: str = NONE) -> str:
    """A projectitis risk score, rounded to one decimal place everywhere as the appraisal stores it: 77.5, and 90
    for a whole score (never 78 on one page and 77.5 on another)."""
    text = number(value, digits=1, missing=missing)
    return text.removesuffix(".0")


def long_date(value, missing: str = NONE) -> str:
    """1 April 2025."""
    if _is_missing(value):
        return missing
    d = to_date(value)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month_label(value) -> str:
    """April 2025."""
    d = to_date(value)
    return f"{MONTHS[d.month - 1]} {d.year}"


def to_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def financial_year(value) -> str:
    """The UK financial year (1 April to 31 March) a date falls in: 2025-26."""
    d = to_date(value)
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def financial_year_start(label: str) -> date:
    """1 April of the financial year labelled 2025-26."""
    start = int(label[:4])
    if len(label) != 7 or label[4] != "-" or int(label[5:]) != (start + 1) % 100:
        raise ValueError(f"{label!r} is not a financial year written like 2025-26")
    return date(start, 4, 1)


def percent(value, digits: int = 0, missing: str = NONE) -> str:
    """3.5% with digits=1; 12%; −20%."""
    if _is_missing(value):
        return missing
    return number(float(value) * 100, digits=digits) + "%"


def ratio(value, missing: str = "not applicable") -> str:
    """A benefit-cost ratio to two decimals, read as 'for every £1 spent' (no cost: not applicable)."""
    return number(value, digits=2, missing=missing)


def months(n, missing: str = NONE) -> str:
    if _is_missing(n):
        return missing
    n = int(n)
    return f"{n:,} month" if n == 1 else f"{n:,} months"


def forward_view_phrase(as_of, horizon_years: int) -> str:
    """How the forward view's figures are counted: "present values at December 2026, over 5 years from then"."""
    years = f"{horizon_years} year{'s' if horizon_years != 1 else ''}"
    return f"present values at {month_label(as_of)}, over {years} from then"


def whole_life_phrase(appraisal_start, horizon_years: int) -> str:
    """How the whole-life view's figures are counted: "over 5 years from April 2024, its appraisal start"."""
    years = f"{horizon_years} year{'s' if horizon_years != 1 else ''}"
    if _is_missing(appraisal_start):
        return f"over {years} from its appraisal start"
    return f"over {years} from {month_label(appraisal_start)}, its appraisal start"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def escape_markdown(text) -> str:
    """Data shown inside st.markdown/caption as literal text: every markdown, HTML, LaTeX ($) and Streamlit
    directive (:red[...], :material/x:) character is backslash-escaped, and line breaks become spaces so a
    value cannot start a list, a heading or a new paragraph."""
    if _is_missing(text):
        return ""
    flat = " ".join(str(text).splitlines())
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in flat)


_MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()<>#+-.!|~$:=\"'&")


# ---- codes from the import template, in words (the template's guidance and the pages use the same ones)

CODE_LABELS = {
    "benefit_type": {
        "fiscal_cashable": "Fiscal, cashable (money a public budget no longer spends)",
        "fiscal_non_cashable": "Fiscal, non-cashable (staff time or capacity freed)",
        "economic": "Economic (for example earnings, employment)",
        "social": "Social (wellbeing and quality of life)",
    },
    "beneficiary_agency": {
        "council_asc": "Council adult social care",
        "nhs": "NHS",
        "dwp": "Department for Work and Pensions",
        "individual": "People who use the service",
        "carer": "Unpaid carers",
        "other": "Other organisations",
    },
    "provider_type": {
        "in_house": "In-house (the council)",
        "micro_provider": "Micro-provider",
        "community_org": "Community organisation",
        "vcse": "Voluntary, community or social enterprise",
        "private": "Private company",
        "individual": "An individual",
    },
    "innovation_type": {"business_model": "Business model"},
    "funding_mechanism": {"direct_payment": "Direct payment", "personal_budget": "Personal budget"},
}


def code_label(column: str, code) -> str:
    """A template code as words: benefit_type fiscal_non_cashable -> "Fiscal, non-cashable (…)"."""
    if _is_missing(code):
        return NONE
    text = str(code)
    return CODE_LABELS.get(column, {}).get(text) or text.replace("_", " ").capitalize()
