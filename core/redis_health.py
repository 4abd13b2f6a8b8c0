"""Whether Redis (the cache and Celery's broker) answered lately, per process.

When a call to Redis fails, it is marked down for ``MODESTED_REDIS_RETRY_SECONDS`` (10 s):
until then nothing in this process tries it again (the throttles fail open, the dispatcher is
not kicked, beat finds the mail later), so a request never waits on Redis twice. A warning
goes to the log once per period. See docs/operations.md ("When Redis is down").
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger("core.redis")

_lock = threading.Lock()
_down_until = 0.0


def _retry_seconds() -> float:
    return float(getattr(settings, "MODESTED_REDIS_RETRY_SECONDS", 10))


def known_down() -> bool:
    """True while a recent failure says Redis is not worth trying."""
    return time.monotonic() < _down_until


def mark_down(what: str, error: BaseException) -> None:
    """Redis failed: stop trying it for a while, and say so once."""
    global _down_until
    with _lock:
        was_down = known_down()
        _down_until = time.monotonic() + _retry_seconds()
    if not was_down:
        logger.warning(
            "Redis is unreachable (%s: %s: %s); carrying on without it for %.0f s "
            "(throttles fail open, mail leaves with the next dispatcher run)",
            what,
            type(error).__name__,
            error,
            _retry_seconds(),
        )


def mark_up() -> None:
    global _down_until
    with _lock:
        _down_until = 0.0
