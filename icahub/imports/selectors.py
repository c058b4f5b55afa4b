"""Reads of import jobs for the page and the API."""

from __future__ import annotations

from django.http import Http404

from icahub.imports.models import ImportJob
from icahub.imports.services import progress_read


def import_job_get(*, pk: int) -> ImportJob:
    try:
        return ImportJob.objects.select_related("created_by").get(pk=pk)
    except ImportJob.DoesNotExist as error:
        raise Http404 from error


def import_job_progress(job: ImportJob) -> dict:
    """Rows done and in the file, and the percentage, as the page and the API show them."""
    done, total = progress_read(job)
    return {
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else (100 if job.status == "done" else 0),
    }
