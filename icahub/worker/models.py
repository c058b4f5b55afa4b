"""The heartbeat of each running worker process (``manage.py worker``).

A worker writes its row when it starts, refreshes ``beat_at`` every
``WORKER_HEARTBEAT_SECONDS`` and deletes the row when it stops cleanly. A task left RUNNING
by a worker whose row is stale (or gone) was interrupted: ``reclaim.py`` puts it back in
the queue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    beat_at = models.DateTimeField(_("last heartbeat"), db_index=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
