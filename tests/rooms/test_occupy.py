"""The contract other apps code against: the library's own use of rooms, licences, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.exceptions import BookingConflict, RuleViolation
from core.models import AuditLog
from core.signals import state_changed
from rooms import services
from rooms.models import Booking, BookingKind, BookingStatus, EquipmentKind, Licence
from rooms.tasks import anonymise_old_bookings
from tests.factories import make_user
from tests.rooms.factories import at, future_day, make_booking, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals() -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def listener(sender, kind, instance, **kwargs):  # noqa: ANN001, ANN202
        seen.append((kind, instance))

    state_changed.connect(listener, weak=False)
    yield seen
    state_changed.disconnect(listener)


def test_occupy_makes_a_confirmed_event_booking(staff) -> None:
    room = make_room()
    day = future_day(5)
    booking = services.room_occupy(
        room=room, start=at(day, 10), end=at(day, 12), title="Forfatteraften", actor=staff
    )
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.kind == BookingKind.EVENT
    assert booking.purpose == "Forfatteraften"
    assert AuditLog.objects.filter(action="booking.occupied", target_id=str(booking.pk)).exists()


def test_occupy_rejects_overlapping_pending_requests_and_tells_them(staff, signals) -> None:
    room = make_room()
    day = future_day(5)
    citizen = make_user()
    pending = make_booking(
        room=room, start=at(day, 11), end=at(day, 13), booker=citizen, status=BookingStatus.PENDING
    )
    other_day = make_booking(
        room=room,
        start=at(day + timedelta(days=1), 11),
        end=at(day + timedelta(days=1), 13),
        booker=citizen,
        status=BookingStatus.PENDING,
    )
    services.room_occupy(
        room=room, start=at(day, 10), end=at(day, 12), title="Koncert", actor=staff
    )
    pending.refresh_from_db()
    other_day.refresh_from_db()
    assert pending.status == BookingStatus.REJECTED
    assert pending.rejection_reason == str(services.OWN_EVENT_REASON)
    assert pending.sequence == 1
    assert other_day.status == BookingStatus.PENDING
    assert [(k, i.pk) for k, i in signals] == [("booking.rejected", pending.pk)]


def test_occupy_never_displaces_a_confirmed_booking(staff) -> None:
    room = make_room(name="Salen")
    day = future_day(5)
    make_booking(room=room, start=at(day, 11), end=at(day, 13), booker=make_user())
    with pytest.raises(BookingConflict) as error:
        services.room_occupy(
            room=room, start=at(day, 10), end=at(day, 12), title="Koncert", actor=staff
        )
    assert "Salen" in error.value.message and "11.00–13.00" in error.value.message
    assert error.value.status_code == 409
    assert Booking.objects.filter(kind=BookingKind.EVENT).count() == 0


def test_occupy_refuses_another_occupation_counting_the_buffer(staff) -> None:
    room = make_room(buffer_minutes=30)
    day = future_day(5)
    services.room_occupy(room=room, start=at(day, 10), end=at(day, 12), title="A", actor=staff)
    with pytest.raises(BookingConflict):
        services.room_occupy(
            room=room, start=at(day, 12, 15), end=at(day, 13), title="B", actor=staff
        )
    # after the buffer it is free again
    services.room_occupy(room=room, start=at(day, 12, 30), end=at(day, 13), title="C", actor=staff)


def test_occupy_back_to_back_without_buffer_is_fine(staff) -> None:
    room = make_room()
    day = future_day(5)
    services.room_occupy(room=room, start=at(day, 10), end=at(day, 11), title="A", actor=staff)
    services.room_occupy(room=room, start=at(day, 11), end=at(day, 12), title="B", actor=staff)
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 2


def test_occupy_refuses_end_before_start(staff) -> None:
    room = make_room()
    day = future_day(5)
    with pytest.raises(RuleViolation):
        services.room_occupy(room=room, start=at(day, 12), end=at(day, 11), title="A", actor=staff)


def test_occupy_runs_inside_the_callers_transaction(staff) -> None:
    """A failure after occupying in the caller's transaction rolls the occupation back."""
    from django.db import transaction

    room = make_room()
    day = future_day(5)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.room_occupy(room=room, start=at(day, 10), end=at(day, 11), title="A", actor=staff)
        raise RuntimeError("the event could not be saved")
    assert not Booking.objects.exists()


def test_move_and_release(staff) -> None:
    room = make_room()
    day = future_day(5)
    occupation = services.room_occupy(
        room=room, start=at(day, 10), end=at(day, 11), title="A", actor=staff
    )
    make_booking(room=room, start=at(day, 14), end=at(day, 15), booker=make_user())
    with pytest.raises(BookingConflict):
        services.room_occupancy_move(
            booking=occupation, start=at(day, 13), end=at(day, 15), actor=staff
        )
    moved = services.room_occupancy_move(
        booking=occupation, start=at(day, 12), end=at(day, 14), actor=staff
    )
    assert moved.sequence == 1 and moved.start == at(day, 12)
    same = services.room_occupancy_move(
        booking=moved, start=at(day, 12), end=at(day, 14), actor=staff
    )
    assert same.sequence == 1  # no change, no new revision
    services.room_release(booking=moved, actor=staff)
    moved.refresh_from_db()
    assert moved.status == BookingStatus.CANCELLED and moved.cancelled_at is not None
    assert moved.sequence == 2
    services.room_release(booking=moved, actor=staff)  # idempotent
    moved.refresh_from_db()
    assert moved.sequence == 2
    # the time is free again
    services.room_occupy(room=room, start=at(day, 12), end=at(day, 14), title="B", actor=staff)


def test_licence_grant_is_idempotent(staff) -> None:
    person = make_user()
    first = services.licence_grant(
        person=person, equipment_kind=EquipmentKind.LASER_CUTTER, actor=staff, source="course"
    )
    again = services.licence_grant(
        person=person, equipment_kind=EquipmentKind.LASER_CUTTER, actor=None
    )
    assert first.pk == again.pk and first.source == "course" and first.granted_by == staff
    assert Licence.objects.filter(person=person).count() == 1
    with pytest.raises(RuleViolation):
        services.licence_grant(person=person, equipment_kind="rocket", actor=staff)


def test_retention_task_clears_old_bookers_and_keeps_counts() -> None:
    room = make_room()
    person = make_user()
    now = timezone.now()
    old = make_booking(
        room=room,
        start=now - timedelta(days=40),
        end=now - timedelta(days=40, hours=-1),
        booker=person,
    )
    recent = make_booking(
        room=room,
        start=now - timedelta(days=10),
        end=now - timedelta(days=10, hours=-1),
        booker=person,
    )
    assert anonymise_old_bookings.name == "rooms.anonymise_old_bookings"
    with time_machine.travel(now, tick=False):
        assert anonymise_old_bookings.apply().get() == 1  # run in-process
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.booker is None and recent.booker == person
    assert Booking.objects.count() == 2
