import datetime as dt

import pytest
from django.core import mail

from icahub.registry.models import Convention, State
from icahub.reports import services

pytestmark = pytest.mark.django_db


def _submitted(iso3: str, year: int, on: dt.date, isu, needs=()):
    report = services.report_start(
        state=State.objects.get(iso3=iso3),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=year,
    )
    if needs:
        services.version_update(
            version=services.current_draft(report),
            forms={
                "needs": {
                    "tables": {
                        "needs": [
                            {"area": area, "modality": "financial", "title": area} for area in needs
                        ]
                    }
                }
            },
        )
    services.report_submit(report=report, user=isu, submitted_on=on)
    return report


def test_statistics_page_gives_the_sentence_the_chart_and_its_table(client, isu_user):
    _submitted("LAO", 2017, dt.date(2018, 4, 30), isu_user, ["clearance", "victim_assistance"])
    _submitted("DEU", 2017, dt.date(2018, 4, 1), isu_user)

    page = client.get(
        "/reports/statistics/",
        {"convention": "CCM", "reporting_year": 2017, "as_of": "2018-06-27"},
    ).content.decode()

    assert "As of 27 June 2018, 1 out of 2 States Parties" in page
    assert "<svg" in page and '<title id="chart-title">' in page
    assert "<caption>CCM annual reports for 2017" in page


def test_statistics_page_names_a_bad_year(client):
    page = client.get(
        "/reports/statistics/", {"convention": "CCM", "reporting_year": "abc"}
    ).content.decode()

    assert "There is a problem" in page
    assert 'href="#id_reporting_year"' in page


def test_who_has_reported_sorts_on_time_late_and_missing(client, isu_user):
    _submitted("LAO", 2017, dt.date(2018, 4, 30), isu_user)
    _submitted("DEU", 2017, dt.date(2018, 5, 2), isu_user)

    page = client.get(
        "/reports/who-has-reported/", {"convention": "CCM", "reporting_year": 2017}
    ).content.decode()

    lao = page[page.index("Lao People") :][:400]
    germany = page[page.index("Germany") :][:400]
    iraq = page[page.index("Iraq") :][:400]
    assert "Submitted on time" in lao
    assert "Submitted late" in germany
    assert "Missing" in iraq


def test_isu_reminds_the_focal_points_of_missing_reports(client, isu_user, lao_focal_point):
    lao_focal_point.email = "focal@example.org"
    lao_focal_point.save()
    client.force_login(isu_user)

    response = client.post(
        "/reports/who-has-reported/reminders/", {"convention": "CCM", "reporting_year": 2017}
    )

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["focal@example.org"]]
    assert "2017" in mail.outbox[0].subject


def test_a_report_page_shows_its_forms_and_versions(client, isu_user):
    report = _submitted("LAO", 2017, dt.date(2018, 4, 30), isu_user, ["clearance"])
    draft = services.report_amend(report=report, user=isu_user)
    services.version_update(version=draft, forms={"J": {"narrative": "Amended"}})
    services.report_submit(report=report, user=isu_user, submitted_on=dt.date(2018, 5, 5))
    services.version_publish(version=report.versions.get(number=2))
    services.version_publish(version=report.versions.get(number=1))

    page = client.get(f"/reports/{report.pk}/").content.decode()
    diff = client.get(f"/reports/{report.pk}/differences/", {"from": 1, "to": 2}).content.decode()

    assert "Form J: Other relevant matters" in page
    assert "Version 1" in page and "what changed" in page
    assert "forms.J.narrative" in diff and "Amended" in diff


def test_a_draft_page_is_hidden_from_the_public(client):
    report = services.report_start(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        kind="annual",
        reporting_year=2020,
    )

    assert client.get(f"/reports/{report.pk}/").status_code == 404
