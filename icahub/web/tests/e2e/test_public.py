"""Browser journeys of a visitor who is not signed in."""

from __future__ import annotations

import pytest

from icahub.web.tests.e2e.conftest import check_a11y

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

    page.locator(".site-nav").get_by_role("link").nth(1).click()
    page.wait_for_url("**/ar/states/")
    check_a11y(page)

    # Find the state with the search filter, then open its profile from the results table.
    page.locator("#id_q").fill("LAO")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/ar/states/?*q=LAO*")
    check_a11y(page)
    page.locator('table a[href$="/states/LAO/"]').click()
    page.wait_for_url("**/ar/states/LAO/")
    check_a11y(page)

    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    name_ar = page.request.get("/api/v1/states/LAO/").json()["names"]["ar"]
    assert name_ar
    assert page.locator("h1").inner_text().strip() == name_ar
    assert page.title().startswith(name_ar)


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
