"""Fixtures of the coalition tests: a Lao PDR coalition under the CCM with Norway as an
active member, NPA invited, and a Lao need linked to its plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from icahub.assistance import services as assistance_services
from icahub.coalitions import services
from icahub.coalitions.models import CoalitionMember
from icahub.registry.models import Convention, Organisation, State

ROLE_FIXTURES = {
    "isu": "isu_user",
    "superuser": "superuser",
    "coordinator": "coordinator_user",
    "lead": "lao_focal_point",
    "other_state": "lbn_focal_point",
    "member": "donor_user",
    "invited": "partner_user",
}
ROLES = ["anonymous", *ROLE_FIXTURES]
# Who reads the workspace: the active members (Lao PDR, Norway) and the ISU.
WORKSPACE_READERS = {"isu", "superuser", "lead", "member"}


@pytest.fixture(autouse=True)
def _private_documents(settings, tmp_path):
    settings.COALITION_DOCUMENTS_ROOT = str(tmp_path / "coalition-documents")
    settings.MEDIA_ROOT = str(tmp_path / "media")


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
def nor(db):
    return State.objects.get(iso3="NOR")


@pytest.fixture
def npa(db):
    return Organisation.objects.get(acronym="NPA")


@pytest.fixture
def coalition(lao, ccm, nor, npa, lao_focal_point):
    """Led by Lao PDR; Norway active (member), NPA invited (coordinating partner)."""
    coalition = services.coalition_create(
        lead_state=lao, convention=ccm, name="Lao clearance", user=lao_focal_point
    )
    norway = services.member_invite(coalition=coalition, state=nor, user=lao_focal_point)
    services.invitation_accept(member=norway)
    services.member_invite(
        coalition=coalition, organisation=npa, role="coordinating_partner", user=lao_focal_point
    )
    return coalition


@pytest.fixture
def norway(coalition, nor):
    return CoalitionMember.objects.get(coalition=coalition, state=nor)


@pytest.fixture
def npa_invitation(coalition, npa):
    return CoalitionMember.objects.get(coalition=coalition, organisation=npa)


@pytest.fixture
def lao_member(coalition, lao):
    return CoalitionMember.objects.get(coalition=coalition, state=lao)


@pytest.fixture
def plan_need(coalition, lao, ccm):
    """A Lao need of 1,000,000 USD linked to the plan's one objective."""
    need = assistance_services.need_create(
        state=lao,
        convention=ccm,
        area="clearance",
        modality="financial",
        title="Survey of Xieng Khouang",
        budget_required=Decimal("1000000"),
        currency="USD",
        value_date=dt.date(2026, 1, 1),
    )
    services.objective_save(coalition=coalition, title="Release land", needs=[need])
    return need


def login(client, request, role: str):
    """Sign a Django or DRF test client in as the role's fixture user (None: anonymous)."""
    if role == "anonymous":
        return None
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    client.force_login(user)
    return user
