"""Import jobs: a file uploaded to be imported by the background worker.

The upload page checks the file (type, size, readable, columns) while the user waits, then
stores it privately and queues ``tasks.import_job_run``; the job's page follows it. The
import itself is one transaction (all rows or none) and idempotent: a finished job is never
imported twice, and an attempt that a dead worker left half-way left nothing behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


def files_root() -> Path:
    """``IMPORT_FILES_ROOT`` when set, otherwise ``<MEDIA_ROOT>-private/imports``: never
    under ``MEDIA_ROOT``, which may be served without a permission check."""
    configured = getattr(settings, "IMPORT_FILES_ROOT", "")
    if configured:
        return Path(configured)
    media = Path(settings.MEDIA_ROOT)
    return media.with_name(f"{media.name}-private") / "imports"


class ImportFileStorage(FileSystemStorage):
    """A storage with no URL, whose root is read from the settings at each use."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(files_root())

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Import files have no public URL.")


def import_storage() -> ImportFileStorage:
    return ImportFileStorage()


class ImportKind(models.TextChoices):
    FUNDING_FLOWS = "funding_flows", _("Funding flows")
    EXCHANGE_RATES = "exchange_rates", _("Exchange rates")
    REPORT_XLSX = "report_xlsx", _("Article 7 report (XLSX)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    file = models.FileField(
        _("file"), storage=import_storage, upload_to="%Y/", max_length=255, blank=True
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The rows done so far while running (written outside the import's transaction, see
    # services.Progress) and the total once the file is read.
    progress_done = models.PositiveIntegerField(_("rows done"), default=0)
    progress_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # What the import did: counts and the record it wrote (see services.RUNNERS).
    result = models.JSONField(_("result"), default=dict, blank=True)
    # Every problem: {"where": "row 4", "field": "amount", "message": "..."}.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="import_job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
