"""Suggested members: the matching engine proposes partners for a coalition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from icahub.assistance import matching
from icahub.assistance import services as assistance_services
from icahub.funding.services import flow_create
from icahub.registry.models import Organisation, State


def _lao_need_and_partners(lao, ccm, nor):
    assistance_services.need_create(
        state=lao,
        convention=ccm,
        area="clearance",
        modality="financial",
        title="Clearance of Xieng Khouang",
        visibility="public",
    )
    # Norway (already a member) and HALO have offers; Japan has a funding history only.
    for provider in (
        {"provider_state": nor},
        {"provider_organisation": Organisation.objects.get(acronym="HALO")},
    ):
        assistance_services.offer_create(
            title="Clearance support", areas=["clearance"], visibility="public", **provider
        )
    flow_create(
        giver_state=State.objects.get(iso3="JPN"),
        recipient_state=lao,
        area="clearance",
        status="disbursement",
        amount=Decimal("100000"),
        currency="USD",
        value_date=dt.date(2024, 3, 1),
    )
    matching.recompute_all()


def test_the_lead_sees_suggested_partners_without_current_members(
    client, coalition, lao, ccm, nor, lao_focal_point
):
    # given a Lao clearance need fitted by Norway (member), HALO (offer) and Japan (history)
    _lao_need_and_partners(lao, ccm, nor)

    # when the lead state's focal point opens the workspace
    client.force_login(lao_focal_point)
    page = client.get(reverse("coalitions:detail", args=[coalition.pk])).content.decode()

    # then HALO and Japan are suggested with an invite link filled in, Norway is not
    section = page[page.index("Suggested partners") : page.index('id="plan"')]
    assert "The HALO Trust (HALO)" in section
    assert "Japan" in section
    assert "Norway" not in section
    halo = Organisation.objects.get(acronym="HALO")
    invite = reverse("coalitions:member_invite", args=[coalition.pk])
    assert f"{invite}?organisation={halo.pk}" in section
    assert f"{invite}?state=JPN" in section
    assert "funding flow already between Japan and Lao" in section


def test_the_invite_form_is_filled_from_a_suggestion(client, coalition, lao_focal_point):
    client.force_login(lao_focal_point)
    invite = reverse("coalitions:member_invite", args=[coalition.pk])

    page = client.get(f"{invite}?state=JPN").content.decode()

    assert '<option value="JPN" selected>' in page


def test_members_who_cannot_invite_see_no_suggestions(client, coalition, lao, ccm, nor, donor_user):
    _lao_need_and_partners(lao, ccm, nor)
    client.force_login(donor_user)  # Norway: an active member, not the lead

    page = client.get(reverse("coalitions:detail", args=[coalition.pk])).content.decode()

    assert "Suggested partners" not in page


def test_suggestions_never_show_a_need_or_offer_the_reader_may_not_see(
    client, coalition, lao, ccm, nor, isu_user, lao_focal_point
):
    # given a private Lao need and a private HALO offer that fit each other
    assistance_services.need_create(
        state=lao,
        convention=ccm,
        area="clearance",
        modality="financial",
        title="Private survey",
        visibility="private",
    )
    assistance_services.offer_create(
        provider_organisation=Organisation.objects.get(acronym="HALO"),
        title="Private HALO offer",
        areas=["clearance"],
        visibility="private",
    )
    matching.recompute_all()

    # then the ISU sees the suggestion, the lead state sees its own need but not HALO's offer
    isu = matching.suggested_partners(user=isu_user, state=lao, convention=ccm)
    assert [line["offer"].title for line in isu] == ["Private HALO offer"]
    assert matching.suggested_partners(user=lao_focal_point, state=lao, convention=ccm) == []
