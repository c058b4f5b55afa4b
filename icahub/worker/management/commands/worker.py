"""``manage.py worker``: django-tasks-db's ``db_worker`` with a heartbeat and the reclaim
of tasks that a dead worker left RUNNING (see ``icahub/worker/reclaim.py``).

Run one or more of these beside the site (``make run`` starts one). Options are those of
``db_worker``; ``--reload`` is off by default (a reload kills the task in progress).
"""

from __future__ import annotations

import logging
import threading
from argparse import ArgumentParser

from django.conf import settings
from django.db import OperationalError, connection, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from icahub.worker import reclaim

logger = logging.getLogger("icahub.worker")


class Heartbeat(threading.Thread):
    """Refreshes the worker's heartbeat and reclaims dead workers' tasks every
    ``WORKER_HEARTBEAT_SECONDS``, on its own database connection, while the main thread
    runs tasks."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="icahub-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = float(settings.WORKER_HEARTBEAT_SECONDS)
        try:
            while not self.stopping.wait(interval):
                try:
                    reclaim.heartbeat_beat(worker_id=self.worker_id)
                    reclaim.tasks_reclaim(exclude_worker=self.worker_id)
                except OperationalError as error:
                    # SQLite has one writer: while a task holds the write lock the heartbeat
                    # waits and may time out. It simply tries again at the next beat.
                    logger.debug("heartbeat skipped: %s", error)
                    connection.close()
                except Exception:
                    logger.exception("heartbeat failed")
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()


class HeartbeatWorker(Worker):
    def run(self) -> None:
        reclaim.heartbeat_register(worker_id=self.worker_id)
        reclaimed = reclaim.tasks_reclaim(exclude_worker=self.worker_id)
        if reclaimed.requeued or reclaimed.failed:
            logger.warning(
                "reclaimed tasks of dead workers: %s queued again, %s failed",
                len(reclaimed.requeued),
                len(reclaimed.failed),
            )
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()
            try:
                reclaim.heartbeat_remove(worker_id=self.worker_id)
            except Exception:  # the row goes stale and a peer removes it
                logger.exception("could not remove the heartbeat of %s", self.worker_id)


class Command(DbWorkerCommand):
    help = (
        "Run the background worker: django-tasks-db's db_worker with a heartbeat, the reclaim "
        "of tasks left running by a dead worker and a maximum number of attempts."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if verbosity:
            logging.getLogger("icahub.worker").setLevel(logging.INFO)
        database = connections["default"]
        if database.vendor == "sqlite":
            # Every transaction of a task takes the write lock when it begins: a deferred
            # one that reads first and writes later could meet the heartbeat's write and
            # fail at once with "database is locked" instead of waiting.
            database.settings_dict.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
            database.close()
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
