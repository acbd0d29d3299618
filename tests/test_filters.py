"""Portfolio filters select the right projects and survive a round trip through the URL."""

from dataclasses import fields

import pandas as pd

from dashboard.rules.filters import PortfolioFilters

METRICS = pd.DataFrame(
    {
        "project_id": ["P1", "P2", "P3"],
        "service_area": ["Carers", "Older people", "Carers"],
        "innovation_type": ["social", "system", "social"],
        "status": ["active", "ended", "active"],
        "projectitis_band": ["high", None, "low"],
        "funders": [["Lottery", "BCF"], ["Council"], []],
        "locality": ["Northgate", "Riverside", "Riverside"],
    }
)


def test_empty_filters_keep_every_project():
    assert PortfolioFilters().apply(METRICS)["project_id"].tolist() == ["P1", "P2", "P3"]


def test_filters_combine_with_and_and_values_with_or():
    filters = PortfolioFilters(service_areas=("Carers",), localities=("Riverside", "Northgate"))
    assert filters.apply(METRICS)["project_id"].tolist() == ["P1", "P3"]


def test_funder_filter_matches_any_of_a_projects_funders():
    assert PortfolioFilters(funders=("BCF",)).apply(METRICS)["project_id"].tolist() == ["P1"]


def test_not_scored_band_selects_closed_projects():
    assert PortfolioFilters(risk_bands=("not scored",)).apply(METRICS)["project_id"].tolist() == ["P2"]


def test_filters_round_trip_through_query_params():
    filters = PortfolioFilters(service_areas=("Carers", "Older people"), funders=("Lottery",))
    assert PortfolioFilters.from_query_params(filters.to_query_params()) == filters


def test_sql_looking_filter_values_are_just_values():
    hostile = PortfolioFilters(service_areas=("'; drop table projects; --",))
    assert hostile.apply(METRICS).empty
    assert "drop table" in hostile.describe()


def test_the_filter_table_states_every_filter_once_and_the_command_line_reads_it():
    from dashboard.commands import build_parser
    from dashboard.rules.filters import FILTERS, FUNDING_WINDOW

    assert [f.field for f in FILTERS] + [FUNDING_WINDOW] == [f.name for f in fields(PortfolioFilters)]
    options = [f.option for f in FILTERS]
    args = build_parser().parse_args(["export", "finance", *(f"{o}=x {o}" for o in options)])
    assert all(getattr(args, f.field) == [f"x {f.option}"] for f in FILTERS)
