"""End-to-end fixtures: one `streamlit run` server and one headless Chromium for the whole session.

The server runs on a free localhost port against a demo database built in a temporary folder with the project's own
CLI (`python -m dashboard init --demo --db ...`), exactly as a council would build one. Chromium is Debian's
(/usr/bin/chromium, installed by .ci/run); Playwright never downloads a browser of its own. Without Chromium (or
Playwright) every test here is skipped with a message saying how to install it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.streamlit_browser import CHROMIUM, CHROMIUM_ARGS, INSTALL_HINT, ROOT, TIMEOUT_MS

E2E_DIR = Path(__file__).resolve().parent
SERVER_START_SECONDS = 90


def _missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return INSTALL_HINT
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return "end-to-end browser tests need Playwright and axe-playwright-python: `pip install -r requirements.txt`"
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: end-to-end test in a real browser (Chromium) against `streamlit run`")


def pytest_collection_modifyitems(config, items):
    reason = _missing_requirement()
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.browser)  # registered in pyproject.toml: `make test-fast` leaves it out
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    subprocess.run(
        [sys.executable, "-m", "dashboard", "init", "--demo", "--db", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return path


def start_streamlit(database: Path, role: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run dashboard/app.py` headless on a free localhost port, in local mode as role; (process, URL)
    once its health endpoint answers (nothing else has been asked of it yet)."""
    port = _free_port()
    env = {
        **os.environ,
        "COMMISSIONING_DB": str(database),
        "COMMISSIONING_ROLE": role,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
    ]
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log_path.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"streamlit did not answer {url}/_stcore/health within {SERVER_START_SECONDS} s")
        time.sleep(0.2)  # polling the health endpoint, not waiting on the page


@pytest.fixture(scope="session")
def app_url(e2e_db, tmp_path_factory) -> str:
    """The shared server for the session: local mode as admin, so every page and every button (exports, decisions,
    imports) is there to test."""
    server, url = start_streamlit(e2e_db, "admin", tmp_path_factory.mktemp("e2e-server") / "streamlit.log")
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, tmp_path):
    """Open pages in fresh browser contexts (own cookies, own Streamlit session); any uncaught script error fails."""
    contexts = []
    errors: list[str] = []

    def _open(**context_options):
        options = {"viewport": {"width": 1280, "height": 900}, "accept_downloads": True, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield _open
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()
