"""Choosing one project, by ?project=ID in the URL or from a list, at any portfolio size.

Up to LIST_LIMIT projects the choice is a plain list in name order. A national portfolio of a million
projects cannot be sent to the browser as a list, so above that a search box narrows it first and the
list holds at most MATCH_LIMIT matches: the browser never receives more than a bounded number of names.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.rules.formatting import escape_markdown

LIST_LIMIT = 2000
MATCH_LIMIT = 200


def _label(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["project_id"], frame["name"] + " (" + frame["project_id"] + ")", strict=True))


def pick_project(projects: pd.DataFrame, key: str) -> pd.Series:
    """The chosen project's row of the metrics frame; the choice is written back to the URL."""
    wanted = st.query_params.get("project")
    wanted_row = projects[projects["project_id"] == wanted] if wanted else projects.iloc[0:0]
    if wanted and wanted_row.empty:
        st.warning(f"There is no project with the id '{escape_markdown(wanted)}'; choose one below.")
    if len(projects) <= LIST_LIMIT:
        candidates = projects.sort_values(["name", "project_id"], kind="stable")
    else:
        search = st.text_input(
            "Find a project by name or reference",
            key=f"{key}_search",
            help=f"{len(projects):,} projects: type part of a name or reference to list up to {MATCH_LIMIT} matches.",
        ).strip()
        if search:
            found = projects["name"].str.contains(search, case=False, regex=False) | projects[
                "project_id"
            ].str.contains(search, case=False, regex=False)
            candidates = projects[found].head(MATCH_LIMIT)
            if candidates.empty:
                st.info(f"No project's name or reference contains '{escape_markdown(search)}'.")
        else:
            candidates = projects.head(0)
        candidates = pd.concat([wanted_row, candidates]).drop_duplicates("project_id")
        if candidates.empty:
            candidates = projects.head(1)
    labels = _label(candidates)
    ids = list(labels)
    index = ids.index(wanted) if wanted in labels else 0
    project_id = st.selectbox("Project", ids, index=index, format_func=labels.get, key=f"{key}_choice")
    st.query_params["project"] = project_id
    return projects[projects["project_id"] == project_id].iloc[0]
