"""The rules of the codebase that a reviewer would otherwise have to remember."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.database import db
from dashboard.database.schema import TEMPLATE_TABLES

ROOT = Path(__file__).resolve().parent.parent
BELOW_THE_APP = ("database", "rules", "files")  # the layers under app.py, views/, components/ and ui.py
QUERY_FILES = sorted(p for p in (ROOT / "queries").glob("*.sql"))
NO_STREAMLIT = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
    if "streamlit" in sys.modules:
        sys.exit(f"importing {name} imports streamlit (directly or through what it imports)")
"""


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("layer", BELOW_THE_APP)
def test_nothing_below_the_app_imports_streamlit(layer):
    """One fresh interpreter a layer (not one a module: fifty interpreter start-ups were much of the fast tier),
    importing its modules one by one and naming the first after which streamlit is loaded."""
    modules = [f"dashboard.{layer}.{p.stem}" for p in sorted((ROOT / "dashboard" / layer).glob("*.py"))]
    assert len(modules) > 1
    result = subprocess.run(
        [sys.executable, "-c", NO_STREAMLIT, *modules], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_query_file_states_its_grain_and_ends_with_select_from_final(path):
    text = path.read_text(encoding="utf-8")
    body = re.sub(r"--[^\n]*", "", text).strip().lower()
    assert text.startswith("-- "), f"{path.name} must open with a comment saying what it returns or does"
    if body.startswith(("with", "select")):
        assert text.startswith("-- one row"), f"{path.name} must open with a comment stating its grain"
        ending = r"select \* from final(\s+order by [^;]+)?(\s+limit [^;]+)?;?$"
        assert re.search(ending, body), f"{path.name} must end with select * from final"


def test_no_python_builds_sql_with_f_strings():
    pattern = re.compile(r"""(execute|sql|query)\(\s*f["']""")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in (ROOT / "dashboard").rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders


def test_database_tables_match_the_template_definition(tmp_path):
    path = tmp_path / "schema.duckdb"
    with db.write_database(path, fresh=True):
        pass
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table in TEMPLATE_TABLES:
            rows = con.execute(
                "select column_name, data_type from duckdb_columns() where table_name = ? order by column_index",
                [table.name],
            ).fetchall()
            assert [r[0] for r in rows] == table.column_names, table.name
            for (name, data_type), column in zip(rows, table.columns, strict=True):
                assert data_type.lower().replace(" ", "") == column.sql_type.replace(" ", ""), (table.name, name)
    finally:
        con.close()
