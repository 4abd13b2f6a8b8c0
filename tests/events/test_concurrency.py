"""Many people registering at once for the last seats, on PostgreSQL (``tests.race``).

The negative controls turn the row lock off (``tests.race.locks_off``) and hold each writer
after its seat count (``core.locking.Pause``), and show that the harness really catches
overselling.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from core.exceptions import Conflict, DomainError
from core.locking import Pause
from core.models import AuditLog
from events import services
from events.models import Event, Registration, RegistrationStatus
from notifications.models import Delivery
from tests.events.factories import make_event, make_person, make_registration
from tests.race import POSTGRES_ONLY, locks_off, run_together, widen

pytestmark = [pytest.mark.django_db(transaction=True), POSTGRES_ONLY]

THREADS = 8


def _race(event: Event, users: list[Any], seats: int = 1) -> list[Any]:
    return run_together(
        [lambda u=u: services.registration_create(actor=u, event=event, seats=seats) for u in users]
    )


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
    assert all(isinstance(r, Registration | DomainError) for r in results), results
    assert _confirmed_seats(event) == 10
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    assert waiting.count() == THREADS - 3
    assert sorted(waiting.values_list("waitlist_position", flat=True)) == list(
        range(1, THREADS - 3 + 1)
    )


def test_negative_control_without_the_lock_the_harness_sees_overselling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locks_off(monkeypatch)
    widen(monkeypatch, Pause.REGISTRATION_AFTER_SEAT_COUNT)
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


def _cancel_four_at_once(event: Event) -> list[Registration]:
    """Four confirmed people cancel at the same moment; six wait. Returns the waiting ones."""
    confirmed = [
        services.registration_create(actor=make_person(), event=event, seats=1) for _ in range(4)
    ]
    waiting = [
        services.registration_create(actor=make_person(), event=event, seats=1) for _ in range(6)
    ]
    # The negative control may hit constraint errors: the outcome is asserted on the rows.
    run_together(
        [lambda r=r: services.registration_cancel(actor=r.user, registration=r) for r in confirmed]
    )
    return waiting


def test_several_cancel_at_once_each_freed_seat_is_given_once_in_order() -> None:
    event = make_event(capacity=4)
    waiting = _cancel_four_at_once(event)
    assert _confirmed_seats(event) == 4
    status = {
        r.pk: (r.status, r.waitlist_position) for r in Registration.objects.filter(event=event)
    }
    assert [status[r.pk][0] for r in waiting] == ["confirmed"] * 4 + ["waitlisted"] * 2
    assert [status[r.pk][1] for r in waiting[4:]] == [1, 2]


def test_negative_control_promotion_without_the_lock_loses_or_doubles_seats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locks_off(monkeypatch)
    widen(monkeypatch, Pause.PROMOTION_AFTER_SEAT_COUNT)
    seen = False
    for _attempt in range(5):
        event = make_event(capacity=4)
        _cancel_four_at_once(event)
        if _confirmed_seats(event) != 4:
            seen = True
            break
    assert seen, "without the row lock, simultaneous cancels should mis-give seats at least once"


def test_the_same_person_twice_at_once_past_the_count_is_one_registration_and_a_409(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the lock both requests count "not registered yet"; the unique constraint
    stops the second when its rows are sent (the registration, its audit row and its message
    go in one batch), and nothing of it is kept: one registration, one audit row, one
    message, and a 409 that asks to try again."""
    locks_off(monkeypatch)
    widen(monkeypatch, Pause.REGISTRATION_AFTER_SEAT_COUNT)
    event = make_event(capacity=10)
    person = make_person()
    results = _race(event, [person, person])
    refused = [r for r in results if not isinstance(r, Registration)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], Conflict) and refused[0].code == "registration_conflict"
    kept = Registration.objects.get(event=event, user=person)
    assert AuditLog.objects.filter(target_type="events.registration").count() == 1
    assert AuditLog.objects.get(target_type="events.registration").target_id == str(kept.pk)
    assert list(Delivery.objects.values_list("object_id", flat=True)) == [str(kept.pk)]
