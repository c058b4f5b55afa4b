"""Who sees which need and offer, in lists and details alike, per role."""

from __future__ import annotations

import pytest

from icahub.assistance import selectors
from icahub.assistance.tests.conftest import VISIBILITIES, make_need
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

# Lao PDR's CCM needs, by visibility: who sees them. Lebanon and Norway are CCM parties;
# a partner organisation member belongs to no state. No Country Coalition exists here, so
# "coalition" is owner and ISU only (coalition members: icahub/coalitions/tests/
# test_assistance_visibility.py).
NEEDS_SEEN_BY = {
    "anonymous": {"public"},
    "isu": set(VISIBILITIES),
    "superuser": set(VISIBILITIES),
    "coordinator": {"public", "states_parties"},
    "owner": set(VISIBILITIES),
    "other_state": {"public", "states_parties"},
    "donor": {"public", "states_parties"},
    "partner": {"public"},
}

# Offers by Norway (a donor state) and by NPA (an organisation), by visibility.
OFFERS_SEEN_BY = {
    "anonymous": {("NOR", "public"), ("NPA", "public")},
    "isu": {(p, v) for p in ("NOR", "NPA") for v in VISIBILITIES},
    "superuser": {(p, v) for p in ("NOR", "NPA") for v in VISIBILITIES},
    "coordinator": {(p, v) for p in ("NOR", "NPA") for v in ("public", "states_parties")},
    "owner": {(p, v) for p in ("NOR", "NPA") for v in ("public", "states_parties")},
    "other_state": {(p, v) for p in ("NOR", "NPA") for v in ("public", "states_parties")},
    "donor": {(p, v) for p in ("NOR", "NPA") for v in ("public", "states_parties")}
    | {("NOR", "coalition"), ("NOR", "private")},
    "partner": {("NOR", "public")} | {("NPA", v) for v in VISIBILITIES},
}


def _login(api, request, role):
    if role == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    api.force_authenticate(user)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_needs_seen_per_role_in_list_and_detail(api, request, lao_needs, role):
    # given one Lao PDR need of each visibility and a user of this role
    _login(api, request, role)

    # when they list the needs and open each one
    listed = {row["title"] for row in api.get("/api/v1/needs/").json()}
    opened = {
        visibility
        for visibility, need in lao_needs.items()
        if api.get(f"/api/v1/needs/{need.pk}/").status_code == 200
    }

    # then they see exactly the needs their role may see, in both
    expected = NEEDS_SEEN_BY[role]
    assert listed == {f"need-{v}" for v in expected}
    assert opened == expected
    for visibility in set(VISIBILITIES) - expected:
        assert api.get(f"/api/v1/needs/{lao_needs[visibility].pk}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_offers_seen_per_role_in_list_and_detail(api, request, offers, role):
    # given offers of each visibility by Norway and by NPA, and a user of this role
    _login(api, request, role)

    # when they list the offers and open each one
    listed = {row["title"] for row in api.get("/api/v1/offers/").json()}
    opened = {
        key
        for key, offer in offers.items()
        if api.get(f"/api/v1/offers/{offer.pk}/").status_code == 200
    }

    # then they see exactly the offers their role may see
    expected = OFFERS_SEEN_BY[role]
    assert listed == {f"offer-{p}-{v}" for p, v in expected}
    assert opened == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_and_the_list_filter_agree(api, request, lao_needs, offers, role):
    # given a user of this role
    user = _login(api, request, role)

    # then "may view" answers as the lists filter, record by record
    visible_needs = set(selectors.need_list(user=user))
    for need in lao_needs.values():
        assert user.has_perm("assistance.view_need", need) == (need in visible_needs)
    visible_offers = set(selectors.offer_list(user=user))
    for offer in offers.values():
        assert user.has_perm("assistance.view_offer", offer) == (offer in visible_offers)


def test_states_parties_means_parties_to_the_needs_convention(
    api, apmbc, lbn_focal_point, donor_user
):
    # given an Iraqi need under the APMBC, seen by States Parties
    need = make_need(State.objects.get(iso3="IRQ"), apmbc)

    # then Lebanon (not an APMBC party) does not see it and Norway (a party) does
    api.force_authenticate(lbn_focal_point)
    assert api.get(f"/api/v1/needs/{need.pk}/").status_code == 404
    assert api.get("/api/v1/needs/").json() == []
    api.force_authenticate(donor_user)
    assert api.get(f"/api/v1/needs/{need.pk}/").status_code == 200
