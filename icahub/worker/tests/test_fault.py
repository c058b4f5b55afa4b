"""Kill the worker in the middle of a task: nothing half-done is kept, and the task
completes, exactly once, when a worker comes back.

Real ``manage.py worker`` processes run against a copy of the test database (an SQLite file,
or a PostgreSQL database made from the test database when the suite runs on PostgreSQL).
The test-only settings ``TASK_TEST_CHECKPOINT_FILE`` and ``TASK_TEST_DELAY_SECONDS`` make
each checkpoint of a task (``icahub/worker/faults.py``: every row of an import, every batch
of stored matches) write its name and pause, so the test kills the process (SIGKILL) while
the task's transaction is open.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from icahub.assistance.models import Match
from icahub.funding.models import ExchangeRate
from icahub.imports.models import ImportJob
from icahub.worker.models import WorkerHeartbeat

# No django_db mark: the test never uses the test database itself (the copy is made from
# it outside any transaction, and the workers use the copy).
ROWS = 6

SEED = f"""
import datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from icahub.accounts.models import User
from icahub.assistance import services as assistance
from icahub.assistance.tasks import recompute_matches
from icahub.imports.services import import_job_create
from icahub.registry.models import Convention, State

ccm = Convention.objects.get(code="CCM")
for iso3 in ("LAO", "LBN"):
    assistance.need_create(state=State.objects.get(iso3=iso3), convention=ccm,
        area="clearance", modality="financial", title=f"[Test] Survey in {{iso3}}")
for iso3 in ("NOR", "DEU"):
    assistance.offer_create(provider_state=State.objects.get(iso3=iso3),
        title=f"[Test] Clearance teams from {{iso3}}", areas=["clearance"])
