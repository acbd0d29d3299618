"""axe-core checks shared by the browser tests: which violations fail the build and which are Streamlit's own.

Violations that come from Streamlit's own markup are allowed only by rule id AND only inside the Streamlit element
named here, each with its reason; ACCESSIBILITY.md lists the same ones. A new rule, or a known rule firing anywhere
else, fails the build. Each scan's summary is written to screenshots/axe/<name>.json (git-ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("axe_playwright_python", reason="pip install -r requirements.txt for the browser tests")
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

from tests.e2e.streamlit_browser import SCREENSHOTS  # noqa: E402

FAILING_IMPACTS = {"critical", "serious"}
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"]}


@dataclass(frozen=True)
class StreamlitViolation:
    rule_id: str
    inside: str  # CSS selector of the Streamlit-owned element every offending node must sit in
    reason: str


STREAMLIT_ALLOWED = [
    StreamlitViolation(
        "list",
        '[data-testid="stSidebarNav"]',
        "Streamlit 1.67's sidebar navigation wraps each section's <li> items in a <div> directly inside the <ul>."
        " Screen readers still read every link and its section heading; the markup is not ours to change.",
    ),
    StreamlitViolation(
        "listitem",
        '[data-testid="stSidebarNav"]',
        "The same Streamlit navigation markup: its <li> items sit in a <div>, not directly in the <ul>.",
    ),
]

axe = Axe()


def _inside(page, target: list, container: str) -> bool:
    if len(target) != 1:  # inside an iframe or shadow root: not Streamlit's page chrome
        return False
    return page.evaluate(
        "([t, c]) => { const e = document.querySelector(t); return !!e && !!e.closest(c); }", [target[0], container]
    )


def blocking_violations(page, results: dict) -> list[str]:
    """Critical and serious violations, less the nodes an allow-list entry explains."""
    allowed = {}
    for entry in STREAMLIT_ALLOWED:
        allowed.setdefault(entry.rule_id, []).append(entry.inside)
    problems = []
    for violation in results["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        containers = allowed.get(violation["id"], [])
        for node in violation["nodes"]:
            if any(_inside(page, node["target"], c) for c in containers):
                continue
            problems.append(f"{violation['id']} ({violation['impact']}): {node['target']} {node['html'][:160]}")
    return problems


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
