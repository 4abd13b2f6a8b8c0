"""Liveness of the three processes: web (``GET /healthz``), worker and beat (heartbeat files).

``python manage.py health web|worker|beat`` exits 0 when the process is alive and 1 when not;
docker-compose's healthchecks and systemd's watchdog scripts call it (docs/operations.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from core import redis_health

# A heartbeat older than this is a process that is hung or gone. The worker beats every 10 s;
# beat ticks at least every 5 minutes (``beat_max_loop_interval``), usually every few seconds.
STALE_SECONDS = {"worker": 60.0, "beat": 330.0}


def _path(process: str) -> Path:
    return Path(settings.MODESTED_HEALTH_DIR) / process


def touch(process: str) -> None:
    path = _path(process)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{time.time():.3f}\n")


@dataclass(frozen=True)
class Health:
    alive: bool
    detail: str


def heartbeat(process: str, *, now: float | None = None) -> Health:
    path = _path(process)
    try:
        beat = float(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return Health(False, f"no heartbeat at {path}")
    age = (now or time.time()) - beat
    limit = STALE_SECONDS[process]
    if age > limit:
        return Health(False, f"last heartbeat {age:.0f} s ago (more than {limit:.0f} s)")
    return Health(True, f"last heartbeat {age:.0f} s ago")


def web_status() -> tuple[bool, dict[str, str]]:
    """What ``/healthz`` answers: the database must answer; Redis may be down (degraded)."""
    status: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except DatabaseError as error:
        status["database"] = f"down: {type(error).__name__}"
    if not settings.REDIS_URL:
        status["redis"] = "not used"
    else:
        status["redis"] = "down" if redis_health.known_down() else _ping_redis()
    ok = status["database"] == "ok"
    status["status"] = "ok" if ok else "down"
    return ok, status


def _ping_redis() -> str:
    from django.core.cache import cache

    cache.get("healthz")  # a failure marks Redis down (core/cache.py)
    return "down" if redis_health.known_down() else "ok"
