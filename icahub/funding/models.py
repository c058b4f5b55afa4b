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

from django.conf import settings
from django.db import models
from django.db.models import Q
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
from icahub.reports.models import ReportVersion


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


class Flow(TimeStamped):
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
