"""The Streamlit entry point: `streamlit run dashboard/app.py`. It only sets up the page and routes.

Every page is registered with st.navigation for everyone, so any page's URL (with or without query parameters,
on a server that has just started) routes here first: a person whose role does not allow a page is told "You do
not have access", never "Page not found". Streamlit's own navigation is hidden; the menu in the sidebar
(components/navigation.py) lists only the pages this person's role opens, as plain links that pass axe.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboard/ on the path, not the project root
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import ui  # noqa: E402
from dashboard.components import accessible_theme, auth, navigation  # noqa: E402
from dashboard.rules import access  # noqa: E402

PAGES_DIR = Path(__file__).resolve().parent / "views"
FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.png"  # served by this app, not a font CDN
SITE_NAME = "Adult social care commissioning"

st.set_page_config(page_title=SITE_NAME, page_icon=str(FAVICON), layout="wide")

pages = {
    "Portfolio": [
        st.Page(PAGES_DIR / "summary.py", title="Summary", icon=":material/summarize:", url_path="summary"),
        st.Page(PAGES_DIR / "portfolio.py", title="Portfolio", icon=":material/dashboard:", default=True),
        st.Page(PAGES_DIR / "project.py", title="Project", icon=":material/description:", url_path="project"),
        st.Page(PAGES_DIR / "equity.py", title="Equity", icon=":material/balance:", url_path="equity"),
    ],
    "Decisions": [
        st.Page(PAGES_DIR / "decisions.py", title="Decisions", icon=":material/gavel:", url_path="decisions"),
    ],
    "Finance": [st.Page(PAGES_DIR / "budget.py", title="Budget", icon=":material/account_balance:", url_path="budget")],
    "Data": [st.Page(PAGES_DIR / "data.py", title="Data", icon=":material/upload_file:", url_path="data")],
    "Settings": [
        st.Page(PAGES_DIR / "assumptions.py", title="Assumptions", icon=":material/tune:", url_path="assumptions"),
        st.Page(PAGES_DIR / "scenarios.py", title="Scenarios", icon=":material/compare_arrows:", url_path="scenarios"),
    ],
}

who = auth.gate()  # signs in (or labels LOCAL MODE); stops with a message if this person has no role
current_page = st.navigation(pages, position="hidden")  # every page routes; the menu shows the allowed ones
# WCAG 2.4.2: each browser tab names the page it shows as well as the site
st.set_page_config(page_title=f"{current_page.title} - {SITE_NAME}")
accessible_theme.apply()
menu = auth.allowed_pages(pages, who)
navigation.render_menu(menu, current_page, ui.link_query_params())  # links keep the view: scenario, filters…
permission = access.page_permission(auth.page_stem(current_page))
if not who.can(permission):
    home = next(iter(menu.values()))[0]
    if current_page.url_path == "" and home.url_path != "":
        st.switch_page(home)  # the home page is not this person's: a viewer's home is the Summary
    auth.require(permission)  # "You do not have access", and stops before any of the page's code runs
current_page.run()
