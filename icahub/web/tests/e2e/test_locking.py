"""Browser journey of two people editing one record at once: Lao PDR's focal point and the
ISU open the state's edit page in two browsers; the focal point saves first; the ISU's save
is refused with the error summary, their text kept and a link to reload, which shows the
focal point's version. axe-core checks every page of both browsers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import (
    TIMEOUT_MS,
    TRACK_DOCUMENTS,
    UNCHECKED,
    check_a11y,
    expect_heading,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def second_page(browser, live_url):
    """A second browser (its own cookies) on the same server; every page it loads must be
    checked with axe too."""
    context = browser.new_context(base_url=live_url, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(TRACK_DOCUMENTS)
    page = context.new_page()
    yield page
    try:
        unchecked = page.evaluate(UNCHECKED)
    finally:
        context.close()
    assert not unchecked, f"pages not checked by check_a11y: {unchecked}"


def test_the_second_of_two_simultaneous_saves_is_refused_and_nothing_is_lost(page, second_page):
    # Both sign in and open the edit page of Lao PDR's details.
    sign_in(page, "focal-lao")
    sign_in(second_page, "isu")
    for browser_page in (page, second_page):
        browser_page.goto("/states/LAO/edit/")
        expect_heading(browser_page, re.compile("^Edit Lao"))
        check_a11y(browser_page)

    # Both type notes; the focal point saves first.
    page.get_by_label("Notes").fill("Notes by the focal point")
    second_page.get_by_label("Notes").fill("Notes by the ISU")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    check_a11y(page)
    assert "were saved" in page.locator("main").inner_text()

    # The ISU saves: refused, told why, with their text still in the field.
    with second_page.expect_navigation() as navigation:
        second_page.get_by_role("button", name="Save").click()
    assert navigation.value.status == 409
    check_a11y(second_page)
    summary = second_page.locator(".error-summary")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert "Someone else saved this record while you were editing" in summary.inner_text()
    assert second_page.get_by_label("Notes").input_value() == "Notes by the ISU"

    # The reload link shows the record as the focal point saved it.
    with second_page.expect_navigation():
        summary.get_by_role("link", name="Reload this page to see the latest version").click()
    check_a11y(second_page)
    assert second_page.get_by_label("Notes").input_value() == "Notes by the focal point"


def test_a_translation_is_added_then_changed_from_its_own_link(page):
    # Lao PDR's focal point opens one of the state's needs and adds a Spanish translation.
    sign_in(page, "focal-lao")
    page.goto("/assistance/needs/?state=LAO")
    check_a11y(page)
    page.locator("main table tbody tr a").first.click()
    check_a11y(page)
    page.get_by_role("link", name="Add a translation").click()
    expect_heading(page, "Add a translation")
    check_a11y(page)
    main = page.locator("main")
    main.get_by_label("Language").select_option("es")
    main.get_by_label("Title").fill("Encuesta")
    with page.expect_navigation():
        main.get_by_role("button", name="Save the translation").click()
    check_a11y(page)

    # The need's page offers to change it: the form opens with its text, and saves.
    page.get_by_role("link", name="Change the translation (Spanish)").click()
    expect_heading(page, "Change a translation")
    expect(main.get_by_label("Title")).to_have_value("Encuesta")
    check_a11y(page)
    main.get_by_label("Title").fill("Encuesta de Xieng Khouang")
    with page.expect_navigation():
        main.get_by_role("button", name="Save the translation").click()
    check_a11y(page)
    expect(main).to_contain_text("Encuesta de Xieng Khouang")
