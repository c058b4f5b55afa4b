"""Needs and offers API: output, filters, writes per role, and 400s naming the field."""

from __future__ import annotations

import pytest

from icahub.assistance import services
from icahub.assistance.models import Need, Offer
from icahub.assistance.tests.conftest import make_need
from icahub.obligations.models import Obligation
from icahub.registry.models import State

pytestmark = pytest.mark.django_db

ROLE_FIXTURES = {
    "isu": "isu_user",
    "superuser": "superuser",
    "coordinator": "coordinator_user",
    "owner": "lao_focal_point",
    "other_state": "lbn_focal_point",
    "donor": "donor_user",
    "partner": "partner_user",
}
ROLES = ["anonymous", *ROLE_FIXTURES]


def _as(api, request, role: str) -> None:
    if role != "anonymous":
        api.force_authenticate(request.getfixturevalue(ROLE_FIXTURES[role]))


def _expect(allowed: set[str], ok: int, hidden: set[str] = frozenset()) -> dict[str, int]:
    """``ok`` for the allowed roles, 404 for those who cannot see the record, else 403."""
    return {role: ok if role in allowed else 404 if role in hidden else 403 for role in ROLES}


NEED_BODY = {"state": "LAO", "convention": "CCM", "area": "clearance", "modality": "technical"}


# --- reading -------------------------------------------------------------------------------


def test_a_need_reads_with_every_field(api, lao, ccm, isu_user):
    # given a need linked to its obligation, with a budget, a translation and quantities
    obligation = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    need = make_need(
        lao,
        ccm,
        visibility="public",
        budget_required="1000000",
        budget_secured="400000",
        currency="USD",
        obligation=obligation,
        area_m2="250000",
        survivors_to_reach=120,
    )
    services.need_add_translation(need=need, language="fr", title="Enquête", description="…")

    # when anyone reads it
    body = api.get(f"/api/v1/needs/{need.pk}/").json()

    # then every field is there, amounts as decimal strings and dates as ISO dates
    assert body == {
        "id": need.pk,
        "state": "LAO",
        "convention": "CCM",
        "area": "clearance",
        "modality": "financial",
        "title": "Survey of Xieng Khouang",
        "description": "",
        "language": "en",
        "translations": [
            {"language": "fr", "title": "Enquête", "description": "…", "lock_version": 0}
        ],
        "area_m2": "250000.00",
        "stockpiled_munitions": None,
        "survivors_to_reach": 120,
        "budget_required": "1000000.00",
        "budget_secured": "400000.00",
        "budget_gap": "600000.00",
        "currency": "USD",
        "value_date": None,
        "period_start": None,
        "period_end": None,
        "obligation": obligation.pk,
        "deadline": obligation.current_deadline.isoformat(),
        "visibility": "public",
        "status": "open",
        "source_report": None,
        "source_report_version": None,
        "lock_version": 0,
    }


def test_needs_are_filtered(api, lao, ccm, isu_user):
    # given needs of Lao PDR (South-eastern Asia, obligation due 2025-08-01) and Iraq
    obligation = Obligation.objects.get(state=lao, convention=ccm, kind="clearance")
    make_need(lao, ccm, title="lao-clearance", obligation=obligation)
    make_need(lao, ccm, title="lao-victims", area="victim_assistance", modality="training")
    make_need(State.objects.get(iso3="IRQ"), ccm, title="irq-clearance", status="met")
    api.force_authenticate(isu_user)

    def titles(**params) -> set[str]:
        response = api.get("/api/v1/needs/", params)
        assert response.status_code == 200, response.json()
        return {row["title"] for row in response.json()}

    # then each filter keeps what it says
    assert titles(state="lao") == {"lao-clearance", "lao-victims"}
    assert titles(area="victim_assistance") == {"lao-victims"}
    assert titles(modality="financial") == {"lao-clearance", "irq-clearance"}
    assert titles(status="met") == {"irq-clearance"}
    assert titles(region="035") == {"lao-clearance", "lao-victims"}
    assert titles(region="142") == {"lao-clearance", "lao-victims", "irq-clearance"}
    assert titles(deadline_before="2025-08-01") == {"lao-clearance"}
    assert titles(deadline_before="2025-07-31") == set()
    assert titles(convention="APMBC") == set()


def test_the_need_list_reads_in_a_bounded_number_of_queries(
    api, lao, ccm, isu_user, django_assert_max_num_queries
):
    # given twenty needs with translations
    for index in range(20):
        need = make_need(lao, ccm, title=f"need {index}")
        services.need_add_translation(need=need, language="fr", title=f"besoin {index}")
    api.force_authenticate(isu_user)

    # when listed, then the queries do not grow with the rows
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/needs/")
    assert len(response.json()) == 20


def test_the_offer_list_reads_in_a_bounded_number_of_queries(
    api, nor, isu_user, django_assert_max_num_queries
):
    # given twenty offers, each with priority countries
    countries = list(State.objects.filter(iso3__in=["LAO", "IRQ"]))
    for index in range(20):
        services.offer_create(
            provider_state=nor,
            title=f"offer {index}",
            areas=["clearance"],
            priority_countries=countries,
        )
    api.force_authenticate(isu_user)

    # when listed by region, then the queries do not grow with the rows
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/offers/", {"region": "035"})
    assert len(response.json()) == 20


