import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

NEW_REPORT = {
    "state": "LAO",
    "convention": "CCM",
    "kind": "annual",
    "reporting_year": 2020,
    "forms": {
        "F": {
            "tables": {
                "areas": [
                    {
                        "region": "Xieng Khouang",
                        "year": 2020,
                        "contaminated_m2": 1000,
                        "cleared_m2": 400,
                        "remaining_m2": 600,
                    }
                ]
            }
        }
    },
    "needs": [{"area": "clearance", "modality": "financial", "title": "Survey of Xieng Khouang"}],
}


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def draft_id(lao_focal_point):
    response = _client(lao_focal_point).post("/api/v1/reports/", NEW_REPORT, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_focal_point_drafts_its_own_report(lao_focal_point):
    response = _client(lao_focal_point).post("/api/v1/reports/", NEW_REPORT, format="json")

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["version"], body["due_date"]) == ("draft", 1, "2021-04-30")
    assert body["needs"][0]["title"] == "Survey of Xieng Khouang"
    assert body["forms"]["F"]["tables"]["areas"][0]["remaining_m2"] == "600"


def test_focal_point_of_another_state_cannot_draft_it(lbn_focal_point):
    response = _client(lbn_focal_point).post("/api/v1/reports/", NEW_REPORT, format="json")

    assert response.status_code == 403


def test_bad_form_data_is_a_400_naming_the_path(lao_focal_point):
    bad = {**NEW_REPORT, "forms": {"B": {"tables": {"stockpiles": [{"type": "M26"}]}}}}

    response = _client(lao_focal_point).post("/api/v1/reports/", bad, format="json")

    assert response.status_code == 400
    assert "forms.B.tables.stockpiles[1].held" in response.json()


@pytest.mark.parametrize("who", ["anonymous", "lbn_focal_point", "coordinator_user", "donor_user"])
def test_a_draft_is_private_to_its_state_and_the_isu(draft_id, who, request):
    user = None if who == "anonymous" else request.getfixturevalue(who)

    response = _client(user).get(f"/api/v1/reports/{draft_id}/")
    listed = _client(user).get("/api/v1/reports/").json()

    assert response.status_code == 404
    assert draft_id not in [row["id"] for row in listed]


def test_submitted_report_is_seen_by_states_parties_and_published_by_everyone(
    draft_id, lao_focal_point, isu_user, lbn_focal_point, partner_user
):
    _client(lao_focal_point).post(f"/api/v1/reports/{draft_id}/submit/", {}, format="json")

    assert _client(lbn_focal_point).get(f"/api/v1/reports/{draft_id}/").status_code == 200
    assert _client(partner_user).get(f"/api/v1/reports/{draft_id}/").status_code == 404
    assert _client().get(f"/api/v1/reports/{draft_id}/").status_code == 404

    refused = _client(lao_focal_point).post(f"/api/v1/reports/{draft_id}/publish/")
    published = _client(isu_user).post(f"/api/v1/reports/{draft_id}/publish/")

    assert refused.status_code == 403
    assert published.json()["status"] == "published"
    assert _client().get(f"/api/v1/reports/{draft_id}/").status_code == 200


def test_editing_a_submitted_report_is_a_409_and_an_amendment_opens_a_new_version(
    draft_id, lao_focal_point
):
    client = _client(lao_focal_point)
    client.post(f"/api/v1/reports/{draft_id}/submit/", {}, format="json")

    edit = client.patch(f"/api/v1/reports/{draft_id}/", {"needs": []}, format="json")
    amend = client.post(f"/api/v1/reports/{draft_id}/amend/")
    second = client.post(f"/api/v1/reports/{draft_id}/amend/")

    assert edit.status_code == 409
    assert "status" in edit.json()
    assert amend.status_code == 201
    assert (amend.json()["version"], amend.json()["status"]) == (2, "draft")
    assert [v["number"] for v in amend.json()["versions"]] == [1, 2]
    assert second.status_code == 409


def test_only_the_isu_backdates_a_submission(draft_id, lao_focal_point, isu_user):
    refused = _client(lao_focal_point).post(
        f"/api/v1/reports/{draft_id}/submit/", {"submitted_on": "2021-04-01"}, format="json"
    )
    accepted = _client(isu_user).post(
        f"/api/v1/reports/{draft_id}/submit/", {"submitted_on": "2021-04-01"}, format="json"
    )

    assert refused.status_code == 400
    assert "submitted_on" in refused.json()
    assert accepted.json()["submitted_on"] == "2021-04-01"


def test_a_bare_not_applicable_on_a_relevant_form_is_flagged(lao_focal_point):
    # given Lao PDR, which has a clearance obligation, marking form F "not applicable"
    report = {**NEW_REPORT, "forms": {"F": {"status": "not_applicable"}}}

    response = _client(lao_focal_point).post("/api/v1/reports/", report, format="json")

    # then form F (and G, risk education) is flagged to the author
    assert "F" in response.json()["flagged_forms"]
