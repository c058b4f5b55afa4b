"""Browser journey of Article 7 reporting: a focal point drafts a report, fills forms B and
F, adds a need and submits; the statistics and "who has reported" pages then count it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _open_task(page, name: str) -> None:
    page.get_by_role("link", name=name).click()
    page.wait_for_load_state()
    check_a11y(page)


def test_focal_point_drafts_fills_and_submits_a_report(page):
    sign_in(page, "focal-lbn")

    # start Lebanon's 2025 annual report to the CCM
    page.locator(".site-nav").get_by_role("link", name="Reports").click()
    check_a11y(page)
    page.get_by_role("link", name="Start a report").click()
    check_a11y(page)
    page.get_by_label("Convention").select_option("CCM")
    page.get_by_label("Reporting year").fill("2025")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the report").click()
    check_a11y(page)
    expect_heading(page, re.compile("Draft report of Lebanon to the CCM for 2025"))

    # form B: one stockpile row, with a mistake first
    _open_task(page, "Form B: Stockpiles and their destruction")
    page.get_by_label("Type (row 1)").fill("M42")
    page.get_by_label("Held at the start of the period (row 1)").fill("many")
    page.get_by_label("Destroyed during the period (row 1)").fill("0")
    page.get_by_label("Remaining at the end of the period (row 1)").fill("120")
    page.get_by_role("button", name="Save and return to the forms").click()
    page.wait_for_load_state()
    check_a11y(page)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Enter a whole number.")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Held at the start of the period (row 1)")).to_be_focused()
    page.get_by_label("Held at the start of the period (row 1)").fill("120")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and return to the forms").click()
    check_a11y(page)

    # form F: contaminated and cleared area
    _open_task(page, "Form F: Contaminated areas and clearance")
    page.get_by_label("Area or region (row 1)").fill("South Lebanon")
    page.get_by_label("Year (row 1)").fill("2025")
    page.get_by_label("Contaminated area at the start (m²) (row 1)").fill("5000000")
    page.get_by_label("Area cleared during the year (m²) (row 1)").fill("1200000")
    page.get_by_label("Area remaining (m²) (row 1)").fill("3800000")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and return to the forms").click()
    check_a11y(page)

    # the voluntary part: one need
    _open_task(page, "Voluntary: assistance needed")
    page.get_by_label("Area (row 1)").select_option("clearance")
    page.get_by_label("Modality (row 1)").select_option("financial")
    page.get_by_label("Title (row 1)").fill("Clearance teams for South Lebanon")
    page.get_by_label("Budget required (row 1)").fill("1500000")
    page.get_by_label("Currency (ISO 4217) (row 1)").fill("USD")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and return to the forms").click()
    check_a11y(page)
    tasks = page.locator(".task-list")
    expect(tasks.locator("li", has_text="Form B")).to_contain_text("Completed")
    expect(tasks.locator("li", has_text="Form F")).to_contain_text("Completed")

    # submit, and see the report
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the report").click()
    check_a11y(page)
    expect(page.locator(".notices")).to_contain_text("The report was submitted")
    areas = page.get_by_role("table", name="Contaminated and cleared area by region")
    expect(areas).to_contain_text("3800000")
    needs = page.get_by_role("table", name="Assistance needed")
    expect(needs).to_contain_text("Clearance teams for South Lebanon")

    # the statistic now counts it
    page.goto("/reports/statistics/?convention=CCM&reporting_year=2025")
    check_a11y(page)
    expect(page.locator(".statement")).to_contain_text("1 out of 1 State Party")


def test_donor_records_an_offer(page):
    sign_in(page, "donor-nor")

    page.locator(".site-nav").get_by_role("link", name="Offers").click()
    check_a11y(page)
    page.get_by_role("link", name="Record an offer").click()
    page.wait_for_load_state()
    check_a11y(page)

    # a first try without an area is refused, naming the field
    page.get_by_label("Title").fill("Support to clearance in South-eastern Asia")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the offer").click()
    check_a11y(page)
    expect(page.locator(".error-summary")).to_contain_text("Areas")

    page.get_by_role("group", name="Areas").get_by_label("Clearance").check()
    page.get_by_role("group", name="Modalities").get_by_label("Financial").check()
    page.get_by_label("Budget envelope").fill("2000000")
    page.get_by_label("Currency").fill("NOK")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the offer").click()
    check_a11y(page)
    expect_heading(page, "Support to clearance in South-eastern Asia")

    page.goto("/assistance/offers/")
    check_a11y(page)
    expect(page.locator("table")).to_contain_text("Support to clearance in South-eastern Asia")
