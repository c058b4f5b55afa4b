"""The relay workflow: relay a need, object, send when the objection period is over,
answer, and follow up a year later. Every write is atomic and validated; every error names
its field; a request that clashes with the relay's state (an objection after the deadline,
a second pledge) is a *conflict* (HTTP 409).

Notifications (in-app and e-mail, in each user's language) go through
``icahub.notifications.services.notify``; e-mails leave only after the write commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from icahub.assistance.models import Need, NeedStatus
from icahub.errors import conflict
from icahub.funding.models import FlowSource, FlowStatus
from icahub.funding.services import flow_create
from icahub.notifications.services import notify
from icahub.registry.models import Organisation, State
from icahub.relays import rules
from icahub.relays.models import (
    Answer,
    FollowUp,
    Outcome,
    Relay,
    RelayRecipient,
    RelayStatus,
)
from icahub.relays.selectors import (
    recipient_users,
    relay_staff_users,
    requesting_state_users,
    today_default,
)

RELAYABLE_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.PARTLY_MET)
ANSWERS = (Answer.INTERESTED, Answer.DECLINED, Answer.PLEDGED)
OUTCOMES = (Outcome.FULLY, Outcome.PARTLY, Outcome.NOT)


def _moment(today: dt.date) -> dt.datetime:
    """The time to record for something done "on ``today``": now when today is the real
    date, else noon UTC of that day (the daily command run for a given date)."""
    if today == timezone.localdate():
        return timezone.now()
    return dt.datetime.combine(today, dt.time(12, 0), tzinfo=dt.UTC)


def _date(value: dt.date) -> str:
    """A date in the active language (called inside the recipient's language)."""
    return formats.date_format(value, "j F Y")


def _relay_url(relay: Relay) -> str:
    return reverse("relays:detail", args=[relay.pk])


def _partners(partners: Iterable) -> list[State | Organisation]:
    chosen: list = []
    for partner in partners or []:
        if not isinstance(partner, State | Organisation):
            raise ValidationError(
                {"partners": _("Give states and organisations from the registry.")}
            )
        if partner not in chosen:
            chosen.append(partner)
    return chosen


def _partner_names(relay: Relay) -> str:
    return ", ".join(str(r.partner) for r in relay.recipients.all())


# --- relay -------------------------------------------------------------------------------


@transaction.atomic
def relay_create(
    *,
    need: Need,
    partners: Iterable[State | Organisation],
    user,
    note: str = "",
    today: dt.date | None = None,
) -> Relay:
    """Relay ``need`` to ``partners`` (states and organisations). Only the ISU and
    coordinators relay, and only an open or partly met need they may see. The requesting
    state's focal points are told at once and may object until the deadline (5 working
    days, ``rules.objection_deadline``); the partners get the relay only after that."""
    today = today_default(today)
    # Checked on the row as it is now (locked), not on the caller's copy.
    need = Need.objects.select_for_update(of=("self",)).select_related("state").get(pk=need.pk)
    if not user.has_perm("relays.add_relay", need):
        raise PermissionDenied(_("Only the ISU and coordinators relay needs they may see."))
    if need.status not in RELAYABLE_NEED_STATUSES:
        raise conflict(
            "need",
            _("Only an open or partly met need can be relayed; this one is %(status)s.")
            % {"status": need.get_status_display()},
        )
    chosen = _partners(partners)
    if not chosen:
        raise ValidationError({"partners": _("Choose at least one partner.")})
    if any(isinstance(p, State) and p.pk == need.state_id for p in chosen):
        raise ValidationError(
            {"partners": _("The requesting state cannot be a partner of its own need.")}
        )
    pending = RelayRecipient.objects.filter(
        relay__need=need,
        relay__status__in=[RelayStatus.AWAITING_OBJECTION, RelayStatus.SENT],
    )
    already = [
        p
        for p in chosen
        if pending.filter(**{"state" if isinstance(p, State) else "organisation": p}).exists()
    ]
    if already:
        raise conflict(
            "partners",
            _("This need was relayed already to: %(partners)s.")
            % {"partners": ", ".join(str(p) for p in already)},
        )
    relay = Relay(
        need=need,
        created_by=user,
        note=(note or "").strip(),
        status=RelayStatus.AWAITING_OBJECTION,
        objection_deadline=rules.objection_deadline(today),
    )
    relay.full_clean()
    relay.save()
    for partner in chosen:
        recipient = RelayRecipient(
            relay=relay,
            state=partner if isinstance(partner, State) else None,
            organisation=partner if isinstance(partner, Organisation) else None,
        )
        recipient.full_clean()
        recipient.save()
    names = _partner_names(relay)
    notify(
        users=requesting_state_users(need),
        subject=lambda: (
            _("Your need “%(title)s” is to be relayed to partners") % {"title": need.title}
        ),
        body=lambda: (
            _(
                "icahub proposes to relay your need “%(title)s” to: %(partners)s. If your state "
                "objects, say so on icahub by %(deadline)s (5 working days). After that date the "
                "partners receive it."
            )
            % {"title": need.title, "partners": names, "deadline": _date(relay.objection_deadline)}
        ),
        url=_relay_url(relay),
    )
    return relay


def _locked(relay: Relay) -> Relay:
    return (
        Relay.objects.select_for_update(of=("self",))
        .select_related("need__state", "created_by")
        .get(pk=relay.pk)
    )


@transaction.atomic
def relay_object(*, relay: Relay, user, reason: str, today: dt.date | None = None) -> Relay:
    """Record the requesting state's objection: the relay is not sent. Only a focal point
    of that state, and only until the objection deadline (inclusive)."""
    today = today_default(today)
    relay = _locked(relay)
    if not user.has_perm("relays.object_relay", relay):
        raise PermissionDenied(_("Only a focal point of the requesting state may object."))
    if relay.status != RelayStatus.AWAITING_OBJECTION:
        raise conflict(
            "status",
            _("This relay is “%(status)s”: it can no longer be objected to.")
            % {"status": relay.get_status_display()},
        )
    if not rules.objection_open(relay.objection_deadline, today):
        raise conflict(
            "objection_reason",
            _(
                "The objection period ended on %(deadline)s: the relay goes to the partners. "
                "Contact the ISU if your state still objects."
            )
            % {"deadline": _date(relay.objection_deadline)},
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"objection_reason": _("Give the reason for the objection.")})
    relay.status = RelayStatus.OBJECTED
    relay.objection_reason = reason
    relay.objected_at = _moment(today)
    relay.objected_by = user
    relay.full_clean()
    relay.save()
    need = relay.need
    notify(
        users=relay_staff_users(relay),
        subject=lambda: (
            _("%(state)s objected to the relay of “%(title)s”")
            % {"state": need.state.name, "title": need.title}
        ),
        body=lambda: _("The relay will not be sent. Reason given: %(reason)s") % {"reason": reason},
        url=_relay_url(relay),
    )
    return relay


