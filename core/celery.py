"""The Celery app: ``celery -A core worker`` and ``celery -A core beat``.

Both retry the broker for ever (``CELERY_BROKER_CONNECTION_MAX_RETRIES = None`` in
``core/settings.py``) and leave a heartbeat file that ``python manage.py health worker`` and
``health beat`` read (see docs/operations.md).
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, bootsteps
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

app = Celery("core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often the worker touches its heartbeat file (its health check allows three missed).
WORKER_HEARTBEAT_SECONDS = 10.0


def touch_heartbeat(process: str) -> None:
    from core.health import touch

    touch(process)


class HeartbeatScheduler(PersistentScheduler):  # type: ignore[misc]
    """Beat's scheduler, touching ``<MODESTED_HEALTH_DIR>/beat`` at each tick."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        touch_heartbeat("beat")
        interval: float = super().tick(*args, **kwargs)
        return interval


class WorkerHeartbeat(bootsteps.StartStopStep):  # type: ignore[misc]
    """Touches ``<MODESTED_HEALTH_DIR>/worker`` every few seconds while the worker runs."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        touch_heartbeat("worker")
        self.tref = worker.timer.call_repeatedly(
            WORKER_HEARTBEAT_SECONDS, touch_heartbeat, ("worker",), priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(WorkerHeartbeat)
