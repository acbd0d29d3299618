"""Equity figures by place, and small-number suppression that totals cannot undo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboard.database import db
from dashboard.rules import equity
from dashboard.rules.appraisal import Assumptions
from tests.conftest import AS_OF, DATA, build_db

# tests/data/equity: six projects, each a single once-off cost at grade 1 in November 2026, the as-of month (so spend
# from now = the amount):
#   Northgate  Older people 100 people £10,000 | Northgate Carers  3 people £3,000
#   Southvale  Older people  50 people  £2,500 | Southvale Carers 20 people £1,000
#   Countywide Older people 500 people £50,000 | Eastmoor  Older people 10 people £5,000 (ended)


@pytest.fixture(scope="module")
def equity_db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("equity") / "equity.duckdb", DATA / "equity")


@pytest.fixture
def view(equity_db, read) -> equity.EquityView:
    return equity.equity_view(read(equity_db), Assumptions(as_of=AS_OF))


def full_table(cells: np.ndarray) -> np.ndarray:
    rows, cols = cells.shape
    out = np.zeros((rows + 1, cols + 1), dtype=int)
    out[:rows, :cols] = cells
    out[:rows, cols] = cells.sum(axis=1)
    out[rows, :] = out[:rows, :].sum(axis=0)
    return out


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_place_query_gives_cells_margins_and_per_person_spend(equity_db, read):
    params = Assumptions(as_of=AS_OF).query_params()
    rows = db.query_df(read(equity_db), "equity_by_place", {**params, "open_only": False}).fillna({"service_area": ""})
    cells = rows[rows["level"] == "cell"].set_index(["locality", "service_area"])
    assert cells.loc[("Northgate", "Carers"), "people_reached"] == 3
    assert cells.loc[("Northgate", "Carers"), "spend_per_person_gbp"] == 1000.00
    localities = rows[rows["level"] == "locality"].set_index("locality")
    assert localities.loc["Northgate", "people_reached"] == 103
    assert localities.loc["Northgate", "pv_cost_gbp"] == 13000.00
    assert localities.loc["Northgate", "spend_per_person_gbp"] == 126.21  # £13,000 / 103
    total = rows[rows["level"] == "portfolio"].iloc[0]
    assert (total["projects"], total["people_reached"], total["pv_cost_gbp"]) == (6, 683, 71500.00)
    open_rows = db.query_df(read(equity_db), "equity_by_place", {**params, "open_only": True})
    # the mainstreamed Countywide and ended Eastmoor projects drop out
    assert open_rows[open_rows["level"] == "portfolio"].iloc[0]["people_reached"] == 173


def test_counts_of_one_to_seven_are_hidden_and_per_person_figures_with_them(view):
    shown = view.places.people_display()
    assert shown.loc["Northgate", "Carers"] == "*"
    values = view.places.people.to_numpy()
    hidden = view.places.people_hidden.to_numpy()
    assert hidden[(values >= 1) & (values <= 7)].all()
    assert not (shown.to_numpy() == "3").any()


def test_suppressed_cells_cannot_be_recovered_from_the_totals_on_the_page(view):
    people, hidden = view.places.people.to_numpy(), view.places.people_hidden.to_numpy()
    assert hidden.sum() >= 4  # one hidden cell alone would be total minus the rest
    assert equity.recoverable_cells(people, hidden) == []
    for table in view.coverage.values():
        assert equity.recoverable_cells(table.people.to_numpy(), table.people_hidden.to_numpy()) == []
    # the one-way tables show exactly the cross-table's totals, hidden the same way
    assert view.places.by_locality["people_hidden"].tolist() == hidden[:, -1].tolist()
    assert view.places.by_service_area["people_hidden"].tolist() == hidden[-1, :].tolist()


def test_the_audit_catches_a_table_with_only_the_small_cell_hidden():
    table = full_table(np.array([[3, 100], [20, 50]]))
    primary_only = equity.primary_mask(table)
    assert equity.recoverable_cells(table, primary_only) == [(0, 0)]  # 103 - 100 = 3
    protected = equity.protect(table)
    assert equity.recoverable_cells(table, protected) == []
    # the smallest cells complete the cycle: 3, 100 (its row), 20 (its column) and 50
    assert protected[:2, :2].all() and not protected[:, 2].any() and not protected[2, :].any()


def test_protection_never_leaks_on_many_random_tables():
    rng = np.random.default_rng(9)
    for _ in range(300):
        rows, cols = rng.integers(1, 6, size=2)
        table = full_table(rng.choice([0, 0, 1, 2, 5, 7, 8, 12, 40, 300], size=(rows, cols)))
        mask = equity.protect(table)
        assert mask[(table >= 1) & (table <= 7)].all()
        assert equity.recoverable_cells(table, mask) == [], table


def test_two_dimensional_pattern_of_two_cycles_joined_by_a_bridge_is_repaired():
    # hidden cells forming two separate rectangles plus a link between them: the link is solvable
    table = full_table(
        np.array(
            [
                [2, 3, 50, 60],
                [4, 5, 70, 80],
                [90, 95, 6, 7],
                [99, 98, 6, 5],
            ]
        )
    )
    assert equity.recoverable_cells(table, equity.protect(table)) == []


def test_linked_tables_hide_a_shared_total_everywhere_it_appears():
    first = full_table(np.array([[3, 1], [2, 1]]))  # grand total 7: hidden
    second = full_table(np.array([[5, 2]]))  # the same grand total 7 shown again
    masks = equity.protect_linked({"first": first, "second": second}, [[("first", 2, 2), ("second", 1, 2)]])
    assert masks["first"][2, 2] and masks["second"][1, 2]


def test_spend_spread_compares_places_and_leaves_out_countywide(view):
    spread = equity.spend_spread(view.places.by_locality)
    # Eastmoor £5,000 / 10 = £500; Southvale £3,500 / 70 = £50; Northgate £13,000 / 103 = £126.21
    assert (spread.highest_place, spread.highest_gbp) == ("Eastmoor", 500.00)
    assert (spread.lowest_place, spread.lowest_gbp) == ("Southvale", 50.00)
    assert spread.ratio == pytest.approx(10.0)
    assert spread.places == 3


def test_coverage_counts_projects_by_level_and_innovation_type(view):
    coproduction = view.coverage["coproduction"].projects
    assert coproduction.loc["Co-produced", "Social"] == 2  # E1, E2
    assert coproduction.loc["Co-produced", "All projects"] == 2
    assert coproduction["All projects"].sum() == 6
    edi = view.coverage["edi"].projects
    assert edi.loc["Not recorded", "All projects"] == 1  # E2 left it empty
    assert edi.loc["Not considered", "System"] == 1  # E4
    headlines = equity.coverage_headlines(view.coverage_rows)
    assert headlines["coproduced_share"] == pytest.approx(2 / 6)
    assert headlines["evidence_3_plus_share"] == pytest.approx(3 / 6)  # E3, E4, E5
    assert headlines["edi_considered_share"] == pytest.approx(4 / 6)
    assert view.coverage["edi"].people_display().loc["Not recorded", "Social"] == "*"  # E2's 3 people


def test_coverage_query_lists_every_level_even_when_empty(equity_db, read):
    rows = db.query_df(read(equity_db), "equity_coverage", {"open_only": False})
    everything = rows[rows["innovation_type"] == "all"]
    assert everything.groupby("dimension").size().to_dict() == {"coproduction": 5, "edi": 3, "evidence": 5}
    assert everything[everything["dimension"] == "coproduction"]["projects"].sum() == 6
