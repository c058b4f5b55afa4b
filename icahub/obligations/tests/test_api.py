import pytest
from rest_framework.test import APIClient

from icahub.obligations.models import Obligation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _lao_clearance() -> Obligation:
    return Obligation.objects.get(state__iso3="LAO", convention__code="CCM", kind="clearance")


def test_obligations_filtered_by_state_and_convention(api):
    response = api.get("/api/v1/obligations/", {"state": "IRQ", "convention": "CCM"})

    assert response.status_code == 200
    [row] = response.json()
    assert row["state"] == "IRQ"
    assert row["convention"] == "CCM"
    assert row["article"] == 4
    assert row["kind"] == "clearance"
    assert row["original_deadline"] == row["current_deadline"] == "2023-11-01"
    assert row["extensions"] == []
    assert row["completion"] is None
    assert set(row) >= {"id", "status"}


def test_extensions_are_listed_in_order(api):
    response = api.get("/api/v1/obligations/", {"state": "CHL"})

    [row] = response.json()
    assert [e["new_deadline"] for e in row["extensions"]] == [
        "2022-06-01",
        "2023-06-01",
        "2026-06-01",
    ]
    assert row["extensions"][2]["decided_by"] == "10MSP (2022)"
    assert row["extensions"][0]["decided_on"] is None


def test_unknown_state_in_filter_names_the_field(api):
    response = api.get("/api/v1/obligations/", {"state": "ZZZ"})

    assert response.status_code == 400
    assert "state" in response.json()


def test_anonymous_cannot_write(api):
    response = api.post(
        "/api/v1/obligations/", {"state": "AFG", "convention": "APMBC", "kind": "clearance"}
    )

    assert response.status_code in (401, 403)


def test_isu_creates_an_obligation_with_the_computed_deadline(api, isu_user):
    api.force_authenticate(isu_user)

    response = api.post(
        "/api/v1/obligations/",
        {"state": "afg", "convention": "APMBC", "kind": "clearance"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["original_deadline"] == "2013-03-01"
    assert response.json()["article"] == 5


def test_create_for_a_non_party_names_the_state(api, isu_user):
    api.force_authenticate(isu_user)

    response = api.post(
        "/api/v1/obligations/",
        {"state": "USA", "convention": "CCM", "kind": "clearance"},
        format="json",
    )

    assert response.status_code == 400
    assert "state" in response.json()


def test_focal_point_cannot_create(api, lao_focal_point):
    api.force_authenticate(lao_focal_point)

    response = api.post(
        "/api/v1/obligations/",
        {"state": "LAO", "convention": "CCM", "kind": "victim_assistance"},
        format="json",
    )

    assert response.status_code == 403


def test_isu_patches_completion(api, isu_user):
    obligation = _lao_clearance()
    api.force_authenticate(isu_user)

    response = api.patch(
        f"/api/v1/obligations/{obligation.pk}/",
        {
            "completion_declaration": "Declared at 14MSP",
            "completed_on": "2026-09-01",
            "lock_version": obligation.lock_version,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["completion"] == {
        "completed_on": "2026-09-01",
        "declaration": "Declared at 14MSP",
    }
    assert response.json()["status"] == "completed"


def test_patch_of_a_computed_field_names_it(api, isu_user):
    obligation = _lao_clearance()
    api.force_authenticate(isu_user)

    response = api.patch(
        f"/api/v1/obligations/{obligation.pk}/",
        {"current_deadline": "2040-01-01", "lock_version": obligation.lock_version},
        format="json",
    )

    assert response.status_code == 400
    assert "current_deadline" in response.json()


def test_patch_with_an_impossible_date_names_the_field(api, isu_user):
    obligation = _lao_clearance()
    api.force_authenticate(isu_user)

    response = api.patch(
        f"/api/v1/obligations/{obligation.pk}/",
        {"completed_on": "2025-02-30", "lock_version": obligation.lock_version},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["completed_on"] == ["2025-02-30 is not a date in the calendar."]


def test_malformed_body_is_a_400(api, isu_user):
    obligation = _lao_clearance()
    api.force_authenticate(isu_user)

    response = api.generic(
        "PATCH",
        f"/api/v1/obligations/{obligation.pk}/",
        "{not json",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "detail" in response.json()


def test_focal_point_patches_own_obligation_but_not_another(api, lao_focal_point):
    api.force_authenticate(lao_focal_point)
    own = _lao_clearance()
    other = Obligation.objects.get(state__iso3="LBN", kind="clearance")

    allowed = api.patch(
        f"/api/v1/obligations/{own.pk}/",
        {"notes": "Survey", "lock_version": own.lock_version},
        format="json",
    )
    refused = api.patch(
        f"/api/v1/obligations/{other.pk}/",
        {"notes": "x", "lock_version": other.lock_version},
        format="json",
    )

    assert allowed.status_code == 200
    assert refused.status_code == 403
    other.refresh_from_db()
    assert other.notes == ""


def test_isu_records_an_extension_over_the_api(api, isu_user):
    obligation = _lao_clearance()
    api.force_authenticate(isu_user)

    too_long = api.post(
        f"/api/v1/obligations/{obligation.pk}/extensions/",
        {"new_deadline": "2031-01-01"},
        format="json",
    )
    granted = api.post(
        f"/api/v1/obligations/{obligation.pk}/extensions/",
        {"new_deadline": "2030-08-01", "decided_by": "13MSP (2025)"},
        format="json",
    )

    assert too_long.status_code == 400
    assert "new_deadline" in too_long.json()
    assert granted.status_code == 201
    assert granted.json()["current_deadline"] == "2030-08-01"


def test_deadlines_calculator_endpoint(api):
    response = api.get("/api/v1/rules/deadlines/", {"convention": "CCM", "deposited": "2016-04-19"})

    assert response.status_code == 200
    assert response.json() == {
        "convention": "CCM",
        "deposited": "2016-04-19",
        "entry_into_force": "2016-10-01",
        "initial_report_due": "2017-03-30",
        "stockpile_destruction_deadline": "2024-10-01",
        "clearance_deadline": "2026-10-01",
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"convention": "CCM", "deposited": "2016-02-30"}, "deposited"),
        ({"convention": "CCM", "deposited": "19/04/2016"}, "deposited"),
        ({"convention": "XYZ", "deposited": "2016-04-19"}, "convention"),
        ({"convention": "CCM", "deposited": "2008-12-02"}, "deposited"),
        ({"convention": "APMBC"}, "deposited"),
    ],
)
def test_deadlines_calculator_bad_input_names_the_field(api, params, field):
    response = api.get("/api/v1/rules/deadlines/", params)

    assert response.status_code == 400
    assert field in response.json()
    assert response.json()[field][0]


def test_a_post_without_the_trailing_slash_is_served_not_redirected(api, isu_user):
    api.force_authenticate(isu_user)

    response = api.post(
        "/api/v1/obligations",
        {"state": "AFG", "convention": "APMBC", "kind": "clearance"},
        format="json",
    )

    assert response.status_code == 201


def test_an_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_obligation_status_on_a_past_date(api):
    response = api.get("/api/v1/obligations/", {"state": "LBN", "on": "2024-01-01"})

    assert response.json()[0]["status"] == "in_progress"
