"""Writes of import jobs: queue one, run one (the worker's task body), fail one.

``import_job_run`` is idempotent and atomic: the rows, the job's result and its status
``done`` are written in one transaction, so a worker killed half-way leaves no row and the
job still ``running``; the reclaimed task runs it again from the start, and a job already
finished is left as it is.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from icahub.imports.models import FINISHED, ImportJob, ImportKind, ImportStatus, files_root
from icahub.worker.faults import checkpoint

logger = logging.getLogger(__name__)


def import_job_create(*, kind: str, upload, user) -> ImportJob:
    """Store the (already checked) upload privately and queue its import. The task row is
    written in the same transaction as the job (the queue lives in the same database), so
    there is never a job without its task or a task without its job."""
    from icahub.imports.tasks import import_job_run_task

    if kind not in ImportKind.values:
        raise ValidationError(
            {"kind": _("Choose one of: %(codes)s.") % {"codes": ", ".join(ImportKind.values)}}
        )
    name = os.path.basename(getattr(upload, "name", "") or "upload")[:200]
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(kind=kind, created_by=user, file_name=name)
        job.file.save(name, upload, save=False)
        job.full_clean(exclude=["file"])
        job.save()
        result = import_job_run_task.enqueue(job_id=job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


# --- progress --------------------------------------------------------------------------


def progress_path(job_id: int) -> Path:
    return files_root() / "progress" / f"{job_id}.json"


def progress_read(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in the file) of a job: while it runs, from its progress file (the
    import's transaction is still open, so the database does not show it yet)."""
    if job.status == ImportStatus.RUNNING:
        try:
            data = json.loads(progress_path(job.pk).read_text(encoding="utf-8"))
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return job.progress_done, job.progress_total


class Progress:
    """Counts the rows done and writes them to the job's progress file (atomically, at most
    a few times a second); ``row()`` is also a fault-test checkpoint."""

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.done = 0
        self.total = 0
        self._written_at = 0.0

    def start(self, total: int) -> None:
        self.total = total
        ImportJob.objects.filter(pk=self.job_id).update(progress_total=total, progress_done=0)
        self._write(force=True)

    def row(self, number: int | None = None) -> None:
        self.done = min(self.done + 1, self.total) if self.total else self.done + 1
        self._write(force=self.done == self.total)
        checkpoint("import-row")

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < 0.25:
            return
        self._written_at = now
        path = progress_path(self.job_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"done": self.done, "total": self.total}, out)
            os.replace(temporary, path)
        except OSError:  # progress is a courtesy; the import goes on
            logger.warning("could not write the progress of import job %s", self.job_id)

    def remove(self) -> None:
        progress_path(self.job_id).unlink(missing_ok=True)


# --- runners: one per kind, inside the job's transaction ---------------------------------


class ImportFailed(Exception):
    """The file has problems; ``errors`` names each one (where, field, message)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


def _stored_file(job: ImportJob) -> ContentFile:
    """The stored file in memory under its original name: the readers check its type from
    its content again (``uploads.check``) and read it whole."""
    with job.file.open("rb") as stored:
        return ContentFile(stored.read(), name=job.file_name)


def _split(key: str) -> tuple[str, str]:
    """``"row 4, amount"`` → ``("row 4", "amount")``; ``"file"`` → ``("", "file")``."""
    where, _sep, field = key.rpartition(", ")
    return where, field


def _errors_of(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        out = []
        for key, messages in error.message_dict.items():
            where, field = _split(key)
            out += [{"where": where, "field": field, "message": m} for m in messages]
        return out
    return [{"where": "", "field": "", "message": m} for m in error.messages]


def _run_flows(job: ImportJob, progress: Progress) -> dict:
    from icahub.funding import imports, services

    rows = imports.read_flow_rows(_stored_file(job))
    progress.start(len(rows))
    created = services.flows_import(rows=rows, user=job.created_by, on_row=progress.row)
    return {
        "count": len(created),
        "url": reverse("funding:flow_list"),
        "message": _("%(count)s flows were imported.") % {"count": len(created)},
    }


def _run_rates(job: ImportJob, progress: Progress) -> dict:
    from icahub.funding import imports, services

    if not job.created_by.has_perm("funding.add_exchangerate"):
        raise PermissionDenied(_("Only the ISU maintains exchange rates."))
    rows = imports.read_rate_rows(_stored_file(job))
    progress.start(len(rows))
    created = services.exchange_rates_import(rows=rows, user=job.created_by, on_row=progress.row)
    return {
        "count": len(created),
        "url": reverse("funding:exchange_rates"),
        "message": _("%(count)s rates were added.") % {"count": len(created)},
    }


def _run_report(job: ImportJob, progress: Progress) -> dict:
    from icahub.interchange import report_xlsx

    user = job.created_by
    progress.start(1)
    result = report_xlsx.import_report(
        _stored_file(job).read(),
        user=user,
        permit=lambda report: user.has_perm(
            "reports.change_report" if report.pk else "reports.add_report", report
        ),
    )
    if not result.written:
        raise ImportFailed(
            [
                {
                    "where": f"{problem.sheet} {problem.cell}".strip(),
                    "field": problem.field,
                    "message": str(problem.message),
                }
                for problem in result.problems
            ]
            or [{"where": "", "field": "", "message": _("Nothing was imported.")}]
        )
    progress.row()
    counts = {
        action: sum(1 for row in result.rows if row.action == action)
        for action in ("add", "update", "remove")
    }
    return {
        **counts,
        "report": result.report.pk,
        "url": reverse("reports:edit", kwargs={"pk": result.report.pk}),
        "message": _(
            "The report was imported: %(add)s rows added, %(update)s updated, %(remove)s removed."
        )
        % counts,
    }


RUNNERS: dict[str, Callable[[ImportJob, Progress], dict]] = {
    ImportKind.FUNDING_FLOWS: _run_flows,
    ImportKind.EXCHANGE_RATES: _run_rates,
    ImportKind.REPORT_XLSX: _run_report,
}


def import_job_run(*, job_id: int) -> dict:
    """Import the job's file: all rows and the job's result in one transaction, or nothing
    and the job failed with every problem named by row and field. A job already finished
    is not imported again (the task may run twice: after a reclaim, or queued twice)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.finished:
        return {"job": job.pk, "status": job.status, "again": True}
    ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
        progress_done=0,
    )
    progress = Progress(job)
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
            if job.finished:
                return {"job": job.pk, "status": job.status, "again": True}
            result = RUNNERS[job.kind](job, progress)
            job.status = ImportStatus.DONE
            job.result = result
            job.errors = []
            job.progress_done = job.progress_total = max(progress.total, progress.done)
            job.finished_at = timezone.now()
            job.save()
    except (ValidationError, PermissionDenied, ImportFailed) as error:
        if isinstance(error, ValidationError):
            errors = _errors_of(error)
        elif isinstance(error, ImportFailed):
            errors = error.errors
        else:
            errors = [{"where": "", "field": "", "message": str(error)}]
        import_job_fail(job_id=job_id, errors=errors)
        return {"job": job_id, "status": ImportStatus.FAILED, "errors": len(errors)}
    finally:
        progress.remove()
    return {
        "job": job_id,
        "status": ImportStatus.DONE,
        **{k: v for k, v in result.items() if k != "message"},
    }


def import_job_fail(*, job_id: int, errors: list[dict]) -> None:
    """Record that a job failed (unless it is already finished): nothing was imported."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status in FINISHED:
            return
        job.status = ImportStatus.FAILED
        job.errors = errors
        job.progress_done = 0
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "progress_done", "finished_at", "updated_at"])