def test_offers_are_filtered_by_region_area_and_provider(api, nor, npa, isu_user):
    # given offers prioritising Asia, Lao PDR, and nothing in particular
    lao = State.objects.get(iso3="LAO")
    services.offer_create(
        provider_state=nor, title="asia", areas=["clearance"], priority_regions=["142"]
    )
    services.offer_create(
        provider_organisation=npa,
        title="lao",
        areas=["victim_assistance"],
        modalities=["technical"],
        priority_countries=[lao],
    )
    services.offer_create(provider_state=nor, title="anywhere", areas=["other"], status="closed")
    api.force_authenticate(isu_user)

    def titles(**params) -> set[str]:
        response = api.get("/api/v1/offers/", params)
        assert response.status_code == 200, response.json()
        return {row["title"] for row in response.json()}

    # then a sub-region is covered by its region and by a priority country in it
    assert titles(region="035") == {"asia", "lao"}
    assert titles(region="145") == {"asia"}
    assert titles(region="002") == set()
    assert titles(area="victim_assistance") == {"lao"}
    assert titles(modality="technical") == {"lao"}
    assert titles(provider_state="NOR") == {"asia", "anywhere"}
    assert titles(status="closed") == {"anywhere"}


# --- writing per role ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), _expect({"isu", "superuser", "owner"}, 201).items())
def test_who_may_create_a_need(api, request, role, expected):
    # given a user of this role
    _as(api, request, role)

    # when they record a Lao PDR need
    response = api.post("/api/v1/needs/", {**NEED_BODY, "title": "Survey"}, format="json")

    # then only the ISU and Lao PDR's focal point may
    assert response.status_code == expected, response.json()
    assert Need.objects.filter(title="Survey").exists() == (expected == 201)


@pytest.mark.parametrize(
    ("role", "expected"),
    _expect({"isu", "superuser", "owner"}, 200, hidden={"partner"}).items(),
)
def test_who_may_change_a_need(api, request, lao_need, role, expected):
    # given a Lao PDR need seen by States Parties, and a user of this role
    _as(api, request, role)

    # when they mark it partly met
    response = api.patch(
        f"/api/v1/needs/{lao_need.pk}/",
        {"status": "partly_met", "lock_version": lao_need.lock_version},
        format="json",
    )

    # then the ISU and the owner may; a user who cannot see it is told it does not exist
    assert response.status_code == expected, response.json()
    lao_need.refresh_from_db()
    assert (lao_need.status == "partly_met") == (expected == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    _expect({"isu", "superuser", "owner"}, 201, hidden={"partner"}).items(),
)
def test_who_may_translate_a_need(api, request, lao_need, role, expected):
    _as(api, request, role)

    response = api.post(
        f"/api/v1/needs/{lao_need.pk}/translations/",
        {"language": "ar", "title": "مسح"},
        format="json",
    )

    assert response.status_code == expected, response.json()
    if expected == 201:
        assert response.json()["translations"] == [
            {"language": "ar", "title": "مسح", "description": "", "lock_version": 0}
        ]


@pytest.mark.parametrize(("role", "expected"), _expect({"isu", "superuser", "donor"}, 201).items())
def test_who_may_create_a_norwegian_offer(api, request, role, expected):
    _as(api, request, role)

    response = api.post(
        "/api/v1/offers/",
        {"provider_state": "NOR", "title": "Offer", "areas": ["clearance"]},
        format="json",
    )

    assert response.status_code == expected, response.json()
    assert Offer.objects.filter(title="Offer").exists() == (expected == 201)


@pytest.mark.parametrize(
    ("role", "expected"),
    _expect(
        {"isu", "superuser", "partner"},
        200,
        hidden={"coordinator", "owner", "other_state", "donor"},
    ).items(),
)
def test_who_may_change_a_private_npa_offer(api, request, npa, role, expected):
    # given a private offer by NPA
    offer = services.offer_create(
        provider_organisation=npa, title="NPA offer", areas=["clearance"], visibility="private"
    )
    _as(api, request, role)

    # when a user closes it
    response = api.patch(
        f"/api/v1/offers/{offer.pk}/",
        {"status": "closed", "lock_version": offer.lock_version},
        format="json",
    )

    # then NPA's member and the ISU may; the others signed in do not even see it
    assert response.status_code == expected, response.json()


def test_a_donor_offer_defaults_to_the_donors_state(api, donor_user):
    # when a donor records an offer without naming the provider
    api.force_authenticate(donor_user)
    response = api.post(
        "/api/v1/offers/",
        {
            "title": "Victim assistance fund",
            "areas": ["victim_assistance"],
            "priority_countries": ["lao", "IRQ"],
            "priority_regions": ["145"],
            "languages": ["en", "ar"],
            "budget_envelope": "2000000",
            "currency": "nok",
            "period_start": "2026-01-01",
            "period_end": "2027-12-31",
        },
        format="json",
    )

    # then it is Norway's
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["provider_state"] == "NOR"
    assert body["provider_organisation"] is None
    assert body["priority_countries"] == ["IRQ", "LAO"]
    assert body["budget_envelope"] == "2000000.00"
    assert body["currency"] == "NOK"
    assert body["visibility"] == "states_parties"


