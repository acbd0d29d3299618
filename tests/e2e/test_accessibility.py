"""axe-core scans beyond each page as first drawn (that scan is in test_pages_in_browser.py): the Portfolio page with
a filter list open and its sections expanded, and checks that the Streamlit allow-list stays narrow and current."""

from __future__ import annotations

from tests.e2e.axe_checks import STREAMLIT_ALLOWED, axe, blocking_violations, scan
from tests.e2e.streamlit_browser import open_page, wait_until_idle

OPAQUE_JS = """() => { let e = document.querySelector('[role="listbox"]');
  for (; e; e = e.parentElement) { if (getComputedStyle(e).opacity !== '1') return false; } return true; }"""


def test_portfolio_with_a_filter_list_open_and_sections_expanded_has_no_serious_violations(page, app_url):
    open_page(page, app_url)
    for summary in page.locator('[data-testid="stMain"] [data-testid="stExpander"] summary').all():
        summary.click()
    wait_until_idle(page)
    page.get_by_role("combobox", name="Service area").click()
    page.get_by_role("listbox").wait_for(state="visible")
    page.wait_for_function(OPAQUE_JS)  # scan the list once it has faded in, not half-way
    results = scan(page, "portfolio-interactive")
    assert not blocking_violations(page, results)


def test_the_streamlit_allow_list_is_current_and_does_not_excuse_the_same_rule_in_our_content(page, app_url):
    open_page(page, app_url)
    fired = {v["id"] for v in axe.run(page).response["violations"]}
    stale = [entry.rule_id for entry in STREAMLIT_ALLOWED if entry.rule_id not in fired]
    assert not stale, f"Streamlit no longer triggers {stale}: remove them from STREAMLIT_ALLOWED and ACCESSIBILITY.md"

    page.evaluate(
        """() => { const ul = document.createElement('ul'); ul.innerHTML = '<div><li>ours</li></div>';
                  document.querySelector('[data-testid="stMainBlockContainer"]').appendChild(ul); }"""
    )
    problems = blocking_violations(page, axe.run(page).response)
    assert any(p.startswith("list") for p in problems), "the allow-list must not excuse a list fault in our content"
