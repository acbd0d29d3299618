"""The synthetic portfolio: deterministic for a seed, valid by every template rule, loadable by `init --synthetic`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dashboard import commands
from dashboard.files import importer, synthetic

TINY = Path(__file__).parent / "data" / "tiny"


def test_same_seed_gives_the_same_portfolio_and_another_seed_a_different_one():
    first = synthetic.generate(200, seed=7)
    again = synthetic.generate(200, seed=7)
    other = synthetic.generate(200, seed=8)
    for name in first:
        assert first[name].equals(again[name]), name
    assert not first["costs"].equals(other["costs"])


def test_a_small_synthetic_portfolio_passes_every_import_check():
    raws = synthetic.raw_tables(synthetic.generate(300, seed=3))
    cleaned, problems = importer.check_tables(raws)
    assert problems == []
    assert len(cleaned["projects"]) == 300


def test_a_portfolio_drawn_from_the_tiny_template_passes_every_import_check():
    template = synthetic.load_template(TINY)
    raws = synthetic.raw_tables(synthetic.generate(50, seed=1, template=template))
    _, problems = importer.check_tables(raws)
    assert problems == []


def test_projects_have_about_three_lines_of_each_kind():
    tables = synthetic.generate(5000, seed=0)
    for name in ("funding", "costs", "benefits"):
        per_project = tables[name].num_rows / 5000
        assert 2.6 <= per_project <= 3.2, (name, per_project)


def test_codes_and_shares_follow_the_template_portfolio():
    template = synthetic.load_template()
    tables = synthetic.generate(2000, seed=0)
    for table, column in (("projects", "service_area"), ("projects", "status"), ("costs", "frequency")):
        generated = set(tables[table].column(column).to_pylist())
        source = set(template.projects[column]) if table == "projects" else set(template.lines[table][column])
        assert generated <= source
        assert len(generated) == len(source)  # 2,000 draws reach every value the demo uses


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_init_synthetic_builds_a_database_with_n_projects(tmp_path, capsys):
    path = tmp_path / "synthetic.duckdb"
    assert commands.main(["init", "--synthetic", "120", "--seed", "5", "--db", str(path)]) == 0
    assert "120 projects" in capsys.readouterr().out
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select count(*) from projects").fetchall() == [(120,)]
        orphans = con.execute(
            "select count(*) from costs where project_id not in (select project_id from projects)"
        ).fetchall()
        assert orphans == [(0,)]
        assert con.execute("select count(*) from ref_optimism_bias").fetchall() == [(6,)]
    finally:
        con.close()


def test_a_negative_size_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        synthetic.generate(-1)
