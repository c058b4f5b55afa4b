"""The visibility filter (selectors) and the rules predicate (permissions) agree."""

import datetime as dt

import pytest

from icahub.relays import selectors, services
from icahub.relays.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db

ROLES = [
    "isu_user",
    "coordinator_user",
    "lao_focal_point",
    "lbn_focal_point",
    "donor_user",
    "partner_user",
    "superuser",
]


@pytest.fixture
def relays(make_relay, isu_user, lao_focal_point, nor, npa):
    """A relay sent to Norway, one to NPA objected to by Lao PDR, one to NPA made today
    (still open to objection)."""
    from icahub.relays.models import Relay

    sent = make_relay(isu_user, partners=[nor], on=MONDAY)
    services.relay_advance(today=MONDAY + dt.timedelta(days=8))
    objected = make_relay(isu_user, partners=[npa], on=MONDAY + dt.timedelta(days=10))
    services.relay_object(
        relay=objected, user=lao_focal_point, reason="No", today=MONDAY + dt.timedelta(days=10)
    )
    awaiting = make_relay(isu_user, partners=[npa], on=dt.date.today())  # noqa: DTZ011
    return list(Relay.objects.filter(pk__in=[sent.pk, objected.pk, awaiting.pk]))


@pytest.mark.parametrize("role", ROLES)
def test_the_list_holds_exactly_the_relays_the_rules_let_the_user_see(relays, request, role):
    user = request.getfixturevalue(role)
    listed = {relay.pk for relay in selectors.relay_list(user=user)}
    allowed = {relay.pk for relay in relays if user.has_perm("relays.view_relay", relay)}
    assert listed == allowed


def test_partners_see_only_sent_relays_to_them(relays, donor_user, partner_user):
    assert [r.status for r in selectors.relay_list(user=donor_user)] == ["sent"]
    assert list(selectors.relay_list(user=partner_user)) == []
