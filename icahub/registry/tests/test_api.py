import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_conventions_list_gives_codes_names_and_entry_into_force(api):
    response = api.get("/api/v1/conventions/")

    assert response.status_code == 200
    by_code = {row["code"]: row for row in response.json()}
    assert set(by_code) == {"CCM", "APMBC"}
    assert by_code["CCM"]["entry_into_force"] == "2010-08-01"
    assert by_code["CCM"]["name"] == "Convention on Cluster Munitions"


def test_state_detail_gives_memberships_with_status(api):
    response = api.get("/api/v1/states/lao/")

    assert response.status_code == 200
    body = response.json()
    assert (body["iso3"], body["iso2"], body["region"]) == ("LAO", "LA", "Asia")
    ccm = next(m for m in body["memberships"] if m["convention"] == "CCM")
    assert ccm == {
        "convention": "CCM",
        "signed": "2008-12-03",
        "deposited": "2009-03-18",
        "instrument": "ratification",
        "entry_into_force": "2010-08-01",
        "withdrawal_effective": None,
        "status": "party",
    }


def test_state_name_follows_the_request_language(api):
    response = api.get("/api/v1/states/LAO/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.json()["name"] == "République démocratique populaire lao"


def test_states_filter_by_convention_and_status(api):
    response = api.get("/api/v1/states/", {"convention": "CCM", "status": "withdrawn"})

    assert response.status_code == 200
    assert [row["iso3"] for row in response.json()] == ["LTU"]


def test_unknown_state_is_a_404_with_a_json_body(api):
    response = api.get("/api/v1/states/ZZZ/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_unknown_convention_filter_names_the_field(api):
    response = api.get("/api/v1/states/", {"convention": "XYZ"})

    assert response.status_code == 400
    assert "convention" in response.json()


def test_schema_and_docs_are_served(api):
    schema = api.get("/api/v1/schema/")
    docs = api.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/obligations/" in schema.content
    assert docs.status_code == 200


def test_statuses_can_be_read_at_any_date(api):
    # given Lithuania, a CCM party until its withdrawal took effect on 6 March 2025
    before = api.get("/api/v1/states/LTU/", {"on": "2025-03-05"}).json()
    after = api.get("/api/v1/states/LTU/", {"on": "2025-03-06"}).json()

    def ccm(body):
        return next(m["status"] for m in body["memberships"] if m["convention"] == "CCM")

    # then the status follows the date asked
    assert (ccm(before), ccm(after)) == ("party", "withdrawn")


def test_states_filtered_by_status_on_a_date(api):
    # given the CCM before it entered into force (1 August 2010)
    response = api.get(
        "/api/v1/states/", {"convention": "CCM", "status": "party", "on": "2010-07-31"}
    )

    # then no state was yet a party in force
    assert response.json() == []
