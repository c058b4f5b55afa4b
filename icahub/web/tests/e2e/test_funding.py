"""Browser journey of funding: the ISU records a flow for a need and the need's page
shows it in its funding chart and table."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_isu_records_a_flow_for_a_need_and_the_need_page_charts_it(page):
    sign_in(page, "isu")

    # given a need of Lao PDR with a budget of 400,000 USD
    page.goto("/assistance/needs/new/")
    expect_heading(page, "Record a need for assistance")
    check_a11y(page)
    page.locator("#id_state").select_option("LAO")
    page.locator("#id_convention").select_option("CCM")
    page.locator("#id_area").select_option("clearance")
    page.locator("#id_modality").select_option("financial")
    page.locator("#id_title").fill("[E2E] Survey of Sekong province")
    page.locator("#id_budget_required").fill("400000")
    page.locator("#id_currency").fill("USD")
    page.locator("#id_visibility").select_option("public")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the need").click()
    expect_heading(page, "[E2E] Survey of Sekong province")
    check_a11y(page)
    need_url = page.url
    funding = page.locator("#funding")
    expect(funding.get_by_role("heading", name="Funding")).to_be_visible()
    expect(funding).to_contain_text("No funding recorded for this need yet.")

    # when the ISU records Norway's disbursement for it, first with a mistake
    funding.get_by_role("link", name="Record a flow for this need").click()
    page.wait_for_url("**/funding/flows/new/?need=*")
    expect_heading(page, "Record a funding flow")
    check_a11y(page)
    page.locator("#id_giver_state").select_option("NOR")
    page.locator("#id_status").select_option("disbursement")
    page.locator("#id_amount").fill("150000")
    page.locator("#id_currency").fill("usd")
    page.locator("#id_value_date").fill("2024-05-01")
    page.locator("#id_year").fill("2023")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the flow").click()
    check_a11y(page)
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.locator('a[href="#id_year"]')).to_have_count(1)
    expect(page.locator("#id_amount")).to_have_value("150000")  # input kept
    page.locator("#id_year").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the flow").click()
    expect_heading(page, "Flow " + page.url.rstrip("/").rsplit("/", 1)[1])
    check_a11y(page)
    expect(page.locator(".lead")).to_contain_text("Norway")

    # then the need's page shows it as disbursed (and committed), not as pledged
    page.goto(need_url)
    check_a11y(page)
    table = page.locator("#need-funding-table")
    expect(table.locator("tr", has_text="Required")).to_contain_text("400,000.00")
    expect(table.locator("tr", has_text="Disbursed")).to_contain_text("150,000.00")
    expect(table.locator("tr", has_text="Committed")).to_contain_text("150,000.00")
    expect(table.locator("tr", has_text="Pledged")).to_contain_text("0.00")
    expect(page.locator("#funding svg text.bar-value").nth(3)).to_have_text("150,000")
    expect(
        page.locator("#funding").get_by_role("link", name=re.compile(r"^Flow \d+$"))
    ).to_have_count(1)

    # and the totals by donor list Norway with it
    page.locator(".site-nav").get_by_role("link", name="Funding").click()
    page.wait_for_url("**/funding/")
    check_a11y(page)
    page.locator("main").get_by_role("link", name="Funding by donor").click()
    page.wait_for_url("**/funding/by/donor/")
    expect_heading(page, "Funding by donor")
    check_a11y(page)
    expect(page.locator("table tbody tr", has_text="Norway").first).to_be_visible()


def test_isu_maintains_exchange_rates_and_sees_import_pages(page):
    sign_in(page, "isu")

    # the rates page lists the demo rates, labelled as illustrative
    page.goto("/funding/exchange-rates/")
    expect_heading(page, "Exchange rates")
    check_a11y(page)
    expect(page.locator("table tbody")).to_contain_text("[Demo] illustrative rate")

    # a rate for the US dollar is refused with the error beside the field
    page.locator("#id_currency").fill("USD")
    page.locator("#id_valid_from").fill("2024-01-01")
    page.locator("#id_usd_per_unit").fill("1")
    page.locator("#id_source").fill("UN operational rates")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the rate").click()
    check_a11y(page)
    expect(page.locator(".error-summary a[href='#id_currency']")).to_have_count(1)

    # the SEK demo flow is not valued until a SEK rate is added
    page.goto("/funding/by/area/")
    check_a11y(page)
    expect(page.locator("table")).to_contain_text("900,000.00 SEK")
    page.goto("/funding/exchange-rates/")
    check_a11y(page)
    page.locator("#id_currency").fill("sek")
    page.locator("#id_valid_from").fill("2024-01-01")
    page.locator("#id_usd_per_unit").fill("0.095")
    page.locator("#id_source").fill("[E2E] test rate")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the rate").click()
    check_a11y(page)
    page.goto("/funding/by/year/")
    check_a11y(page)
    expect(page.locator("table")).not_to_contain_text("SEK")

    page.goto("/funding/flows/import/")
    expect_heading(page, "Import flows")
    check_a11y(page)
