"""Time-bound and ongoing obligations of States Parties, their extensions and completion.

The original deadline follows from the state's entry into force by ``rules.py`` and is
stored (services keep it equal to the rule) so lists can sort and filter on it. The current
deadline is the latest extension granted, or the original one.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from icahub.obligations import rules
from icahub.registry.models import Convention, State, TimeStamped
from icahub.versioning import Versioned


class ObligationKind(models.TextChoices):
    STOCKPILE_DESTRUCTION = "stockpile_destruction", _("Stockpile destruction")
    CLEARANCE = "clearance", _("Clearance")
    VICTIM_ASSISTANCE = "victim_assistance", _("Victim assistance")


class ObligationStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    DUE_SOON = "due_soon", _("Due within 12 months")
    OVERDUE = "overdue", _("Overdue")
    COMPLETED = "completed", _("Completed")
    UNKNOWN = "unknown", _("Deadline unknown")


class Obligation(Versioned, TimeStamped):
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="obligations")
    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="obligations")
    article = models.PositiveSmallIntegerField(_("article"))
    kind = models.CharField(_("kind"), max_length=30, choices=ObligationKind.choices)
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    current_deadline = models.DateField(_("current deadline"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion_declaration = models.TextField(
        _("completion declaration"),
        blank=True,
        help_text=_("How completion was declared or reported, e.g. at which meeting."),
    )
    source = models.TextField(_("source"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["current_deadline", "state__name_en"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "convention", "kind"], name="obligation_unique_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind="victim_assistance") | Q(original_deadline__isnull=False),
                name="obligation_time_bound_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} {self.convention.code} Art. {self.article} {self.kind}"

    @property
    def is_completed(self) -> bool:
        return bool(self.completion_declaration) or self.completed_on is not None

    def status_on(self, on: dt.date | None = None) -> str:
        if self.kind == ObligationKind.VICTIM_ASSISTANCE:
            return ObligationStatus.IN_PROGRESS
        return rules.obligation_status(
            on=on or timezone.localdate(),
            current_deadline=self.current_deadline,
            completed_on=self.completed_on,
            completion_declared=self.is_completed,
        )

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return ObligationStatus(self.status).label


class Extension(TimeStamped):
    """An extension of an obligation's deadline granted by a Meeting or Review Conference."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="extensions")
    sequence = models.PositiveSmallIntegerField(_("request number"))
    new_deadline = models.DateField(_("new deadline"))
    decided_by = models.CharField(
        _("decided by"),
        max_length=200,
        blank=True,
        help_text=_("The meeting that granted it, e.g. 9MSP (September 2019)."),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    exceptional_circumstances = models.BooleanField(_("exceptional circumstances"), default=False)
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["obligation", "sequence"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "sequence"], name="extension_unique_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} -> {self.new_deadline}"
