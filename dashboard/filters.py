"""The portfolio filters a commissioner sets, shared by the Portfolio page, exports and the URL.

A view is shared by its URL: `to_query_params` and `from_query_params` round-trip every filter
through the query string, so a link opens the same projects at the same as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import pandas as pd

# filter field -> column of the metrics query it matches
FILTER_COLUMNS = {
    "service_areas": "service_area",
    "innovation_types": "innovation_type",
    "statuses": "status",
    "risk_bands": "projectitis_band",
    "funders": "funders",
    "localities": "locality",
}

NOT_SCORED = "not scored"  # the risk-band choice for projects that have no score


@dataclass(frozen=True)
class PortfolioFilters:
    service_areas: tuple[str, ...] = ()
    innovation_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    risk_bands: tuple[str, ...] = ()
    funders: tuple[str, ...] = ()
    localities: tuple[str, ...] = ()

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
            if chosen:
                parts.append(f"{f.name.replace('_', ' ')}: {', '.join(chosen)}")
        return "; ".join(parts) if parts else "none (the whole portfolio)"

    def to_query_params(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}

    @classmethod
    def from_query_params(cls, params) -> PortfolioFilters:
        """Build from a mapping of name -> list of values (Streamlit's st.query_params.get_all)."""
        values = {}
        for f in fields(cls):
            raw = params.get(f.name) if hasattr(params, "get") else None
            if raw is None:
                continue
            items = [raw] if isinstance(raw, str) else list(raw)
            values[f.name] = tuple(v for v in items if v)
        return cls(**values)


def parse_as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
