"""The 2017 scenario of source document 001, rebuilt through the services."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from icahub.registry.models import Convention, Membership
from icahub.reports import services
from icahub.reports.statistics import assistance_request_statistics

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2018, 6, 27)


def _need(area: str) -> dict:
    return {"area": area, "modality": "financial", "title": f"Support for {area}"}


def _file_report(state, isu, needs: list[str], submitted_on: dt.date):
    ccm = Convention.objects.get(code="CCM")
    report = services.report_start(
        state=state, convention=ccm, kind="annual", reporting_year=2017, user=isu
    )
    forms = {"J": {"narrative": "Nothing further."}}
    if needs:
        forms["needs"] = {"tables": {"needs": [_need(area) for area in needs]}}
    services.version_update(version=services.current_draft(report), forms=forms)
    services.report_submit(report=report, user=isu, submitted_on=submitted_on)
    return report


@pytest.fixture
def scenario_2017(isu_user):
    # given 58 States Parties' 2017 reports submitted by 27 June 2018, 12 of them requesting
    # assistance: 2 for stockpile destruction, 9 clearance, 3 risk reduction education,
    # 5 victim assistance, 1 national legislation (source document 001)
    parties = [
        m.state
        for m in Membership.objects.filter(
            convention__code="CCM", entry_into_force__lte=dt.date(2017, 1, 1)
        )
        .select_related("state")
        .order_by("state__iso3")[:59]
    ]
    needs = {index: [] for index in range(58)}
    for index in range(9):
        needs[index].append("clearance")
    for index in range(3):
        needs[index].append("risk_education")
    for index in range(2):
        needs[index].append("stockpile_destruction")
    for index in range(7, 12):
        needs[index].append("victim_assistance")
    needs[11].append("national_legislation")
    reports = [
        _file_report(state, isu_user, needs[index], dt.date(2018, 4, 30))
        for index, state in enumerate(parties[:58])
    ]
    return parties, reports


def test_the_2017_statistic_of_source_document_001(scenario_2017):
    # when the statistic is asked as of 27 June 2018
    stats = assistance_request_statistics(convention="CCM", reporting_year=2017, as_of=AS_OF)

    # then it gives the ISU's figures and sentence
    assert stats.reports_submitted == 58
    assert stats.states_requesting == 12
    assert {k: v for k, v in stats.by_area.items() if v} == {
        "stockpile_destruction": 2,
        "clearance": 9,
        "risk_education": 3,
        "victim_assistance": 5,
        "national_legislation": 1,
    }
    assert stats.sentence("en") == (
        "As of 27 June 2018, 12 out of 58 States Parties that had submitted their 2017 "
        "Article 7 reports requested international cooperation and assistance: "
        "2 for stockpile destruction, 9 for clearance, 3 for risk reduction education, "
        "5 for victim assistance and 1 for national legislation."
    )


def test_later_submissions_and_amendments_do_not_change_an_earlier_date(scenario_2017, isu_user):
    parties, reports = scenario_2017
    # given a 59th report submitted after 27 June 2018
    _file_report(parties[58], isu_user, ["clearance"], dt.date(2018, 7, 2))
    # and a requesting state's amendment, submitted after that date, withdrawing its needs
    amended = reports[0]
    draft = services.report_amend(report=amended, user=isu_user)
    services.version_update(version=draft, forms={"J": {"narrative": "No needs."}})
    services.report_submit(report=amended, user=isu_user, submitted_on=dt.date(2018, 8, 1))

    # when the statistic is asked as of 27 June 2018, and as of today
    then = assistance_request_statistics(convention="CCM", reporting_year=2017, as_of=AS_OF)
    now = assistance_request_statistics(
        convention="CCM", reporting_year=2017, as_of=dt.date(2019, 1, 1)
    )

    # then the earlier date is unchanged; the later one sees both changes
    assert (then.reports_submitted, then.states_requesting) == (58, 12)
    assert (now.reports_submitted, now.states_requesting) == (59, 12)
    assert now.by_area["stockpile_destruction"] == 1
    assert parties[0].iso3 not in now.states and parties[58].iso3 in now.states


def test_drafts_are_never_counted(isu_user):
    ccm = Convention.objects.get(code="CCM")
    lao = Membership.objects.get(state__iso3="LAO", convention=ccm).state
    services.report_start(state=lao, convention=ccm, kind="annual", reporting_year=2017)

    stats = assistance_request_statistics(convention="CCM", reporting_year=2017, as_of=AS_OF)

    assert stats.reports_submitted == 0
    assert stats.sentence("en").startswith("As of 27 June 2018, 0 out of 0 States Parties")


@pytest.mark.parametrize(
    ("language", "start"),
    [
        ("fr", "Au 27 juin 2018, 12 des 58 États parties"),
        ("es", "Al 27 de junio de 2018, 12 de los 58 Estados partes"),
        ("ar", "حتى 27 يونيو 2018"),
    ],
)
def test_the_endpoint_speaks_the_request_language(scenario_2017, language, start):
    response = APIClient().get(
        "/api/v1/statistics/assistance-requests/",
        {"convention": "CCM", "reporting_year": 2017, "as_of": "2018-06-27"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    body = response.json()
    assert response.status_code == 200
    assert body["reports_submitted"] == 58
    assert body["states_requesting"] == 12
    assert len(body["states"]) == 12
    assert body["text"].startswith(start), body["text"]


def test_the_endpoint_in_english_matches_the_contract(scenario_2017):
    response = APIClient().get(
        "/api/v1/statistics/assistance-requests/",
        {"convention": "CCM", "reporting_year": 2017, "as_of": "2018-06-27"},
    )

    body = response.json()
    assert set(body) == {
        "convention",
        "reporting_year",
        "as_of",
        "reports_submitted",
        "states_requesting",
        "by_area",
        "states",
        "text",
    }
    assert (body["convention"], body["reporting_year"], body["as_of"]) == (
        "CCM",
        2017,
        "2018-06-27",
    )
    assert body["by_area"]["clearance"] == 9


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"convention": "XYZ", "reporting_year": 2017, "as_of": "2018-06-27"}, "convention"),
        ({"convention": "CCM", "reporting_year": "abc", "as_of": "2018-06-27"}, "reporting_year"),
        ({"convention": "CCM", "reporting_year": 2017, "as_of": "2018-02-30"}, "as_of"),
        ({"convention": "CCM", "as_of": "2018-06-27"}, "reporting_year"),
    ],
)
def test_the_endpoint_names_bad_input(params, field):
    response = APIClient().get("/api/v1/statistics/assistance-requests/", params)

    assert response.status_code == 400
    assert field in response.json()
