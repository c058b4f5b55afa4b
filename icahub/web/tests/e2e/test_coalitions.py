"""Browser journey of a Country Coalition: Lao PDR's focal point creates one, invites
Norway and Norwegian People's Aid, records a meeting with an action item; NPA's member
signs in and accepts. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

NAME = "Xieng Khouang clearance coalition"


def _members_row(page, party: str):
    table = page.locator("table", has=page.locator("caption", has_text="Members, invitations"))
    return table.locator("tbody tr", has=page.locator("th", has_text=party))


def test_lao_creates_a_coalition_invites_records_a_meeting_and_npa_accepts(page):
    # The Lao focal point opens the coalitions.
    sign_in(page, "focal-lao")
    page.locator(".site-nav").get_by_role("link", name="Coalitions").click()
    page.wait_for_url("**/coalitions/")
    expect_heading(page, "Country Coalitions")
    check_a11y(page)

    # They create a coalition led by their state.
    page.locator("main").get_by_role("link", name="Create a coalition").click()
    page.wait_for_url("**/coalitions/new/")
    expect_heading(page, "Create a Country Coalition")
    check_a11y(page)
    # A missing name comes back with an error summary, the input kept.
    page.get_by_label("Convention").select_option("CCM")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the coalition").click()
    check_a11y(page)
    expect(page.locator(".error-summary")).to_contain_text("Name")
    assert page.get_by_label("Convention").input_value() == "CCM"
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Description").fill("Partners for the clearance of Xieng Khouang.")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the coalition").click()
    expect_heading(page, NAME)
    check_a11y(page)
    detail_url = page.url.split("#")[0]
    expect(_members_row(page, "Lao People's Democratic Republic")).to_contain_text("Lead")

    # They invite Norway as a member, then NPA as a coordinating partner.
    for field, option, role in (
        ("#id_state", "Norway", "Member"),
        ("#id_organisation", "Norwegian People's Aid (NPA)", "Coordinating partner"),
    ):
        page.locator("main").get_by_role("link", name="Invite a member").click()
        page.wait_for_url("**/members/invite/")
        expect_heading(page, "Invite a member")
        check_a11y(page)
        page.locator(field).select_option(label=option)
        page.get_by_label("Role").select_option(label=role)
        with page.expect_navigation():
            page.get_by_role("button", name="Send the invitation").click()
        expect_heading(page, NAME)
        check_a11y(page)
        expect(page.locator(".notices")).to_contain_text("was invited")
        expect(_members_row(page, option.split(" (")[0])).to_contain_text("Invited")

    # They record a meeting, then an action item for their own state.
    page.locator("main").get_by_role("link", name="Record a meeting").click()
    page.wait_for_url("**/meetings/new/")
    expect_heading(page, "Record a meeting")
    check_a11y(page)
    page.get_by_label("Title").fill("First partners' meeting")
    page.get_by_label("Date and time").fill("2026-12-01T10:00")
    page.get_by_label("Place").fill("Vientiane")
    page.get_by_label("Agenda").fill("1. The plan. 2. Who does what.")
    page.get_by_label("Decisions").fill("Survey first.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the meeting").click()
    expect_heading(page, "First partners' meeting")
    check_a11y(page)
    page.get_by_role("textbox", name="Action (required)").fill("Share the non-technical survey")
    page.get_by_label("Owner").select_option(label="Lao People's Democratic Republic (Lead)")
    page.get_by_label("Due date").fill("2027-01-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the action item").click()
    expect_heading(page, "First partners' meeting")
    check_a11y(page)
    actions = page.locator("table", has=page.locator("caption", has_text="action item"))
    expect(actions.locator("tbody tr")).to_have_count(1)
    expect(actions).to_contain_text("Share the non-technical survey")
    expect(actions).to_contain_text("31 January 2027")

    # The gap view opens for the lead.
    page.goto(detail_url)
    check_a11y(page)
    page.locator("main").get_by_role("link", name="Gap view").first.click()
    page.wait_for_url("**/gap/")
    expect_heading(page, "Gap view")
    check_a11y(page)

    # NPA's member signs in and finds the invitation.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    check_a11y(page)
    sign_in(page, "partner-npa")
    page.goto("/coalitions/")
    expect_heading(page, "Country Coalitions")
    check_a11y(page)
    # Before accepting, the workspace is closed to them.
    expect(page.locator("main")).not_to_contain_text("First partners' meeting")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Accept the invitation to {NAME}").click()
    expect_heading(page, NAME)
    check_a11y(page)
    expect(page.locator(".notices")).to_contain_text(f"You joined the coalition {NAME}.")
    expect(_members_row(page, "Norwegian People's Aid")).to_contain_text("Active")
    expect(page.locator("main")).to_contain_text("First partners' meeting")
    assert re.search(r"/coalitions/\d+/", page.url)
