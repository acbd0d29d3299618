"""The floor for bench/bench_browser.py: the least a Streamlit page with a headline figure and charts can cost.

A title, one metric and two Plotly charts, served by the same Streamlit, with the same config (.streamlit/), to the
same headless Chromium in the same run as the dashboard's pages. Whatever a dashboard page takes beyond this is ours.
"""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor")
st.metric("Projects", "60")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])))
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2])))
