"""Browser journey of the sign-in safeguards: repeated wrong passwords lock a username out
(the lock-out page), the coordinator's password change page answers a wrong current
password with the error summary, and the ISU reads the sign-in audit and filters it.
axe-core checks every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

LOCKED_NAME = "no-such-user-e2e"


def _attempt(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()
    check_a11y(page)


def _change_password(page, old: str, new: str) -> None:
    # (each label also says "required", so the fields are found by their ids)
    page.locator("#id_old_password").fill(old)
    page.locator("#id_new_password1").fill(new)
    page.locator("#id_new_password2").fill(new)
    with page.expect_navigation():
        page.get_by_role("button", name="Change the password").click()
    check_a11y(page)


def test_lockout_password_change_and_sign_in_audit(page):
    # Wrong passwords for one username: after the limit (5 by default) the lock-out page.
    page.goto("/accounts/login/")
    check_a11y(page)
    for _ in range(6):
        _attempt(page, LOCKED_NAME, "wrong-password")
        if page.locator("h1").inner_text() == "Too many attempts to sign in":
            break
    expect_heading(page, "Too many attempts to sign in")
    expect(page.locator("main")).to_contain_text("Try again in 15 minutes.")

    # The coordinator changes their password: a wrong current one first.
    sign_in(page, "coordinator")
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url("**/accounts/password/")
    expect_heading(page, "Change your password")
    check_a11y(page)
    _change_password(page, "not-my-password", "short")
    expect(page.locator(".error-summary")).to_contain_text("Old password")
    expect(page.locator(".error-summary")).to_contain_text("New password confirmation")
    # (A successful change is tested without a browser, in test_hardening.py: here the demo
    # account keeps its password for the other journeys.)

    # The ISU reads the sign-in audit and keeps only the lock-outs.
    page.context.clear_cookies()
    sign_in(page, "isu")
    page.get_by_role("link", name="Sign-in audit").click()
    page.wait_for_url("**/accounts/sign-ins/")
    expect_heading(page, "Sign-in audit")
    check_a11y(page)
    page.get_by_label("Event").select_option("locked_out")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    check_a11y(page)
    table = page.locator("table")
    expect(table.locator("caption")).to_contain_text("sign-in event")
    expect(table.locator("tbody")).to_contain_text(LOCKED_NAME)
    expect(table.locator("tbody")).not_to_contain_text("coordinator")
