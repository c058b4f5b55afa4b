"""Heartbeats of worker processes, and the reclaim of tasks that a dead worker left RUNNING.

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when
the worker finishes it. A worker that is killed (SIGKILL, out of memory, power cut) never
finishes it: without help the task stays RUNNING for ever. Every ``manage.py worker``
therefore keeps a heartbeat row (``WorkerHeartbeat``) and, when it starts and at each
heartbeat, looks for RUNNING tasks whose worker is dead:

- its heartbeat is older than ``WORKER_STALE_SECONDS``, or
- it ran on this host and its process no longer exists (so a restarted worker takes the
  task back at once instead of waiting for the heartbeat to go stale), or
- it has no heartbeat row at all and the task started more than ``WORKER_STALE_SECONDS``
  ago (a plain ``db_worker``, or a row already cleaned up).

Such a task goes back to READY and runs again; every task body is one transaction and
idempotent, so the interrupted attempt left nothing and the next one does the whole work
exactly once. A task that has already been attempted ``TASK_MAX_ATTEMPTS`` times is marked
FAILED instead, with an error that says so (``WorkerLost``), and django-tasks'
``task_finished`` signal is sent so its owner (an import job) can record the failure.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus, task_finished
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from icahub.worker.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):  # noqa: N818 - the name is what an operator reads
    """The task's worker died too many times while running it."""


def hostname() -> str:
    return socket.gethostname()[:255]


def pid_running(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def heartbeat_register(*, worker_id: str) -> WorkerHeartbeat:
    now = timezone.now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname(), "pid": os.getpid(), "started_at": now, "beat_at": now},
    )
    return beat


def heartbeat_beat(*, worker_id: str) -> None:
    """Refresh this worker's heartbeat (and write the row again if a peer removed it)."""
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now()):
        heartbeat_register(worker_id=worker_id)


def heartbeat_remove(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def is_dead(beat: WorkerHeartbeat, *, now: dt.datetime, stale_seconds: float) -> bool:
    if beat.beat_at < now - dt.timedelta(seconds=stale_seconds):
        return True
    return beat.hostname == hostname() and not pid_running(beat.pid)


@dataclass
class ReclaimResult:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _lost_message(task: DBTaskResult, attempts: int) -> str:
    return (
        f"WorkerLost: the worker running this task stopped before finishing it, "
        f"{attempts} time(s) (the last one was {task.worker_ids[-1] if task.worker_ids else '?'}"
        f"); after {attempts} attempts (TASK_MAX_ATTEMPTS) it is not tried again. Nothing of "
        f"the interrupted attempts was kept. Queue it again once the cause is fixed.\n"
    )


def tasks_reclaim(*, exclude_worker: str | None = None, now: dt.datetime | None = None):
    """Put the tasks of dead workers back in the queue (or fail them after too many
    attempts) and forget dead workers' heartbeats. ``exclude_worker`` is the caller, alive
    by definition."""
    now = now or timezone.now()
    stale = float(settings.WORKER_STALE_SECONDS)
    max_attempts = int(settings.TASK_MAX_ATTEMPTS)
    result = ReclaimResult()
    finished: list[DBTaskResult] = []
    with exclusive_transaction(DBTaskResult.objects.db):
        beats = {beat.worker_id: beat for beat in WorkerHeartbeat.objects.all()}
        dead = {
            worker_id
            for worker_id, beat in beats.items()
            if worker_id != exclude_worker and is_dead(beat, now=now, stale_seconds=stale)
        }
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for task in running:
            last = task.worker_ids[-1] if task.worker_ids else None
            if last == exclude_worker:
                continue
            if last in beats:
                if last not in dead:
                    continue
            elif task.started_at and task.started_at > now - dt.timedelta(seconds=stale):
                continue
            attempts = len(task.worker_ids)
            if attempts >= max_attempts:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.return_value = None
                task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
                task.traceback = _lost_message(task, attempts)
                task.save(
                    update_fields=[
                        "status",
                        "finished_at",
                        "return_value",
                        "exception_class_path",
                        "traceback",
                    ]
                )
                result.failed.append(str(task.id))
                finished.append(task)
                logger.error("task %s (%s) failed: %s", task.id, task.task_path, task.traceback)
            else:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                result.requeued.append(str(task.id))
                logger.warning(
                    "task %s (%s) was left running by dead worker %s: queued again (attempt "
                    "%s of %s next)",
                    task.id,
                    task.task_path,
                    last,
                    attempts + 1,
                    max_attempts,
                )
        if dead:
            WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    for task in finished:
        _announce_failure(task)
    return result


def _announce_failure(task: DBTaskResult) -> None:
    try:
        task_result = task.task_result
        sender = type(task.task.get_backend())
    except Exception:  # a task whose code is gone: nothing to tell
        logger.exception("task %s failed and its owner could not be told", task.id)
        return
    try:
        with transaction.atomic():
            task_finished.send(sender=sender, task_result=task_result)
    except Exception:
        logger.exception("a task_finished receiver failed for task %s", task.id)
