"""Money, dates and financial years written the way council officers and the public read them.

GOV.UK style: "£1,500", "£2.4 million", "1 April 2025", financial years "2025-26".
Plain functions, used by pages, exports and reports alike.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

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


def gbp(value, *, pence: bool = False, missing: str = "") -> str:
    """£1,500 / -£250 / £2.4 million / £1.25 billion; pence=True keeps pence: £1,500.50."""
    if _is_missing(value):
        return missing
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if not pence and amount >= 1_000_000_000:
        return f"{sign}£{_trim(amount / 1_000_000_000)} billion"
    if not pence and amount >= 1_000_000:
        return f"{sign}£{_trim(amount / 1_000_000)} million"
    if pence:
        return f"{sign}£{amount:,.2f}"
    rounded = math.floor(amount + 0.5)
    if rounded == 0 and amount > 0:
        return f"{sign}£{amount:,.2f}"
    return f"{sign}£{rounded:,}"


def _trim(x: float) -> str:
    text = f"{x:,.2f}" if x < 10 else f"{x:,.1f}"
    return text.rstrip("0").rstrip(".")


def gbp_per_month(value) -> str:
    return f"{gbp(value)} a month"


def long_date(value, missing: str = "") -> str:
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


def percent(value, digits: int = 0, missing: str = "") -> str:
    if _is_missing(value):
        return missing
    return f"{float(value) * 100:.{digits}f}%"


def ratio(value, missing: str = "not applicable") -> str:
    """A benefit-cost ratio, read as 'for every £1 spent'."""
    if _is_missing(value):
        return missing
    return f"{float(value):,.2f}"


def months(n, missing: str = "") -> str:
    if _is_missing(n):
        return missing
    n = int(n)
    return f"{n} month" if n == 1 else f"{n} months"


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