@transaction.atomic
def relay_cancel(*, relay: Relay, user) -> Relay:
    """Withdraw a relay before it is sent (the ISU or a coordinator)."""
    relay = _locked(relay)
    if not user.has_perm("relays.cancel_relay", relay):
        raise PermissionDenied(_("Only the ISU and coordinators cancel relays."))
    if relay.status != RelayStatus.AWAITING_OBJECTION:
        raise conflict(
            "status",
            _("This relay is “%(status)s”: only a relay not yet sent can be cancelled.")
            % {"status": relay.get_status_display()},
        )
    relay.status = RelayStatus.CANCELLED
    relay.save(update_fields=["status", "updated_at"])
    need = relay.need
    notify(
        users=requesting_state_users(need),
        subject=lambda: _("The relay of “%(title)s” was cancelled") % {"title": need.title},
        url=_relay_url(relay),
    )
    return relay


# --- the daily run -------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvanceResult:
    sent: int
    follow_ups: int


def _send(relay_pk: int, today: dt.date) -> bool:
    """Send one relay whose objection period is over (re-checked under a row lock, so two
    runs at once send it once)."""
    with transaction.atomic():
        relay = Relay.objects.select_for_update(of=("self",)).filter(pk=relay_pk).first()
        if (
            relay is None
            or relay.status != RelayStatus.AWAITING_OBJECTION
            or rules.objection_open(relay.objection_deadline, today)
        ):
            return False
        relay.status = RelayStatus.SENT
        relay.sent_at = _moment(today)
        relay.full_clean()
        relay.save(update_fields=["status", "sent_at", "updated_at"])
        need = Need.objects.select_related("state", "convention").get(pk=relay.need_id)
        for recipient in relay.recipients.select_related("state", "organisation"):
            notify(
                users=recipient_users(recipient),
                subject=lambda: (
                    _("Request for assistance relayed to you: “%(title)s”") % {"title": need.title}
                ),
                body=lambda recipient=recipient: (
                    _(
                        "%(state)s needs assistance (%(convention)s, %(area)s): “%(title)s”. "
                        "icahub relays it to %(partner)s. Please answer on icahub: interested, "
                        "declined or pledged, with a comment."
                    )
                    % {
                        "state": need.state.name,
                        "convention": need.convention.code,
                        "area": need.get_area_display(),
                        "title": need.title,
                        "partner": recipient.partner,
                    }
                ),
                url=reverse("relays:answer", args=[recipient.pk]),
            )
        return True


