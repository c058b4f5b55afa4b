"""The relay workflow: who may do what, when, and what each step tells whom."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from icahub.assistance import services as assistance_services
from icahub.funding.models import ExchangeRate, Flow
from icahub.notifications.models import Notification
from icahub.relays import services
from icahub.relays.models import Answer, FollowUp, RelayStatus
from icahub.relays.tests.conftest import MONDAY, with_email

pytestmark = pytest.mark.django_db
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def _codes(error) -> set:
    return {e.code for errors in error.value.error_dict.values() for e in errors}


# --- relay_create ---------------------------------------------------------------------------


def test_isu_relays_a_need_and_the_state_is_told_with_the_deadline(
    make_relay, isu_user, lao_focal_point, django_capture_on_commit_callbacks
):
    # given the Lao focal point has an e-mail address
    with_email(lao_focal_point)

    # when the ISU relays the need on a Monday
    with django_capture_on_commit_callbacks(execute=True):
        relay = make_relay(isu_user)

    # then it waits 5 working days, and the state is told in-app and by e-mail
    assert relay.status == RelayStatus.AWAITING_OBJECTION
    assert relay.objection_deadline == NEXT_MONDAY
    assert sorted(str(r.partner) for r in relay.recipients.all()) == [
        "Norway",
        "Norwegian People's Aid (NPA)",
    ]
    notification = Notification.objects.get(recipient=lao_focal_point)
    assert "to be relayed" in notification.subject
    assert notification.url == f"/relays/{relay.pk}/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [lao_focal_point.email]
    assert "9 March 2026" in mail.outbox[0].body


def test_relayed_on_a_friday_the_deadline_skips_the_weekend(make_relay, coordinator_user):
    relay = make_relay(coordinator_user, on=dt.date(2026, 3, 6))
    assert relay.objection_deadline == dt.date(2026, 3, 13)


@pytest.mark.parametrize("fixture", ["lao_focal_point", "donor_user", "partner_user"])
def test_only_isu_and_coordinators_relay(make_relay, request, fixture):
    user = request.getfixturevalue(fixture)
    with pytest.raises(PermissionDenied):
        make_relay(user)


def test_a_coordinator_cannot_relay_a_private_need(make_relay, coordinator_user, need):
    assistance_services.need_update(need=need, data={"visibility": "private"})
    with pytest.raises(PermissionDenied):
        make_relay(coordinator_user)


def test_a_met_need_is_not_relayed(make_relay, isu_user, need):
    assistance_services.need_update(need=need, data={"status": "met"})
    with pytest.raises(ValidationError) as error:
        make_relay(isu_user)
    assert "need" in error.value.message_dict
    assert _codes(error) == {"conflict"}


def test_partners_are_required_and_the_requesting_state_is_not_one(make_relay, isu_user, lao):
    with pytest.raises(ValidationError) as error:
        make_relay(isu_user, partners=[])
    assert error.value.message_dict["partners"] == ["Choose at least one partner."]
    with pytest.raises(ValidationError) as error:
        make_relay(isu_user, partners=[lao])
    assert "own need" in error.value.message_dict["partners"][0]


def test_a_partner_does_not_get_the_same_need_twice(make_relay, isu_user, npa, nor):
    make_relay(isu_user, partners=[npa])
    with pytest.raises(ValidationError) as error:
        make_relay(isu_user, partners=[nor, npa])
    assert "Norwegian People's Aid" in error.value.message_dict["partners"][0]


# --- objection --------------------------------------------------------------------------------


def test_the_state_objects_before_the_deadline_and_the_relay_is_never_sent(
    make_relay, isu_user, lao_focal_point, partner_user
):
    relay = make_relay(isu_user)
    services.relay_object(
        relay=relay, user=lao_focal_point, reason="A national plan is underway", today=NEXT_MONDAY
    )
    relay.refresh_from_db()
    assert relay.status == RelayStatus.OBJECTED
    assert relay.objected_by == lao_focal_point
    # the ISU who relayed it is told
    assert Notification.objects.filter(recipient=isu_user, subject__contains="objected").exists()

    # and the daily run leaves it alone: the partner is never told
    result = services.relay_advance(today=NEXT_MONDAY + dt.timedelta(days=30))
    assert result.sent == 0
    assert not Notification.objects.filter(recipient=partner_user).exists()


def test_an_objection_after_the_deadline_is_refused_with_a_clear_message(
    make_relay, isu_user, lao_focal_point
):
    relay = make_relay(isu_user)
    with pytest.raises(ValidationError) as error:
        services.relay_object(
            relay=relay,
            user=lao_focal_point,
            reason="Too late",
            today=NEXT_MONDAY + dt.timedelta(days=1),
        )
    assert _codes(error) == {"conflict"}
    assert error.value.message_dict["objection_reason"] == [
        "The objection period ended on 9 March 2026: the relay goes to the partners. "
        "Contact the ISU if your state still objects."
    ]
    relay.refresh_from_db()
    assert relay.status == RelayStatus.AWAITING_OBJECTION


def test_an_objection_needs_a_reason(make_relay, isu_user, lao_focal_point):
    relay = make_relay(isu_user)
    with pytest.raises(ValidationError) as error:
        services.relay_object(relay=relay, user=lao_focal_point, reason="  ", today=MONDAY)
    assert error.value.message_dict == {"objection_reason": ["Give the reason for the objection."]}


@pytest.mark.parametrize("fixture", ["isu_user", "lbn_focal_point", "donor_user", "partner_user"])
def test_only_the_requesting_state_objects(make_relay, isu_user, request, fixture):
    relay = make_relay(isu_user)
    with pytest.raises(PermissionDenied):
        services.relay_object(
            relay=relay, user=request.getfixturevalue(fixture), reason="No", today=MONDAY
        )


def test_a_relay_not_yet_sent_can_be_cancelled_once(make_relay, isu_user, coordinator_user):
    relay = make_relay(isu_user)
    services.relay_cancel(relay=relay, user=coordinator_user)
    relay.refresh_from_db()
    assert relay.status == RelayStatus.CANCELLED
    with pytest.raises(ValidationError):
        services.relay_cancel(relay=relay, user=coordinator_user)


# --- the daily run ---------------------------------------------------------------------------


def test_advance_sends_due_relays_and_notifies_every_partner_user(
    make_relay,
    isu_user,
    donor_user,
    partner_user,
    lao_focal_point,
    django_capture_on_commit_callbacks,
):
    # given a relay to Norway and NPA, whose users have e-mail addresses
    with_email(donor_user, partner_user)
    relay = make_relay(isu_user)

    # when the daily run goes on the deadline day: nothing is sent yet
    assert services.relay_advance(today=NEXT_MONDAY).sent == 0
    relay.refresh_from_db()
    assert relay.status == RelayStatus.AWAITING_OBJECTION
    assert relay.effective_status(NEXT_MONDAY) == RelayStatus.AWAITING_OBJECTION
    assert relay.effective_status(NEXT_MONDAY + dt.timedelta(days=1)) == "due"

    # when it runs the day after the deadline
    with django_capture_on_commit_callbacks(execute=True):
        result = services.relay_advance(today=NEXT_MONDAY + dt.timedelta(days=1))

    # then the relay is sent and each partner's users get a notification and an e-mail
    assert result.sent == 1
    relay.refresh_from_db()
    assert relay.status == RelayStatus.SENT
    assert relay.sent_on == NEXT_MONDAY + dt.timedelta(days=1)
    assert Notification.objects.filter(recipient=donor_user, url__startswith="/relays/answers/")
    assert Notification.objects.filter(recipient=partner_user, url__startswith="/relays/answers/")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "donor-test@example.org",
        "partner-test@example.org",
    ]
    assert "Survey of Xieng Khouang" in mail.outbox[0].subject

    # and a second run sends nothing again
    assert services.relay_advance(today=NEXT_MONDAY + dt.timedelta(days=2)).sent == 0
    assert Notification.objects.filter(recipient=partner_user).count() == 1


def test_notifications_are_written_in_each_users_language(
    make_relay, isu_user, partner_user, django_capture_on_commit_callbacks
):
    # given the NPA member prefers French (the French catalogue may not translate the
    # message yet: the subject is then in English, but never in the sender's language)
    partner_user.preferred_language = "fr"
    partner_user.save()
    make_relay(isu_user)
    services.relay_advance(today=NEXT_MONDAY + dt.timedelta(days=1))
    notification = Notification.objects.get(recipient=partner_user)
    assert "Survey of Xieng Khouang" in notification.subject


def test_the_management_command_runs_the_daily_step(make_relay, isu_user):
    relay = make_relay(isu_user)
    call_command("relays_advance", "--today", "2026-03-10", stdout=open("/dev/null", "w"))  # noqa: SIM115
    relay.refresh_from_db()
    assert relay.status == RelayStatus.SENT


def test_the_task_runs_the_daily_step(make_relay, isu_user):
    from icahub.relays.tasks import relays_advance_task

    relay = make_relay(isu_user)
    result = relays_advance_task.enqueue("2026-03-10")
    relay.refresh_from_db()
    assert relay.status == RelayStatus.SENT
    assert result.return_value == {"sent": 1, "follow_ups": 0}


# --- answers ---------------------------------------------------------------------------------


def test_a_pledge_creates_exactly_one_pledge_flow(sent_relay, partner_user, need, npa):
    # given a rate for EUR
    ExchangeRate.objects.create(
        currency="EUR", valid_from=dt.date(2026, 1, 1), usd_per_unit=Decimal("1.1"), source="UN"
    )
    recipient = sent_relay.recipients.get(organisation=npa)

    # when NPA pledges, then corrects its comment
    services.relay_answer(
        recipient=recipient,
        user=partner_user,
        answer="pledged",
        comment="Two teams",
        amount=Decimal("50000"),
        currency="eur",
        today=dt.date(2026, 3, 20),
    )
    services.relay_answer(
        recipient=recipient,
        user=partner_user,
        answer="pledged",
        comment="Two teams for six months",
        amount=Decimal("50000"),
        currency="EUR",
        today=dt.date(2026, 3, 21),
    )

    # then exactly one pledge flow is recorded for the need, valued in USD
    flow = Flow.objects.get(need=need)
    assert (flow.status, flow.source, flow.giver_organisation, flow.recipient_state_id) == (
        "pledge",
        "relay",
        npa,
        need.state_id,
    )
    assert flow.amount == Decimal("50000") and flow.currency == "EUR"
    assert flow.usd_value == Decimal("55000.00")
    recipient.refresh_from_db()
    assert recipient.flow == flow
    assert recipient.comment == "Two teams for six months"


def test_a_recorded_pledge_is_not_changed_from_the_relay(sent_relay, partner_user, npa):
    recipient = sent_relay.recipients.get(organisation=npa)
    services.relay_answer(
        recipient=recipient, user=partner_user, answer="pledged", amount=1000, currency="USD"
    )
    with pytest.raises(ValidationError) as error:
        services.relay_answer(recipient=recipient, user=partner_user, answer="declined")
    assert _codes(error) == {"conflict"}
    assert Flow.objects.count() == 1


def test_a_pledge_needs_an_amount_and_a_currency(sent_relay, partner_user, npa):
    recipient = sent_relay.recipients.get(organisation=npa)
    with pytest.raises(ValidationError) as error:
        services.relay_answer(recipient=recipient, user=partner_user, answer="pledged")
    assert set(error.value.message_dict) == {"pledge_amount", "pledge_currency"}
    with pytest.raises(ValidationError) as error:
        services.relay_answer(
            recipient=recipient, user=partner_user, answer="pledged", amount=-5, currency="USD"
        )
    assert "pledge_amount" in error.value.message_dict
    assert not Flow.objects.exists()
    recipient.refresh_from_db()
    assert recipient.answer == Answer.NONE


def test_an_amount_or_currency_without_a_pledge_is_refused_not_dropped(
    sent_relay, partner_user, npa
):
    # given a partner who typed an amount and a currency, then chose "interested"
    recipient = sent_relay.recipients.get(organisation=npa)
    with pytest.raises(ValidationError) as error:
        services.relay_answer(
            recipient=recipient,
            user=partner_user,
            answer="interested",
            amount=1000,
            currency="<script>",
        )
    # then both are named, and nothing is recorded
    assert set(error.value.message_dict) == {"pledge_amount", "pledge_currency"}
    recipient.refresh_from_db()
    assert recipient.answer == Answer.NONE
    assert not Flow.objects.exists()


def test_interest_is_recorded_and_the_state_is_told(sent_relay, donor_user, lao_focal_point, nor):
    recipient = sent_relay.recipients.get(state=nor)
    services.relay_answer(recipient=recipient, user=donor_user, answer="interested", comment="Yes")
    recipient.refresh_from_db()
    assert (recipient.answer, recipient.answered_by) == ("interested", donor_user)
    assert Notification.objects.filter(
        recipient=lao_focal_point, subject__contains="Norway answered"
    ).exists()
    assert not Flow.objects.exists()


def test_a_partner_answers_only_for_itself_and_only_once_sent(
    make_relay, isu_user, donor_user, partner_user, npa
):
    relay = make_relay(isu_user)
    recipient = relay.recipients.get(organisation=npa)
    with pytest.raises(PermissionDenied):  # not sent yet
        services.relay_answer(recipient=recipient, user=partner_user, answer="interested")
    services.relay_advance(today=NEXT_MONDAY + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):  # Norway does not answer for NPA
        services.relay_answer(recipient=recipient, user=donor_user, answer="interested")


def test_an_unknown_answer_names_the_field(sent_relay, partner_user, npa):
    with pytest.raises(ValidationError) as error:
        services.relay_answer(
            recipient=sent_relay.recipients.get(organisation=npa), user=partner_user, answer="x"
        )
    assert list(error.value.message_dict) == ["answer"]


# --- follow-up -------------------------------------------------------------------------------


def test_follow_ups_are_asked_twelve_months_after_sending(
    sent_relay, lao_focal_point, partner_user, donor_user
):
    sent_on = sent_relay.sent_on
    # the day before: nothing
    assert (
        services.relay_advance(
            today=sent_on.replace(year=sent_on.year + 1) - dt.timedelta(days=1)
        ).follow_ups
        == 0
    )
    # 12 months on: the state and both partners are asked, once
    result = services.relay_advance(today=sent_on.replace(year=sent_on.year + 1))
    assert result.follow_ups == 3
    assert services.relay_advance(today=sent_on.replace(year=sent_on.year + 2)).follow_ups == 0
    follow_ups = FollowUp.objects.filter(relay=sent_relay)
    assert follow_ups.count() == 3
    assert {f.due_date for f in follow_ups} == {sent_on.replace(year=sent_on.year + 1)}
    for user in (lao_focal_point, partner_user, donor_user):
        assert Notification.objects.filter(recipient=user, subject__contains="A year on").exists()

    # the state answers "partly"; a partner may not answer the state's question
    state_question = follow_ups.get(recipient__isnull=True)
    with pytest.raises(PermissionDenied):
        services.follow_up_answer(follow_up=state_question, user=partner_user, answer="fully")
    services.follow_up_answer(
        follow_up=state_question, user=lao_focal_point, answer="partly", comment="Half surveyed"
    )
    state_question.refresh_from_db()
    assert (state_question.answer, state_question.answered_by) == ("partly", lao_focal_point)
    with pytest.raises(ValidationError) as error:
        services.follow_up_answer(follow_up=state_question, user=lao_focal_point, answer="maybe")
    assert list(error.value.message_dict) == ["answer"]
