"""Faults that cost nothing (issue 18): real worker, PostgreSQL, Redis and SMTP on loopback.

* PostgreSQL restarted between the SMTP server's accept and the mark: one mail, not two (and,
  as the negative control, two when the mark is not retried).
* A worker killed mid-batch: every message arrives once, the last well within two minutes of
  the restart (a short lease).
* A slow send longer than the lease: the lease is renewed, nobody takes the row over.
* A password reset asked for while the mail server is down arrives once it is back.
* Redis stopped: sign-up, login, registration and booking answer as usual; the mail follows
  when Redis returns.
* 1,500 writes in a burst queue at most a handful of dispatcher runs.

The throwaway servers come from ``tests/notifications/throwaway.py``; the machine's own
PostgreSQL and Redis are never stopped. No timing is asserted beyond "arrives within".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from core.contracts import AccountMail, MessageKind
from notifications.models import Delivery, DeliveryStatus
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.test_integration import (
    BASE_DIR,
    Sink,
    Workers,
    _database_url,
    due_registrations,
    tick,
    wait_for,
)
from tests.notifications.throwaway import ThrowawayPostgres, ThrowawayRedis, free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class BodySink(Sink):
    """The loopback sink, keeping each message's kind header and text too; ``on_accept`` runs
    just before the server answers 250 (the moment a fault hurts most)."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[dict[str, str]] = []
        self.on_accept: Any = None
        self.started = 0  # DATA commands begun (the last may still be in the server's pause)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.started += 1
        if self.on_accept is not None:
            hook, self.on_accept = self.on_accept, None
            hook()
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            parsed = message_from_bytes(envelope.content)
            part = next(p for p in parsed.walk() if p.get_content_type() == "text/plain")
            with self.lock:
                self.bodies.append(
                    {
                        "to": envelope.rcpt_tos[0],
                        "kind": str(parsed["X-Modested-Kind"]),
                        "text": part.get_payload(decode=True).decode(),
                    }
                )
        return answer


def _start_sink(port: int | None = None) -> tuple[BodySink, Any, int]:
    from aiosmtpd.controller import Controller

    sink = BodySink()
    port = port or free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller, port


@pytest.fixture
def sink() -> Iterator[tuple[BodySink, int]]:
    found, controller, port = _start_sink()
    yield found, port
    controller.stop()


@pytest.fixture
def fresh_queue() -> None:
    """Kicks and marks of earlier tests go: the queue, Celery's unacked lists, the kick mark."""
    import redis
    from django.core.cache import cache

    from notifications.services.kick import KICK_MARK

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete("celery", "unacked", "unacked_index")
    cache.delete(KICK_MARK)


# --- 1. PostgreSQL restarted between the accept and the mark -----------------------------

_DISPATCH_SCRIPT = """
import json, os, time
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from notifications import services
from notifications.models import Delivery
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.factories import registered

services.dispatch.MARK_RETRIES = os.environ["MARK_RETRIES"] == "1"
event = make_event(start=timezone.now() + timedelta(days=5), title="Strikkecafé", tracks=None)
registered(event, make_user())
first = services.dispatch_due()
time.sleep(services.lease().total_seconds() + 1)
second = services.dispatch_due()
rows = list(Delivery.objects.values("status", "maybe_duplicate"))
print("RESULT " + json.dumps({"first": first.sent, "second": second.sent, "rows": rows}))
"""


@pytest.mark.parametrize(("retried", "mails"), [(True, 1), (False, 2)])
def test_a_database_restart_between_the_accept_and_the_mark_sends_one_mail(
    sink, retried: bool, mails: int
) -> None:
    """The negative control (the mark not retried) shows the double mail the issue saw, and
    that the delivery log flags it."""
    received, port = sink
    pg = ThrowawayPostgres()
    try:
        pg.load_schema_of(_database_url())
        received.on_accept = pg.restart  # the server accepts once PostgreSQL is back
        env = {
            **os.environ,
            "DATABASE_URL": pg.url,
            "REDIS_URL": "",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MODESTED_TESTING": "1",
            "MODESTED_VAR_DIR": tempfile.mkdtemp(prefix="modested-var-"),
            "MODESTED_DELIVERY_LEASE_SECONDS": "6",
            "MARK_RETRIES": "1" if retried else "0",
            "DJANGO_SETTINGS_MODULE": "core.settings",
        }
        done = subprocess.run(
            [sys.executable, "-c", _DISPATCH_SCRIPT],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        pg.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.split("RESULT ", 1)[1])
    assert received.count() == mails
    if retried:
        assert result["rows"] == [{"status": "sent", "maybe_duplicate": False}]
    else:
        # Sent again after the lease, and the delivery log says it may have gone twice.
        assert result["rows"] == [{"status": "sent", "maybe_duplicate": True}]


