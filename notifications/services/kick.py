"""Kicking the dispatcher after a commit: coalesced, and never waiting on a Redis that is down.

* At most one dispatcher task waits in the queue: the kick first takes a "waiting" mark (a
  cache key with Redis, a file in the embedded default), and only the kick that got it
  publishes the task; the task drops the mark as it starts (``dispatcher_started``), so a
  write after that start queues exactly one more run. A burst of 1,500 writes therefore
  queues a handful of runs. A kicked run only sends what is waiting (``send_waiting``): the
  scans for what time made due are beat's, once a minute, so a burst of writes does not
  pay for them again and again. The mark expires after
  ``KICK_MARK_SECONDS`` in case its task is lost (beat's minute tick covers that gap too).
* While Redis is known to be down (``core.redis_health``) the kick is skipped: the write
  answers at once, and the next dispatcher run once Redis is back (beat's tick, at most a
  minute later) sends the mail. The publish itself is tried once, with a short connect
  timeout, never retried.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import redis_health

logger = logging.getLogger(__name__)

KICK_MARK = "notifications:dispatcher-waiting"
KICK_MARK_SECONDS = 60


def kick_dispatcher_on_commit() -> None:
    """Ask a worker to dispatch as soon as the transaction commits (never fails the write).
    One kick per transaction, however many messages it wrote."""
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        # A kick already waiting for this transaction (registered where its savepoints, if
        # any, are still open; a released one's callback belongs to an earlier block).
        open_savepoints = set(conn.savepoint_ids)
        if any(sids <= open_savepoints and f is _kick for sids, f, *_ in conn.run_on_commit):
            return
    transaction.on_commit(_kick)


def _eager() -> bool:
    from core.celery import app

    return bool(app.conf.task_always_eager)


def _mark_file() -> Path:
    return Path(settings.VAR_DIR) / "dispatcher-waiting"


def _take_mark() -> bool:
    """True if no dispatcher was waiting (this kick now publishes one)."""
    if settings.REDIS_URL:
        return bool(cache.add(KICK_MARK, 1, KICK_MARK_SECONDS))
    path = _mark_file()
    try:
        if time.time() - path.stat().st_mtime > KICK_MARK_SECONDS:
            path.unlink(missing_ok=True)  # its task was lost
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    return True


def dispatcher_started() -> None:
    """A dispatcher task starts: the next write may queue another run."""
    if settings.REDIS_URL:
        cache.delete(KICK_MARK)
    else:
        _mark_file().unlink(missing_ok=True)


def _kick() -> None:
    from notifications.tasks import send_waiting  # a cycle: tasks imports the services

    if _eager():
        send_waiting.delay()  # runs here and now (tests without a broker)
        return
    if settings.REDIS_URL and redis_health.known_down():
        return  # the mail leaves with the first dispatcher run once Redis is back
    if not _take_mark():
        return  # a dispatcher is already waiting: it will find this write's messages
    try:
        send_waiting.delay()  # tried once (CELERY_TASK_PUBLISH_RETRY is off)
    except Exception as error:
        # The broker is down: the beat schedule (every minute) will find the rows anyway.
        if settings.REDIS_URL:
            redis_health.mark_down("kick", error)
        dispatcher_started()  # nothing waits after all
        logger.warning("Could not kick the notifications dispatcher: %s", error)
