"""axe-core scans beyond each page as first drawn (that scan is in test_pages_in_browser.py): the Portfolio page with
a filter list open and its sections expanded, and the page menu that replaced Streamlit's navigation."""

from __future__ import annotations

from tests.e2e.axe_checks import axe, blocking_violations, scan
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


def test_the_page_menu_passes_axe_list_rules_and_a_list_fault_anywhere_still_fails(page, app_url):
    open_page(page, app_url)
    fired = {v["id"] for v in axe.run(page).response["violations"]}
    assert not fired & {"list", "listitem"}, "the page menu must not bring back Streamlit's navigation markup"
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "Streamlit's own navigation is hidden"

    page.evaluate(
        """() => { const ul = document.createElement('ul'); ul.innerHTML = '<div><li>ours</li></div>';
                  document.querySelector('[data-testid="stMainBlockContainer"]').appendChild(ul); }"""
    )
    problems = blocking_violations(page, axe.run(page).response)
    assert any(p.startswith("list") for p in problems), "a list fault in the page fails the build (no allow-list)"
