"""Celery beat itself (a subprocess) drives the dispatcher: no tick is sent by the test.

Beat runs with a one-second schedule (MODESTED_DISPATCH_SECONDS=1) instead of a minute, so the
test takes seconds; everything else is production's path: beat -> Redis -> worker -> SMTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from notifications.models import Delivery, DeliveryStatus
from tests.notifications.test_integration import (  # noqa: F401 (smtp is a fixture)
    BASE_DIR,
    Workers,
    due_registrations,
    smtp,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_beat_alone_brings_each_due_reminder_once(smtp, tmp_path: Path) -> None:  # noqa: F811
    sink, port = smtp
    sink.reset()
    regs = due_registrations(3)
    workers = Workers(port)
    workers.start(1, MODESTED_DISPATCH_SECONDS="1")
    beat = subprocess.Popen(
        [
            sys.executable,
            *("-m", "celery", "-A", "core", "beat", "--loglevel", "WARNING"),
            *("-s", str(tmp_path / "beat-schedule")),
        ],
        cwd=BASE_DIR,
        env={**os.environ, "MODESTED_DISPATCH_SECONDS": "1", "CELERY_TASK_ALWAYS_EAGER": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: sink.count() >= 3, timeout=40, ticking=False)
        wait_for(lambda: False, timeout=2.5, ticking=False)  # beat ticks on: nothing more arrives
    finally:
        beat.kill()
        beat.wait(timeout=10)
        workers.kill_all()

    received = sink.snapshot()
    assert sorted(m["to"] for m in received) == sorted(r.user.email for r in regs)
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3
