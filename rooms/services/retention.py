"""Retention and account deletion: people are unlinked from their bookings, the rows stay.

See ``docs/privacy.md``: a booking keeps its booker for ``RETENTION_DAYS`` after it ends,
so the library can answer questions about it; then only the statistics remain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.locking import lock_one
from core.models import User
from rooms.models import (
    LIVE_BOOKING_STATUSES,
    Booking,
    BookingKind,
    Equipment,
    EquipmentBooking,
    EquipmentBookingStatus,
)
from rooms.services.bookings import _booking_cancel
from rooms.services.checkin import _equipment_booking_set_cancelled

RETENTION_DAYS = 30


@transaction.atomic(durable=True)
def bookings_anonymise_old(*, now: datetime | None = None) -> int:
    """Retention: unlink people from bookings that ended more than 30 days ago.

    The rows stay (so statistics still add up); only the booker is cleared.
    """
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    rooms = Booking.objects.filter(end__lt=cutoff, booker__isnull=False).update(booker=None)
    machines = EquipmentBooking.objects.filter(end__lt=cutoff, booker__isnull=False).update(
        booker=None
    )
    return rooms + machines


@transaction.atomic
def bookings_release_person(*, person: User) -> dict[str, int]:
    """Account deletion (composable): cancel the person's own room bookings and makerspace
    slots that have not started, as the booker would, whatever the booker's deadline (the
    person will not come, and a free room is better than a no-show). Then remove the person
    from all their bookings (the rows stay, so statistics still add up). The library's own
    holds that a staff member made for an event or a shift are not cancelled, only unlinked.
    """
    now = timezone.now()
    rooms = list(
        Booking.objects.filter(
            booker=person,
            kind=BookingKind.BOOKING,
            status__in=LIVE_BOOKING_STATUSES,
            start__gt=now,
        )
        .select_related("room")
        .order_by("room_id", "start", "pk")  # rooms are locked in a fixed order
    )
    for booking in rooms:
        _booking_cancel(actor=person, booking=booking, ignore_deadline=True)
    slots = list(
        EquipmentBooking.objects.filter(
            booker=person, status=EquipmentBookingStatus.CONFIRMED, start__gt=now
        ).order_by("equipment_id", "start", "pk")
    )
    for slot in slots:
        lock_one(Equipment, slot.equipment_id)
        fresh = EquipmentBooking.objects.get(pk=slot.pk)
        if fresh.status == EquipmentBookingStatus.CONFIRMED:
            _equipment_booking_set_cancelled(fresh, actor=person, reason="")
    unlinked = Booking.objects.filter(booker=person).update(booker=None)
    unlinked += EquipmentBooking.objects.filter(booker=person).update(booker=None)
    return {
        "room_bookings_cancelled": len(rooms),
        "machine_bookings_cancelled": len(slots),
        "bookings_unlinked": unlinked,
    }
