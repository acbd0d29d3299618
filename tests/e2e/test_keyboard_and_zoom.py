"""The Portfolio page works keyboard-only and at 200% zoom; every page reflows at 400% (WCAG 2.1.1, 1.4.4, 1.4.10).

200% zoom is simulated exactly as a browser does it: a 1280 x 900 window at 200% lays the page out in 640 x 450 CSS
pixels drawn at two device pixels each. The page must then fit without sideways scrolling, and its filters (in the
sidebar, which Streamlit folds away at that width) must still be reachable and usable from the keyboard alone.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.database import db
from tests.e2e.axe_checks import blocking_violations, chart_text_contrast_failures, scan
from tests.e2e.layout_checks import cut_off_chart_text, truncated_buttons
from tests.e2e.streamlit_browser import (
    SCREENSHOTS,
    declared_pages,
    full_page_screenshot,
    metric_value,
    open_page,
    rerun_after,
)

DEMO_PROJECTS = pd.read_csv(db.DEMO_DIR / "projects.csv")
FIRST_AREA = sorted(DEMO_PROJECTS["service_area"].unique())[0]  # the filter lists service areas alphabetically
FIRST_AREA_PROJECTS = int((DEMO_PROJECTS["service_area"] == FIRST_AREA).sum())
MAX_TABS = 120  # the Portfolio page has about 60 stops; focus may start part-way and wrap round

WIDTHS_JS = """() => { const main = document.querySelector('[data-testid="stMain"]');
  return [document.documentElement.scrollWidth, window.innerWidth, main.scrollWidth, main.clientWidth]; }"""
FOCUSED_JS = """() => { const e = document.activeElement; const box = e.getBoundingClientRect();
  return {label: e.getAttribute('aria-label') || '', testid: e.dataset.testid || '',
          parent: e.closest('[data-testid]')?.dataset.testid || '',
          on_screen: box.right > 0 && box.bottom > 0 && box.left < window.innerWidth && box.top < window.innerHeight};
}"""


def tab_to(page, matches) -> list[dict]:
    """Press Tab until the focused element matches; every element focused on the way is returned."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        seen.append(focused)
        if matches(focused):
            return seen
    names = [f["label"] or f["testid"] or f["parent"] for f in seen]
    raise AssertionError(f"not reached with {MAX_TABS} presses of Tab; focus went through {names}")


def choose_by_keyboard(page, label: str, option: str) -> None:
    """Tab to a multiselect, open it with the down arrow, move down to the option and press Enter."""
    tab_to(page, lambda f: f["label"] == label)
    combobox = page.get_by_role("combobox", name=label)
    for _ in range(MAX_TABS):
        page.keyboard.press("ArrowDown")  # the first press opens the list ("Select all" comes first)
        active = combobox.get_attribute("aria-activedescendant")
        if active and page.locator(f'[id="{active}"]').inner_text().strip() == option:
            break
    else:
        raise AssertionError(f"{option!r} was not reached with the down arrow in {label!r}")
    rerun_after(page, lambda: page.keyboard.press("Enter"))
    page.keyboard.press("Escape")
    page.get_by_role("listbox").wait_for(state="detached")  # its closing fade would skew a contrast scan


def test_the_service_area_filter_can_be_reached_and_used_with_the_keyboard_alone(page, app_url):
    open_page(page, app_url)
    assert metric_value(page, "Projects") == f"{len(DEMO_PROJECTS):,}"

    choose_by_keyboard(page, "Service area", FIRST_AREA)

    assert metric_value(page, "Projects") == f"{FIRST_AREA_PROJECTS:,}"
    assert "service_areas=" in page.url


def test_the_portfolio_page_fits_and_works_at_200_percent_zoom(new_page, app_url):
    page = new_page(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    open_page(page, app_url)

    widths = page.evaluate(WIDTHS_JS)
    assert widths[0] <= widths[1] and widths[2] <= widths[3], f"sideways scrolling at 200% zoom: {widths}"
    for heading in page.locator('[data-testid="stMain"] h1, [data-testid="stMain"] h2').all():
        box = heading.bounding_box()
        assert box is None or box["x"] + box["width"] <= widths[1] + 1, f"{heading.inner_text()} runs off the page"
    assert metric_value(page, "Projects") == f"{len(DEMO_PROJECTS):,}"
    full_page_screenshot(page, SCREENSHOTS / "portfolio-200-percent-zoom.png")

    # the sidebar is folded away at this width: open it from the keyboard, filter, and see the figures change
    path = tab_to(page, lambda f: f["testid"] == "stExpandSidebarButton" or f["parent"] == "stExpandSidebarButton")
    hidden = [f["label"] or f["testid"] for f in path if not f["on_screen"]]
    assert not hidden, f"keyboard focus went to controls off screen: {hidden}"
    page.keyboard.press("Enter")
    page.get_by_role("combobox", name="Service area").wait_for(state="visible")
    choose_by_keyboard(page, "Service area", FIRST_AREA)
    assert metric_value(page, "Projects") == f"{FIRST_AREA_PROJECTS:,}"

    problems = blocking_violations(page, scan(page, "portfolio-200-percent-zoom"))
    assert not problems, "\n".join(problems)
    assert not cut_off_chart_text(page) and not truncated_buttons(page), "text cut short at 200% zoom"
    assert not chart_text_contrast_failures(page)


@pytest.mark.parametrize("nav_page", declared_pages(), ids=lambda p: p.slug)
def test_page_reflows_at_400_percent_zoom_without_sideways_scrolling(new_page, app_url, nav_page):
    """WCAG 1.4.10: at 320 CSS pixels wide (a 1280-pixel window at 400%) nothing but tables and charts may scroll."""
    page = new_page(viewport={"width": 320, "height": 256}, device_scale_factor=4)
    open_page(page, app_url, nav_page.url_path)
    page_width, window_width, main_width, main_visible = page.evaluate(WIDTHS_JS)
    assert page_width <= window_width and main_width <= main_visible
    assert not cut_off_chart_text(page), f"chart text cut off at 320 pixels: {cut_off_chart_text(page)}"
    assert not truncated_buttons(page), f"button labels cut short at 320 pixels: {truncated_buttons(page)}"
    assert not chart_text_contrast_failures(page)
