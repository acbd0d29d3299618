"""Every Plotly chart leaves through `show`: data shown as text, one look, and figures written by formatting.py.

Plotly draws a subset of HTML in any text it is given: axis labels, legend entries, bar labels, hover text and
titles may hold <a href>, <b> or <span style>. Names, localities, funders and scenario names come from users,
so `show` escapes every text a figure carries from its data (trace names, text, hover text, category values,
custom data, tick labels, annotations, titles) exactly once, just before drawing: a name such as
`<a href="https://example.org">Click</a>` is drawn as those characters, never as a link. Pages never escape chart
text themselves (that would escape it twice); the hover templates, which are ours, keep their <b> and <br>.

The same pass sets the colours (text #0b0c0c and axes #505a5f: 19:1 and 7:1 on white), gives annotations an
opaque white box so text laid over bars keeps its contrast, and takes money axes' ticks from `money_ticks`, so a
chart reads "−£25,000" and "£1,000,000" like the tables beside it. tests/e2e check the result in Chromium: no
chart text under 4.5:1 against what is behind it, none cut off, and no link made from data.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from dashboard.rules.formatting import gbp

TEXT_COLOUR = "#0b0c0c"
AXIS_COLOUR = "#505a5f"
GRID_COLOUR = "#dcdcdc"
ANNOTATION_BACKGROUND = "#ffffff"
# trace attributes that Plotly may draw as (HTML) text, directly or through a hover template
TRACE_TEXT = ("name", "text", "hovertext", "x", "y", "labels", "customdata", "ids", "legendgroup")
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
# Line lengths (characters) that still fit a chart 320 CSS pixels wide, a 1280-pixel window at 400% zoom (WCAG
# 1.4.10): category labels beside the bars, axis titles and annotations are broken at spaces onto more lines.
WRAP_CATEGORY_CHARS = 16
WRAP_TITLE_CHARS = 22
WRAP_ANNOTATION_CHARS = 11
WRAP_LEGEND_CHARS = 22
# bar labels smaller than this would be unreadable; Plotly hides them instead (the table beside gives each figure)
BAR_TEXT_MIN_PX = 10


def plotly_text(value):
    """One value as Plotly should show it: its characters, with no markup (& < > as entities)."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped(values):
    if values is None or isinstance(values, int | float | bool):
        return values
    if isinstance(values, str):
        return plotly_text(values)
    array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if array.dtype.kind not in ("O", "U", "S"):
        return values  # numbers and dates: nothing to escape
    flat = array.ravel().tolist()
    if not any(isinstance(v, str) for v in flat):
        return values
    escaped = np.empty(len(flat), dtype=object)
    escaped[:] = [plotly_text(v) if isinstance(v, str) else v for v in flat]
    return escaped.reshape(array.shape)


def escape_figure(figure: go.Figure) -> go.Figure:
    """Escape every text the figure carries from data, in place (see the module docstring); returns it."""
    for trace in figure.data:
        for attribute in TRACE_TEXT:
            if attribute in trace and trace[attribute] is not None:
                trace[attribute] = _escaped(trace[attribute])
    layout = figure.layout
    if layout.title and layout.title.text:
        layout.title.text = plotly_text(layout.title.text)
    if layout.legend and layout.legend.title and layout.legend.title.text:
        layout.legend.title.text = plotly_text(layout.legend.title.text)
    for axis in _axes(figure):
        if axis.title and axis.title.text:
            axis.title.text = plotly_text(axis.title.text)
        if axis.ticktext is not None:
            axis.ticktext = _escaped(axis.ticktext)
    for annotation in layout.annotations or ():
        if annotation.text:
            annotation.text = plotly_text(annotation.text)
    return figure


def _axes(figure: go.Figure) -> list:
    layout = figure.layout
    return [layout[name] for name in layout if name.startswith(("xaxis", "yaxis"))]


def style_figure(figure: go.Figure) -> go.Figure:
    """Readable colours, white-boxed annotations and a plain hover label, in place; returns it."""
    figure.update_layout(
        font={"color": TEXT_COLOUR},
        legend={"font": {"color": TEXT_COLOUR}, "title": {"font": {"color": TEXT_COLOUR}}},
        hoverlabel={"bgcolor": "#ffffff", "font": {"color": TEXT_COLOUR}, "bordercolor": AXIS_COLOUR},
        separators=".,",
    )
    for axis in _axes(figure):
        axis.update(
            tickfont={"color": AXIS_COLOUR},
            title={"font": {"color": AXIS_COLOUR}},
            gridcolor=GRID_COLOUR,
            automargin=True,
        )
    for annotation in figure.layout.annotations or ():
        annotation.update(font={"color": TEXT_COLOUR}, bgcolor=ANNOTATION_BACKGROUND, borderpad=2)
    return figure


