"""Coalitions API per role: the public list and detail, the private parts (404 to anyone
but members and the ISU), invitations and writes."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from icahub.accounts.models import User
from icahub.coalitions import services
from icahub.coalitions.tests.conftest import ROLE_FIXTURES, ROLES, WORKSPACE_READERS

pytestmark = pytest.mark.django_db


def _client(request, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(request.getfixturevalue(ROLE_FIXTURES[role]))
    return client


@pytest.fixture
def meeting(coalition):
    return services.meeting_create(
        coalition=coalition,
        title="Kick-off",
        starts_at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC),
        place="Vientiane",
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_list_and_detail_are_public_with_active_members_only(request, coalition, role):
    client = _client(request, role)

    listed = client.get("/api/v1/coalitions/").json()
    detail = client.get(f"/api/v1/coalitions/{coalition.pk}/").json()

    assert [c["name"] for c in listed] == ["Lao clearance"]
    names = {member["name"] for member in detail["members"]}
    if role in WORKSPACE_READERS:
        assert "Norwegian People's Aid (NPA)" in names
        assert {m["status"] for m in detail["members"]} == {"active", "invited"}
    else:
        assert names == {"Lao People's Democratic Republic", "Norway"}
        assert all("status" not in member for member in detail["members"])


PRIVATE = ["members", "objectives", "meetings", "commitments", "gap"]


@pytest.mark.parametrize("part", PRIVATE)
@pytest.mark.parametrize("role", ROLES)
def test_private_parts_are_404_to_non_members(request, coalition, plan_need, role, part):
    response = _client(request, role).get(f"/api/v1/coalitions/{coalition.pk}/{part}/")
    assert response.status_code == (200 if role in WORKSPACE_READERS else 404)


def test_the_gap_json(request, coalition, plan_need, norway):
    services.commitment_create(
        coalition=coalition,
        member=norway,
        need=plan_need,
        amount=250_000,
        currency="USD",
        value_date=dt.date(2026, 2, 1),
    )
    body = _client(request, "member").get(f"/api/v1/coalitions/{coalition.pk}/gap/").json()
    (need,) = body["needs"]
    assert need["required_usd"] == "1000000.00"
    assert need["committed_usd"] == "250000.00"
    assert need["gap_usd"] == "750000.00"
    assert body["total"]["committed_usd"] == "250000.00"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 403),
        ("isu", 201),
        ("lead", 201),
        ("other_state", 403),
        ("member", 403),
        ("invited", 403),
        ("coordinator", 403),
    ],
)
def test_who_creates_a_coalition(request, role, status):
    response = _client(request, role).post(
        "/api/v1/coalitions/",
        {"name": "Lao plan", "lead_state": "LAO", "convention": "CCM"},
        format="json",
    )
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["members"][0]["role"] == "lead"


def test_a_focal_point_creates_for_their_own_state_by_default(request):
    response = _client(request, "other_state").post(
        "/api/v1/coalitions/", {"name": "Lebanon plan", "convention": "CCM"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["lead_state"] == "LBN"


def test_bad_input_names_the_field(request):
    client = _client(request, "isu")
    response = client.post(
        "/api/v1/coalitions/",
        {"name": "X", "lead_state": "LBN", "convention": "APMBC"},
        format="json",
    )
    assert response.status_code == 400 and "lead_state" in response.json()
    response = client.post("/api/v1/coalitions/", {"name": "X", "colour": "red"}, format="json")
    assert response.status_code == 400 and "colour" in response.json()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 403),
        ("isu", 201),
        ("superuser", 201),
        ("lead", 201),
        ("member", 403),
        ("invited", 404),
        ("other_state", 404),
        ("coordinator", 404),
    ],
)
def test_who_invites(request, coalition, role, status):
    response = _client(request, role).post(
        f"/api/v1/coalitions/{coalition.pk}/members/",
        {"state": "FRA", "role": "observer"},
        format="json",
    )
    assert response.status_code == status, response.content


def test_inviting_twice_is_a_conflict(request, coalition):
    client = _client(request, "lead")
    response = client.post(
        f"/api/v1/coalitions/{coalition.pk}/members/", {"state": "NOR"}, format="json"
    )
    assert response.status_code == 409 and "state" in response.json()


def test_the_invited_party_sees_and_answers_its_invitation(request, coalition, npa_invitation):
    # given NPA's member
    client = _client(request, "invited")

    # then their invitation is listed, and no one else answers it
    (invitation,) = client.get("/api/v1/coalitions/invitations/").json()
    assert (invitation["id"], invitation["coalition"]) == (npa_invitation.pk, coalition.pk)
    other = _client(request, "member")
    url = f"/api/v1/coalitions/invitations/{npa_invitation.pk}"
    assert other.post(f"{url}/accept/").status_code == 404

    # when they accept
    response = client.post(f"{url}/accept/")

    # then they are active, the workspace opens, and answering again is a 404
    assert response.status_code == 200 and response.json()["status"] == "active"
    # (a new request: the account is read again, as on the next page the user opens)
    client = _client(request, "invited")
    client.force_authenticate(User.objects.get(username="partner-test"))
    assert client.get(f"/api/v1/coalitions/{coalition.pk}/members/").status_code == 200
    assert client.post(f"{url}/decline/").status_code == 404


def test_the_invitations_list_needs_a_sign_in(api):
    assert api.get("/api/v1/coalitions/invitations/").status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [("isu", 201), ("lead", 201), ("member", 403), ("coordinator", 404), ("anonymous", 403)],
)
def test_who_records_a_meeting(request, coalition, role, status):
    response = _client(request, role).post(
        f"/api/v1/coalitions/{coalition.pk}/meetings/",
        {"title": "Kick-off", "starts_at": "2026-03-01T09:00:00Z", "place": "Vientiane"},
        format="json",
    )
    assert response.status_code == status, response.content


def test_a_meeting_without_place_or_link_is_refused(request, coalition):
    response = _client(request, "lead").post(
        f"/api/v1/coalitions/{coalition.pk}/meetings/",
        {"title": "Kick-off", "starts_at": "2026-03-01T09:00:00Z"},
        format="json",
    )
    assert response.status_code == 400 and "place" in response.json()


def test_an_action_item_for_a_member(request, coalition, meeting, norway, npa_invitation):
    client = _client(request, "lead")
    url = f"/api/v1/coalitions/{coalition.pk}/meetings/{meeting.pk}/action-items/"
    response = client.post(url, {"text": "Budget", "owner": npa_invitation.pk}, format="json")
    assert response.status_code == 400 and "owner" in response.json()
    response = client.post(
        url, {"text": "Budget", "owner": norway.pk, "due_date": "2026-04-01"}, format="json"
    )
    assert response.status_code == 201 and response.json()["owner_name"] == "Norway"


def test_commitments_by_role(request, coalition, plan_need, norway, lao_member):
    body = {"need": plan_need.pk, "amount": "100", "currency": "USD", "value_date": "2026-02-01"}
    url = f"/api/v1/coalitions/{coalition.pk}/commitments/"
    # a member records its own (its membership by default)
    response = _client(request, "member").post(url, body, format="json")
    assert response.status_code == 201 and response.json()["member"] == norway.pk
    # but not another member's
    response = _client(request, "member").post(
        url, {**body, "member": lao_member.pk}, format="json"
    )
    assert response.status_code == 403
    # the lead records for any member
    response = _client(request, "lead").post(url, {**body, "member": norway.pk}, format="json")
    assert response.status_code == 201
    # outsiders do not see the coalition's commitments at all
    assert _client(request, "other_state").post(url, body, format="json").status_code == 404
    response = _client(request, "member").post(url, {**body, "need": 999999}, format="json")
    assert response.status_code == 400 and "need" in response.json()


def test_objectives_link_only_the_lead_states_records(request, coalition):
    from icahub.obligations.models import Obligation

    irq = Obligation.objects.filter(state__iso3="IRQ").first()
    url = f"/api/v1/coalitions/{coalition.pk}/objectives/"
    response = _client(request, "lead").post(
        url, {"title": "X", "obligations": [irq.pk]}, format="json"
    )
    assert response.status_code == 400 and "obligations" in response.json()
    assert _client(request, "member").post(url, {"title": "X"}, format="json").status_code == 403


def _version(record) -> int:
    return type(record).objects.values_list("lock_version", flat=True).get(pk=record.pk)


def test_role_change_and_removal(request, coalition, norway, lao_member):
    lead = _client(request, "lead")
    url = f"/api/v1/coalitions/{coalition.pk}/members/{norway.pk}/"
    body = {"role": "coordinating_partner", "lock_version": _version(norway)}
    assert lead.patch(url, body, format="json").json()["role"] == "coordinating_partner"
    body = {"role": "member", "lock_version": _version(norway)}
    assert _client(request, "member").patch(url, body, format="json").status_code == 403
    lead_url = f"/api/v1/coalitions/{coalition.pk}/members/{lao_member.pk}/"
    assert lead.delete(f"{lead_url}?lock_version={_version(lao_member)}").status_code == 409
    # Norway leaves by itself
    response = _client(request, "member").delete(f"{url}?lock_version={_version(norway)}")
    assert response.status_code == 200 and response.json()["status"] == "left"


def test_patching_the_coalition(request, coalition):
    url = f"/api/v1/coalitions/{coalition.pk}/"
    version = {"lock_version": _version(coalition)}
    body = {"name": "Y", **version}
    assert _client(request, "member").patch(url, body, format="json").status_code == 403
    assert _client(request, "other_state").patch(url, body, format="json").status_code == 404
    response = _client(request, "isu").patch(url, {"status": "closed", **version}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    response = _client(request, "isu").patch(url, {"lead_state": "FRA"}, format="json")
    assert response.status_code == 400 and "lead_state" in response.json()
