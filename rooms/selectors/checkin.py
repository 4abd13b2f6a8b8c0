"""Check-in at a room's door and the pauses that repeated no-shows put on booking."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from core.exceptions import NotFound
from core.models import User
from rooms.models import Booking, BookingKind, BookingPause, BookingStatus, Room

CHECK_IN_OPENS_BEFORE = timedelta(minutes=15)


def door_bookings(*, room: Room, user: User, now: datetime | None = None) -> list[Booking]:
    """``user``'s confirmed bookings of ``room`` that have not ended and start within the hour
    (the check-in page at the door: the first is the one to check in to)."""
    now = now or timezone.now()
    return list(
        Booking.objects.select_related("room__branch")
        .filter(
            room=room,
            booker=user,
            kind=BookingKind.BOOKING,
            status=BookingStatus.CONFIRMED,
            end__gt=now,
            start__lte=now + timedelta(hours=1),
        )
        .order_by("start", "pk")
    )


def check_in_open(*, booking: Booking, now: datetime | None = None) -> bool:
    """Whether the booker can check in now (from 15 minutes before until the release time)."""
    now = now or timezone.now()
    deadline = booking.start + timedelta(minutes=booking.room.release_after_minutes)
    return (
        booking.status == BookingStatus.CONFIRMED
        and booking.checked_in_at is None
        and booking.start - CHECK_IN_OPENS_BEFORE <= now < deadline
    )


def pause_of(*, person: User, now: datetime | None = None) -> BookingPause | None:
    """The pause on ``person``'s right to book now, if any."""
    now = now or timezone.now()
    return (
        BookingPause.objects.filter(person=person, until__gt=now, lifted_at__isnull=True)
        .order_by("-until")
        .first()
    )


def pauses_active(*, now: datetime | None = None) -> QuerySet[BookingPause]:
    """Every pause in force now, with its person (one query)."""
    now = now or timezone.now()
    return (
        BookingPause.objects.filter(until__gt=now, lifted_at__isnull=True)
        .select_related("person")
        .order_by("until", "pk")
    )


def pause_get(*, pk: int | str) -> BookingPause:
    pause = BookingPause.objects.select_related("person").filter(pk=pk).first()
    if pause is None:
        raise NotFound()
    return pause
