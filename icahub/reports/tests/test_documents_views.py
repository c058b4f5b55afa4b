"""Download a report as PDF, DOCX or XLSX; import a filled XLSX from the page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from icahub.registry.models import Convention, State
from icahub.reports import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(isu_user):
    report = services.report_start(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=2019,
    )
    services.version_update(
        version=services.current_draft(report),
        forms={
            "F": {
                "narrative": "Survey",
                "tables": {
                    "areas": [
                        {
                            "region": "Xieng Khouang",
                            "year": 2019,
                            "contaminated_m2": 900,
                            "cleared_m2": 100,
                            "remaining_m2": 800,
                        }
                    ]
                },
            }
        },
    )
    services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2020, 4, 1))
    return report


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("pdf", "application/pdf", b"%PDF"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
    ],
)
def test_a_visible_report_downloads_in_each_format(
    client, submitted, lbn_focal_point, fmt, content_type, magic
):
    client.force_login(lbn_focal_point)  # a States Party user sees submitted reports

    response = client.get(f"/reports/{submitted.pk}/download/{fmt}/")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content.startswith(magic)


def test_the_public_cannot_download_an_unpublished_report(client, submitted):
    assert client.get(f"/reports/{submitted.pk}/download/pdf/").status_code == 404


def test_an_exported_report_imports_into_its_amendment(client, submitted, lao_focal_point):
    # given the focal point's export of the submitted report, and an amendment opened
    client.force_login(lao_focal_point)
    exported = client.get(f"/reports/{submitted.pk}/download/xlsx/").content
    services.report_amend(report=submitted, user=lao_focal_point)

    # when it is imported from the page (in the background; its page follows it)
    response = client.post(
        "/reports/import/",
        {"file": SimpleUploadedFile("report.xlsx", exported)},
        follow=True,
    )

    # then the import's page links to the draft, which is the same as the submitted version
    assert response.redirect_chain[0][0].startswith("/imports/")
    assert f'href="/reports/{submitted.pk}/edit/"' in response.content.decode()
    first, draft = submitted.versions.order_by("number")
    assert draft.forms == first.forms


def test_a_file_that_is_not_xlsx_is_refused_with_a_message(client, lao_focal_point):
    client.force_login(lao_focal_point)

    response = client.post(
        "/reports/import/", {"file": SimpleUploadedFile("report.xlsx", b"not a spreadsheet")}
    )

    # the form refuses it before the import reads it, naming the field
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_file"' in page
    assert "not an accepted type. Accepted: XLSX." in page


def test_the_blank_template_downloads(client):
    response = client.get("/reports/template/CCM/")

    assert response.status_code == 200
    assert response.content.startswith(b"PK")
