"""Background work of import jobs (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from icahub.imports import services


@task()
def import_job_run_task(job_id: int) -> dict:
    """Run one import job (``services.import_job_run``: atomic and idempotent)."""
    return services.import_job_run(job_id=job_id)
