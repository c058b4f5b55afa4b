"""The pages work under the Content-Security-Policy: nothing they need is blocked.

The page fixture already fails any browser test whose pages report a policy violation; this
module opens the main pages one after the other (signed in, so that the menus and forms of a
user are there too), uses HTMX under the policy, and opens the API documentation, whose
Swagger UI is third-party code.
"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import (
    CSP_VIOLATIONS,
    TRACK_DOCUMENTS,
    check_a11y,
    check_csp,
    expect_heading,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MAIN_PAGES = [
    "/",
    "/states/",
    "/states/LAO/",
    "/obligations/",
    "/obligations/calculator/",
    "/reports/",
    "/assistance/needs/",
    "/assistance/offers/",
    "/funding/",
    "/coalitions/",
    "/relays/",
    "/notifications/",
    "/organisations/",
    "/conventions/",
    "/fr/",
    "/ar/states/",
]


def test_the_main_pages_load_under_the_content_security_policy(page):
    # given a signed-in ISU member
    sign_in(page, "isu")

    # when they open each main page
    for url in MAIN_PAGES:
        response = page.goto(url)

        # then it is served with the policy, its stylesheet applies (the header is styled),
        # and (checked at the end by the page fixture) nothing was blocked
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator(".site-header")).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
        check_a11y(page)
        check_csp(page)


def test_htmx_filters_work_under_the_policy(page):
    # given the states list
    page.goto("/states/")
    check_a11y(page)
    assert page.evaluate("() => typeof window.htmx") == "object"

    # when a filter is applied (HTMX swaps the results in)
    page.locator("#id_q").fill("LAO")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/states/?*q=LAO*")

    # then the results are there and no <style> element was added by HTMX
    expect(page.locator('table a[href$="/states/LAO/"]')).to_be_visible()
    assert page.locator("style").count() == 0
    check_a11y(page)
    check_csp(page)


def test_the_api_documentation_works_under_the_policy(browser, live_url):
    # given a browser tab (Swagger UI is third-party: its accessibility is not ours to check)
    context = browser.new_context(base_url=live_url, locale="en-GB")
    context.add_init_script(TRACK_DOCUMENTS)
    page = context.new_page()
    try:
        # when the API documentation is opened
        page.goto("/api/v1/docs/")

        # then Swagger UI starts (its start-up script is a file of the site), reads the schema
        # and lists the operations, and nothing was blocked
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("icahub API")
        expect(page.locator(".opblock").first).to_be_visible()
        assert page.evaluate(CSP_VIOLATIONS) == []
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    "template, english_heading",
    [
        ("500.html", "Sorry, there is a problem with the service"),
        ("503.html", "Sorry, the service is unavailable"),
    ],
)
def test_the_error_pages_are_accessible(page, template, english_heading, language):
    # given the page the server shows when it fails (500) or cannot reach its database (503),
    # rendered as Django renders it then (no request, no database) and served from the site
    # so that its stylesheet applies
    with translation.override(language):
        html = render_to_string(template)
    status = int(template[:3])
    page.route(
        "**/e2e-error-page/",
        lambda route: route.fulfill(status=status, content_type="text/html", body=html),
    )

    # when a visitor sees it
    page.goto("/e2e-error-page/")

    # then it is styled, in their language and direction, and passes axe
    expect(page.locator(".site-header")).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    if language == "en":
        expect_heading(page, english_heading)
    check_a11y(page)
