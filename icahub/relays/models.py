"""Relays of needs to chosen partners, their answers and the follow-up a year later.

A ``Relay`` passes one need to chosen partners (``RelayRecipient``: a state or an
organisation each). It waits while the requesting state may object
(``awaiting_objection`` until ``objection_deadline``), then is ``sent`` (or ``objected``,
or ``cancelled`` by the ISU or a coordinator). Each recipient answers interested, declined
or pledged; a pledge is also recorded as a funding flow (``RelayRecipient.flow``). Twelve
months after sending, a ``FollowUp`` asks the requesting state and each partner whether the
need was met.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from icahub.assistance.models import CURRENCY_PATTERN, Need
from icahub.registry.models import Organisation, State, TimeStamped
from icahub.relays import rules


class RelayStatus(models.TextChoices):
    AWAITING_OBJECTION = "awaiting_objection", _("Awaiting objection period")
    OBJECTED = "objected", _("Objected by the requesting state")
    SENT = "sent", _("Sent to partners")
    CANCELLED = "cancelled", _("Cancelled")


# Read-only value of ``Relay.effective_status``: the objection period is over but the daily
# run has not sent the relay yet.
DUE_TO_BE_SENT = "due"
DUE_TO_BE_SENT_LABEL = _("Objection period over, being sent")


class Answer(models.TextChoices):
    NONE = "none", _("No answer yet")
    INTERESTED = "interested", _("Interested")
    DECLINED = "declined", pgettext_lazy("relay answer", "Declined")
    PLEDGED = "pledged", _("Pledged")


# Answers that count as a match in the annual report.
MATCH_ANSWERS = (Answer.INTERESTED, Answer.PLEDGED)


class Outcome(models.TextChoices):
    NONE = "", _("Not answered yet")
    FULLY = "fully", _("Fully met")
    PARTLY = "partly", _("Partly met")
    NOT = "not", pgettext_lazy("need met", "Not met")


class Relay(TimeStamped):
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.PROTECT, related_name="relays"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relayed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(
        _("note to the partners"),
        blank=True,
        help_text=_("Why these partners were chosen, or what the state asks of them."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RelayStatus.choices,
        default=RelayStatus.AWAITING_OBJECTION,
    )
    objection_deadline = models.DateField(
        _("objection deadline"),
        help_text=_("The last day on which the requesting state may object (5 working days)."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    objection_reason = models.TextField(_("reason for the objection"), blank=True)
    objected_at = models.DateTimeField(_("objected at"), null=True, blank=True)
    objected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("objected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("relay")
        verbose_name_plural = _("relays")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="relay_sent_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="objected")
                | (Q(objected_at__isnull=False) & ~Q(objection_reason="")),
                name="relay_objection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_objection", "objected", "sent", "cancelled"]),
                name="relay_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "objection_deadline"], name="relay_due")]

    def __str__(self) -> str:
        return f"{self.need} ({self.get_status_display()})"

    @property
    def sent_on(self) -> dt.date | None:
        return self.sent_at.date() if self.sent_at else None

    @property
    def follow_up_due(self) -> dt.date | None:
        return rules.follow_up_due(self.sent_on) if self.sent_at else None

    def effective_status(self, today: dt.date) -> str:
        """The status as of ``today``: a relay still awaiting objection after its deadline
        reads as due to be sent (``DUE_TO_BE_SENT``), whether or not the daily run has
        sent it yet."""
        if self.status == RelayStatus.AWAITING_OBJECTION and not rules.objection_open(
            self.objection_deadline, today
        ):
            return DUE_TO_BE_SENT
        return self.status

    def effective_status_label(self, today: dt.date) -> str:
        status = self.effective_status(today)
        if status == DUE_TO_BE_SENT:
            return str(DUE_TO_BE_SENT_LABEL)
        return str(RelayStatus(status).label)

    def clean(self) -> None:
        errors: dict = {}
        if self.status == RelayStatus.OBJECTED and not (self.objection_reason or "").strip():
            errors["objection_reason"] = _("Give the reason for the objection.")
        if self.status == RelayStatus.SENT and self.sent_at is None:
            errors["sent_at"] = _("A sent relay needs the date it was sent.")
        if errors:
            raise ValidationError(errors)


def _is_currency(value: str) -> bool:
    return len(value) == 3 and value.isascii() and value.isalpha() and value.isupper()


class RelayRecipient(TimeStamped):
    """A partner the relay goes to (a state or an organisation), and its answer."""

    relay = models.ForeignKey(
        Relay, verbose_name=_("relay"), on_delete=models.CASCADE, related_name="recipients"
    )
    state = models.ForeignKey(
        State,
        verbose_name=_("partner state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer = models.CharField(
        _("answer"), max_length=20, choices=Answer.choices, default=Answer.NONE
    )
    comment = models.TextField(_("comment"), blank=True)
    pledge_amount = models.DecimalField(
        _("amount pledged"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    pledge_currency = models.CharField(_("currency (ISO 4217)"), max_length=3, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    flow = models.OneToOneField(
        "funding.Flow",
        verbose_name=_("funding flow (pledge)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="relay_recipient",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["relay", "pk"]
        verbose_name = _("relay recipient")
        verbose_name_plural = _("relay recipients")
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__isnull=False) & Q(organisation__isnull=True))
                | (Q(state__isnull=True) & Q(organisation__isnull=False)),
                name="relay_recipient_one_partner",
            ),
            models.UniqueConstraint(
                fields=["relay", "state"],
                condition=Q(state__isnull=False),
                name="relay_recipient_unique_state",
            ),
            models.UniqueConstraint(
                fields=["relay", "organisation"],
                condition=Q(organisation__isnull=False),
                name="relay_recipient_unique_organisation",
            ),
            models.CheckConstraint(
                condition=(
                    Q(answer="pledged")
                    & Q(pledge_amount__gt=0)
                    & Q(pledge_currency__regex=CURRENCY_PATTERN)
                )
                | (~Q(answer="pledged") & Q(pledge_amount__isnull=True) & Q(pledge_currency="")),
                name="relay_recipient_pledge_amount",
            ),
            models.CheckConstraint(
                condition=Q(answer="none") | Q(answered_at__isnull=False),
                name="relay_recipient_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.get_answer_display()}"

    @property
    def partner(self) -> State | Organisation | None:
        return self.state if self.state_id else self.organisation

    def clean(self) -> None:
        errors: dict = {}
        if (self.state_id is None) == (self.organisation_id is None):
            errors["state"] = _("Give exactly one partner: a state or an organisation.")
        if self.answer == Answer.PLEDGED:
            if self.pledge_amount is None:
                errors["pledge_amount"] = _("Give the amount pledged.")
            elif not isinstance(self.pledge_amount, Decimal | int) or not (
                Decimal(self.pledge_amount).is_finite() and self.pledge_amount > 0
            ):
                errors["pledge_amount"] = _("Enter an amount greater than zero.")
            if not self.pledge_currency:
                errors["pledge_currency"] = _("Give the currency of the pledge (e.g. USD).")
            elif not _is_currency(self.pledge_currency):
                errors["pledge_currency"] = _(
                    "Enter a three-letter ISO 4217 code in capitals, e.g. USD."
                )
        else:
            if self.pledge_amount is not None:
                errors["pledge_amount"] = _("An amount is given only with a pledge.")
            if self.pledge_currency:
                errors["pledge_currency"] = _("A currency is given only with a pledge.")
        if errors:
            raise ValidationError(errors)


class FollowUp(TimeStamped):
    """Whether the need was met, asked of one party 12 months after the relay was sent:
    the requesting state (``recipient`` empty) or one partner (``recipient``)."""

    relay = models.ForeignKey(
        Relay, verbose_name=_("relay"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    recipient = models.ForeignKey(
        RelayRecipient,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
        help_text=_("Empty for the requesting state."),
    )
    due_date = models.DateField(_("due date"))
    asked_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    answer = models.CharField(
        _("was the need met?"), max_length=10, choices=Outcome.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["relay", "due_date", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["relay"],
                condition=Q(recipient__isnull=True),
                name="follow_up_one_for_requesting_state",
            ),
            models.UniqueConstraint(
                fields=["relay", "recipient"],
                condition=Q(recipient__isnull=False),
                name="follow_up_one_per_partner",
            ),
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_at__isnull=False),
                name="follow_up_answer_dated",
            ),
            models.CheckConstraint(
                condition=Q(answer__in=["", "fully", "partly", "not"]),
                name="follow_up_answer_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relay_id} / {self.party}: {self.get_answer_display()}"

    @property
    def party(self) -> State | Organisation:
        return self.recipient.partner if self.recipient_id else self.relay.need.state

    @property
    def is_requesting_state(self) -> bool:
        return self.recipient_id is None

    def clean(self) -> None:
        if self.recipient_id and self.relay_id and self.recipient.relay_id != self.relay_id:
            raise ValidationError({"recipient": _("The partner must be one of this relay's.")})
