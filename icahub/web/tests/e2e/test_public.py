"""Browser journeys of a visitor who is not signed in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_visitor_reads_a_state_profile_in_arabic(page):
    page.goto("/")
    check_a11y(page)
    assert page.locator("html").get_attribute("lang") == "en"

    switcher = page.get_by_label("Language")
    assert "العربي" in switcher.locator('option[value="ar"]').inner_text()
    switcher.select_option("ar")
    page.locator(".language-switcher button[type=submit]").click()
    page.wait_for_url("**/ar/")
    check_a11y(page)
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"

    page.locator('.site-nav a[href="/ar/states/"]').click()
    page.wait_for_url("**/ar/states/")
    check_a11y(page)

    # Find the state with the search filter (HTMX swaps the results in, or the form is
    # submitted as a whole page), then open its profile from the results table.
    page.locator("#id_q").fill("LAO")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/ar/states/?*q=LAO*")
    lao = page.locator('table a[href$="/states/LAO/"]')
    expect(lao).to_be_visible()
    check_a11y(page)
    lao.click()
    page.wait_for_url("**/ar/states/LAO/")
    name_ar = page.request.get("/api/v1/states/LAO/").json()["names"]["ar"]
    assert name_ar
    expect_heading(page, name_ar)
    check_a11y(page)

    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    expect(page).to_have_title(re.compile("^" + re.escape(name_ar)))


def test_keyboard_skip_link_moves_focus_to_main(page):
    page.goto("/obligations/")
    check_a11y(page)

    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, text: document.activeElement.textContent})"
    )
    assert focused["cls"] == "skip-link"
    assert focused["text"].strip() == "Skip to main content"
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'")
    assert page.url.endswith("#main")
    check_a11y(page)
