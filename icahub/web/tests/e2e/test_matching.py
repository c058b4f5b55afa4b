"""Browser journey of matching: a visitor reads why an offer fits a demo need, follows a
potential partner and the page explaining the scores; the ISU changes a weight; the yearly
"matches made" report. axe on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DEMO_NEED = "[Demo] Survey and clearance of cluster munition remnants in Xieng Khouang"


def test_visitor_reads_why_offers_fit_a_need_and_the_isu_sets_a_weight(page):
    # a visitor opens a demo need: its matches are listed, best first, with why
    page.goto("/assistance/needs/")
    check_a11y(page)
    page.get_by_role("link", name=DEMO_NEED).click()
    expect_heading(page, DEMO_NEED)
    matches = page.locator(
        "section",
        has=page.get_by_role("heading", name="Offers and potential partners that fit this need"),
    )
    rows = matches.locator("tbody tr")
    expect(rows.first).to_contain_text(
        "[Demo] Funding for cluster munition clearance in South-East Asia"
    )
    rows.first.locator("summary").click()
    expect(rows.first.locator(".explanation")).to_contain_text(
        "Offers help in clearance, the need's area."
    )
    check_a11y(page)

    # the offer's own page lists the needs it fits
    rows.first.get_by_role(
        "link", name="[Demo] Funding for cluster munition clearance in South-East Asia"
    ).click()
    expect_heading(page, "[Demo] Funding for cluster munition clearance in South-East Asia")
    expect(page.locator("main")).to_contain_text("Needs this offer fits")
    expect(page.locator("main")).to_contain_text(DEMO_NEED)
    check_a11y(page)

    # how scores are made, then the ISU gives text similarity more weight
    page.get_by_role("link", name="how matches are scored").first.click()
    expect_heading(page, "How matches are scored")
    check_a11y(page)
    expect(page.get_by_role("button", name="Save the weights")).to_have_count(0)
    sign_in(page, "isu")
    page.goto("/assistance/matching/")
    check_a11y(page)
    page.get_by_label("Text similarity").fill("-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the weights").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Text similarity").fill("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the weights").click()
    expect(page.locator(".notices")).to_contain_text("The weights were saved.")
    expect(page.locator("table").first.locator("tr", has_text="Text similarity")).to_contain_text(
        "4"
    )
    check_a11y(page)

    # the yearly report of matches made
    page.goto(f"/relays/report/?year={dt.datetime.now(dt.UTC).year}")
    expect(page.locator("h1")).to_have_count(1)
    check_a11y(page)
