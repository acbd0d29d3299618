"""Every page of the app loads in a real browser, says what it is, draws without an error, passes an axe-core scan
with no critical or serious violation of ours, and gives every chart a text alternative and chart text of at least
4.5:1 contrast. A screenshot of each is saved under screenshots/ (git-ignored) so anyone can see what users see.
The pages come from dashboard/app.py, so a new page is covered when it lands."""

from __future__ import annotations

import pytest

from tests.e2e.axe_checks import (
    blocking_violations,
    chart_text_contrast_failures,
    charts_without_text_alternative,
    scan,
)
from tests.e2e.layout_checks import cut_off_chart_text, truncated_buttons
from tests.e2e.streamlit_browser import SCREENSHOTS, declared_pages, full_page_screenshot, open_page

PAGES = declared_pages()
SITE_NAME = "Adult social care commissioning"


def test_the_page_menu_lists_exactly_the_pages_the_router_declares(page, app_url):
    open_page(page, app_url)  # as admin (tests/e2e/conftest.py): every page
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    shown = set()
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href").removeprefix(app_url).strip("/").split("?")[0]
        shown.add((href, links.nth(i).inner_text().split("\n")[-1]))
    assert shown == {(p.url_path, p.title) for p in PAGES}


@pytest.mark.parametrize("nav_page", PAGES, ids=lambda p: p.slug)
def test_page_loads_titled_with_one_heading_no_error_and_no_serious_axe_violation(new_page, app_url, nav_page):
    page = new_page(viewport={"width": 1440, "height": 900})
    open_page(page, app_url, nav_page.url_path)

    assert page.title() == f"{nav_page.title} - {SITE_NAME}"
    headings = page.locator('[data-testid="stMain"] h1')
    assert headings.count() == 1, "a page has exactly one main heading"
    assert headings.first.inner_text().strip()
    assert page.locator('[data-testid="stException"]').count() == 0
    full_page_screenshot(page, SCREENSHOTS / f"{nav_page.slug}.png")

    problems = blocking_violations(page, scan(page, nav_page.slug))
    assert not problems, "\n".join(problems)
    assert not charts_without_text_alternative(page), "every chart needs a text alternative or a table after it"
    low_contrast = chart_text_contrast_failures(page)
    assert not low_contrast, "\n".join(str(f) for f in low_contrast)
    assert not cut_off_chart_text(page), "chart text runs outside its chart"
    assert not truncated_buttons(page), "button labels are cut short"
