"""Every page of the app loads in a real browser, says what it is, and draws without an error; a screenshot of
each is saved under screenshots/ (git-ignored) so anyone can see what users see."""

from __future__ import annotations

import pytest

from tests.e2e.streamlit_browser import SCREENSHOTS, declared_pages, full_page_screenshot, open_page

PAGES = declared_pages()
SITE_NAME = "Adult social care commissioning"


def test_the_sidebar_navigation_lists_exactly_the_pages_the_router_declares(page, app_url):
    open_page(page, app_url)
    links = page.locator('[data-testid="stSidebarNav"] a')
    shown = {
        (links.nth(i).get_attribute("href").removeprefix(app_url).strip("/"), links.nth(i).inner_text().split("\n")[-1])
        for i in range(links.count())
    }
    assert shown == {(p.url_path, p.title) for p in PAGES}


@pytest.mark.parametrize("nav_page", PAGES, ids=lambda p: p.slug)
def test_page_loads_with_a_descriptive_title_one_main_heading_and_no_error(page, app_url, nav_page):
    open_page(page, app_url, nav_page.url_path)

    assert page.title() == f"{nav_page.title} - {SITE_NAME}"
    headings = page.locator('[data-testid="stMain"] h1')
    assert headings.count() == 1, "a page has exactly one main heading"
    assert headings.first.inner_text().strip()
    assert page.locator('[data-testid="stException"]').count() == 0
    full_page_screenshot(page, SCREENSHOTS / f"{nav_page.slug}.png")
