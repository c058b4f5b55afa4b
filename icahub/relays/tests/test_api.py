"""The relays API: create, list, detail, objection, answers, follow-up answers."""

import datetime as dt

import pytest
from django.utils import timezone

from icahub.funding.models import Flow
from icahub.relays import services
from icahub.relays.models import FollowUp, RelayStatus

pytestmark = pytest.mark.django_db


def _today_relay(make_relay, isu_user):
    return make_relay(isu_user, on=timezone.localdate())


def test_isu_creates_a_relay_through_the_api(api, isu_user, need, npa):
    api.force_authenticate(isu_user)
    response = api.post(
        f"/api/v1/needs/{need.pk}/relays/",
        {"states": ["NOR"], "organisations": [npa.pk], "note": "Both work in the area"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_objection"
    assert body["need"]["state"] == "LAO"
    assert [r["partner_name"] for r in body["recipients"]] == [
        "Norway",
        "Norwegian People's Aid (NPA)",
    ]


def test_bad_input_names_the_field(api, isu_user, need, lao):
    api.force_authenticate(isu_user)
    url = f"/api/v1/needs/{need.pk}/relays/"
    assert api.post(url, {"states": ["XXX"]}, format="json").json().keys() == {"states"}
    assert api.post(url, {"organisations": [999999]}, format="json").json().keys() == {
        "organisations"
    }
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"partners": ["Choose at least one partner."]}
    assert api.post(url, {"colour": "red"}, format="json").json() == {"colour": ["Unknown field."]}


def test_a_partner_cannot_relay(api, partner_user, need):
    api.force_authenticate(partner_user)
    response = api.post(f"/api/v1/needs/{need.pk}/relays/", {"states": ["NOR"]}, format="json")
    assert response.status_code == 404  # the need is not visible to an organisation member


def test_objection_through_the_api(api, make_relay, isu_user, lao_focal_point):
    relay = _today_relay(make_relay, isu_user)
    api.force_authenticate(lao_focal_point)
    url = f"/api/v1/relays/{relay.pk}/objection/"
    assert api.post(url, {"reason": ""}, format="json").json() == {
        "objection_reason": ["Give the reason for the objection."]
    }
    response = api.post(url, {"reason": "Not now"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "objected"
    # a second objection clashes with the relay's state
    assert api.post(url, {"reason": "Again"}, format="json").status_code == 409


def test_a_late_objection_is_a_conflict(api, make_relay, isu_user, lao_focal_point):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=30))
    api.force_authenticate(lao_focal_point)
    response = api.post(f"/api/v1/relays/{relay.pk}/objection/", {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert "objection period ended" in response.json()["objection_reason"][0]


def test_partners_see_a_relay_only_once_sent_and_only_their_own_answer(
    api, make_relay, isu_user, partner_user, donor_user, lao_focal_point
):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=10))
    api.force_authenticate(partner_user)
    assert api.get("/api/v1/relays/").json() == []
    assert api.get(f"/api/v1/relays/{relay.pk}/").status_code == 404

    services.relay_advance()
    body = api.get(f"/api/v1/relays/{relay.pk}/").json()
    assert body["status"] == "sent"
    assert [r["partner_name"] for r in body["recipients"]] == ["Norwegian People's Aid (NPA)"]
    assert body["all_answers_shown"] is False

    api.force_authenticate(lao_focal_point)
    assert len(api.get(f"/api/v1/relays/{relay.pk}/").json()["recipients"]) == 2
    api.force_authenticate(None)
    assert api.get("/api/v1/relays/").json() == []


def test_effective_status_reads_due_before_the_daily_run(api, make_relay, isu_user):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=10))
    api.force_authenticate(isu_user)
    body = api.get(f"/api/v1/relays/{relay.pk}/").json()
    assert (body["status"], body["effective_status"]) == ("awaiting_objection", "due")


def test_a_partner_pledges_through_the_api(api, make_relay, isu_user, partner_user, need):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=10))
    services.relay_advance()
    api.force_authenticate(partner_user)
    url = f"/api/v1/relays/{relay.pk}/answers/"
    response = api.post(url, {"answer": "pledged"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"pledge_amount", "pledge_currency"}
    response = api.post(
        url,
        {"answer": "pledged", "pledge_amount": "25000", "pledge_currency": "USD", "comment": "ok"},
        format="json",
    )
    assert response.status_code == 200, response.content
    (row,) = response.json()["recipients"]
    assert row["answer"] == "pledged"
    assert row["flow"] == Flow.objects.get(need=need).pk
    assert api.post(url, {"answer": "maybe"}, format="json").json().keys() == {"answer"}


def test_a_user_who_is_not_a_recipient_cannot_answer(api, make_relay, isu_user, lbn_focal_point):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=10))
    services.relay_advance()
    api.force_authenticate(isu_user)
    response = api.post(f"/api/v1/relays/{relay.pk}/answers/", {"answer": "interested"})
    assert response.status_code == 403


def test_follow_up_answer_through_the_api(api, make_relay, isu_user, lao_focal_point):
    relay = make_relay(isu_user, on=dt.date(2025, 1, 6))
    services.relay_advance(today=dt.date(2025, 1, 20))
    services.relay_advance(today=dt.date(2026, 1, 20))
    question = FollowUp.objects.get(relay=relay, recipient__isnull=True)
    api.force_authenticate(lao_focal_point)
    url = f"/api/v1/follow-ups/{question.pk}/answer/"
    assert api.post(url, {"answer": "sometimes"}, format="json").json().keys() == {"answer"}
    response = api.post(url, {"answer": "fully", "comment": "Done"}, format="json")
    assert response.status_code == 200
    assert response.json()["answer"] == "fully"
    relay.refresh_from_db()
    assert relay.status == RelayStatus.SENT


def test_the_relay_list_uses_a_bounded_number_of_queries(
    api, make_relay, isu_user, django_assert_max_num_queries, need, nor
):
    from icahub.assistance import services as assistance_services
    from icahub.registry.models import Convention, State

    for index in range(5):
        other = assistance_services.need_create(
            state=State.objects.get(iso3="LBN"),
            convention=Convention.objects.get(code="CCM"),
            area="clearance",
            modality="technical",
            title=f"Need {index}",
        )
        make_relay(isu_user, need=other, partners=[nor])
    api.force_authenticate(isu_user)
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/relays/").json()) == 5