# --- 2. A killed worker, a slow send ---------------------------------------------------------


def test_a_worker_killed_mid_batch_delays_nothing_for_long(sink, fresh_queue, django_db_blocker):
    received, port = sink
    received.reset(delay=0.4)  # a slow mail server, so the kill lands mid-batch
    regs = due_registrations(8)
    pool = Workers(port)
    try:
        pool.start(1, MODESTED_DELIVERY_LEASE_SECONDS="10")
        tick()
        # The third message is inside the server's pause, so the second has been marked sent
        # (the worker sends one after the other): kill the worker there, mid-batch and
        # mid-message, outside the accept-to-mark window (that one is the test above).
        # Looked at every 10 ms: at the default 0.3 s the kill could land after the server's
        # 0.4 s pause, in the accept-to-mark window, and the message came twice.
        assert wait_for(lambda: received.started >= 3, timeout=30, ticking=False, every=0.01)
        time.sleep(0.1)
        pool.kill_all()  # SIGKILL
        assert received.count() < 8, "the worker finished before it could be killed"
        pool.start(1, MODESTED_DELIVERY_LEASE_SECONDS="10")
        # The message in flight at the kill waits for its lease (10 s here, 60 s by default).
        assert wait_for(lambda: received.count() >= 8, timeout=120)
        wait_for(lambda: False, timeout=2)
    finally:
        pool.kill_all()
    got = received.snapshot()
    assert sorted(m["to"] for m in got) == sorted(r.user.email for r in regs)  # each once
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 8


def test_a_send_slower_than_the_lease_is_not_taken_over(sink, fresh_queue) -> None:
    received, port = sink
    received.reset(delay=3.0)  # three leases long
    [reg] = due_registrations(1)
    pool = Workers(port)
    try:
        pool.start(2, MODESTED_DELIVERY_LEASE_SECONDS="1")
        assert wait_for(lambda: received.count() >= 1, timeout=30)  # ticks all along
        wait_for(lambda: False, timeout=4)
    finally:
        pool.kill_all()
    assert [m["to"] for m in received.snapshot()] == [reg.user.email]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.maybe_duplicate) == (DeliveryStatus.SENT, False)


# --- 3. A password reset while the mail server is down ---------------------------------------


def test_a_password_reset_asked_for_during_an_smtp_outage_arrives_after_it(fresh_queue) -> None:
    port = free_port()  # nothing listens there yet: the mail server is down
    person = make_user(email="glemsom@example.org")
    pool = Workers(port)
    try:
        pool.start(1, MODESTED_DELIVERY_FIRST_RETRY_SECONDS="1")
        response = Client().post("/konto/nulstil/", {"email": person.email})
        assert response.status_code == 302  # "we have sent you an e-mail"
        assert wait_for(
            lambda: (
                Delivery.objects.filter(kind=AccountMail.PASSWORD_RESET)
                .exclude(last_error="")
                .exists()
            ),
            timeout=60,
        )  # the dispatcher ran (kicked, or beat's tick), the send failed, the row waits
        received, controller, _port = _start_sink(port)  # the mail server is back
        try:
            assert wait_for(lambda: received.count() >= 1, timeout=60)
            wait_for(lambda: False, timeout=2)
        finally:
            controller.stop()
    finally:
        pool.kill_all()
    [mail] = received.bodies
    assert (mail["to"], mail["kind"]) == (person.email, AccountMail.PASSWORD_RESET)
    assert "/konto/nulstil/" in mail["text"]
    delivery = Delivery.objects.get(kind=AccountMail.PASSWORD_RESET)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.data == {}  # the link is not kept once it is sent


# --- 4. Redis stopped --------------------------------------------------------------------------


def _http(method: str, url: str, body: dict[str, Any] | None = None, token: str = "") -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            status, content = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, content = error.code, error.read()
    took = time.monotonic() - started
    print(f"{method} {url} -> {status} in {took:.2f} s")  # for the operator reading the log
    return status, (json.loads(content) if content[:1] in (b"{", b"[") else content)


def _web(port: int, env: dict[str, str]) -> subprocess.Popen[str]:
    from core.management.commands.runall import web_command

    proc = subprocess.Popen(
        web_command(f"127.0.0.1:{port}", threads=8),
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return proc
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    proc.kill()
    pytest.fail("the web server did not start")


def test_with_redis_stopped_people_are_answered_and_the_mail_follows(sink) -> None:
    from celery import Celery

    from rooms.models import Booking
    from tests.rooms.factories import at, future_day, make_room

    received, smtp_port = sink
    redis_server = ThrowawayRedis()
    web_port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_server.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MODESTED_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "core.settings",
    }
    person = make_user(email="borger@example.org", password="et-langt-kodeord-2026")
    event = make_event(start=timezone.now() + timedelta(days=6), title="Sy-café", tracks=None)
    room = make_room()
    day = future_day(5)
    pool = Workers(smtp_port)
    web = _web(web_port, env)
    base = f"http://127.0.0.1:{web_port}"
    try:
        pool.start(1, REDIS_URL=redis_server.url)
        redis_server.stop()  # Redis goes away

        signup = _http(
            "POST",
            f"{base}/api/auth/register/",
            {"email": "ny@example.org", "password": "et-langt-kodeord-2026", "name": "Nina Ny"},
        )
        login = _http(
            "POST",
            f"{base}/api/auth/token/",
            {"email": person.email, "password": "et-langt-kodeord-2026"},
        )
        assert (signup[0], login[0]) == (201, 200)
        token = login[1]["token"]
        registration = _http(
            "POST", f"{base}/api/events/{event.pk}/registrations/", {"seats": 1}, token
        )
        booking = _http(
            "POST",
            f"{base}/api/bookings/",
            {
                "room": room.pk,
                "start": at(day, 10).isoformat(),
                "end": at(day, 11).isoformat(),
                "purpose": "Læseklub",
                "attendees": 4,
            },
            token,
        )
        home = _http("GET", f"{base}/")
        assert (registration[0], booking[0], home[0]) == (201, 201, 200)
        assert received.count() == 0  # nothing can reach the worker yet

        redis_server.start()  # Redis is back (empty): beat's next tick finds the mail
        beat = Celery(broker=redis_server.url, set_as_current=False)

        def arrived() -> bool:
            beat.send_task("notifications.dispatch_due")
            return received.count() >= 3

        assert wait_for(arrived, timeout=120, ticking=False)
        wait_for(lambda: False, timeout=2, ticking=False)
    finally:
        web.terminate()
        web.wait(timeout=20)
        pool.kill_all()
        redis_server.stop()
    kinds = sorted((m["to"], m["kind"]) for m in received.bodies)
    booking_kind = Booking.objects.get(room=room).status
    assert kinds == sorted(
        [
            ("ny@example.org", AccountMail.SIGNUP_CONFIRM),
            (person.email, MessageKind.REGISTRATION_CONFIRMED),
            (
                person.email,
                MessageKind.BOOKING_CONFIRMED
                if booking_kind == "confirmed"
                else MessageKind.BOOKING_REQUESTED,
            ),
        ]
    )


# --- 5. A burst of writes ----------------------------------------------------------------------


def test_a_burst_of_1500_writes_queues_a_handful_of_dispatcher_runs(sink, fresh_queue) -> None:
    from core.models import User
    from events.models import Registration
    from notifications.services import outbox_add

    received, port = sink
    event = make_event(start=timezone.now() + timedelta(days=9), capacity=2000, tracks=None)
    users = User.objects.bulk_create(
        User(email=f"burst{i}@example.org", name=f"Burst {i}", password="!") for i in range(1500)
    )
    regs = Registration.objects.bulk_create(
        Registration(event=event, user=u, seats=1, status="confirmed") for u in users
    )
    pool = Workers(port)
    try:
        [worker] = pool.start(1)
        for reg in regs:  # 1,500 commits, each writing a confirmation and kicking
            with transaction.atomic():
                outbox_add(kind=MessageKind.REGISTRATION_CONFIRMED, instance=reg)
        assert wait_for(lambda: received.count() >= 1500, timeout=300, ticking=False)
        wait_for(lambda: False, timeout=2, ticking=False)
    finally:
        pool.kill_all()
    runs = sum(
        "Task notifications.send_waiting[" in line and "received" in line for line in worker.lines
    )
    assert 1 <= runs <= 10, runs
    assert received.count() == 1500
