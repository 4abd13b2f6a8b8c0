"""Many people registering at once for the last seats, on PostgreSQL (threads + barrier).

The negative control turns the row lock off (``core.locking.LOCKS_ENABLED``) and
shows that the harness really catches overselling.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum

import core.locking
from core.exceptions import DomainError
from events import services
from events.models import Event, Registration, RegistrationStatus
from tests.events.factories import make_event, make_person, make_registration

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-lock races need PostgreSQL; SQLite serialises writers (IMMEDIATE)",
    ),
]

THREADS = 8


def _race(event: Event, users: list[Any], seats: int = 1) -> list[Any]:
    barrier = threading.Barrier(len(users))
    results: list[Any] = []
    lock = threading.Lock()

    def run(user: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcome: Any = services.registration_create(actor=user, event=event, seats=seats)
        except DomainError as error:
            outcome = error
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _confirmed_seats(event: Event) -> int:
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).aggregate(
            n=Sum("seats")
        )["n"]
        or 0
    )


def test_many_at_once_for_the_last_seats_confirm_exactly_the_capacity() -> None:
    event = make_event(capacity=10)
    for _ in range(7):
        make_registration(event=event)  # 3 seats left
    users = [make_person() for _ in range(THREADS)]
    results = _race(event, users)
    assert len(results) == THREADS
    assert _confirmed_seats(event) == 10
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    assert waiting.count() == THREADS - 3
    assert sorted(waiting.values_list("waitlist_position", flat=True)) == list(
        range(1, THREADS - 3 + 1)
    )


def test_negative_control_without_the_lock_the_harness_sees_overselling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core.locking, "LOCKS_ENABLED", False)
    oversold = False
    for _attempt in range(5):
        event = make_event(capacity=10)
        for _ in range(9):
            make_registration(event=event)  # 1 seat left
        _race(event, [make_person() for _ in range(THREADS)])
        if _confirmed_seats(event) > 10:
            oversold = True
            break
    assert oversold, "without the row lock the race should oversell at least once"
