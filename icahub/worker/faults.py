"""Checkpoints where a fault test may kill a worker in the middle of a task.

``checkpoint(point)`` does nothing in normal use. The fault tests start a worker with the
test-only settings ``TASK_TEST_CHECKPOINT_FILE`` (each checkpoint appends its name there,
so the test knows the task is half-way) and ``TASK_TEST_DELAY_SECONDS`` (each checkpoint
then sleeps, so the test has time to kill the process there).
"""

from __future__ import annotations

import time

from django.conf import settings


def checkpoint(point: str) -> None:
    path = getattr(settings, "TASK_TEST_CHECKPOINT_FILE", "")
    if path:
        with open(path, "a", encoding="utf-8") as marks:
            marks.write(point + "\n")
    delay = float(getattr(settings, "TASK_TEST_DELAY_SECONDS", 0) or 0)
    if delay:
        time.sleep(delay)
