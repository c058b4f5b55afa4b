"""Fixtures of the relay tests: a Lao PDR need, partners, and a relay helper."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from icahub.assistance import services as assistance_services
from icahub.registry.models import Convention, Organisation, State
from icahub.relays import services

# A Monday: 5 working days later is the next Monday.
MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def api():
    return APIClient()


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
def need(lao):
    return assistance_services.need_create(
        state=lao,
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="financial",
        title="Survey of Xieng Khouang",
        budget_required=100000,
        currency="USD",
        visibility="states_parties",
    )


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


@pytest.fixture
def make_relay(need, nor, npa):
    def make(user, partners=None, on=MONDAY, **kwargs):
        return services.relay_create(
            need=kwargs.pop("need", need),
            partners=partners if partners is not None else [nor, npa],
            user=user,
            today=on,
            **kwargs,
        )

    return make


@pytest.fixture
def sent_relay(make_relay, isu_user):
    """A relay to Norway and NPA made on MONDAY and sent by the daily run 8 days later."""
    relay = make_relay(isu_user)
    services.relay_advance(today=MONDAY + dt.timedelta(days=8))
    relay.refresh_from_db()
    return relay
