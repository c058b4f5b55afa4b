"""The reclaim of tasks left RUNNING by a dead worker, and the maximum number of attempts.

The tasks are real django-tasks-db rows (an import job's task); the workers are heartbeat
rows, alive or dead by their age, their host and their process id."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from icahub.imports.models import ImportJob, ImportStatus
from icahub.worker import reclaim
from icahub.worker.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

RATES = b"currency,valid_from,usd_per_unit,source\nEUR,2024-01-01,1.1,[Test] rate\n"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_STALE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3


def _job(user) -> ImportJob:
    from icahub.imports.services import import_job_create

    upload = SimpleUploadedFile("rates.csv", RATES)
    return import_job_create(kind="exchange_rates", upload=upload, user=user)


def _claimed_by(job: ImportJob, *worker_ids: str, started_ago: float = 0) -> DBTaskResult:
    task = DBTaskResult.objects.get(pk=job.task_id)
    for worker_id in worker_ids:
        task.claim(worker_id)
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=started_ago)
    )
    return task


def _beat(worker_id: str, *, ago: float = 0, host: str | None = None, pid: int | None = None):
    at = timezone.now() - dt.timedelta(seconds=ago)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=host or reclaim.hostname(),
        pid=pid or os.getpid(),
        started_at=at,
        beat_at=at,
    )


def _gone_pid() -> int:
    pid = 4_000_000
    while reclaim.pid_running(pid):
        pid -= 1
    return pid


def test_a_task_of_a_worker_with_a_stale_heartbeat_is_queued_again(database_queue, isu_user):
    # given a task claimed by a worker on another host that stopped beating 2 minutes ago
    task = _claimed_by(_job(isu_user), "w-stale", started_ago=300)
    _beat("w-stale", ago=120, host="another-host")

    # when a worker reclaims
    result = reclaim.tasks_reclaim(exclude_worker="w-me")

    # then the task is ready to run again and the dead worker is forgotten
    task.refresh_from_db()
    assert task.status == "READY"
    assert result.requeued == [str(task.pk)]
    assert not WorkerHeartbeat.objects.filter(worker_id="w-stale").exists()


def test_a_task_of_a_live_worker_is_left_alone(database_queue, isu_user):
    # given a task claimed by a worker that beat 5 seconds ago, on another host
    task = _claimed_by(_job(isu_user), "w-live", started_ago=600)
    _beat("w-live", ago=5, host="another-host")

    # when a worker reclaims
    result = reclaim.tasks_reclaim(exclude_worker="w-me")

    # then the task keeps running
    task.refresh_from_db()
    assert task.status == "RUNNING" and result.requeued == []


def test_a_task_of_a_dead_process_on_this_host_is_queued_again_at_once(database_queue, isu_user):
    # given a task claimed a second ago by a worker of this host whose process is gone
    task = _claimed_by(_job(isu_user), "w-killed", started_ago=1)
    _beat("w-killed", ago=1, pid=_gone_pid())

    # when a worker reclaims
    reclaim.tasks_reclaim(exclude_worker="w-me")

    # then the task does not wait for the heartbeat to go stale
    task.refresh_from_db()
    assert task.status == "READY"


def test_a_task_without_a_heartbeat_is_reclaimed_only_once_stale(database_queue, isu_user):
    # given two tasks claimed by workers that never wrote a heartbeat (a plain db_worker)
    old = _claimed_by(_job(isu_user), "w-old", started_ago=120)
    recent = _claimed_by(_job(isu_user), "w-recent", started_ago=5)

    # when a worker reclaims
    reclaim.tasks_reclaim(exclude_worker="w-me")

    # then only the one started longer ago than WORKER_STALE_SECONDS is queued again
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == ("READY", "RUNNING")


def test_after_the_last_attempt_the_task_and_its_import_fail_with_a_clear_error(
    database_queue, isu_user
):
    # given an import whose task was started three times (TASK_MAX_ATTEMPTS), the last
    # worker dead
    job = _job(isu_user)
    task = _claimed_by(job, "w-1", "w-2", "w-3", started_ago=300)
    _beat("w-3", ago=300, host="another-host")

    # when a worker reclaims
    result = reclaim.tasks_reclaim(exclude_worker="w-me")

    # then the task failed, saying why, and the import job says nothing was imported
    task.refresh_from_db()
    assert task.status == "FAILED" and result.failed == [str(task.pk)]
    assert task.exception_class_path == "icahub.worker.reclaim.WorkerLost"
    assert "3 attempts (TASK_MAX_ATTEMPTS)" in task.traceback
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Nothing was imported" in job.errors[0]["message"]


def test_heartbeats_are_written_refreshed_and_removed(database_queue):
    # given a worker that registers
    beat = reclaim.heartbeat_register(worker_id="w-me")
    WorkerHeartbeat.objects.filter(pk=beat.pk).update(beat_at=beat.beat_at - dt.timedelta(60))

    # when it beats
    reclaim.heartbeat_beat(worker_id="w-me")

    # then its row is fresh, and gone once it stops
    assert WorkerHeartbeat.objects.get(worker_id="w-me").beat_at > beat.beat_at - dt.timedelta(1)
    reclaim.heartbeat_remove(worker_id="w-me")
    assert not WorkerHeartbeat.objects.exists()
