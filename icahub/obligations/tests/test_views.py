import csv
import io

import pytest
from openpyxl import load_workbook

from icahub.obligations.models import Obligation

pytestmark = pytest.mark.django_db


def _lao() -> Obligation:
    return Obligation.objects.get(state__iso3="LAO", kind="clearance")


def test_obligations_page_lists_deadlines_and_statuses(client):
    response = client.get("/obligations/", {"state": "LAO"})

    page = response.content.decode()
    assert "Lao People&#x27;s Democratic Republic" in page
    assert "2020-08-01" in page and "2025-08-01" in page
    assert "<caption>" in page


def test_csv_export_carries_the_filtered_rows(client):
    response = client.get("/obligations/", {"convention": "CCM", "format": "csv"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["State", "ISO code", "Convention"]
    by_iso = {row[1]: row for row in rows[1:]}
    assert len(by_iso) == 10
    assert by_iso["BGR"][5:7] == ["2019-10-01", "2023-12-31"]
    assert by_iso["IRQ"][7] == ""


def test_xlsx_export_has_the_same_rows_as_csv(client):
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get("/obligations/", {"format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    response = client.get("/obligations/", {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    xlsx_rows = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert xlsx_rows == csv_rows


def test_extension_form_shows_the_error_summary_and_keeps_the_input(client, isu_user):
    client.force_login(isu_user)

    response = client.post(
        f"/obligations/{_lao().pk}/extensions/new/",
        {
            "new_deadline": "2031-08-01",
            "decided_by": "13MSP (2025)",
            "lock_version": _lao().lock_version,
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_new_deadline"' in page
    assert 'value="2031-08-01"' in page
    assert 'value="13MSP (2025)"' in page


def test_extension_form_rejects_an_impossible_date_by_name(client, isu_user):
    client.force_login(isu_user)

    response = client.post(
        f"/obligations/{_lao().pk}/extensions/new/",
        {"new_deadline": "2030-02-30", "lock_version": _lao().lock_version},
    )

    assert "There is a problem" in response.content.decode()
    assert _lao().extensions.count() == 1


def test_isu_sees_who_changed_the_obligation(client, isu_user):
    client.force_login(isu_user)
    client.post(
        f"/obligations/{_lao().pk}/extensions/new/",
        {
            "new_deadline": "2030-08-01",
            "decided_by": "13MSP (2025)",
            "lock_version": _lao().lock_version,
        },
    )

    page = client.get(f"/obligations/{_lao().pk}/").content.decode()

    assert "History of changes" in page
    assert "isu-test" in page
    assert "2030-08-01" in page or "1 August 2030" in page


def test_the_public_does_not_see_the_history(client):
    page = client.get(f"/obligations/{_lao().pk}/").content.decode()

    assert "History of changes" not in page


def test_calculator_page_gives_the_deadlines(client):
    response = client.get(
        "/obligations/calculator/", {"convention": "CCM", "deposited": "2016-04-19"}
    )

    page = response.content.decode()
    assert "1 October 2016" in page
    assert "1 October 2026" in page


def test_calculator_page_explains_a_deposit_before_signature_opened(client):
    response = client.get(
        "/obligations/calculator/", {"convention": "CCM", "deposited": "2008-01-01"}
    )

    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_deposited"' in page


def test_isu_creates_an_obligation_from_the_page(client, isu_user):
    from icahub.registry.models import Convention, State

    client.force_login(isu_user)
    response = client.post(
        "/obligations/new/",
        {
            "state": State.objects.get(iso3="AFG").pk,
            "convention": Convention.objects.get(code="APMBC").pk,
            "kind": "clearance",
        },
    )

    created = Obligation.objects.get(state__iso3="AFG", convention__code="APMBC")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/obligations/{created.pk}/")
