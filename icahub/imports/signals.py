"""An import whose task ends FAILED without the job knowing (an unexpected error in the
task, or a worker that died ``TASK_MAX_ATTEMPTS`` times) is recorded as failed on the job,
so its page does not say "running" for ever."""

from __future__ import annotations

import logging

from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_tasks_db.compat import task_finished

logger = logging.getLogger(__name__)


@receiver(task_finished, dispatch_uid="imports_task_finished")
def _task_finished(sender, task_result, **kwargs) -> None:
    from icahub.imports import services
    from icahub.imports.tasks import import_job_run_task

    if getattr(task_result.task, "module_path", None) != import_job_run_task.module_path:
        return
    if str(task_result.status) != "FAILED":
        return
    job_id = (task_result.kwargs or {}).get("job_id")
    if job_id is None and task_result.args:
        job_id = task_result.args[0]
    if job_id is None:
        return
    lost = any("WorkerLost" in (error.exception_class_path or "") for error in task_result.errors)
    message = (
        _(
            "The import was interrupted several times (the background worker stopped while "
            "running it) and was not tried again. Nothing was imported. Upload the file again; "
            "if it happens again, tell the site's administrators."
        )
        if lost
        else _(
            "The import stopped on an unexpected error. Nothing was imported. Upload the file "
            "again; if it happens again, tell the site's administrators."
        )
    )
    try:
        services.import_job_fail(
            job_id=int(job_id), errors=[{"where": "", "field": "", "message": message}]
        )
    except Exception:
        logger.exception("could not record the failure of import job %s", job_id)
