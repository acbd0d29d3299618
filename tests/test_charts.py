"""Every chart leaves through components/charts.show, which draws data as text and writes money like the tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import escape_figure, money_ticks, plotly_text

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<a href="https://example.org">Evil</a> & <span style="color:red">red</span>'


def test_no_page_draws_a_chart_except_through_charts_show():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "dashboard").rglob("*.py")
        if "st.plotly_chart(" in p.read_text(encoding="utf-8") and p.name != "charts.py"
    ]
    assert not offenders, f"draw charts with dashboard.components.charts.show, not st.plotly_chart: {offenders}"


def test_every_text_from_data_is_escaped_once_and_templates_keep_their_markup():
    names = pd.DataFrame({"name": [HOSTILE, "Plain"], "people": [3, 4]})
    figure = go.Figure(
        go.Scatter(x=[1, 2], y=[3, 4], name=HOSTILE, customdata=names, hovertemplate="<b>%{customdata[0]}</b>")
    )
    figure.add_bar(y=[HOSTILE, "B"], x=[1, 2], orientation="h", text=[HOSTILE, "£2"])
    figure.add_vline(x=1, annotation_text=HOSTILE)
    figure.update_layout(title=HOSTILE, xaxis={"title": HOSTILE, "tickvals": [1], "ticktext": [HOSTILE]})
    escape_figure(figure)
    safe = plotly_text(HOSTILE)
    assert "<" not in safe and "&amp;" in safe and "&lt;a href" in safe
    assert figure.data[0].name == safe and figure.data[0].customdata[0][0] == safe
    assert figure.data[0].customdata[1][1] == 4  # numbers untouched
    assert list(figure.data[1].y) == [safe, "B"] and figure.data[1].text[0] == safe
    assert figure.layout.annotations[0].text == safe and figure.layout.title.text == safe
    assert figure.layout.xaxis.title.text == safe and figure.layout.xaxis.ticktext[0] == safe
    assert figure.data[0].hovertemplate == "<b>%{customdata[0]}</b>"  # ours: bold stays bold


def test_money_axes_read_like_the_tables():
    ticks = money_ticks([-25_000, 120_000])
    assert ticks["ticktext"][:3] == ["\u2212£25,000", "£0", "£25,000"]
    assert money_ticks([12, 3_000_000], log=True)["ticktext"][-1] == "£10,000,000"
