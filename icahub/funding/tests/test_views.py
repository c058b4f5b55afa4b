"""Pages of funding: list, totals with chart and table, forms, imports, rates, the need's
funding section, and the IATI download."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from xml.etree import ElementTree  # noqa: S405 (parses our own output)

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from icahub.funding.models import ExchangeRate, Flow
from icahub.funding.tests.conftest import make_flow

pytestmark = pytest.mark.django_db


def _csv(text: str, name: str = "flows.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_list_page_filters_and_paginates(client, nor, lao, lbn):
    for _ in range(3):
        make_flow(giver_state=nor, recipient_state=lao)
    make_flow(giver_state=nor, recipient_state=lbn)
    page = client.get("/funding/?recipient=LBN").content.decode()
    assert "1 flow</caption>" in page
    assert client.get("/funding/?page=99").status_code == 200


@pytest.mark.parametrize("dimension", ["donor", "recipient", "area", "year"])
def test_totals_pages_draw_a_chart_and_its_table(client, nor, lao, dimension):
    make_flow(giver_state=nor, recipient_state=lao, amount=Decimal(1500))
    make_flow(giver_state=nor, recipient_state=lao, amount=Decimal(700), status="pledge")
    page = client.get(f"/funding/by/{dimension}/").content.decode()
    assert '<svg role="img"' in page and "<caption>" in page
    # funding and pledges apart: 1,500 funded, 700 pledged
    assert "1,500.00" in page and "700.00" in page
    download = client.get(f"/funding/by/{dimension}/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[1][2:5] == (1500, 1500, 700)


def test_unknown_dimension_is_404(client):
    assert client.get("/funding/by/colour/").status_code == 404


def test_isu_records_a_flow_and_errors_are_summarised(client, isu_user, nor, lao_need):
    client.force_login(isu_user)
    form = {
        "giver_state": "NOR",
        "need": lao_need.pk,
        "status": "commitment",
        "amount": "5000",
        "currency": "usd",
        "value_date": "2024-05-01",
        "visibility": "public",
    }
    # a flow to Lebanon for Lao PDR's need: the error comes back beside the field
    refused = client.post("/funding/flows/new/", {**form, "recipient_state": "LBN"})
    page = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in page
    assert 'href="#id_recipient_state"' in page
    assert not Flow.objects.exists()

    response = client.post("/funding/flows/new/", form)
    flow = Flow.objects.get()
    assert response.status_code == 302 and response.url == f"/funding/flows/{flow.pk}/"
    assert flow.recipient_state.iso3 == "LAO" and flow.created_by == isu_user

    # the detail page shows the history to the ISU
    detail = client.get(response.url).content.decode()
    assert "History of changes" in detail


def test_a_donor_cannot_record_for_another_state(client, donor_user):
    client.force_login(donor_user)
    response = client.post(
        "/funding/flows/new/",
        {
            "giver_state": "LBN",
            "recipient_state": "LAO",
            "area": "clearance",
            "status": "commitment",
            "amount": "5000",
            "currency": "USD",
            "value_date": "2024-05-01",
            "visibility": "public",
        },
    )
    assert "own state or organisation" in response.content.decode()
    assert not Flow.objects.exists()


def test_edit_and_delete(client, donor_user, nor, lao):
    flow = make_flow(giver_state=nor, recipient_state=lao)
    client.force_login(donor_user)
    assert client.get(f"/funding/flows/{flow.pk}/edit/").status_code == 200
    data = {
        "giver_state": "NOR",
        "recipient_state": "LAO",
        "area": "clearance",
        "status": "expenditure",
        "amount": "1000",
        "currency": "USD",
        "value_date": "2024-03-01",
        "visibility": "private",
        "notes_on_use": "Salaries of deminers.",
        "lock_version": flow.lock_version,
    }
    assert client.post(f"/funding/flows/{flow.pk}/edit/", data).status_code == 302
    flow.refresh_from_db()
    assert (flow.status, flow.notes_on_use) == ("expenditure", "Salaries of deminers.")
    response = client.post(f"/funding/flows/{flow.pk}/delete/", {"lock_version": 1})
    assert response.status_code == 302
    assert not Flow.objects.exists()


def test_isu_merges_a_duplicate(client, isu_user, nor, lao):
    keep = make_flow(giver_state=nor, recipient_state=lao, reported_by_giver=True)
    duplicate = make_flow(giver_state=nor, recipient_state=lao, reported_by_recipient=True)
    client.force_login(isu_user)
    assert client.post(f"/funding/flows/{keep.pk}/merge/", {"duplicate": 999999}).status_code == 400
    response = client.post(f"/funding/flows/{keep.pk}/merge/", {"duplicate": duplicate.pk})
    assert response.status_code == 302
    assert list(Flow.objects.values_list("pk", flat=True)) == [keep.pk]


def test_import_is_all_or_nothing_with_row_and_column(client, isu_user, halo):
    # given a file whose third row is wrong in three cells
    client.force_login(isu_user)
    header = "giver_state,recipient_organisation,area,status,amount,currency,value_date\n"
    bad = header + "NOR,HALO,clearance,disbursement,1000,USD,2024-01-05\n"
    bad += "NOR,HALO,clearance,gift,ten,USD,2024-13-01\n"

    # when it is uploaded, the import runs in the background and its page shows the result
    response = client.post("/funding/flows/import/", {"file": _csv(bad)}, follow=True)

    # then nothing is imported and each problem is named by its row and column
    page = response.content.decode()
    assert response.redirect_chain[0][0].startswith("/imports/")
    assert "Failed" in page
    for column in ("status", "amount", "value_date"):
        assert f"<td>row 3</td><td><code>{column}</code></td>" in page
    assert not Flow.objects.exists()

    good = header + "NOR,HALO,clearance,disbursement,1000,USD,2024-01-05\n"
    good += "NOR,HALO,victim_assistance,pledge,500,USD,2024-02-05\n"
    response = client.post("/funding/flows/import/", {"file": _csv(good)}, follow=True)
    assert "2 flows were imported." in response.content.decode()
    assert Flow.objects.filter(source="import").count() == 2


def test_import_refuses_unknown_columns_and_file_types(client, isu_user):
    client.force_login(isu_user)
    response = client.post("/funding/flows/import/", {"file": _csv("colour\nred\n")})
    assert "Unknown column(s): colour" in response.content.decode()
    # the type comes from the content: a PDF named .csv is refused, naming the field
    pdf = SimpleUploadedFile("flows.csv", b"%PDF-1.7\n%%EOF\n", content_type="text/csv")
    response = client.post("/funding/flows/import/", {"file": pdf})
    assert "File: This file&#x27;s content is not an accepted type. Accepted: CSV, XLSX." in (
        response.content.decode()
    )


def test_rates_page_form_and_xlsx_import(client, isu_user, donor_user, nor, lao):
    waiting = make_flow(giver_state=nor, recipient_state=lao, currency="EUR")
    client.force_login(donor_user)
    assert 'name="usd_per_unit"' not in client.get("/funding/exchange-rates/").content.decode()
    assert client.post("/funding/exchange-rates/", {"currency": "EUR"}).status_code == 403

    client.force_login(isu_user)
    bad = client.post(
        "/funding/exchange-rates/",
        {"currency": "USD", "valid_from": "2024-01-01", "usd_per_unit": "1", "source": "x"},
    )
    assert bad.status_code == 400 and "it needs no rate" in bad.content.decode()

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["currency", "valid_from", "usd_per_unit", "source"])
    sheet.append(["EUR", dt.date(2024, 1, 1), 1.1, "[Test] rate"])
    sheet.append(["GBP", "2024-01-01", "", "[Test] rate"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("rates.xlsx", buffer.getvalue())
    failed = client.post(
        "/funding/exchange-rates/", {"action": "import", "file": upload}, follow=True
    )
    assert "<td>row 3</td><td><code>usd_per_unit</code></td>" in failed.content.decode()
    assert not ExchangeRate.objects.exists()

    upload = SimpleUploadedFile(
        "rates.csv", b"currency,valid_from,usd_per_unit,source\nEUR,2024-01-01,1.1,[Test] rate\n"
    )
    done = client.post(
        "/funding/exchange-rates/", {"action": "import", "file": upload}, follow=True
    )
    assert "1 rates were added." in done.content.decode()
    waiting.refresh_from_db()
    assert waiting.usd_value == Decimal("1100.00")


def test_need_page_shows_its_funding(client, nor, lao_need):
    make_flow(giver_state=nor, need=lao_need, status="pledge", amount=Decimal(300000))
    make_flow(giver_state=nor, need=lao_need, status="disbursement", amount=Decimal(200000))
    make_flow(giver_state=nor, need=lao_need, visibility="private", amount=Decimal(99000))
    page = client.get(f"/assistance/needs/{lao_need.pk}/").content.decode()
    assert 'id="funding-title"' in page and "need-funding-table" in page
    assert "1,000,000.00" in page  # required
    assert "300,000.00" in page and "200,000.00" in page
    assert "99,000" not in page  # a private flow stays hidden from a visitor


def test_iati_export(client, nor, lao, halo, lao_need):
    make_flow(
        giver_state=nor,
        need=lao_need,
        status="commitment",
        currency="NOK",
        amount=Decimal(10),
        reported_by_recipient=True,
    )
    make_flow(giver_state=nor, recipient_organisation=halo, status="expenditure")
    make_flow(giver_state=nor, recipient_state=lao, status="pledge")
    response = client.get("/funding/?format=iati")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    activities = root.findall("iati-activity")
    assert root.get("version") == "2.03" and len(activities) == 2  # the pledge is left out
    codes = sorted(a.find("transaction/transaction-type").get("code") for a in activities)
    assert codes == ["11", "4"]
    lao_activity = next(a for a in activities if a.find("recipient-country") is not None)
    assert lao_activity.find("recipient-country").get("code") == "LA"
    assert lao_activity.find("sector[@vocabulary='1']").get("code") == "15250"
    value = lao_activity.find("transaction/value")
    assert (value.get("currency"), value.text) == ("NOK", "10.00")


def test_a_donor_is_proposed_as_the_giver(client, donor_user):
    client.force_login(donor_user)
    page = client.get("/funding/flows/new/").content.decode()
    assert '<option value="NOR" selected>' in page


def test_lists_and_totals_use_a_bounded_number_of_queries(
    client, nor, lao, halo, coalition, lao_need, django_assert_max_num_queries
):
    # given many flows of every kind of party
    for index in range(30):
        make_flow(giver_state=nor, recipient_state=lao, need=lao_need if index % 2 else None)
        make_flow(giver_organisation=halo, recipient_coalition=coalition)
    # then the list, the API, a total and a download do not query per flow
    for url in ("/funding/", "/api/v1/flows/", "/funding/by/recipient/", "/funding/?format=csv"):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_htmx_filtering_returns_the_results_only(client, nor, lao):
    make_flow(giver_state=nor, recipient_state=lao)
    response = client.get("/funding/?status=disbursement", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results">') and "<h1>" not in page


def test_a_partner_edits_its_organisations_flow(client, partner_user, npa, lao):
    flow = make_flow(giver_organisation=npa, recipient_state=lao, visibility="private")
    client.force_login(partner_user)
    page = client.get(f"/funding/flows/{flow.pk}/edit/").content.decode()
    assert f'<option value="{npa.pk}" selected>' in page
    data = {
        "giver_organisation": npa.pk,
        "recipient_state": "LAO",
        "area": "victim_assistance",
        "status": "disbursement",
        "amount": "2500",
        "currency": "USD",
        "value_date": "2024-03-01",
        "visibility": "private",
        "lock_version": flow.lock_version,
    }
    assert client.post(f"/funding/flows/{flow.pk}/edit/", data).status_code == 302
    flow.refresh_from_db()
    assert (flow.area, flow.amount) == ("victim_assistance", Decimal("2500.00"))
