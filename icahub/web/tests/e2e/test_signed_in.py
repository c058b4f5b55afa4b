"""Browser journeys of signed-in users: the ISU records an extension, a state's focal point
edits their own state and is refused another state's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _summary_value(page, term: str):
    return page.locator(f'dl.summary dt:text-is("{term}") + dd').first


def test_isu_records_an_extension_of_lao_clearance(page):
    sign_in(page, "isu")
    assert "Signed in as isu" in page.locator(".account").inner_text()

    page.locator(".site-nav").get_by_role("link", name="Obligations").click()
    page.wait_for_url("**/obligations/")
    check_a11y(page)

    filters = page.locator("form.filters")
    filters.get_by_label("State (ISO code)").fill("LAO")
    filters.get_by_label("Convention").select_option("CCM")
    filters.get_by_label("Kind").select_option("clearance")
    filters.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/obligations/?*state=LAO*")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    check_a11y(page)
    rows.first.get_by_role("link", name="Clearance").click()
    page.wait_for_url("**/obligations/*/")
    expect_heading(page, "Lao People's Democratic Republic: Clearance")
    check_a11y(page)
    detail_url = page.url
    assert _summary_value(page, "Current deadline").inner_text() == "1 August 2025"

    page.locator("main").get_by_role("link", name="Record an extension").click()
    page.wait_for_url("**/extensions/new/")
    expect_heading(page, "Record an extension")
    check_a11y(page)

    # More than five years after the current deadline: refused, with an error summary.
    page.get_by_label("New deadline").fill("2031-08-02")
    page.get_by_label("Decided by").fill("13MSP (2025)")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the extension").click()
    check_a11y(page)
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    link = summary.locator('a[href="#id_new_deadline"]')
    assert link.count() == 1
    assert page.locator("#id_new_deadline_error").is_visible()
    assert page.get_by_label("Decided by").input_value() == "13MSP (2025)", "input kept"
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "id_new_deadline"

    # Exactly five years: recorded.
    page.get_by_label("New deadline").fill("2030-08-01")
    page.get_by_role("button", name="Record the extension").click()
    # The browser keeps the #id_new_deadline fragment across the redirect.
    page.wait_for_url(re.compile(re.escape(detail_url) + "(#.*)?$"))
    expect_heading(page, "Lao People's Democratic Republic: Clearance")
    check_a11y(page)
    assert "The extension was recorded." in page.locator(".notices").inner_text()
    assert _summary_value(page, "Current deadline").inner_text() == "1 August 2030"
    extensions = page.locator("table", has=page.locator("caption", has_text="Extensions granted"))
    newest = extensions.locator("tbody tr").last
    assert newest.locator("td").nth(1).inner_text() == "1 August 2030"
    assert newest.locator("td").nth(2).inner_text() == "13MSP (2025)"

    history = page.locator("section", has=page.get_by_role("heading", name="History of changes"))
    by_isu = history.locator("tbody tr", has=page.locator("td:nth-child(2)", has_text="isu"))
    # both the new extension and the obligation's moved deadline are recorded as isu's
    rows = [by_isu.nth(i) for i in range(by_isu.count())]
    records = [row.locator("td:nth-child(3)").inner_text() for row in rows]
    changes = [row.locator("td:nth-child(5)").inner_text() for row in rows]
    assert any(record.startswith("extension") and "2030-08-01" in record for record in records)
    assert any("2030" in change for change in changes)


def test_focal_point_edits_own_state_only(page):
    # A mistyped password first: the error summary links to the username field.
    sign_in(page, "focal-lao", password="not-the-password")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    assert summary.locator('a[href="#id_username"]').count() == 1
    assert page.get_by_label("Username").input_value() == "focal-lao", "input kept"

    sign_in(page, "focal-lao")
    assert "Signed in as focal-lao" in page.locator(".account").inner_text()

    response = page.goto("/states/LBN/edit/")
    check_a11y(page)
    assert response.status == 403
    expect_heading(page, "You do not have permission")

    response = page.goto("/states/LAO/edit/")
    check_a11y(page)
    assert response.status == 200
    expect_heading(page, re.compile("^Edit Lao"))
    authority = "National Regulatory Authority for UXO/Mine Action Sector (NRA)"
    field = page.get_by_label("mine action authority")
    field.fill(authority)
    page.locator("main").get_by_role("button", name="Save").click()
    page.wait_for_url("**/states/LAO/")
    expect_heading(page, "Lao People's Democratic Republic")
    check_a11y(page)
    assert "were saved" in page.locator(".notices").inner_text()
    assert _summary_value(page, "National mine action authority").inner_text() == authority
