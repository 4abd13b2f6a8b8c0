"""Many people at once on PostgreSQL: exactly one wins, every loser gets the same 409.

Threads are released together by a barrier (``tests.race.run_together``) and run the real
services on their own database connections. The negative control switches the lock off,
holds each request after its overlap check and drops the exclusion constraint inside the
test, and must observe a double booking: otherwise this harness would prove nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from core.exceptions import BookingConflict, DomainError
from core.locking import Pause
from core.models import AuditLog
from rooms import services
from rooms.models import Booking, BookingStatus, EquipmentBooking, Licence
from tests.factories import make_user
from tests.race import POSTGRES_ONLY, locks_off, run_n, widen
from tests.rooms.factories import at, future_day, make_equipment, make_room

pytestmark = [POSTGRES_ONLY, pytest.mark.django_db(transaction=True)]


def _request(room, person, day, start=(10, 0), end=(12, 0)):  # noqa: ANN001, ANN202
    return services.booking_request(
        actor=person,
        room=room,
        start=at(day, *start),
        end=at(day, *end),
        purpose="Møde",
        attendees=2,
    )


def test_many_people_one_slot_exactly_one_wins() -> None:
    room = make_room()
    day = future_day(5)
    people = [make_user() for _ in range(8)]
    # overlapping but different wishes, so the clash is real for each pair
    results = run_n(
        8, lambda i: _request(room, people[i], day, (10, 0) if i % 2 else (11, 0), (12, 0))
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(e, BookingConflict) and e.status_code == 409 for e in losers), losers
    assert Booking.objects.filter(room=room, status__in=["pending", "confirmed"]).count() == 1


def test_without_the_lock_the_constraint_still_gives_409_never_a_500(monkeypatch) -> None:
    locks_off(monkeypatch)
    room = make_room()
    day = future_day(5)
    people = [make_user() for _ in range(6)]
    results = run_n(6, lambda i: _request(room, people[i], day))
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 5
    assert all(isinstance(e, BookingConflict) for e in losers), losers
    assert Booking.objects.filter(room=room).count() == 1


def test_negative_control_no_lock_no_constraint_double_books(monkeypatch) -> None:
    """With the lock off and the constraint dropped, the same harness sees a double booking."""
    constraint = next(c for c in Booking._meta.constraints if c.name == "booking_no_overlap")
    locks_off(monkeypatch)
    widen(monkeypatch, Pause.BOOKING_AFTER_OVERLAP_CHECK, 0.2)  # between check and insert
    room = make_room()
    day = future_day(5)
    people = [make_user() for _ in range(4)]
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, constraint)
    try:
        results = run_n(4, lambda i: _request(room, people[i], day))
        winners = [r for r in results if not isinstance(r, Exception)]
        assert len(winners) > 1, "the harness did not catch a double booking"
        assert Booking.objects.filter(room=room, status="confirmed").count() > 1
    finally:
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, constraint)


def test_approval_race_two_overlapping_requests_only_one_confirmed(staff, branch) -> None:
    room = make_room(branch=branch, requires_approval=True)
    day = future_day(5)
    people = [make_user() for _ in range(2)]
    requests = run_n(
        2, lambda i: _request(room, people[i], day, (10, 0) if i else (11, 0), (12, 0))
    )
    pending = [r for r in requests if not isinstance(r, Exception)]
    assert len(pending) == 1, requests  # the second overlapping request never became live
    booking = pending[0].first
    other_staff = make_user(role="staff", branches=[branch])
    approvers = [staff, other_staff]
    results = run_n(2, lambda i: services.booking_approve(actor=approvers[i], booking=booking))
    assert not [r for r in results if isinstance(r, Exception)], results
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.sequence == 1
    assert (
        AuditLog.objects.filter(action="booking.confirmed", target_id=str(booking.pk)).count() == 1
    )


def test_approve_and_reject_at_once_one_decision_stands(staff, branch) -> None:
    room = make_room(branch=branch, requires_approval=True)
    booking = _request(room, make_user(), future_day(5)).first

    def decide(i: int) -> Any:
        if i == 0:
            return services.booking_approve(actor=staff, booking=booking)
        return services.booking_reject(actor=staff, booking=booking, reason="Lokalet skal males")

    results = run_n(2, decide)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], DomainError) and errors[0].status_code == 409
    booking.refresh_from_db()
    assert booking.status in {BookingStatus.CONFIRMED, BookingStatus.REJECTED}
    assert booking.sequence == 1


def test_event_and_people_race_for_the_room(staff) -> None:
    room = make_room()
    day = future_day(5)
    people = [make_user() for _ in range(4)]

    def work(i: int) -> Any:
        if i == 0:
            return services.room_occupy(
                room=room, start=at(day, 10), end=at(day, 12), title="Koncert", actor=staff
            )
        return _request(room, people[i], day)

    results = run_n(5 - 1, work)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, BookingConflict) for r in results if isinstance(r, Exception))
    assert Booking.objects.filter(room=room, status="confirmed").count() == 1


def test_many_makers_one_machine_slot() -> None:
    machine = make_equipment()
    day = future_day(3)
    makers = [make_user() for _ in range(6)]
    for maker in makers:
        Licence.objects.create(person=maker, equipment_kind=machine.kind)
    results = run_n(
        6,
        lambda i: services.equipment_booking_create(
            actor=makers[i], equipment=machine, start=at(day, 10)
        ),
    )
    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert all(isinstance(r, BookingConflict) for r in results if isinstance(r, Exception))
    assert EquipmentBooking.objects.filter(equipment=machine, status="confirmed").count() == 1


def test_over_the_api_every_loser_gets_the_same_409() -> None:
    from rest_framework.test import APIClient

    room = make_room(name="Musikrum")
    day = future_day(5)
    people = [make_user() for _ in range(5)]

    def post(i: int) -> tuple[int, dict[str, Any]]:
        client = APIClient()
        client.force_authenticate(people[i])
        response = client.post(
            "/api/bookings/",
            {
                "room": room.pk,
                "start": at(day, 10).isoformat(),
                "end": at(day, 11).isoformat(),
                "purpose": "Øvning",
                "attendees": 3,
            },
            format="json",
        )
        return response.status_code, response.json()

    results = run_n(5, post)
    assert sorted(status for status, _body in results) == [201, 409, 409, 409, 409], results
    details = {body["detail"] for status, body in results if status == 409}
    assert len(details) == 1 and "Musikrum" in details.pop()
