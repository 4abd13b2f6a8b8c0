"""core.locking: several rows are locked in key order; on PostgreSQL a writer kept waiting past
the lock timeout gets a 409 it can act on, not a request that hangs; the named pauses of the
race tests do nothing unless a test sets them."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from core import locking
from core.exceptions import Conflict
from events.models import Event, Registration
from rooms.models import Room
from tests.events.factories import make_event, make_person
from tests.race import POSTGRES_ONLY, widen
from tests.rooms.factories import make_room


@pytest.mark.django_db
def test_lock_many_takes_the_rows_in_key_order_whatever_order_it_is_given() -> None:
    rooms = [make_room(name=f"Lokale {i}") for i in range(3)]
    wished = [rooms[2].pk, rooms[0].pk, rooms[1].pk, rooms[0].pk]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = locking.lock_many(Room, wished)
    assert [room.pk for room in locked] == sorted(room.pk for room in rooms)
    select = queries.captured_queries[-1]["sql"]
    assert select.rstrip().endswith('ORDER BY "rooms_room"."id" ASC' + _for_update())
    # One statement: the connection already has its lock_timeout (no SET LOCAL first).
    assert len(queries) == 1


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


@pytest.mark.django_db
def test_lock_many_of_nothing_asks_the_database_nothing(django_assert_num_queries) -> None:
    with transaction.atomic(), django_assert_num_queries(0):
        assert locking.lock_many(Room, []) == []


@pytest.mark.django_db
def test_lock_one_of_a_row_that_is_gone_raises_does_not_exist() -> None:
    with transaction.atomic(), pytest.raises(Room.DoesNotExist):
        locking.lock_one(Room, 999_999)


def test_a_pause_waits_only_when_a_test_sets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    point = locking.Pause.REGISTRATION_AFTER_SEAT_COUNT
    started = time.monotonic()
    locking.pause(point)
    assert time.monotonic() - started < 0.05
    widen(monkeypatch, point, 0.2)
    started = time.monotonic()
    locking.pause(point)
    assert time.monotonic() - started >= 0.2


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_writer_kept_waiting_past_the_lock_timeout_gets_a_409_not_a_hang(
    settings, client_for
) -> None:
    settings.MODESTED_LOCK_TIMEOUT_MS = 300
    event = make_event(capacity=10)
    person = make_person()
    holding, release = threading.Event(), threading.Event()

    def another_writer_holds_the_event() -> None:
        try:
            with transaction.atomic():
                locking.lock_one(Event, event.pk)
                holding.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    other = threading.Thread(target=another_writer_holds_the_event)
    other.start()
    try:
        assert holding.wait(timeout=10)
        started = time.monotonic()
        response = client_for(person).post(
            f"/api/events/{event.pk}/registrations/", {"seats": 1}, format="json"
        )
        waited = time.monotonic() - started
    finally:
        release.set()
        other.join(timeout=10)

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "busy"
    assert response.json()["detail"] == str(locking.BUSY_MESSAGE)
    assert waited < 3  # the timeout, not the other writer, ended the wait
    assert not Registration.objects.filter(event=event).exists()
    # Once the other writer is done, the same request goes through.
    again = client_for(person).post(
        f"/api/events/{event.pk}/registrations/", {"seats": 1}, format="json"
    )
    assert again.status_code == 201, again.content


@POSTGRES_ONLY
@pytest.mark.django_db(transaction=True)
def test_after_a_lock_timeout_the_transaction_runs_no_further_query(settings) -> None:
    """PostgreSQL aborted the transaction: the service cannot carry on half-done."""
    settings.MODESTED_LOCK_TIMEOUT_MS = 100
    room = make_room()
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                locking.lock_one(Room, room.pk)
                holding.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert holding.wait(timeout=10)
        with pytest.raises(Conflict) as caught, transaction.atomic():
            try:
                locking.lock_many(Room, [room.pk])
            except Conflict:
                with pytest.raises(transaction.TransactionManagementError):
                    Room.objects.count()
                raise
    finally:
        release.set()
        other.join(timeout=10)
    assert caught.value.status_code == 409 and caught.value.code == "busy"


@POSTGRES_ONLY
@pytest.mark.django_db
def test_every_connection_starts_with_the_lock_timeout():
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        shown = cursor.fetchone()[0]

    assert shown == f"{settings.MODESTED_LOCK_TIMEOUT_MS // 1000}s"
