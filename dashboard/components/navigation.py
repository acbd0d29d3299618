"""The page menu in the sidebar: the pages this person's role opens, as links that carry the view with them.

Streamlit's own sidebar navigation puts a <div> between its <ul> and <li> elements, which fails axe's `list` and
`listitem` rules (WCAG 1.3.1) on every page, so the router hides it (st.navigation(position="hidden")) and this
menu draws the same pages with st.page_link: plain links, each section named in text. A link carries the view
(scenario, assumptions, as-of date, financial years and filters: dashboard/view_state.py) to the page it opens,
so moving between pages, or copying the address of any of them, keeps the figures the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st


def render_menu(sections: Mapping[str, Sequence], current_page, query_params: Mapping | None = None) -> None:
    """Draw the menu at the top of the sidebar; the current page is marked as such."""
    with st.sidebar.container(key="page_menu"):
        for section, pages in sections.items():
            st.markdown(f"**{section}**")  # a label, not a heading: the page's own h1 comes first
            for page in pages:
                st.page_link(
                    page,
                    label=page.title,
                    icon=page.icon or None,
                    query_params=dict(query_params or {}),
                    disabled=False,
                )
        st.divider()
