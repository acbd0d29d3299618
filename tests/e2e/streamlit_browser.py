"""Driving the running Streamlit app from Playwright: which pages exist, and when a page has finished drawing.

The list of pages is read from dashboard/app.py itself (every `st.Page(...)` call), so a page another helper adds is
loaded, screenshotted and scanned by these tests the moment its `st.Page` line lands. A browser test checks that the
sidebar navigation shows exactly these pages, so the two cannot drift apart.

Streamlit tells the browser its run state on the root element (`data-test-script-state` on `[data-testid=stApp]`)
and shows `[data-testid=stStatusWidget]` while a script runs; elements whose code is still loading show as
`[data-testid=stSkeleton]`, and a Plotly chart has drawn once it holds its SVG. We wait on those, never on a sleep.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
SCREENSHOTS = ROOT / "screenshots"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    f"end-to-end browser tests need Debian's Chromium at {CHROMIUM}: install it with "
    "`sudo apt-get install -y chromium` (.ci/run does this in CI)"
)
TIMEOUT_MS = 60_000

IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('svg.main-svg'));
}"""

WATCH_RUNS_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__e2eSawRun = false;
  if (window.__e2eObserver) window.__e2eObserver.disconnect();
  window.__e2eObserver = new MutationObserver(() => {
    if (app.dataset.testScriptState !== 'notRunning') window.__e2eSawRun = true;
  });
  window.__e2eObserver.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


@dataclass(frozen=True)
class NavPage:
    """One page as declared in dashboard/app.py."""

    title: str
    url_path: str  # "" for the default page
    source: str  # the page's file name, e.g. "portfolio.py"

    @property
    def slug(self) -> str:
        return self.url_path or Path(self.source).stem


def declared_pages(app: Path = APP) -> list[NavPage]:
    """Every `st.Page(PAGES_DIR / "x.py", title=..., url_path=..., default=...)` in the router, in order."""
    pages = []
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"):
            continue
        kwargs = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
        strings = [n.value for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        source = Path(strings[-1]).name if strings else "callable"
        stem = Path(source).stem
        url_path = "" if kwargs.get("default") else kwargs.get("url_path", stem)
        pages.append(
            NavPage(title=kwargs.get("title", stem.replace("_", " ").title()), url_path=url_path, source=source)
        )
    pages.sort(key=lambda p: p.url_path != "")  # the default page first; the rest in the router's order
    return pages


def wait_until_idle(page, timeout: int = TIMEOUT_MS) -> None:
    """Wait until the app is connected, no script is running and nothing on screen is stale."""
    page.wait_for_function(IDLE_JS, timeout=timeout)


def rerun_after(page, action, timeout: int = TIMEOUT_MS) -> None:
    """Do something that makes Streamlit rerun the script, then wait for that run to start and to finish."""
    page.evaluate(WATCH_RUNS_JS)
    action()
    page.wait_for_function("() => window.__e2eSawRun === true", timeout=timeout)
    wait_until_idle(page, timeout)


def open_page(page, base_url: str, url_path: str = "", query: str = "") -> None:
    """Load a page by URL and wait until it has drawn its heading and finished running."""
    url = f"{base_url}/{url_path}" + (f"?{query}" if query else "")
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    wait_until_idle(page)
    page.locator("h1").first.wait_for(state="visible", timeout=TIMEOUT_MS)
    wait_until_idle(page)


def metric_value(page, label: str) -> str:
    """The shown value of the st.metric whose label is exactly `label`."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def full_page_screenshot(page, path: Path) -> Path:
    """Screenshot the whole page: Streamlit scrolls inside its main section, so grow the viewport to fit it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]',
                               '[data-testid="stSidebarContent"]']
            .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), window.innerHeight)"""
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    try:
        wait_until_idle(page)
        page.screenshot(path=str(path), animations="disabled")
    finally:
        page.set_viewport_size(size)
    return path
