"""Shared fixtures: tiny DuckDB databases built from checked-in CSVs in a temporary folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest

from dashboard.database import db
from dashboard.files import decision_key
from dashboard.files.importer import import_folder
from dashboard.rules.appraisal import Assumptions

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny"
AS_OF = date(2026, 11, 22)
# App tests run as admin (every page) unless a test sets a role; local mode is commissioner otherwise (access.py)
os.environ.setdefault("COMMISSIONING_ROLE", "admin")
# The decision-record key (dashboard/files/decision_key.py): one generated for this test run, never the user's own
os.environ.setdefault(
    "COMMISSIONING_DECISION_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="decision-key-")) / "decision-record.key")
)
os.environ.pop("COMMISSIONING_DECISION_KEY", None)


def build_db(path: Path, folder: Path | None) -> Path:
    """Create the schema and reference tables at path and import a folder of template CSVs into it."""
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
    if folder is not None:
        result = import_folder(folder, path)
        assert result.ok, [str(p) for p in result.problems]
    return path


@pytest.fixture(scope="session")
def tiny_template(tmp_path_factory) -> Path:
    """The tiny portfolio built once a session (a build is two writes and an appraisal: a second a test under load)."""
    return build_db(tmp_path_factory.mktemp("tiny-template") / "tiny.duckdb", TINY)


@pytest.fixture
def tiny_db(tmp_path, tiny_template) -> Path:
    """A fresh copy of the tiny portfolio for this test alone, which it may change."""
    path = tmp_path / "tiny.duckdb"
    shutil.copyfile(tiny_template, path)
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("demo") / "demo.duckdb", db.DEMO_DIR)


@pytest.fixture(autouse=True)
def _no_key_generated_by_an_earlier_test(monkeypatch):
    """The decision-record key is generated once a process, and the process remembers it to warn whoever runs it
    (decision_key.generated_here): a test sees that warning only if it generated the key itself, whatever ran
    before it (the Decisions page test failed when run after a test that wrote the session's first decision)."""
    monkeypatch.setattr(decision_key, "generated_here", None)


@pytest.fixture
def base_assumptions() -> Assumptions:
    return Assumptions(as_of=AS_OF)


@pytest.fixture
def read(request):
    """Open read-only connections to a database path; closed after the test."""
    opened = []

    def _open(path: Path):
        con = db.connect_read_only(path)
        opened.append(con)
        return con

    yield _open
    for con in opened:
        con.close()
