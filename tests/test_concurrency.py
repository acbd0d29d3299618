"""Many people reading while the data is refreshed: each sees the old portfolio or the new one, never a mix.

Twenty AppTest sessions, each in its own thread, keep reading the Portfolio page while a separate process
imports new data again and again (the CLI, as a council's refresh job would). The new data doubles every
funding, cost and benefit amount, so a page drawn partly from each version shows figures that belong to
neither: committed funding (from the appraisal) and funding ending in 12 months (a separate query) would
disagree. How the app shares DuckDB is in dashboard/database/db.py and README.md ("Security and access").
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest.mock import MagicMock

import pandas as pd
import pytest
import streamlit as st
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.runtime import Runtime
from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
from streamlit.runtime.dataframe_source_manager import DataframeSourceManager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from tests.conftest import TINY

pytestmark = pytest.mark.slow  # twenty app sessions reading while imports run in a subprocess

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
SESSIONS = 20
RUNS_PER_SESSION = 3
WATCHED = ("Committed funding", "Costs from now", "Benefits from now", "Funding ending in 12 months")


def doubled_folder(folder: Path) -> Path:
    """The tiny portfolio's funding, cost and benefit lines with every amount doubled (same line IDs)."""
    folder.mkdir()
    for name in ("funding.csv", "costs.csv", "benefits.csv"):
        frame = pd.read_csv(TINY / name, dtype=str, keep_default_na=False)
        frame["amount_gbp"] = (frame["amount_gbp"].astype(float) * 2).map(lambda v: f"{v:g}")
        frame.to_csv(folder / name, index=False)
    return folder


def read_figures(db_path: Path) -> tuple[str, ...]:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["as_of"] = "2026-11-22"
    at.run()
    assert not at.exception, [(e.message, e.stack_trace[-6:]) for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert set(WATCHED) <= set(shown), f"the page drew no {sorted(set(WATCHED) - set(shown))}"
    return tuple(shown[label] for label in WATCHED)


def cli_import(folder: Path, db_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "import", str(folder), "--db", str(db_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def one_runtime(monkeypatch):
    """One Streamlit runtime for every session, as `streamlit run` has (shared caches and all).

    AppTest makes a mock runtime for each run and clears the global one when the run ends, which is fine one
    at a time but pulls it from under runs in other threads; here every run sees one shared mock instead.
    """
    shared = MagicMock(spec=Runtime)
    shared.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/mock/media"))
    shared.dataframe_source_mgr = DataframeSourceManager()
    shared.cache_storage_manager = MemoryCacheStorageManager()
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    shared.bidi_component_registry = components
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: shared))
    # and one compiled-script cache, as a server has: AppTest otherwise parses the pages again in every run, and
    # Python 3.11's parser is not safe to run in several threads at once (SystemError: AST recursion depth)
    # (the app's own script through the runner's cache, its pages through the pages manager's: both are shared)
    scripts = ScriptCache()
    monkeypatch.setattr(app_test, "ScriptCache", lambda: scripts)
    monkeypatch.setattr(local_script_runner, "ScriptCache", lambda: scripts)
    monkeypatch.setattr(Runtime, "exists", classmethod(lambda cls: True))
    secrets = st.secrets
    yield shared
    st.secrets = secrets


def test_twenty_sessions_reading_during_imports_each_see_old_or_new_never_a_mix(
    tiny_db, tmp_path, monkeypatch, one_runtime
):
    monkeypatch.setenv("COMMISSIONING_DB", str(tiny_db))
    old = read_figures(tiny_db)
    cli_import(doubled_folder(tmp_path / "doubled"), tiny_db)
    new = read_figures(tiny_db)
    assert old != new and all(a != b for a, b in zip(old, new, strict=True))
    cli_import(TINY, tiny_db)
    assert read_figures(tiny_db) == old

    seen: list[tuple[str, ...]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(SESSIONS + 1)

    imports = 0

    def session() -> None:
        start.wait()
        runs = 0
        # at least RUNS_PER_SESSION views each, and on until two imports have committed during them, however fast
        # or slow the machine: the test means something only when reads and writes overlap
        while runs < RUNS_PER_SESSION or (imports < 2 and not errors):
            runs += 1
            try:
                figures = read_figures(tiny_db)
            except BaseException as exc:  # noqa: BLE001 - every failure is reported below
                with lock:
                    errors.append(exc)
                return
            with lock:
                seen.append(figures)

    def importer() -> None:
        nonlocal imports
        start.wait()
        folders = [tmp_path / "doubled", TINY]
        while any(t.is_alive() for t in readers):
            try:
                cli_import(folders[imports % 2], tiny_db)
            except BaseException as exc:  # noqa: BLE001 - reported below, and the readers stop waiting for it
                with lock:
                    errors.append(exc)
                return
            imports += 1
            time.sleep(0.05)

    readers = [threading.Thread(target=session) for _ in range(SESSIONS)]
    writer = threading.Thread(target=importer)
    for thread in [*readers, writer]:
        thread.start()
    for thread in [*readers, writer]:
        thread.join(timeout=600)

    assert not errors, errors[:3]
    assert len(seen) >= SESSIONS * RUNS_PER_SESSION
    mixed = [figures for figures in seen if figures not in (old, new)]
    assert not mixed, f"{len(mixed)} page views mixed two versions, e.g. {mixed[0]} (old {old}, new {new})"
    print(f"\n{SESSIONS} sessions, {len(seen)} page views, {imports} imports committed during them, 0 mixed")
