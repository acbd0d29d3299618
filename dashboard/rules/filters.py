"""The portfolio filters a commissioner sets, shared by the Portfolio page, exports and the URL.

A view is shared by its URL: `to_query_params` and `from_query_params` round-trip every filter
through the query string, so a link opens the same projects at the same as-of date.

"Funding ends within" (3, 6 or 12 months of the as-of date, or by a chosen date) needs the funding lines
and the as-of date, so `apply` leaves it out: the app applies it in SQL (queries/projects_funding_ending.sql,
through dashboard.ui.filtered_metrics), the same lines as the Portfolio page's "Funding ending in 6 months".
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import pandas as pd

from dashboard.rules.formatting import long_date
from dashboard.rules.view_state import AS_OF_RANGE  # a funding-ends-by date has the as-of date's range


@dataclass(frozen=True)
class Filter:
    """One portfolio filter, stated once: the Portfolio page's widget, the URL, the match against the metrics,
    the command line's option, the reproduce-with command and the export's file name all read it from here."""

    field: str  # the PortfolioFilters field, which is also the URL's parameter
    label: str  # in words: the widget's label (capitalised) and messages
    column: str  # the column of the metrics query it matches
    option: str  # the command line's option (repeatable)
    help: str  # the option's help
    plural: str  # several values of it in an export's file name: "3-funders"


# fmt: off
FILTERS = (  # in the page's order, which the URL, the command line and file names follow
    #      field               label              column              option
    Filter("service_areas",    "service area",    "service_area",     "--service-area",
           help="only projects in this service area", plural="service-areas"),
    Filter("innovation_types", "innovation type", "innovation_type",  "--innovation-type",
           help="only projects of this innovation type", plural="innovation-types"),
    Filter("statuses",         "status",          "status",           "--status",
           help="only projects with this status", plural="statuses"),
    Filter("risk_bands",       "risk band",       "projectitis_band", "--risk-band",
           help="only projects in this risk band (or 'not scored')", plural="risk-bands"),
    Filter("funders",          "funder",          "funders",          "--funder",
           help="only projects with funding from this funder", plural="funders"),
    Filter("localities",       "locality",        "locality",         "--locality",
           help="only projects in this locality", plural="localities"),
)
# fmt: on

FILTER_COLUMNS = {f.field: f.column for f in FILTERS}

NOT_SCORED = "not scored"  # the risk-band choice for projects that have no score
FUNDING_WINDOW = "funding_ends_within"
FUNDING_WINDOW_MONTHS = (3, 6, 12)


@dataclass(frozen=True)
class PortfolioFilters:
    service_areas: tuple[str, ...] = ()
    innovation_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    risk_bands: tuple[str, ...] = ()
    funders: tuple[str, ...] = ()
    localities: tuple[str, ...] = ()
    funding_ends_within: str = ""  # "3", "6" or "12" (months from the as-of date), a date "2027-03-31", or ""

    def funding_window(self) -> tuple[int | None, date | None]:
        """(months, None) or (None, a date) for the funding-ends-within filter; (None, None) when not set."""
        months, by_date, _ = parse_funding_window(self.funding_ends_within)
        return months, by_date

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def apply(self, metrics: pd.DataFrame) -> pd.DataFrame:
        """The rows of the metrics frame that match every filter set (an empty filter matches all)."""
        mask = pd.Series(True, index=metrics.index)
        for name, column in FILTER_COLUMNS.items():
            chosen = getattr(self, name)
            if not chosen:
                continue
            if name == "funders":
                # one row per (project, funder), vectorised: a Python loop over a million lists takes seconds
                funders = metrics[column].explode()
                mask &= funders.isin(chosen).groupby(level=0).any().reindex(metrics.index, fill_value=False)
            elif name == "risk_bands":
                bands = metrics[column].fillna(NOT_SCORED)
                mask &= bands.isin(chosen)
            else:
                mask &= metrics[column].isin(chosen)
        return metrics[mask]

    def describe(self) -> str:
        """The filters in words, for export metadata and captions."""
        parts = []
        for f in fields(self):
            chosen = getattr(self, f.name)
            if not chosen:
                continue
            if f.name == FUNDING_WINDOW:
                parts.append(describe_funding_window(chosen))
            else:
                parts.append(f"{f.name.replace('_', ' ')}: {', '.join(chosen)}")
        return "; ".join(parts) if parts else "none (the whole portfolio)"

    def to_query_params(self) -> dict[str, list[str]]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                out[f.name] = [value] if isinstance(value, str) else list(value)
        return out

    @classmethod
    def from_query_params(cls, params) -> PortfolioFilters:
        """Build from a mapping of name -> list of values (Streamlit's st.query_params.get_all)."""
        return cls.from_query_params_checked(params)[0]

    @classmethod
    def from_query_params_checked(cls, params) -> tuple[PortfolioFilters, list[str]]:
        """As from_query_params, with a sentence for each value that cannot be used (it is left out)."""
        values, problems = {}, []
        for f in fields(cls):
            raw = params.get(f.name) if hasattr(params, "get") else None
            if raw is None:
                continue
            items = [raw] if isinstance(raw, str) else list(raw)
            items = [str(v) for v in items if v]
            if f.name == FUNDING_WINDOW:
                text = items[-1] if items else ""
                _, _, problem = parse_funding_window(text)
                if problem:
                    problems.append(problem)
                else:
                    values[f.name] = text
            else:
                values[f.name] = tuple(dict.fromkeys(items))
        return cls(**values), problems


def parse_funding_window(text: str | None) -> tuple[int | None, date | None, str | None]:
    """A funding-ends-within value: (months, None), (None, date) or (None, None), and why it cannot be used."""
    if not text:
        return None, None, None
    text = text.strip()
    if text.isdigit() and int(text) in FUNDING_WINDOW_MONTHS:
        return int(text), None, None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return (
            None,
            None,
            (
                f"The link's 'funding ends within' value {text[:20]!r} is not 3, 6 or 12 months or a date written like "
                "2027-03-31, so that filter is left out."
            ),
        )
    low, high = AS_OF_RANGE
    if not low <= value <= high:
        return (
            None,
            None,
            (
                f"The link's 'funding ends by' date, {long_date(value)}, is outside the dates the dashboard works with "
                f"({long_date(low)} to {long_date(high)}), so that filter is left out."
            ),
        )
    return None, value, None


def describe_funding_window(text: str) -> str:
    months, by_date, _ = parse_funding_window(text)
    if months:
        return f"funding ends within {months} months"
    if by_date:
        return f"funding ends by {long_date(by_date)}"
    return ""
