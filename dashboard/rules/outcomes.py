"""Outcomes that are not pounds: reading a project's measures and putting each into a sentence.

Success in social care is people living the lives they want, not only savings, so each project's
measured outcomes (the optional outcomes.csv of the template) are shown beside its appraisal:
the change from baseline, how far it has come towards its target, and how many people the figure
rests on. The arithmetic is in queries/project_outcomes.sql and queries/outcome_coverage.sql; this
module only reads them and words them. No streamlit here.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboard.database import db
from dashboard.rules.formatting import long_date, percent, plural

FEW_PEOPLE = 10  # below this a figure is one person's (or a few people's) story, not a rate


def has_outcomes_table(con: duckdb.DuckDBPyConnection) -> bool:
    """Databases created before outcomes existed have no table; they simply have no outcomes."""
    return not db.query_df(con, "table_columns", {"table_name": "outcomes"}).empty


def project_outcomes(con: duckdb.DuckDBPyConnection, project_id: str | None = None) -> pd.DataFrame:
    if not has_outcomes_table(con):
        return pd.DataFrame(
            columns=[
                "outcome_id",
                "project_id",
                "project_name",
                "measure",
                "unit",
                "baseline",
                "latest",
                "target",
                "change_from_baseline",
                "progress_share",
                "direction",
                "people_measured",
                "measured_on",
                "source",
            ]
        )
    return db.query_df(con, "project_outcomes", {"project_id": project_id})


def outcome_coverage(con: duckdb.DuckDBPyConnection, project_ids: list[str] | None = None) -> dict:
    """projects, projects_with_outcome, share_with_outcome, outcome_measures, people_measured."""
    if not has_outcomes_table(con):
        count = db.query_df(con, "project_count", {"project_ids": project_ids})
        return {
            "projects": int(count.iloc[0, 0]),
            "projects_with_outcome": 0,
            "share_with_outcome": 0.0 if int(count.iloc[0, 0]) else None,
            "outcome_measures": 0,
            "people_measured": 0,
        }
    row = db.query_df(con, "outcome_coverage", {"project_ids": project_ids}).iloc[0]
    share = row["share_with_outcome"]
    return {
        "projects": int(row["projects"]),
        "projects_with_outcome": int(row["projects_with_outcome"]),
        "share_with_outcome": None if pd.isna(share) else float(share),
        "outcome_measures": int(row["outcome_measures"]),
        "people_measured": int(row["people_measured"]),
    }


def number(value) -> str:
    """A measured value as written: 1,150 / 0.52 / -0.1; empty when missing."""
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def signed(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return ("+" if float(value) > 0 else "") + number(value)


def outcome_sentence(row) -> str:
    """One measure in words: where it started, where it is, the target, and who it rests on."""
    measure = str(row["measure"])
    unit = str(row["unit"])
    latest, baseline, target = row["latest"], row["baseline"], row["target"]
    if baseline is None or pd.isna(baseline):
        text = f"{measure}, measured as {unit}: {number(latest)}; no baseline was recorded, so the change is not known"
    else:
        text = (
            f"{measure}, measured as {unit}: from {number(baseline)} to {number(latest)}, "
            f"a change of {signed(latest - baseline)}"
        )
    progress = row.get("progress_share") if hasattr(row, "get") else row["progress_share"]
    if target is not None and not pd.isna(target):
        if progress is None or pd.isna(progress):
            text += f"; the target is {number(target)}"
        elif progress >= 1:
            text += f"; it has reached its target of {number(target)}"
        elif progress <= 0:
            text += f"; it has not yet moved towards its target of {number(target)}"
        else:
            text += f"; {percent(progress)} of the way to its target of {number(target)}"
    people = int(row["people_measured"])
    text += f". Measured on {long_date(row['measured_on'])} for {plural(people, 'person', 'people')}"
    if people < FEW_PEOPLE:
        text += ", so read it as individual stories rather than a rate" if people > 1 else ", one person's story"
    return text + "."


def coverage_sentence(coverage: dict) -> str:
    if not coverage["projects"]:
        return "There are no projects to count."
    return (
        f"{coverage['projects_with_outcome']:,} of {plural(coverage['projects'], 'project')} "
        f"({percent(coverage['share_with_outcome'])}) have at least one measured outcome beyond money: "
        f"{plural(coverage['outcome_measures'], 'measure')} resting on "
        f"{plural(coverage['people_measured'], 'person', 'people')} measured."
    )
