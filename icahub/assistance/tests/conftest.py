"""Fixtures for needs and offers: records of each visibility and an API client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from icahub.assistance import services
from icahub.registry.models import Convention, Organisation, State

VISIBILITIES = ("public", "states_parties", "coalition", "private")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def ccm(db):
    return Convention.objects.get(code="CCM")


@pytest.fixture
def apmbc(db):
    return Convention.objects.get(code="APMBC")


@pytest.fixture
def lao(db):
    return State.objects.get(iso3="LAO")


@pytest.fixture
def nor(db):
    return State.objects.get(iso3="NOR")


@pytest.fixture
def npa(db):
    return Organisation.objects.get(acronym="NPA")


def make_need(state, convention, **values):
    defaults = {"area": "clearance", "modality": "financial", "title": "Survey of Xieng Khouang"}
    return services.need_create(state=state, convention=convention, **{**defaults, **values})


@pytest.fixture
def lao_need(lao, ccm):
    return make_need(lao, ccm, visibility="states_parties")


@pytest.fixture
def lao_needs(lao, ccm):
    """One Lao PDR need under the CCM per visibility, titled by its visibility."""
    return {
        visibility: make_need(lao, ccm, title=f"need-{visibility}", visibility=visibility)
        for visibility in VISIBILITIES
    }


@pytest.fixture
def offers(nor, npa):
    """Offers of each visibility by Norway (a state) and by NPA (an organisation)."""
    made = {}
    for visibility in VISIBILITIES:
        made[("NOR", visibility)] = services.offer_create(
            provider_state=nor,
            title=f"offer-NOR-{visibility}",
            areas=["clearance"],
            visibility=visibility,
        )
        made[("NPA", visibility)] = services.offer_create(
            provider_organisation=npa,
            title=f"offer-NPA-{visibility}",
            areas=["victim_assistance"],
            visibility=visibility,
        )
    return made
