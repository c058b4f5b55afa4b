"""Article 7 transparency reports and their versions.

A report is one state's report to one convention for one reporting year (initial or
annual). Its content lives in versions: the current draft is edited in place; once
submitted a version is frozen, and an amendment starts a new version copied from it. The
forms are structured data (``forms`` JSON) validated against ``forms_schema``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from icahub.registry.models import Convention, State, TimeStamped
from icahub.versioning import Versioned


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    ANNUAL = "annual", _("Annual report")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")


class Report(TimeStamped):
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="reports")
    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    reporting_year = models.PositiveSmallIntegerField(
        _("reporting year"), help_text=_("The calendar year the report covers.")
    )
    period_start = models.DateField(_("reporting period from"))
    period_end = models.DateField(_("reporting period to"))
    due_date = models.DateField(_("due date"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reporting_year", "state__name_en"]
        verbose_name = _("Article 7 report")
        verbose_name_plural = _("Article 7 reports")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "convention", "kind", "reporting_year"],
                name="report_unique_per_year",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="report_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} {self.convention.code} {self.kind} {self.reporting_year}"


class ReportVersion(Versioned, TimeStamped):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    language = models.CharField(_("language"), max_length=5, default="en")
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_organisation = models.CharField(_("contact organisation"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=50, blank=True)
    forms = models.JSONField(_("forms"), default=dict, blank=True)
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique_number"),
            # At most one draft per report: amendments start from the latest submission.
            models.UniqueConstraint(
                fields=["report"], condition=Q(status="draft"), name="version_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_on__isnull=False),
                name="version_submitted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT
