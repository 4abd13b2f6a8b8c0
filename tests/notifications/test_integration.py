"""A real Celery worker (a subprocess on Redis) dispatching against the test database, and a
real SMTP server on loopback receiving the mail. Needs DATABASE_URL (PostgreSQL) and REDIS_URL.

Beat's ticks are sent by the test (the same task by name, as beat does every minute), so the
tests run in seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import Track
from events.models import Registration
from notifications.models import Delivery, DeliveryStatus
from tests.events.factories import make_event, make_registration
from tests.factories import make_branch, make_user
from tests.notifications.factories import registered

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


# --- A real SMTP server on loopback ------------------------------------------------------


class Sink:
    """Records each message the server accepted, i.e. answered 250 to a client still there."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            return "421 the client went away"
        parsed = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(
                {
                    "to": envelope.rcpt_tos[0],
                    "subject": str(make_header(decode_header(parsed["Subject"]))),
                    "message_id": parsed["Message-ID"],
                }
            )
        return "250 OK"

    def reset(self, delay: float = 0.0) -> None:
        with self.lock:
            self.messages.clear()
        self.delay = delay

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def snapshot(self) -> list[dict[str, str]]:
        with self.lock:
            return list(self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Sink, int]]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


# --- Workers ---------------------------------------------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if " ready." in line:
                self.ready.set()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


class Workers:
    """Worker subprocesses on this test run's database and Redis (started in parallel)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.running: list[Worker] = []

    def start(self, n: int = 1, **extra_env: str) -> list[Worker]:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{self.port}",
            "DJANGO_SETTINGS_MODULE": "core.settings",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            # A claim left by a killed worker may be taken over after 2 s (600 s in production).
            "MODESTED_DELIVERY_LEASE_SECONDS": "2",
            **extra_env,
        }
        started = []
        for _ in range(n):
            command = [
                sys.executable,
                *("-m", "celery", "-A", "core", "worker", "--pool", "solo"),
                *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                *("--loglevel", "INFO", "--hostname", f"notif-{uuid.uuid4().hex[:6]}@%h"),
            ]
            proc = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            started.append(Worker(proc))
        self.running += started
        for worker in started:
            if not worker.ready.wait(timeout=60):
                self.kill_all()
                pytest.fail("A worker did not start:\n" + "".join(worker.lines[-30:]))
        return started

    def kill_all(self) -> None:
        for worker in self.running:
            worker.kill()
        self.running = []


@pytest.fixture(scope="module")
def workers(
    smtp: tuple[Sink, int], django_db_setup: None, django_db_blocker: Any
) -> Iterator[Workers]:
    """Two workers for the whole module (each takes seconds to start on a busy machine)."""
    import redis
    from django.core.cache import cache

    from notifications.services.kick import KICK_MARK

    # Old kicks from earlier tests (the queue, Celery's unacked lists and the "a dispatcher is
    # waiting" mark of the coalesced kicks) go; the rest of the cache stays.
    redis.Redis.from_url(os.environ["REDIS_URL"]).delete("celery", "unacked", "unacked_index")
    cache.delete(KICK_MARK)
    pool = Workers(smtp[1])
    with django_db_blocker.unblock():
        pool.start(2)
    yield pool
    pool.kill_all()


def tick() -> None:
    """What beat does every minute: send the dispatcher task by name."""
    from core.celery import app

    app.send_task("notifications.dispatch_due")


def wait_for(
    predicate: Callable[[], bool], *, timeout: float, ticking: bool = True, every: float = 0.3
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if ticking:
            tick()
        time.sleep(every)
    return predicate()


def hygge_track() -> Track:
    track, _ = Track.objects.get_or_create(
        slug="hygge", defaults={"name_da": "Hygge", "name_en": "Hygge", "position": 2}
    )
    return track


def due_registrations(n: int, *, hours_ahead: float = 23.9) -> list[Registration]:
    """n people registered two days ago for an event whose 24-hour reminder is due now."""
    start = (timezone.now() + timedelta(hours=hours_ahead)).replace(microsecond=0)
    event = make_event(start=start, capacity=100, title="Fællessang ved fjorden")
    long_ago = timezone.now() - timedelta(days=2)
    return [make_registration(event=event, created_at=long_ago) for _ in range(n)]


# --- The tests -------------------------------------------------------------------------------


def test_the_beat_schedule_runs_the_dispatcher_every_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due"]
    assert (entry["task"], entry["schedule"]) == ("notifications.dispatch_due", 60.0)


def test_each_due_reminder_arrives_exactly_once_with_two_workers(smtp, workers) -> None:
    sink, _port = smtp
    sink.reset()
    regs = due_registrations(6)
    cancelled = due_registrations(1)[0]
    Registration.objects.filter(pk=cancelled.pk).update(
        status="cancelled", cancelled_at=timezone.now()
    )
    for _ in range(4):  # several ticks at once, two workers: a race for every row
        tick()
    assert wait_for(lambda: sink.count() >= 6, timeout=20)
    wait_for(lambda: False, timeout=1.5)  # more ticks: nothing more may arrive

    received = sink.snapshot()
    assert sorted(m["to"] for m in received) == sorted(r.user.email for r in regs)
    assert all(m["subject"].startswith("Påmindelse: Fællessang ved fjorden") for m in received)
    assert cancelled.user.email not in {m["to"] for m in received}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_confirmation_leaves_at_once_after_the_commit(smtp, workers) -> None:
    sink, _port = smtp
    sink.reset()
    person = make_user(language="en")
    registered(make_event(start=timezone.now() + timedelta(days=5), title="Coding Pirates"), person)

    # No tick: the commit itself kicked the dispatcher.
    assert wait_for(lambda: sink.count() >= 1, timeout=10, ticking=False)
    [message] = sink.snapshot()
    assert (message["to"], message["subject"]) == (
        person.email,
        "You are registered: Coding Pirates",
    )


def test_a_moved_event_is_reminded_at_its_new_time_a_cancelled_one_not(smtp, workers) -> None:
    from events.services import event_cancel, event_update

    sink, _port = smtp
    sink.reset()
    hygge_track()  # the data migration's tracks are flushed by earlier transactional tests
    branch = make_branch()
    staff = make_user(role="staff", branches=[branch])
    long_ago = timezone.now() - timedelta(days=2)
    later = (timezone.now() + timedelta(hours=30)).replace(microsecond=0)
    moving = make_event(branch=branch, start=later, title="Bogcafé")
    mover = make_registration(event=moving, created_at=long_ago).user
    soon = (timezone.now() + timedelta(hours=23, minutes=50)).replace(microsecond=0)
    doomed = make_event(branch=branch, start=soon, title="Aflyst koncert")
    doomed_person = make_registration(event=doomed, created_at=long_ago).user
    event_cancel(actor=staff, event=doomed, reason="Sygdom")

    assert wait_for(lambda: sink.count() >= 1, timeout=10)  # the cancellation mail only
    wait_for(lambda: False, timeout=1)
    assert [m["subject"] for m in sink.snapshot()] == ["Aflyst: Aflyst koncert"]

    new_start = (timezone.now() + timedelta(hours=23, minutes=55)).replace(microsecond=0)
    event_update(actor=staff, event=moving, start=new_start, end=new_start + timedelta(hours=2))
    assert wait_for(lambda: sink.count() >= 3, timeout=15)
    wait_for(lambda: False, timeout=1)

    to_mover = [m["subject"] for m in sink.snapshot() if m["to"] == mover.email]
    local = timezone.localtime(new_start)
    assert sorted(to_mover) == sorted(
        [
            "Nyt tidspunkt eller sted: Bogcafé",
            f"Påmindelse: Bogcafé {local.day}/{local.month} kl. {local:%H.%M}",
        ]
    )
    to_doomed = [m["subject"] for m in sink.snapshot() if m["to"] == doomed_person.email]
    assert to_doomed == ["Aflyst: Aflyst koncert"]


def test_killing_the_worker_mid_batch_loses_nothing_and_doubles_nothing(smtp, workers) -> None:
    """Runs last: it kills the module's workers."""
    sink, _port = smtp
    sink.reset(delay=0.4)  # a slow mail server, so the kill lands mid-batch
    regs = due_registrations(8)
    tick()
    deadline = time.monotonic() + 20
    while sink.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Just after a message was accepted and marked sent, the next one is inside the server's
    # 0.4 s pause: kill the worker there (SIGKILL, no goodbye), mid-batch and mid-message.
    time.sleep(0.15)
    workers.kill_all()
    delivered_before = sink.count()
    assert delivered_before < 8, "the worker finished before it could be killed"
    left = Delivery.objects.exclude(status=DeliveryStatus.SENT).count()
    assert left == 8 - delivered_before  # each row is either sent and received, or still to go

    workers.start(1)
    assert wait_for(lambda: sink.count() >= 8, timeout=30)
    wait_for(lambda: False, timeout=1.5)

    received = sink.snapshot()
    assert len(received) == 8
    assert sorted(m["to"] for m in received) == sorted(r.user.email for r in regs)
    assert len({m["message_id"] for m in received}) == 8
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 8
