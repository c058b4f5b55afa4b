"""Browser journey of a background import: the ISU uploads exchange rates, follows the
import's page (progress while it waits, then the result or every problem), with axe on
each page."""

from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from icahub.web.tests.e2e.conftest import BASE_DIR, _server_env, check_a11y, expect_heading, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

QUEUED = """
from icahub.accounts.models import User
from icahub.imports.models import ImportJob
job = ImportJob.objects.create(kind="exchange_rates", created_by=User.objects.get(username="isu"),
    file_name="[E2E] waiting.csv", progress_total=4)
print(job.pk)
"""


def _upload(page, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto("/funding/exchange-rates/")
    check_a11y(page)
    page.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Import the rates").click()


def test_isu_follows_an_import_from_the_queue_to_its_result(page, tmp_path, e2e_database_url):
    sign_in(page, "isu")

    # given an import still waiting for the worker: its page shows a labelled progress bar,
    # a status region that is announced, and a refresh link
    queued = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "-c", QUEUED],
        cwd=BASE_DIR,
        env=_server_env(e2e_database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()[-1]
    page.goto(f"/imports/{queued}/")
    expect_heading(page, "Import of [E2E] waiting.csv")
    check_a11y(page)
    expect(page.locator("#import-status")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Rows imported")).to_have_attribute("max", "4")
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    # the panel is polled (HTMX) and stays whole
    with page.expect_response(lambda response: f"/imports/{queued}/" in response.url):
        pass
    expect(page.locator("#import-status")).to_contain_text("waiting for the background worker")
    check_a11y(page)

    # when the ISU uploads a file with a wrong row
    header = "currency,valid_from,usd_per_unit,source\n"
    _upload(
        page, tmp_path, "rates.csv", header + "CHF,2024-01-01,1.1,[E2E] rate\nNOK,2024-01-01,,x\n"
    )

    # then the import's page says nothing was saved and names the row and the column
    expect_heading(page, "Import of rates.csv")
    check_a11y(page)
    problems = page.get_by_role("table", name="Problems in the file")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems).to_contain_text("row 3")
    expect(problems).to_contain_text("usd_per_unit")

    # when the corrected file is uploaded
    page.get_by_role("link", name="Upload a corrected file").click()
    page.wait_for_url("**/funding/exchange-rates/")
    check_a11y(page)
    _upload(page, tmp_path, "rates.csv", header + "CHF,2024-01-01,1.1,[E2E] rate\n")

    # then it is imported and its page leads to the rates
    expect(page.locator("#import-status")).to_contain_text("1 rates were added.")
    check_a11y(page)
    page.get_by_role("link", name="See what was imported").click()
    page.wait_for_url("**/funding/exchange-rates/")
    check_a11y(page)
    expect(page.locator("table tbody")).to_contain_text("[E2E] rate")
