"""Browser journey of a relay: the ISU relays a Lao PDR need to NPA; the Lao focal point
sees it on the need's page and in the inbox; the daily run sends it (run on the server's
database as of ten days later); NPA pledges; the need's relays section shows the pledge."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import (
    _manage,
    _server_env,
    check_a11y,
    expect_heading,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.locator(".account").get_by_role("button", name="Sign out").click()
    check_a11y(page)


def _relays_section(page):
    return page.locator("section", has=page.get_by_role("heading", name="Relays to partners"))


def _bar_width(page, index: int) -> float:
    return float(page.locator("#funding svg rect").nth(index).get_attribute("width"))


def _required_bar_width(page) -> float:
    return _bar_width(page, 0)


def _pledge_bar_width(page) -> float:
    return _bar_width(page, 1)


def test_isu_relays_a_need_the_state_sees_it_and_a_partner_pledges(page, e2e_database_url):
    title = f"Survey of Sepon district {uuid.uuid4().hex[:6]}"

    # the ISU records a public Lao PDR need
    sign_in(page, "isu")
    page.goto("/assistance/needs/new/")
    check_a11y(page)
    page.locator("#id_state").select_option("LAO")
    page.locator("#id_convention").select_option("CCM")
    page.locator("#id_area").select_option("clearance")
    page.locator("#id_modality").select_option("financial")
    page.locator("#id_title").fill(title)
    page.locator("#id_budget_required").fill("200000")
    page.locator("#id_currency").fill("USD")
    page.locator("#id_visibility").select_option("public")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the need").click()
    expect_heading(page, title)
    check_a11y(page)
    need_url = page.url

    # and relays it to NPA, finding it with the search
    _relays_section(page).get_by_role("link", name="Relay this need").click()
    page.wait_for_url("**/relays/needs/*/new/")
    expect_heading(page, "Relay this need")
    check_a11y(page)
    page.get_by_label("Search partners").fill("Norwegian")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    check_a11y(page)
    expect(page.get_by_label("Lebanon")).to_have_count(0)
    page.get_by_label("Norwegian People's Aid (NPA)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Relay to the chosen partners").click()
    expect_heading(page, f"Relay: {title}")
    check_a11y(page)
    expect(page.locator("main")).to_contain_text("Awaiting objection period")
    _sign_out(page)

    # the Lao focal point sees it on the need's page and in the inbox
    sign_in(page, "focal-lao")
    page.goto(need_url)
    check_a11y(page)
    section = _relays_section(page)
    expect(section).to_contain_text("Norwegian People's Aid (NPA)")
    expect(section).to_contain_text("Awaiting objection period")
    # nothing pledged yet: the funding chart's pledge bar is empty
    funding = page.locator("#need-funding-table")
    expect(funding.locator("tr", has_text="Required")).to_contain_text("200,000.00")
    expect(funding.locator("tr", has_text="Pledged")).to_contain_text("0.00")
    assert _pledge_bar_width(page) == 0
    page.locator(".site-nav").get_by_role("link", name="Notifications").click()
    page.wait_for_url("**/notifications/")
    expect_heading(page, "Notifications")
    check_a11y(page)
    expect(page.locator("main")).to_contain_text(f"Your need “{title}” is to be relayed")
    _sign_out(page)

    # ten days later the daily run sends the relay
    later = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)).isoformat()
    _manage(_server_env(e2e_database_url), "relays_advance", "--today", later)

    # NPA answers "pledged" from "My relays"
    sign_in(page, "partner-npa")
    page.locator(".site-nav").get_by_role("link", name="My relays").click()
    page.wait_for_url("**/relays/mine/")
    expect_heading(page, "My relays")
    check_a11y(page)
    row = page.locator("tr", has=page.get_by_role("link", name=title))
    row.get_by_role("link", name="Answer").click()
    page.wait_for_url("**/relays/answers/*/")
    expect_heading(page, "Answer the relay")
    check_a11y(page)
    page.get_by_label("Pledged", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the answer").click()
    check_a11y(page)
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.locator('a[href="#id_pledge_amount"]')).to_have_count(1)
    page.get_by_label("Amount pledged").fill("50000")
    page.get_by_label("Currency").fill("USD")
    page.get_by_label("Comment").fill("Two survey teams")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the answer").click()
    expect_heading(page, f"Relay: {title}")
    check_a11y(page)
    expect(page.locator(".notices")).to_contain_text("Your answer was recorded.")
    _sign_out(page)

    # the need's page shows the pledge in its relays section
    sign_in(page, "focal-lao")
    page.goto(need_url)
    check_a11y(page)
    section = _relays_section(page)
    expect(section).to_contain_text("Pledged")
    expect(section).to_contain_text("50,000.00 USD")
    expect(section).to_contain_text("Sent to partners")
    # and the funding chart moved: the pledge bar now shows a quarter of the budget
    funding = page.locator("#need-funding-table")
    expect(funding.locator("tr", has_text="Pledged")).to_contain_text("50,000.00")
    expect(funding.locator("tr", has_text="Committed")).to_contain_text("0.00")
    width = _pledge_bar_width(page)
    assert 0 < width < _required_bar_width(page)
