"""Reads of the registry for pages and the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import get_language

from icahub.registry.models import Convention, Membership, MembershipStatus, State

SORTS = {"name", "-name", "iso3", "-iso3", "region", "-region"}


def membership_status_q(status: str, on: dt.date, prefix: str = "") -> Q:
    """A filter matching memberships whose derived status on ``on`` is ``status``."""

    def q(**kwargs) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in kwargs.items()})

    not_withdrawn = q(withdrawal_effective__isnull=True) | q(withdrawal_effective__gt=on)
    if status == MembershipStatus.WITHDRAWN:
        return q(withdrawal_effective__lte=on)
    if status == MembershipStatus.PARTY:
        return q(entry_into_force__lte=on) & not_withdrawn
    if status == MembershipStatus.PARTY_NOT_IN_FORCE:
        return q(deposited__lte=on, entry_into_force__gt=on) & not_withdrawn
    if status == MembershipStatus.SIGNATORY:
        return (
            q(signed__lte=on)
            & (q(deposited__isnull=True) | q(deposited__gt=on))
            & (q(entry_into_force__isnull=True) | q(entry_into_force__gt=on))
            & not_withdrawn
        )
    raise ValueError(f"unknown status {status!r}")


def _name_field() -> str:
    language = (get_language() or "en")[:2]
    return f"name_{language}" if language in {"en", "fr", "es", "ar"} else "name_en"


def state_list(
    *,
    on: dt.date,
    convention: str | None = None,
    status: str | None = None,
    region: str | None = None,
    query: str | None = None,
    sort: str = "name",
) -> QuerySet[State]:
    """States with their memberships, filtered by convention, status on a date and region.

    With a convention and no status, only states with a membership in that convention.
    """
    states = State.objects.all()
    membership_filter = Q()
    if convention:
        membership_filter &= Q(memberships__convention__code=convention)
    if status:
        membership_filter &= membership_status_q(status, on, prefix="memberships__")
    if convention or status:
        states = states.filter(membership_filter)
    if region:
        states = states.filter(Q(region_code=region) | Q(subregion_code=region))
    if query:
        states = states.filter(
            Q(name_en__icontains=query)
            | Q(name_fr__icontains=query)
            | Q(name_es__icontains=query)
            | Q(name_ar__icontains=query)
            | Q(iso3__iexact=query)
            | Q(iso2__iexact=query)
        )
    sort = sort if sort in SORTS else "name"
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    order = {"name": [_name_field()], "iso3": ["iso3"], "region": ["region_code", _name_field()]}[
        key
    ]
    order = [f"-{field}" for field in order] if descending else order
    return (
        states.distinct()
        .order_by(*order)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("convention").order_by(
                    "convention__code"
                ),
            )
        )
    )


def convention_counts(*, on: dt.date) -> list[dict]:
    """Per convention: the number of States Parties (in force), not yet in force, signatories."""
    rows = []
    for convention in Convention.objects.order_by("code"):
        memberships = Membership.objects.filter(convention=convention)
        rows.append(
            {
                "convention": convention,
                "parties": memberships.filter(membership_status_q("party", on)).count(),
                "not_in_force": memberships.filter(
                    membership_status_q("party_not_in_force", on)
                ).count(),
                "signatories": memberships.filter(membership_status_q("signatory", on)).count(),
            }
        )
    return rows


def state_get(iso3: str) -> State:
    """One state by its alpha-3 code (case-insensitive), with memberships; 404 if unknown."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        State.objects.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("convention"))
        ),
        iso3=iso3.upper(),
    )
