"""Reads of needs and offers, honouring visibility (the rules are in ``permissions.py``).

A record the user may not see does not exist for them: lists leave it out and a detail
read answers 404, so its existence is not disclosed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from icahub.accounts.permissions import is_coordinator, is_isu
from icahub.assistance.models import Need, NeedTranslation, Offer, Visibility
from icahub.assistance.permissions import (
    ORGANISATION_OFFER_ROLES,
    STATE_OFFER_ROLES,
    party_convention_ids,
)
from icahub.coalitions.membership import coalition_reach
from icahub.registry.models import State
from icahub.registry.regions import REGIONS


def need_visibility_q(user) -> Q:
    """The needs ``user`` may see, as a filter (mirrors ``permissions.can_see_need``)."""
    if is_isu(user):
        return Q()
    visible = Q(visibility=Visibility.PUBLIC)
    if not (user and user.is_authenticated):
        return visible
    if is_coordinator(user):
        visible |= Q(visibility=Visibility.STATES_PARTIES)
    else:
        parties = party_convention_ids(user)
        if parties:
            visible |= Q(visibility=Visibility.STATES_PARTIES, convention_id__in=parties)
    # "coalition" needs: also the active members of coalitions led by the need's state or
    # whose plan links the need. "private" needs: the owner and the ISU only.
    reach = coalition_reach(user)
    if reach["lead_states"] or reach["plan_needs"]:
        visible |= Q(visibility=Visibility.COALITION) & (
            Q(state_id__in=reach["lead_states"]) | Q(pk__in=reach["plan_needs"])
        )
    if user.role == "state_focal_point" and user.state_id is not None:
        # The owner: its own state's needs, whatever their visibility.
        visible |= Q(state_id=user.state_id)
    return visible


def offer_visibility_q(user) -> Q:
    """The offers ``user`` may see, as a filter (mirrors ``permissions.can_see_offer``)."""
    if is_isu(user):
        return Q()
    visible = Q(visibility=Visibility.PUBLIC)
    if not (user and user.is_authenticated):
        return visible
    if is_coordinator(user) or party_convention_ids(user):
        visible |= Q(visibility=Visibility.STATES_PARTIES)
    # "coalition" offers: also the active members of coalitions in which the provider is
    # an active member. "private" offers: the provider and the ISU only.
    reach = coalition_reach(user)
    if reach["member_states"] or reach["member_organisations"]:
        visible |= Q(visibility=Visibility.COALITION) & (
            Q(provider_state_id__in=reach["member_states"])
            | Q(provider_organisation_id__in=reach["member_organisations"])
        )
    if user.role in STATE_OFFER_ROLES and user.state_id is not None:
        visible |= Q(provider_state_id=user.state_id)
    if user.role in ORGANISATION_OFFER_ROLES and user.organisation_id is not None:
        visible |= Q(provider_organisation_id=user.organisation_id)
    return visible


def _needs() -> QuerySet[Need]:
    return Need.objects.select_related(
        "state", "convention", "obligation", "source_report_version"
    ).prefetch_related(
        Prefetch("translations", queryset=NeedTranslation.objects.order_by("language"))
    )


def need_list(
    *,
    user,
    state: str | None = None,
    convention: str | None = None,
    area: str | None = None,
    modality: str | None = None,
    status: str | None = None,
    region: str | None = None,
    deadline_before: dt.date | None = None,
) -> QuerySet[Need]:
    """Needs the user may see, filtered. ``region`` is an M49 region or sub-region code
    matched against the state's; ``deadline_before`` keeps needs whose linked obligation
    falls due on or before that date."""
    needs = _needs().filter(need_visibility_q(user))
    if state:
        needs = needs.filter(state__iso3=state.upper())
    if convention:
        needs = needs.filter(convention__code=convention.upper())
    if area:
        needs = needs.filter(area=area)
    if modality:
        needs = needs.filter(modality=modality)
    if status:
        needs = needs.filter(status=status)
    if region:
        needs = needs.filter(Q(state__region_code=region) | Q(state__subregion_code=region))
    if deadline_before:
        needs = needs.filter(obligation__current_deadline__lte=deadline_before)
    return needs.order_by("state__name_en", "convention__code", "area", "pk")


def need_get(*, user, pk: int) -> Need:
    """One need the user may see; 404 otherwise."""
    return get_object_or_404(_needs().filter(need_visibility_q(user)), pk=pk)


def _offers() -> QuerySet[Offer]:
    return Offer.objects.select_related("provider_state", "provider_organisation").prefetch_related(
        Prefetch("priority_countries", queryset=State.objects.order_by("iso3"))
    )


def _covering_codes(region: str) -> set[str]:
    """The priority-region codes that cover ``region``: itself and, for a sub-region, the
    region it belongs to."""
    if region in REGIONS:
        return {region}
    parents = State.objects.filter(subregion_code=region).values_list("region_code", flat=True)
    return {region, *parents}


def _covers_region(offer: Offer, region: str, covering: set[str]) -> bool:
    """Whether an offer names ``region`` among its priorities: the code itself, the region
    a sub-region belongs to, or a priority country in it."""
    if covering & set(offer.priority_regions):
        return True
    return any(
        region in (country.region_code, country.subregion_code)
        for country in offer.priority_countries.all()
    )


def offer_list(
    *,
    user,
    area: str | None = None,
    modality: str | None = None,
    status: str | None = None,
    provider_state: str | None = None,
    region: str | None = None,
) -> list[Offer]:
    """Offers the user may see, filtered. ``area`` and ``modality`` keep offers listing
    them; ``region`` keeps offers that name the region among their priorities (see
    ``_covers_region``): an offer with no stated priority is not one for a given region."""
    offers = _offers().filter(offer_visibility_q(user))
    if status:
        offers = offers.filter(status=status)
    if provider_state:
        offers = offers.filter(provider_state__iso3=provider_state.upper())
    # Lists held in JSON are matched here, the same way on SQLite and PostgreSQL; offers
    # number in the hundreds.
    rows = list(offers.order_by("-created_at", "pk"))
    if area:
        rows = [offer for offer in rows if area in offer.areas]
    if modality:
        rows = [offer for offer in rows if modality in offer.modalities]
    if region:
        covering = _covering_codes(region)
        rows = [offer for offer in rows if _covers_region(offer, region, covering)]
    return rows


def offer_get(*, user, pk: int) -> Offer:
    """One offer the user may see; 404 otherwise."""
    return get_object_or_404(_offers().filter(offer_visibility_q(user)), pk=pk)
