"""Who sees which flow, in every list, detail, total, download and API answer."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree  # noqa: S405 (parses our own output)

import pytest
from django.test import Client

from icahub.funding import selectors
from icahub.funding.models import Flow
from icahub.funding.permissions import can_see_flow

pytestmark = pytest.mark.django_db

ALL = {("NOR", v) for v in ("public", "states_parties", "coalition", "private")} | {
    ("coalition", v) for v in ("public", "states_parties", "coalition", "private")
}
PUBLIC = {("NOR", "public"), ("coalition", "public")}
STATES_PARTIES = PUBLIC | {("NOR", "states_parties"), ("coalition", "states_parties")}


@pytest.fixture
def users(isu_user, coordinator_user, lao_focal_point, lbn_focal_point, donor_user, partner_user):
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "isu": isu_user,
        "coordinator": coordinator_user,
        # Lao PDR leads the coalition: it sees the coalition's flows
        "lao": lao_focal_point,
        # Lebanon is an active member of the coalition
        "lbn": lbn_focal_point,
        # Norway gives the NOR flows: it sees all of them
        "donor": donor_user,
        # NPA is only invited to the coalition, and a partner (no State Party)
        "partner": partner_user,
    }


EXPECTED = {
    "anonymous": PUBLIC,
    "isu": ALL,
    "coordinator": STATES_PARTIES,
    "lao": STATES_PARTIES | {("coalition", "coalition")},
    "lbn": STATES_PARTIES | {("coalition", "coalition")},
    "donor": STATES_PARTIES | {("NOR", "coalition"), ("NOR", "private")},
    "partner": PUBLIC,
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_lists_rules_and_details_agree_per_role(flows, users, role):
    user = users[role]
    by_pk = {flow.pk: key for key, flow in flows.items()}

    # when the user lists the flows
    listed = {by_pk[flow.pk] for flow in selectors.flow_list(user=user)}

    # then the list, the rule and the expectation agree
    assert listed == EXPECTED[role]
    for key, flow in flows.items():
        assert can_see_flow(user, flow) == (key in EXPECTED[role]), key


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "lbn", "donor", "partner"])
def test_pages_api_and_downloads_honour_visibility(flows, users, role, client: Client):
    user = users[role]
    if user.is_authenticated:
        client.force_login(user)
    hidden = [flow for key, flow in flows.items() if key not in EXPECTED[role]]
    shown = [flow for key, flow in flows.items() if key in EXPECTED[role]]

    # detail pages and API: 404 for what the user may not see
    for flow in hidden:
        assert client.get(f"/funding/flows/{flow.pk}/").status_code == 404
        assert client.get(f"/api/v1/flows/{flow.pk}/").status_code in (401, 403, 404)
    for flow in shown:
        assert client.get(f"/funding/flows/{flow.pk}/").status_code == 200

    # the API list, the CSV and the HXL download list the visible flows only
    ids = {row["id"] for row in client.get("/api/v1/flows/").json()}
    assert ids == {flow.pk for flow in shown}
    rows = list(csv.reader(io.StringIO(client.get("/funding/?format=csv").content.decode()[1:])))
    assert {int(row[0]) for row in rows[1:]} == ids
    hxl = list(csv.reader(io.StringIO(client.get("/funding/?format=hxl").content.decode()[1:])))
    assert hxl[1][0] == "#meta+id" and {int(row[0]) for row in hxl[2:]} == ids

    iati = ElementTree.fromstring(client.get("/funding/?format=iati").content)  # noqa: S314
    identifiers = {a.findtext("iati-identifier") for a in iati.findall("iati-activity")}
    assert {int(i.rsplit("-", 1)[1]) for i in identifiers} == ids

    # totals count only what the user may see (each flow is 1,000 USD, none a pledge)
    summary = client.get("/api/v1/flows/summary/?by=status").json()
    assert summary["total"]["funded_usd"] == f"{1000 * len(shown)}.00"


def test_an_invited_member_does_not_see_coalition_flows(flows, partner_user):
    coalition_only = flows[("coalition", "coalition")]
    assert not Flow.objects.filter(selectors.flow_visibility_q(partner_user), pk=coalition_only.pk)