def test_a_partner_offer_defaults_to_the_partners_organisation(api, partner_user, npa):
    api.force_authenticate(partner_user)

    response = api.post(
        "/api/v1/offers/", {"title": "Survey teams", "areas": ["clearance"]}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["provider_organisation"] == npa.pk


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEED_BODY, "title": "x", "state": "ZZZ"}, "state"),
        ({**NEED_BODY, "title": "x", "convention": "XYZ"}, "convention"),
        ({**NEED_BODY, "title": "x", "area": "demining"}, "area"),
        ({**NEED_BODY}, "title"),
        ({**NEED_BODY, "title": "x", "budget_required": "100"}, "currency"),
        (
            {**NEED_BODY, "title": "x", "budget_required": "-5", "currency": "USD"},
            "budget_required",
        ),
        (
            {
                **NEED_BODY,
                "title": "x",
                "budget_required": "100",
                "budget_secured": "200",
                "currency": "USD",
            },
            "budget_secured",
        ),
        (
            {**NEED_BODY, "title": "x", "budget_required": "abc", "currency": "USD"},
            "budget_required",
        ),
        ({**NEED_BODY, "title": "x", "value_date": "2026-02-30"}, "value_date"),
        ({**NEED_BODY, "title": "x", "obligation": 999999}, "obligation"),
        ({**NEED_BODY, "title": "x", "visibility": "secret"}, "visibility"),
        ({**NEED_BODY, "title": "x", "budget_gap": "1"}, "budget_gap"),
        ({**NEED_BODY, "title": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_need_input_is_a_400_naming_the_field(api, isu_user, body, field):
    api.force_authenticate(isu_user)

    response = api.post("/api/v1/needs/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_an_obligation_of_another_state_is_a_400(api, lao_focal_point):
    # given Iraq's clearance obligation
    iraq = Obligation.objects.get(state__iso3="IRQ", convention__code="CCM", kind="clearance")
    api.force_authenticate(lao_focal_point)

    # when Lao PDR's focal point links a need to it
    response = api.post(
        "/api/v1/needs/", {**NEED_BODY, "title": "x", "obligation": iraq.pk}, format="json"
    )

    # then it is refused naming the obligation
    assert response.status_code == 400
    assert set(response.json()) == {"obligation"}


def test_a_need_patch_cannot_move_it_to_another_state(api, isu_user, lao_need):
    api.force_authenticate(isu_user)

    response = api.patch(f"/api/v1/needs/{lao_need.pk}/", {"state": "IRQ"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"state": ["This field cannot be edited."]}


def test_a_translation_in_the_original_language_is_a_400(api, isu_user, lao_need):
    api.force_authenticate(isu_user)

    response = api.post(
        f"/api/v1/needs/{lao_need.pk}/translations/",
        {"language": "en", "title": "Survey"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"language"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "999"}, "region"),
        ({"deadline_before": "soon"}, "deadline_before"),
        ({"state": "XX"}, "state"),
        ({"status": "pending"}, "status"),
    ],
)
def test_bad_need_filters_are_a_400_naming_the_field(api, params, field):
    response = api.get("/api/v1/needs/", params)

    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider_state": "NOR", "title": "x", "areas": []}, "areas"),
        ({"provider_state": "NOR", "title": "x", "areas": ["demining"]}, "areas"),
        (
            {"provider_state": "NOR", "provider_organisation": 1, "title": "x", "areas": ["other"]},
            "provider_state",
        ),
        (
            {
                "provider_state": "NOR",
                "title": "x",
                "areas": ["other"],
                "priority_countries": ["ZZZ"],
            },
            "priority_countries",
        ),
        (
            {
                "provider_state": "NOR",
                "title": "x",
                "areas": ["other"],
                "priority_regions": ["999"],
            },
            "priority_regions",
        ),
        (
            {"provider_state": "NOR", "title": "x", "areas": ["other"], "budget_envelope": "10"},
            "currency",
        ),
        (
            {"provider_organisation": 999999, "title": "x", "areas": ["other"]},
            "provider_organisation",
        ),
        ({"title": "x", "areas": ["other"]}, "provider_state"),
    ],
)
def test_bad_offer_input_is_a_400_naming_the_field(api, isu_user, body, field):
    api.force_authenticate(isu_user)

    response = api.post("/api/v1/offers/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_an_unknown_need_is_a_404(api):
    response = api.get("/api/v1/needs/999999/")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_endpoints_are_in_the_openapi_schema(api):
    response = api.get("/api/v1/schema/", {"format": "json"})

    paths = response.json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/needs/"])
    assert {"get", "patch"} <= set(paths["/api/v1/needs/{id}/"])
    assert "post" in paths["/api/v1/needs/{id}/translations/"]
    assert {"post", "get"} <= set(paths["/api/v1/offers/"])
