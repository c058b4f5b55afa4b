"""Funding flows between givers and recipients, and the exchange rates that value them.

A flow goes from a state or an organisation (exactly one) to a state, an organisation or a
Country Coalition (exactly one), for a need or, without one, for an area. Its ``status``
says how far it went: a *pledge* is a promise and is never counted as funding in totals;
*commitment*, *disbursement* and *expenditure* are. Amounts keep their original currency
and value date; ``usd_value`` is computed from the ISU's exchange-rate table (no network)
and stays empty while no rate is known for that currency at that date.

The same flow reported by the giver and by the receiver (Article 7 form I, or by hand) is
one flow: ``reported_by_giver`` / ``reported_by_recipient`` record who reported it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from icahub.assistance.models import (
    AREA_CHOICES,
    CURRENCY_PATTERN,
    MODALITY_CHOICES,
    Need,
    Visibility,
)
from icahub.registry.models import Organisation, State, TimeStamped
from icahub.reports.models import Report, ReportVersion
from icahub.versioning import Versioned

CURRENCY_RE = re.compile(CURRENCY_PATTERN)
# The first year a flow can count for: the APMBC was adopted in 1997.
FIRST_YEAR = 1997


class ExchangeRate(TimeStamped):
    """How many US dollars one unit of ``currency`` was worth from ``valid_from`` until the
    next rate of the same currency."""

    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    valid_from = models.DateField(_("valid from"))
    usd_per_unit = models.DecimalField(_("USD per unit"), max_digits=20, decimal_places=10)
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where the rate comes from (e.g. UN operational rates)."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"], name="exchange_rate_unique_date"
            ),
            models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=CURRENCY_PATTERN), name="exchange_rate_currency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}: {self.usd_per_unit} USD"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.currency = (self.currency or "").strip().upper()
        if not CURRENCY_RE.match(self.currency):
            errors["currency"] = _("Enter a three-letter ISO 4217 code, e.g. EUR.")
        elif self.currency == "USD":
            errors["currency"] = _("The US dollar is the unit of the table: it needs no rate.")
        if self.usd_per_unit is not None and self.usd_per_unit <= 0:
            errors["usd_per_unit"] = _("A rate must be greater than zero.")
        if errors:
            raise ValidationError(errors)


class FlowStatus(models.TextChoices):
    PLEDGE = "pledge", _("Pledge")
    COMMITMENT = "commitment", _("Commitment")
    DISBURSEMENT = "disbursement", _("Disbursement")
    EXPENDITURE = "expenditure", _("Expenditure")


# Pledges are promises: never counted as funding in totals.
FUNDED_STATUSES = (FlowStatus.COMMITMENT, FlowStatus.DISBURSEMENT, FlowStatus.EXPENDITURE)
# Money that has actually moved.
DISBURSED_STATUSES = (FlowStatus.DISBURSEMENT, FlowStatus.EXPENDITURE)


class CooperationModel(models.TextChoices):
    """The models of cooperation of the Convention on Cluster Munitions' guidance on
    international cooperation and assistance (source document 002)."""

    BILATERAL = "bilateral", _("Bilateral")
    MULTILATERAL = "multilateral", _("Multilateral")
    REGIONAL_FUND = "regional_fund", _("Regional fund")
    PUBLIC_PRIVATE = "public_private", _("Public-private partnership")
    SOUTH_SOUTH = "south_south", _("South-south")
    TRIANGULAR = "triangular", _("Triangular")


class FlowSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    ARTICLE7 = "article7", _("Article 7 report (form I)")
    IMPORT = "import", _("Imported file")
    RELAY = "relay", _("Answer to a relay")


class Flow(Versioned, TimeStamped):
    giver_state = models.ForeignKey(
        State,
        verbose_name=_("giver state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows_given",
    )
    giver_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("giver organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows_given",
    )
    recipient_state = models.ForeignKey(
        State,
        verbose_name=_("recipient state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows_received",
    )
    recipient_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows_received",
    )
    recipient_coalition = models.ForeignKey(
        "coalitions.Coalition",
        verbose_name=_("recipient coalition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flows_received",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flows",
    )
    area = models.CharField(_("area"), max_length=30, choices=AREA_CHOICES)
    status = models.CharField(_("status"), max_length=20, choices=FlowStatus.choices)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    value_date = models.DateField(_("value date"))
    usd_value = models.DecimalField(
        _("value in USD"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty while no exchange rate is known for the currency at the value date."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    modality = models.CharField(_("modality"), max_length=20, choices=MODALITY_CHOICES, blank=True)
    cooperation_model = models.CharField(
        _("cooperation model"), max_length=20, choices=CooperationModel.choices, blank=True
    )
    notes_on_use = models.TextField(
        _("use of funds"), blank=True, help_text=_("What the money was used for (accountability).")
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    source = models.CharField(
        _("source"), max_length=20, choices=FlowSource.choices, default=FlowSource.MANUAL
    )
    source_report_version = models.ForeignKey(
        ReportVersion,
        verbose_name=_("source report version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flows",
    )
    giver_report = models.ForeignKey(
        Report,
        verbose_name=_("giver's Article 7 report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flows_reported_as_giver",
        help_text=_("The giver's report whose form I lists this flow as assistance provided."),
    )
    recipient_report = models.ForeignKey(
        Report,
        verbose_name=_("recipient's Article 7 report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flows_reported_as_recipient",
        help_text=_("The recipient's report whose form I lists this flow as assistance received."),
    )
    reported_by_giver = models.BooleanField(_("reported by the giver"), default=False)
    reported_by_recipient = models.BooleanField(_("reported by the recipient"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-value_date", "pk"]
        verbose_name = _("funding flow")
        verbose_name_plural = _("funding flows")
        constraints = [
            models.CheckConstraint(
                condition=(Q(giver_state__isnull=False) & Q(giver_organisation__isnull=True))
                | (Q(giver_state__isnull=True) & Q(giver_organisation__isnull=False)),
                name="flow_one_giver",
            ),
            models.CheckConstraint(
                condition=(
                    Q(recipient_state__isnull=False)
                    & Q(recipient_organisation__isnull=True)
                    & Q(recipient_coalition__isnull=True)
                )
                | (
                    Q(recipient_state__isnull=True)
                    & Q(recipient_organisation__isnull=False)
                    & Q(recipient_coalition__isnull=True)
                )
                | (
                    Q(recipient_state__isnull=True)
                    & Q(recipient_organisation__isnull=True)
                    & Q(recipient_coalition__isnull=False)
                ),
                name="flow_one_recipient",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="flow_amount_positive"),
            models.CheckConstraint(
                condition=Q(usd_value__isnull=True) | Q(usd_value__gte=0),
                name="flow_usd_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=CURRENCY_PATTERN), name="flow_currency_code"
            ),
        ]
        indexes = [
            models.Index(fields=["need", "status"], name="flow_need_status"),
            models.Index(fields=["year"], name="flow_year"),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.recipient}: {self.amount} {self.currency} ({self.status})"

    def clean(self) -> None:
        """Check the flow as a whole; every error names its field."""
        errors: dict[str, str] = {}
        self.currency = (self.currency or "").strip().upper()
        if not CURRENCY_RE.match(self.currency):
            errors["currency"] = _("Enter a three-letter ISO 4217 code, e.g. EUR.")
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("The amount must be greater than zero.")
        if not (self.giver_state_id or self.giver_organisation_id):
            errors["giver_state"] = _("Name the state or the organisation that gives.")
        elif self.giver_state_id and self.giver_organisation_id:
            errors["giver_organisation"] = _("Name one giver only: a state or an organisation.")
        recipients = [
            self.recipient_state_id,
            self.recipient_organisation_id,
            self.recipient_coalition_id,
        ]
        if not any(recipients):
            errors["recipient_state"] = _(
                "Name the state, organisation or coalition that receives."
            )
        elif sum(1 for r in recipients if r) > 1:
            errors["recipient_organisation"] = _(
                "Name one recipient only: a state, an organisation or a coalition."
            )
        if self.giver_state_id and self.giver_state_id == self.recipient_state_id:
            errors["recipient_state"] = _("A state cannot fund itself through a flow.")
        if (
            self.giver_organisation_id
            and self.giver_organisation_id == self.recipient_organisation_id
        ):
            errors["recipient_organisation"] = _(
                "An organisation cannot fund itself through a flow."
            )
        if self.need_id is not None:
            need = self.need
            if self.recipient_state_id and self.recipient_state_id != need.state_id:
                errors["recipient_state"] = _(
                    "A flow for a need goes to the need's state (%(state)s), or to an "
                    "organisation or coalition working on it."
                ) % {"state": need.state.iso3}
            if self.area and self.area != need.area:
                errors["area"] = _("The area of a flow for a need is the need's area.")
        elif not self.area:
            errors["area"] = _("Give the area when the flow is not for a need.")
        errors.update(self._year_errors())
        if errors:
            raise ValidationError(errors)

    def _year_errors(self) -> dict[str, str]:
        if self.year is None or self.value_date is None:
            return {}
        if not FIRST_YEAR <= self.year <= timezone.localdate().year + 20:
            return {"year": _("Give a year between 1997 and 20 years from now.")}
        if self.status in (FlowStatus.PLEDGE, FlowStatus.COMMITMENT):
            # A promise dated now may be for a later year, never for an earlier one.
            if self.year < self.value_date.year:
                return {
                    "year": _(
                        "A pledge or commitment cannot count for a year before its value date."
                    )
                }
        elif self.year != self.value_date.year:
            return {
                "year": _(
                    "A disbursement or expenditure counts in the year of its value date (%(year)s)."
                )
                % {"year": self.value_date.year}
            }
        return {}

    @property
    def is_funding(self) -> bool:
        """Whether the flow counts as funding in totals (a pledge does not)."""
        return self.status in FUNDED_STATUSES

    @property
    def giver(self):
        return self.giver_state if self.giver_state_id else self.giver_organisation

    @property
    def recipient(self):
        if self.recipient_state_id:
            return self.recipient_state
        if self.recipient_organisation_id:
            return self.recipient_organisation
        return self.recipient_coalition