def wrapped(text, width: int):
    """Escaped chart text broken at spaces into lines of at most width characters with Plotly's <br>.

    Run after escape_figure: escaped text has no markup and an entity has no space, so a break never splits one."""
    if not isinstance(text, str) or len(text) <= width or "<br>" in text:
        return text
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _category_values(figure: go.Figure, axis_name: str) -> list[str]:
    """The text categories drawn along one axis (xaxis, yaxis2, ...), in order of first appearance."""
    letter, suffix = axis_name[0], axis_name[5:]
    seen: dict[str, None] = {}
    for trace in figure.data:
        if (getattr(trace, f"{letter}axis", None) or letter) != f"{letter}{suffix}":
            continue
        values = trace[letter] if letter in trace else None
        if values is None or isinstance(values, str):
            continue
        for value in values:
            if isinstance(value, str):
                seen.setdefault(value, None)
    return list(seen)


def fit_narrow_screens(figure: go.Figure) -> go.Figure:
    """Long category labels, axis titles and annotations on more lines, and annotations on a line kept on the side
    with room, so that nothing is cut off at 320 CSS pixels wide; in place, after escape_figure; returns it."""
    layout = figure.layout
    figure.update_layout(uniformtext={"minsize": BAR_TEXT_MIN_PX, "mode": "hide"})
    if layout.title and layout.title.text:
        layout.title.text = wrapped(layout.title.text, WRAP_TITLE_CHARS)
        layout.title.automargin = True  # room above the plot for every line of it
    for trace in figure.data:
        if isinstance(trace.name, str):
            trace.name = wrapped(trace.name, WRAP_LEGEND_CHARS)
    for name in (n for n in layout if n.startswith(("xaxis", "yaxis"))):
        axis = layout[name]
        if axis.title and axis.title.text:
            axis.title.text = wrapped(axis.title.text, WRAP_TITLE_CHARS)
        if axis.ticktext is not None:
            axis.ticktext = [wrapped(t, WRAP_CATEGORY_CHARS) for t in axis.ticktext]
        elif axis.tickvals is None:
            categories = _category_values(figure, name)
            if any(len(c) > WRAP_CATEGORY_CHARS for c in categories):
                axis.update(
                    tickmode="array",
                    tickvals=categories,
                    ticktext=[wrapped(c, WRAP_CATEGORY_CHARS) for c in categories],
                )
    for annotation in layout.annotations or ():
        annotation.text = wrapped(annotation.text, WRAP_ANNOTATION_CHARS)
        xref = annotation.xref or "x"
        if not xref.startswith("x") or "domain" in xref or not isinstance(annotation.x, int | float):
            continue
        ticks = [v for v in (layout[f"xaxis{xref[1:]}"].tickvals or ()) if isinstance(v, int | float)]
        if ticks:  # a line's label reads away from the nearer edge
            annotation.xanchor = "right" if annotation.x > (min(ticks) + max(ticks)) / 2 else "left"
    return figure


def show(figure: go.Figure, *, alt: str, key: str | None = None) -> None:
    """Draw a chart on the page: escaped, styled, fitted to narrow screens, full width, with its text alternative
    for screen readers.

    alt: the chart in words (a page also shows its figures as a caption or table after it)."""
    fit_narrow_screens(escape_figure(style_figure(figure)))
    st.plotly_chart(figure, width="stretch", key=key, config=CONFIG, theme="streamlit", alt=alt)


# ---- axes written like the tables


def nice_step(span: float, target_ticks: int = 6) -> float:
    """A 1, 2 or 5 times a power of ten step giving about target_ticks ticks over span."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(target_ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def money_ticks(values: Iterable[float], *, log: bool = False, include_zero: bool = True) -> dict:
    """tickvals and ticktext for a money axis over values, written by formatting.gbp ("−£25,000")."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return {}
    low, high = min(finite), max(finite)
    if log:
        low, high = max(low, 1e-9), max(high, 1e-9)
        ticks = [10.0**p for p in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]
    else:
        if include_zero:
            low, high = min(low, 0.0), max(high, 0.0)
        if low == high:
            high = low + 1
        step = nice_step(high - low)
        first = math.floor(low / step) * step
        ticks = [first + i * step for i in range(int(math.ceil((high - first) / step)) + 1)]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": [gbp(t) for t in ticks]}
