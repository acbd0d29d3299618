"""Accessibility fixes that apply to every page, set once here rather than chart by chart.

Streamlit's chart theme draws Plotly axis labels, tick labels, legend titles and annotations in a fixed grey
(#808495) that has only 3.7:1 contrast on white, below the 4.5:1 WCAG 2.2 AA asks of text (1.4.3). The app's theme
cannot change that grey, so `apply()` recolours exactly that grey inside Plotly charts to GOV.UK's secondary text
colour (#505a5f, 7:1), keeping the quieter look for axes.

A folded-away sidebar (narrow windows, 200% zoom) keeps its links and filters in Streamlit's tab order, off screen,
so keyboard focus vanishes for twenty presses of Tab (WCAG 2.4.7, 2.4.11); hiding it while folded takes it out of
the tab order until it is opened.

`readable_on(colour)` picks black or white text for a label drawn on a coloured bar, whichever has the higher
contrast. The e2e tests (tests/e2e/) measure every chart's text and walk the tab order at 200% zoom.
"""

from __future__ import annotations

import streamlit as st

TEXT_COLOUR = "#0b0c0c"
SECONDARY_TEXT_COLOUR = "#505a5f"
STREAMLIT_CHART_GREY = "rgb(128, 132, 149)"  # #808495, Streamlit's gray70, as Plotly writes it in inline styles

_CSS = f"""<style>
[data-testid="stPlotlyChart"] svg text[style*="fill: {STREAMLIT_CHART_GREY}"] {{
  fill: {SECONDARY_TEXT_COLOUR} !important;
}}
[data-testid="stSidebar"][data-collapsed="true"], [data-testid="stSidebar"][data-collapsed="true"] * {{
  visibility: hidden !important;
}}
</style>"""


def apply() -> None:
    """Add the page-wide style fixes; call once per run from the router."""
    st.html(_CSS)


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two "#rrggbb" colours, from 1 to 21."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(fill: str) -> str:
    """The text colour (near-black or white) with the higher contrast on a "#rrggbb" fill."""
    return max((TEXT_COLOUR, "#ffffff"), key=lambda text: contrast_ratio(text, fill))
