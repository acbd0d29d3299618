"""The Streamlit entry point: `streamlit run dashboard/app.py`. It only sets up the page and routes."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboard/ on the path, not the project root
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.components import accessible_theme, auth  # noqa: E402  (contrast fixes; sign-in and roles)

PAGES_DIR = Path(__file__).resolve().parent / "views"

st.set_page_config(
    page_title="Adult social care commissioning", page_icon=":material/volunteer_activism:", layout="wide"
)

pages = {
    "Portfolio": [
        st.Page(PAGES_DIR / "overview.py", title="Summary", icon=":material/summarize:", url_path="summary"),
        st.Page(PAGES_DIR / "portfolio.py", title="Portfolio", icon=":material/dashboard:", default=True),
        st.Page(PAGES_DIR / "project.py", title="Project", icon=":material/description:", url_path="project"),
        st.Page(PAGES_DIR / "equity.py", title="Equity", icon=":material/balance:", url_path="equity"),
    ],
    "Decisions": [
        st.Page(PAGES_DIR / "decisions.py", title="Decisions", icon=":material/gavel:", url_path="decisions"),
    ],
    "Data": [st.Page(PAGES_DIR / "data.py", title="Data", icon=":material/upload_file:", url_path="data")],
    "Settings": [
        st.Page(PAGES_DIR / "assumptions.py", title="Assumptions", icon=":material/tune:", url_path="assumptions"),
        st.Page(PAGES_DIR / "scenarios.py", title="Scenarios", icon=":material/compare_arrows:", url_path="scenarios"),
    ],
}

current_page = st.navigation(auth.allowed_pages(pages))  # only the pages this person's role may open
# WCAG 2.4.2: each browser tab names the page it shows as well as the site
st.set_page_config(page_title=f"{current_page.title} - Adult social care commissioning")
accessible_theme.apply()
current_page.run()