def _ask_follow_ups(relay_pk: int, today: dt.date) -> int:
    """Ask the requesting state and each partner whether the need was met, once, when 12
    months have passed since the relay was sent. Returns how many questions were asked."""
    with transaction.atomic():
        relay = (
            Relay.objects.select_for_update(of=("self",))
            .select_related("need__state")
            .filter(pk=relay_pk, status=RelayStatus.SENT)
            .first()
        )
        if relay is None or relay.follow_ups.exists():
            return 0
        due = relay.follow_up_due
        if due is None or due > today:
            return 0
        need = relay.need
        asked = _moment(today)
        parties = [None, *relay.recipients.select_related("state", "organisation")]
        for recipient in parties:
            follow_up = FollowUp(relay=relay, recipient=recipient, due_date=due, asked_at=asked)
            follow_up.full_clean()
            follow_up.save()
            users = (
                requesting_state_users(need) if recipient is None else recipient_users(recipient)
            )
            notify(
                users=users,
                subject=lambda: (
                    _("A year on: was the need “%(title)s” met?") % {"title": need.title}
                ),
                body=lambda: (
                    _(
                        "Twelve months ago icahub relayed the need “%(title)s” of %(state)s. "
                        "Please tell us whether it was met: fully, partly or not."
                    )
                    % {"title": need.title, "state": need.state.name}
                ),
                url=reverse("relays:follow_up_answer", args=[follow_up.pk]),
            )
        return len(parties)


def relay_advance(*, today: dt.date | None = None) -> AdvanceResult:
    """The daily run: send every relay whose objection period is over (notifying the
    partners' users), and ask the follow-up questions of relays sent 12 months ago or more
    (notifying both sides). Safe to run again: nothing is sent or asked twice. Each relay
    is written in its own transaction, so one failure does not hold back the others."""
    today = today_default(today)
    due = Relay.objects.filter(
        status=RelayStatus.AWAITING_OBJECTION, objection_deadline__lt=today
    ).values_list("pk", flat=True)
    sent = sum(1 for pk in list(due) if _send(pk, today))
    # Sent about 12 months ago or more; the day after the cut-off is included because a
    # relay sent on 29 February falls due on 28 February. ``_ask_follow_ups`` checks the
    # exact due date.
    cutoff = rules.add_months(today, -12) + dt.timedelta(days=1)
    waiting = Relay.objects.filter(
        status=RelayStatus.SENT, sent_at__date__lte=cutoff, follow_ups=None
    ).values_list("pk", flat=True)
    asked = sum(_ask_follow_ups(pk, today) for pk in list(waiting))
    return AdvanceResult(sent=sent, follow_ups=asked)


# --- answers ---------------------------------------------------------------------------------


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError({"pledge_amount": _("Enter a number, e.g. 25000.")}) from None


