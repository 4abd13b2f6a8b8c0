"""“Tell me when registration opens” with the real beat and worker: the message arrives once,
at the opening time (beat -> Redis -> worker -> SMTP; beat ticks every second here)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from events import services
from notifications.models import Delivery, DeliveryStatus
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.test_integration import (  # noqa: F401 (smtp is a fixture)
    BASE_DIR,
    Workers,
    smtp,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_opening_message_arrives_once_at_the_opening_time(smtp, tmp_path: Path) -> None:  # noqa: F811
    sink, port = smtp
    sink.reset()
    opens = timezone.now() + timedelta(seconds=8)
    event = make_event(
        start=timezone.now() + timedelta(days=3), title="Juleklip", registration_opens_at=opens
    )
    people = [make_user(language="en") for _ in range(2)]
    for person in people:
        services.opening_reminder_request(actor=person, event=event)
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
        assert wait_for(lambda: sink.count() >= 2, timeout=60, ticking=False)
        wait_for(lambda: False, timeout=3, ticking=False)  # beat ticks on: nothing more arrives
    finally:
        beat.kill()
        beat.wait(timeout=10)
        workers.kill_all()

    received = sink.snapshot()
    assert sorted(m["to"] for m in received) == sorted(p.email for p in people)
    assert {m["subject"] for m in received} == {"Registration is open: Juleklip"}
    sent = Delivery.objects.filter(kind="event.registration_opened", status=DeliveryStatus.SENT)
    assert sent.count() == 2
    assert all(d.created_at >= opens for d in sent)  # queued only once it had opened
