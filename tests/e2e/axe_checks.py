"""axe-core checks shared by the browser tests: every critical or serious violation fails the build.

There is no allow-list. Streamlit's own sidebar navigation failed axe `list` and `listitem` on every page, so the
router hides it and draws its own menu of links (dashboard/components/navigation.py). Each scan's summary is
written to screenshots/axe/<name>.json (git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("axe_playwright_python", reason="pip install -r requirements.txt for the browser tests")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

from tests.e2e.streamlit_browser import SCREENSHOTS  # noqa: E402

FAILING_IMPACTS = {"critical", "serious"}
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"]}

axe = Axe()


def blocking_violations(page, results: dict) -> list[str]:
    """Every critical and serious violation, node by node."""
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['html'][:160]}"
        for violation in results["violations"]
        if violation["impact"] in FAILING_IMPACTS
        for node in violation["nodes"]
    ]


def scan(page, name: str) -> dict:
    results = axe.run(page, options=AXE_OPTIONS).response
    out = SCREENSHOTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    summary = {
        "page": name,
        "url": page.url,
        "axe_version": results["testEngine"]["version"],
        "violations": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "nodes": len(v["nodes"]),
                "help": v["help"],
                "where": [
                    {"target": n["target"], "html": n["html"][:200], "why": n.get("failureSummary", "")}
                    for n in v["nodes"][:5]
                ],
            }
            for v in results["violations"]
        ],
        "incomplete": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "nodes": len(v["nodes"]),
                "where": [
                    {"target": n["target"], "html": n["html"][:200], "why": n.get("failureSummary", "")}
                    for n in v["nodes"][:5]
                ],
            }
            for v in results["incomplete"]
        ],
    }
    (out / f"{name}.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return results


CHART_CONTRAST_JS = (Path(__file__).parent / "chart_contrast.js").read_text(encoding="utf-8")


def chart_text_contrast_failures(page) -> list[dict]:
    """Text inside Plotly charts (SVG, which axe does not measure) below 4.5:1 (3:1 if large) on what is behind it."""
    return page.evaluate(CHART_CONTRAST_JS)


CHARTS_WITHOUT_ALTERNATIVE_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .map((chart, index) => {
    let next = chart.closest('[data-testid="stElementContainer"]')?.nextElementSibling;
    for (let step = 0; next && step < 3; step++, next = next.nextElementSibling) {
      if ((next.innerText || '').includes('Text alternative')
          || next.querySelector('[data-testid="stExpander"], [data-testid="stDataFrame"], [data-testid="stTable"]')
          || ['stExpander', 'stDataFrame', 'stTable'].includes(next.dataset.testid)) return null;
    }
    return index;
  }).filter(i => i !== null)"""


def charts_without_text_alternative(page) -> list[int]:
    """Charts (by position on the page) with no "Text alternative" caption or table right after them."""
    return page.evaluate(CHARTS_WITHOUT_ALTERNATIVE_JS)
