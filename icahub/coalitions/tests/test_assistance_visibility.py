"""Needs and offers with the visibility "coalition" reach the active members of the
coalitions concerned, in lists and details alike (permissions and selectors agree)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from icahub.accounts.models import User
from icahub.assistance import selectors
from icahub.assistance import services as assistance_services
from icahub.coalitions import services
from icahub.coalitions.tests.conftest import ROLE_FIXTURES, ROLES
from icahub.registry.models import Convention, Organisation, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(coalition, lao, ccm, nor, npa):
    """Coalition-only records: a Lao need (the lead's), a Lebanese need linked to no plan,
    an Iraqi need under the APMBC, and offers by Norway (active member), NPA (invited) and
    France (outsider)."""
    fra = State.objects.get(iso3="FRA")

    def need(state, convention, title):
        return assistance_services.need_create(
            state=state,
            convention=convention,
            area="clearance",
            modality="financial",
            title=title,
            visibility="coalition",
        )

    def offer(title, **provider):
        return assistance_services.offer_create(
            title=title, areas=["clearance"], visibility="coalition", **provider
        )

    return {
        "need-LAO": need(lao, ccm, "need-LAO"),
        "need-LBN": need(State.objects.get(iso3="LBN"), ccm, "need-LBN"),
        "offer-NOR": offer("offer-NOR", provider_state=nor),
        "offer-NPA": offer("offer-NPA", provider_organisation=npa),
        "offer-FRA": offer("offer-FRA", provider_state=fra),
    }


# Lao PDR leads; Norway is active; NPA only invited. Each party sees its own records.
SEEN_BY = {
    "anonymous": set(),
    "isu": {"need-LAO", "need-LBN", "offer-NOR", "offer-NPA", "offer-FRA"},
    "superuser": {"need-LAO", "need-LBN", "offer-NOR", "offer-NPA", "offer-FRA"},
    "coordinator": set(),
    # the lead state: its own need, and its fellow member Norway's offer
    "lead": {"need-LAO", "offer-NOR"},
    # Lebanon: only its own need
    "other_state": {"need-LBN"},
    # Norway: the lead's need and its own offer
    "member": {"need-LAO", "offer-NOR"},
    # NPA, invited but not active: only its own offer
    "invited": {"offer-NPA"},
}


def _user(request, role):
    if role == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(ROLE_FIXTURES[role])


@pytest.mark.parametrize("role", ROLES)
def test_coalition_records_seen_per_role_and_the_permission_agrees(request, records, role):
    # given a user of this role
    user = _user(request, role)

    # when the lists are read
    listed = {n.title for n in selectors.need_list(user=user)} | {
        o.title for o in selectors.offer_list(user=user)
    }

    # then they hold exactly what the role may see, and "may view" agrees record by record
    assert listed == SEEN_BY[role]
    for key, record in records.items():
        perm = "assistance.view_need" if key.startswith("need") else "assistance.view_offer"
        assert user.has_perm(perm, record) == (key in SEEN_BY[role]), key


def test_a_plan_link_opens_a_need_of_the_lead_state_to_members(request, coalition, records):
    # given Lebanon's coalition-only need linked to no plan: Norway does not see it
    norway_user = request.getfixturevalue("donor_user")
    assert not norway_user.has_perm("assistance.view_need", records["need-LBN"])


def test_accepting_the_invitation_opens_the_records(
    records, npa_invitation, partner_user, donor_user
):
    # when NPA accepts
    services.invitation_accept(member=npa_invitation)

    # then its member (read again, as on a new request) sees the lead's need and Norway's
    # offer, and Norway sees NPA's offer
    partner = User.objects.get(pk=partner_user.pk)
    assert partner.has_perm("assistance.view_need", records["need-LAO"])
    assert partner.has_perm("assistance.view_offer", records["offer-NOR"])
    norway_user = User.objects.get(pk=donor_user.pk)
    assert norway_user.has_perm("assistance.view_offer", records["offer-NPA"])
    assert records["offer-NPA"] in selectors.offer_list(user=norway_user)


def test_a_closed_coalition_opens_nothing(request, coalition, records):
    services.coalition_update(coalition=coalition, data={"status": "closed"})
    norway_user = request.getfixturevalue("donor_user")
    assert not norway_user.has_perm("assistance.view_need", records["need-LAO"])
    assert records["need-LAO"] not in selectors.need_list(user=norway_user)


def test_a_coalition_led_by_another_state_opens_that_states_needs(coalition, partner_user):
    # given a second coalition, led by Lebanon, with NPA active and a Lebanese
    # coalition-only need in its plan
    lbn = State.objects.get(iso3="LBN")
    ccm = Convention.objects.get(code="CCM")
    other = services.coalition_create(lead_state=lbn, convention=ccm, name="Lebanon")
    npa = Organisation.objects.get(acronym="NPA")
    services.invitation_accept(member=services.member_invite(coalition=other, organisation=npa))
    lbn_need = assistance_services.need_create(
        state=lbn,
        convention=ccm,
        area="clearance",
        modality="financial",
        title="Lebanon need",
        visibility="coalition",
    )
    services.objective_save(coalition=other, title="Clear", needs=[lbn_need])

    # then NPA's member sees it
    partner = User.objects.get(pk=partner_user.pk)
    assert partner.has_perm("assistance.view_need", lbn_need)
    assert lbn_need in selectors.need_list(user=partner)