DBTaskResult.objects.all().delete()  # the recomputes the records above scheduled
isu = User.objects.create_user(username="fault-isu", password=None, role="isu")
header = "currency,valid_from,usd_per_unit,source\\n"
rows = "".join(f"EUR,2024-01-{{day:02d}},1.{{day}},[Test] rate\\n" for day in range(1, {ROWS} + 1))
upload = SimpleUploadedFile("rates.csv", (header + rows).encode())
import_job_create(kind="exchange_rates", upload=upload, user=isu)
recompute_matches.enqueue(everything=True)
"""


class FaultDatabase:
    """A copy of the test database that other processes can open, and plain SQL on it."""

    def __init__(self, tmp: Path) -> None:
        self.vendor = connection.vendor
        connection.ensure_connection()
        if self.vendor == "sqlite":
            self.path = tmp / "fault.sqlite3"
            target = sqlite3.connect(self.path)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.path}"
        else:
            import psycopg

            params = connection.settings_dict
            self.name = f"{params['NAME']}_fault_{uuid.uuid4().hex[:6]}"
            template = params["NAME"]
            connection.close()  # a template database must have no other session
            self.admin = {
                "host": params["HOST"] or "127.0.0.1",
                "port": params["PORT"] or 5432,
                "user": params["USER"],
                "password": params["PASSWORD"] or None,
            }
            with psycopg.connect(dbname="postgres", autocommit=True, **self.admin) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{template}"')
            password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
            self.url = (
                f"postgres://{params['USER']}{password}@{self.admin['host']}:"
                f"{self.admin['port']}/{self.name}"
            )

    def rows(self, sql: str) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path, timeout=30) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(dbname=self.name, **self.admin) as db:
            return db.execute(sql).fetchall()

    def count(self, model) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {model._meta.db_table}")[0][0]  # noqa: S608

    def tasks(self) -> dict[str, dict]:
        """Each task by its function's name: status, attempts (workers that claimed it),
        return value."""
        out = {}
        table = DBTaskResult._meta.db_table
        for path, status, workers, value in self.rows(
            f"SELECT task_path, status, worker_ids, return_value FROM {table}"  # noqa: S608
        ):
            workers = json.loads(workers) if isinstance(workers, str) else workers
            value = json.loads(value) if isinstance(value, str) else value
            out[path.rsplit(".", 1)[1]] = {
                "status": status,
                "attempts": len(workers),
                "value": value,
            }
        return out

    def drop(self) -> None:
        if self.vendor == "sqlite":
            return
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.admin) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def fault_db(django_db_blocker, tmp_path):
    # The copy is made outside the test's transaction, so it holds what every test starts
    # with (the reference data) and nothing of this test.
    with django_db_blocker.unblock():
        database = FaultDatabase(tmp_path)
    yield database
    database.drop()


def _env(database: FaultDatabase, tmp: Path, *, delay: float) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_SETTINGS"))
    }
    env |= {
        "DATABASE_URL": database.url,
        "TASKS_BACKEND": "database",
        "IMPORT_FILES_ROOT": str(tmp / "imports"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TASK_TEST_CHECKPOINT_FILE": str(tmp / "checkpoints"),
        "TASK_TEST_DELAY_SECONDS": str(delay),
        "WORKER_HEARTBEAT_SECONDS": "0.5",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "true",
    }
    return env


def _manage(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    return _manage("worker", "--no-startup-delay", "--interval", "0.2", "-v", "0", *extra, env=env)


def _wait_for_checkpoint(tmp: Path, point: str, times: int, worker: subprocess.Popen) -> None:
    """Until the task has passed ``point`` ``times`` times (bounded: 90 s)."""
    marks = tmp / "checkpoints"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if marks.exists() and marks.read_text().split().count(point) >= times:
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped: {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    worker.kill()
    pytest.fail(f"the task never reached {point}")


def _kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    worker.stderr.close()


def test_a_killed_worker_leaves_nothing_half_done_and_the_next_one_finishes(fault_db, tmp_path):
    # given an import of 6 exchange rates and a full matching recompute queued, and no
    # stored matches yet
    env = _env(fault_db, tmp_path, delay=0.3)
    seed = _manage("shell", "-c", SEED, env=env)
    assert seed.wait(timeout=120) == 0, seed.stderr.read().decode()[-2000:]
    assert fault_db.count(Match) == 0

    # when the worker is killed half-way through the import (two rows written)
    first = _worker(env)
    _wait_for_checkpoint(tmp_path, "import-row", 2, first)
    _kill(first)

    # then no rate was kept, and the job still waits to be finished
    assert fault_db.count(ExchangeRate) == 0
    jobs = ImportJob._meta.db_table
    assert fault_db.rows(f"SELECT status FROM {jobs}") == [("running",)]  # noqa: S608

    # when a new worker starts, finishes the import, and is killed in turn half-way through
    # the recompute (the need lists written, the offer lists not yet)
    second = _worker(env)
    _wait_for_checkpoint(tmp_path, "matching", 1, second)
    _kill(second)

    # then the import is complete, and no stored match was kept
    assert fault_db.count(ExchangeRate) == ROWS
    assert fault_db.count(Match) == 0

    # when a third worker runs until the queue is empty
    third = _worker(_env(fault_db, tmp_path, delay=0), "--batch")
    assert third.wait(timeout=180) == 0, third.stderr.read().decode()[-2000:]
    third.stderr.close()

    # then both tasks succeeded on their second attempt, with their whole result, once
    tasks = fault_db.tasks()
    assert tasks["import_job_run_task"]["status"] == "SUCCESSFUL"
    assert tasks["import_job_run_task"]["attempts"] == 2
    assert tasks["recompute_matches"]["status"] == "SUCCESSFUL"
    assert tasks["recompute_matches"]["attempts"] == 2
    assert fault_db.count(ExchangeRate) == ROWS
    job = fault_db.rows(f"SELECT status, attempts, result FROM {jobs}")[0]  # noqa: S608
    result = json.loads(job[2]) if isinstance(job[2], str) else job[2]
    assert (job[0], job[1], result["count"]) == ("done", 2, ROWS)
    stored = fault_db.count(Match)
    assert stored == tasks["recompute_matches"]["value"]["rows"] > 0
    duplicates = fault_db.rows(
        f"SELECT side, need_id, offer_id, COUNT(*) FROM {Match._meta.db_table} "  # noqa: S608
        "GROUP BY side, need_id, offer_id HAVING COUNT(*) > 1"
    )
    assert duplicates == []
    # and no worker is left registered (the killed ones were reclaimed, the last stopped)
    assert fault_db.count(WorkerHeartbeat) == 0
