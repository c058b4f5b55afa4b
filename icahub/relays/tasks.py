"""Background work of the relays (django-tasks)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from icahub.relays import services


@task()
def relays_advance_task(today: str | None = None) -> dict[str, int]:
    """The daily run (``services.relay_advance``) as a task; ``today`` is an ISO date or
    None for the current date. Returns the counts (kept as the task's result)."""
    result = services.relay_advance(today=dt.date.fromisoformat(today) if today else None)
    return {"sent": result.sent, "follow_ups": result.follow_ups}
