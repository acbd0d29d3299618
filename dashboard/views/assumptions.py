"""Assumptions: the discount rate, horizon, as-of date and optimism-bias table every figure is worked out at."""

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.rules.appraisal import DISCOUNT_RATE_RANGE, HORIZON_YEARS_RANGE, AssumptionError
from dashboard.rules.formatting import month_label, percent
from dashboard.rules.scenarios import BASE_CASE
from dashboard.rules.view_state import AS_OF_RANGE

ui.require("use_scenarios")  # roles: dashboard/access.py
st.title("Assumptions")
ui.show_link_problems()
st.markdown(
    "Every figure in the dashboard is worked out at these assumptions. Changing them here recomputes every page"
    " for you; they do not change anyone else's view or the data."
)

current = ui.current_assumptions()
bias_table = ui.query("optimism_bias_by_grade")
rate_source = ui.query("standard_discount_rate")
schedule = ui.query("discount_schedule")
price_base = ui.query("price_base")

st.header("Change the assumptions")  # so the form's subheading sits under a heading (no skipped level)
with st.form("assumptions_form"):
    as_of = st.date_input(
        "Risk judged as of",
        value=current.as_of,
        min_value=AS_OF_RANGE[0],
        max_value=AS_OF_RANGE[1],
        format="DD/MM/YYYY",
    )
    rate_pct = st.number_input(
        "Discount rate (% a year)",
        min_value=DISCOUNT_RATE_RANGE[0] * 100,
        max_value=DISCOUNT_RATE_RANGE[1] * 100,
        value=round(current.discount_rate * 100, 3),
        step=0.5,
        help="The HM Treasury Green Book rate is 3.5% for the first 30 years.",
    )
    horizon = st.number_input(
        "Appraisal horizon (years)",
        min_value=HORIZON_YEARS_RANGE[0],
        max_value=HORIZON_YEARS_RANGE[1],
        value=current.horizon_years,
        step=1,
    )
    st.subheader("Optimism bias by confidence grade")
    st.caption(
        "Costs are raised and benefits lowered by these shares, by how confident the figure is. Grade 1 is an"
        " audited or contracted figure; grade 6 is expert judgement."
    )
    edited = st.data_editor(
        pd.DataFrame(
            {
                "Confidence grade": bias_table["confidence_grade"],
                "Meaning": bias_table["meaning"],
                "Optimism bias (%)": [round(b * 100, 2) for b in current.optimism_bias],
            }
        ),
        hide_index=True,
        disabled=["Confidence grade", "Meaning"],
        column_config={
            "Optimism bias (%)": st.column_config.NumberColumn(min_value=0.0, max_value=99.0, step=0.5, format="%.1f%%")
        },
        key="bias_editor",
    )
    apply, reset = st.columns(2)
    applied = apply.form_submit_button("Apply these assumptions", type="primary")
    restored = reset.form_submit_button("Restore the council's defaults")

if applied:
    try:
        ui.set_assumptions(
            current.with_changes(
                as_of=as_of,
                discount_rate=round(rate_pct / 100, 6),
                horizon_years=int(horizon),
                optimism_bias=tuple(round(float(b) / 100, 6) for b in edited["Optimism bias (%)"]),
            )
        )
        st.success("Applied. Every page now uses these assumptions.")
    except AssumptionError as exc:
        st.error(str(exc))
if restored:
    ui.use_scenario(BASE_CASE)
    st.success("Restored the council's defaults (the Base case).")

now = ui.current_assumptions()
base = price_base.iloc[0] if not price_base.empty else None
has_price_base = base is not None and bool(base["price_base_year"]) and bool(base["deflator_years"])
health = schedule.dropna(subset=["health_rate"]).head(2)
health_rates = ", ".join(
    f"{percent(row.health_rate, 2)} for years {row.from_year} to {row.to_year}" for row in health.itertuples()
)
prices = (
    f"amounts with a price year are converted to {base['price_base_year']} prices with the GDP deflator "
    f"({int(base['deflator_years'])} financial years, {base['first_deflator_year']} to {base['last_deflator_year']})"
    if has_price_base
    else "no price base year or GDP deflator table is set, so amounts are used as entered"
)
in_use = [
    f"**Discount rate:** {percent(now.discount_rate, 1)} a year for years 0 to 30, then the Green Book's declining"
    " long-term rates, scaled to match. Lines valued in QALYs or WELLBYs use the Green Book health rate instead"
    + (f" ({health_rates}, then declining), which a chosen rate does not change" if health_rates else "")
    + ".",
    f"**Horizon:** {now.horizon_years} years. Two views of every project: *whole life* (was it worth it: from the"
    f" project's first month) and *from now* (what continuing costs and returns: from {month_label(now.as_of)}, one"
    " base date for every project, money already spent left out). Portfolio totals, the resilience count and the"
    " Equity page use the view from now.",
    f"**Prices:** {prices}.",
    "**Line periods:** a cost line with no end date lasts until its project's planned end; a benefit line with no"
    " end date lasts its persistence months longer; with no planned end either, both run to the end of the window."
    " An end date on the line always wins.",
    "**Optimism bias:** " + ", ".join(f"grade {g} {percent(b, 0)}" for g, b in enumerate(now.optimism_bias, 1)),
]
st.header("In use now")
with st.container(key="figures_basis"):
    st.caption(ui.figures_basis_text(now))
st.markdown("\n".join(f"- {line}" for line in in_use))
st.header("Sources")
st.markdown(
    f"- Discount rates: {rate_source['source'].iloc[0] if not rate_source.empty else 'HM Treasury Green Book'}.\n"
    + (f"- GDP deflator ({base['price_base_year']}): {base['base_year_source']}.\n" if has_price_base else "")
    + f"- Optimism bias: {bias_table['source'].iloc[0] if not bias_table.empty else ''}.\n"
    "- Deadweight, attribution and drop-off are recorded on each benefit line, following the GMCA cost-benefit"
    " analysis model.\n"
    "- The values above are editable for your session; a council changes its defaults in data/reference/."
)
