"""Fixtures of the funding tests: states, a need, a coalition and flows of each visibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from icahub.assistance import services as assistance_services
from icahub.coalitions.models import Coalition, CoalitionMember
from icahub.funding import services
from icahub.funding.models import ExchangeRate
from icahub.registry.models import Convention, Organisation, State

VISIBILITIES = ("public", "states_parties", "coalition", "private")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def ccm(db):
    return Convention.objects.get(code="CCM")


@pytest.fixture
def lao(db):
    return State.objects.get(iso3="LAO")


@pytest.fixture
def lbn(db):
    return State.objects.get(iso3="LBN")


@pytest.fixture
def nor(db):
    return State.objects.get(iso3="NOR")


@pytest.fixture
def npa(db):
    return Organisation.objects.get(acronym="NPA")


@pytest.fixture
def halo(db):
    return Organisation.objects.get(acronym="HALO")


@pytest.fixture
def lao_need(lao, ccm):
    return assistance_services.need_create(
        state=lao,
        convention=ccm,
        area="clearance",
        modality="financial",
        title="Survey of Xieng Khouang",
        budget_required=Decimal("1000000"),
        currency="USD",
        visibility="public",
    )


@pytest.fixture
def nok_rates(db):
    """Two dated NOK rates: 0.10 USD from 2020, 0.09 USD from 2023."""
    ExchangeRate.objects.create(
        currency="NOK", valid_from=dt.date(2020, 1, 1), usd_per_unit="0.10", source="test"
    )
    ExchangeRate.objects.create(
        currency="NOK", valid_from=dt.date(2023, 1, 1), usd_per_unit="0.09", source="test"
    )


@pytest.fixture
def coalition(lao, lbn, ccm, npa):
    """An active Lao coalition; Lebanon is an active member, NPA only invited."""
    made = Coalition.objects.create(name="Lao coalition", lead_state=lao, convention=ccm)
    CoalitionMember.objects.create(coalition=made, state=lao, role="lead", status="active")
    CoalitionMember.objects.create(coalition=made, state=lbn, role="member", status="active")
    CoalitionMember.objects.create(
        coalition=made, organisation=npa, role="member", status="invited"
    )
    return made


def make_flow(**values):
    defaults = {
        "status": "disbursement",
        "amount": Decimal("1000"),
        "currency": "USD",
        "value_date": dt.date(2024, 3, 1),
        "area": "clearance",
    }
    return services.flow_create(**{**defaults, **values})


@pytest.fixture
def flows(nor, halo, coalition):
    """Per visibility: Norway → HALO Trust, and HALO Trust → the Lao coalition."""
    made = {}
    for visibility in VISIBILITIES:
        made[("NOR", visibility)] = make_flow(
            giver_state=nor, recipient_organisation=halo, visibility=visibility
        )
        made[("coalition", visibility)] = make_flow(
            giver_organisation=halo, recipient_coalition=coalition, visibility=visibility
        )
    return made
