"""Relay pages per role: relay a need, the relay's page, objection, answer, follow-up,
"My relays", the list, and the relays section of the need's page."""

import datetime as dt

import pytest
from django.utils import timezone

from icahub.funding.models import Flow
from icahub.relays import services
from icahub.relays.models import FollowUp, RelayStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def recent(make_relay, isu_user):
    """A relay made today: still open to objection."""
    return make_relay(isu_user, on=timezone.localdate())


@pytest.fixture
def sent(make_relay, isu_user):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=10))
    services.relay_advance()
    relay.refresh_from_db()
    return relay


def test_isu_relays_a_need_from_the_form_with_search(client, isu_user, need, npa, nor):
    client.force_login(isu_user)
    url = f"/relays/needs/{need.pk}/new/"
    page = client.get(url).content.decode()
    assert "Relay this need" in page and "Norway" in page

    # the search narrows the lists but keeps what is ticked
    response = client.post(url, {"q": "Norwegian", "states": [nor.pk], "action": "search"})
    text = response.content.decode()
    assert "Norwegian People&#x27;s Aid" in text
    assert "Lebanon" not in text
    assert f'value="{nor.pk}"' in text and "checked" in text

    # nothing chosen: the error summary names the field
    response = client.post(url, {"action": "relay"})
    assert "There is a problem" in response.content.decode()
    assert "Choose at least one partner." in response.content.decode()

    response = client.post(url, {"states": [nor.pk], "organisations": [npa.pk], "action": "relay"})
    assert response.status_code == 302
    assert need.relays.get().recipients.count() == 2


def test_the_need_page_shows_every_relay_and_the_relay_button(client, isu_user, recent, need):
    client.force_login(isu_user)
    page = client.get(f"/assistance/needs/{need.pk}/").content.decode()
    assert "Relays to partners" in page
    assert "Relay this need" in page
    assert "Awaiting objection period" in page
    assert page.count("No answer yet") == 2


def test_the_requesting_state_sees_the_relay_and_objects(client, lao_focal_point, recent):
    client.force_login(lao_focal_point)
    page = client.get(f"/relays/{recent.pk}/").content.decode()
    assert "Object to this relay" in page
    response = client.post(f"/relays/{recent.pk}/objection/", {"objection_reason": ""})
    assert "There is a problem" in response.content.decode()
    response = client.post(f"/relays/{recent.pk}/objection/", {"objection_reason": "Not now"})
    assert response.status_code == 302
    recent.refresh_from_db()
    assert recent.status == RelayStatus.OBJECTED


def test_a_late_objection_is_refused_on_the_page(client, make_relay, isu_user, lao_focal_point):
    relay = make_relay(isu_user, on=timezone.localdate() - dt.timedelta(days=10))
    client.force_login(lao_focal_point)
    # the relay reads as being sent, with no objection button
    page = client.get(f"/relays/{relay.pk}/").content.decode()
    assert "Objection period over, being sent" in page
    assert "Object to this relay" not in page
    response = client.post(f"/relays/{relay.pk}/objection/", {"objection_reason": "Late"})
    assert "The objection period ended on" in response.content.decode()


def test_a_partner_answers_pledged_from_my_relays(client, partner_user, sent, npa, need):
    client.force_login(partner_user)
    page = client.get("/relays/mine/").content.decode()
    recipient = sent.recipients.get(organisation=npa)
    assert f"/relays/answers/{recipient.pk}/" in page

    url = f"/relays/answers/{recipient.pk}/"
    response = client.post(url, {"answer": "pledged"})
    text = response.content.decode()
    assert "There is a problem" in text and 'href="#id_pledge_amount"' in text

    response = client.post(
        url, {"answer": "pledged", "pledge_amount": "30000", "pledge_currency": "usd"}
    )
    assert response.status_code == 302
    assert Flow.objects.get(need=need).amount == 30000

    # the partner's view of the relay holds its own row only
    page = client.get(f"/relays/{sent.pk}/").content.decode()
    assert "Pledged" in page and "Norway" not in page


def test_a_partner_sees_nothing_before_the_relay_is_sent(client, partner_user, recent, npa):
    client.force_login(partner_user)
    assert client.get(f"/relays/{recent.pk}/").status_code == 404
    recipient = recent.recipients.get(organisation=npa)
    assert client.get(f"/relays/answers/{recipient.pk}/").status_code == 404
    assert "No need has been relayed to you." in client.get("/relays/mine/").content.decode()


def test_another_partner_cannot_open_npas_answer_form(client, donor_user, sent, npa):
    client.force_login(donor_user)
    recipient = sent.recipients.get(organisation=npa)
    assert client.get(f"/relays/answers/{recipient.pk}/").status_code == 404


def test_follow_up_answer_page(client, make_relay, isu_user, lao_focal_point):
    relay = make_relay(isu_user, on=dt.date(2025, 1, 6))
    services.relay_advance(today=dt.date(2025, 1, 20))
    services.relay_advance(today=dt.date(2026, 1, 20))
    question = FollowUp.objects.get(relay=relay, recipient__isnull=True)
    client.force_login(lao_focal_point)
    assert "Was the need met?" in client.get("/relays/mine/").content.decode()
    response = client.post(f"/relays/follow-ups/{question.pk}/", {})
    assert "There is a problem" in response.content.decode()
    response = client.post(f"/relays/follow-ups/{question.pk}/", {"answer": "not"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "not"


def test_the_relay_list_is_for_the_isu_and_coordinators(
    client, coordinator_user, partner_user, recent
):
    client.force_login(coordinator_user)
    assert "Survey of Xieng Khouang" in client.get("/relays/").content.decode()
    client.force_login(partner_user)
    assert client.get("/relays/").status_code == 403


def test_cancel_from_the_relay_page(client, coordinator_user, recent):
    client.force_login(coordinator_user)
    assert client.post(f"/relays/{recent.pk}/cancel/").status_code == 302
    recent.refresh_from_db()
    assert recent.status == RelayStatus.CANCELLED


def test_nav_links_by_role(client, isu_user, partner_user):
    client.force_login(isu_user)
    assert 'href="/relays/"' in client.get("/").content.decode()
    client.force_login(partner_user)
    page = client.get("/").content.decode()
    assert 'href="/relays/mine/"' in page and 'href="/notifications/"' in page