@transaction.atomic
def relay_answer(
    *,
    recipient: RelayRecipient,
    user,
    answer: str,
    comment: str = "",
    amount: Decimal | None = None,
    currency: str = "",
    today: dt.date | None = None,
) -> RelayRecipient:
    """Record a partner's answer to a relay: interested, declined or pledged (with an
    amount and currency). A pledge is also recorded, once, as a funding flow with status
    "pledge" and source "relay" for the need (``icahub.funding.services.flow_create``);
    once recorded, a pledge is changed on the funding side, not here. Only the partner's
    users answer, and only a relay that has been sent."""
    today = today_default(today)
    recipient = (
        RelayRecipient.objects.select_for_update(of=("self",))
        .select_related("relay__need__state", "relay__created_by", "state", "organisation")
        .get(pk=recipient.pk)
    )
    if not user.has_perm("relays.answer_relay", recipient):
        raise PermissionDenied(
            _("Only the partner's own users answer, once the relay has been sent.")
        )
    if answer not in ANSWERS:
        raise ValidationError({"answer": _("Choose interested, declined or pledged.")})
    currency = (currency or "").strip().upper()
    if answer != Answer.PLEDGED:
        # Refused rather than dropped: a partner who typed an amount and then chose
        # another answer should know it was not recorded.
        stray = {}
        if amount not in (None, ""):
            stray["pledge_amount"] = _("Only a pledge has an amount: choose pledged, or clear it.")
        if currency:
            stray["pledge_currency"] = _(
                "Only a pledge has a currency: choose pledged, or clear it."
            )
        if stray:
            raise ValidationError(stray)
    amount = _amount(amount) if answer == Answer.PLEDGED else None
    if recipient.flow_id is not None and (
        answer != Answer.PLEDGED
        or amount != recipient.pledge_amount
        or currency != recipient.pledge_currency
    ):
        raise conflict(
            "answer",
            _(
                "Your pledge is recorded as funding flow %(flow)s: ask the ISU to change it "
                "there. You may still change your comment."
            )
            % {"flow": recipient.flow_id},
        )
    recipient.answer = answer
    recipient.comment = (comment or "").strip()
    recipient.pledge_amount = amount
    recipient.pledge_currency = currency
    recipient.answered_at = _moment(today)
    recipient.answered_by = user
    recipient.full_clean()
    relay = recipient.relay
    need = relay.need
    if answer == Answer.PLEDGED and recipient.flow_id is None:
        try:
            recipient.flow = flow_create(
                giver_state=recipient.state,
                giver_organisation=recipient.organisation,
                need=need,
                status=FlowStatus.PLEDGE,
                amount=amount,
                currency=currency,
                value_date=today,
                modality=need.modality,
                visibility=need.visibility,
                source=FlowSource.RELAY,
                user=user,
            )
        except ValidationError as error:
            renamed = {"amount": "pledge_amount", "currency": "pledge_currency"}
            raise ValidationError(
                {
                    renamed.get(field, field): messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
    recipient.save()
    partner = recipient.partner
    notify(
        users=[*requesting_state_users(need), *relay_staff_users(relay)],
        subject=lambda: (
            _("%(partner)s answered the relay of “%(title)s”: %(answer)s")
            % {"partner": partner, "title": need.title, "answer": Answer(answer).label}
        ),
        body=lambda: recipient.comment,
        url=_relay_url(relay),
    )
    return recipient


@transaction.atomic
def follow_up_answer(*, follow_up: FollowUp, user, answer: str, comment: str = "") -> FollowUp:
    """Record whether the need was met (fully, partly, not), as the party asked says. An
    answer may be corrected; the history keeps every version."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("relay__need__state", "relay__created_by", "recipient")
        .get(pk=follow_up.pk)
    )
    if not user.has_perm("relays.answer_follow_up", follow_up):
        raise PermissionDenied(_("Only the party asked answers this follow-up."))
    if answer not in OUTCOMES:
        raise ValidationError({"answer": _("Choose fully met, partly met or not met.")})
    follow_up.answer = answer
    follow_up.comment = (comment or "").strip()
    follow_up.answered_at = timezone.now()
    follow_up.answered_by = user
    follow_up.full_clean()
    follow_up.save()
    relay = follow_up.relay
    party = follow_up.party
    notify(
        users=relay_staff_users(relay),
        subject=lambda: (
            _("Follow-up of “%(title)s”: %(party)s says %(answer)s")
            % {"title": relay.need.title, "party": party, "answer": Outcome(answer).label}
        ),
        body=lambda: follow_up.comment,
        url=_relay_url(relay),
    )
    return follow_up
