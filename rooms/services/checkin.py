"""Check-in and no-shows: one mechanism for room bookings and makerspace slots.

A room with ``check_in_required`` (and every machine) expects its booker to check in, from 15
minutes before the start; a booking not checked in within the room's (or machine's)
``release_after_minutes`` of its start is released at once for others to book, and counted as
a no-show. The release runs every minute (``rooms.release_unclaimed_slots``) and also inside
every booking of that room or machine, under its lock, so nobody waits for the beat.

Repeated no-shows (``MODESTED_NO_SHOW_LIMIT`` within ``MODESTED_NO_SHOW_WINDOW_DAYS``, rooms and
machines together) pause the person's right to book for ``MODESTED_NO_SHOW_PAUSE_DAYS``; the
refusal says why and until when, and staff can lift the pause with a reason.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction, MessageKind
from core.exceptions import Conflict, ErrorCode, PermissionDenied, RuleViolation
from core.locking import lock_many, lock_one
from core.models import User
from core.selectors import can_manage_branch
from core.services import audit_log
from rooms.models import (
    Booking,
    BookingKind,
    BookingPause,
    BookingStatus,
    Equipment,
    EquipmentBooking,
    EquipmentBookingStatus,
    Room,
)
from rooms.services._common import _local, _signal

CHECK_IN_OPENS_BEFORE = timedelta(minutes=15)


def _released_reason(minutes: int) -> str:
    return str(_("not checked in within %(m)s minutes") % {"m": minutes})


def _equipment_booking_set_cancelled(
    booking: EquipmentBooking, *, actor: User | None, reason: str, no_show: bool = False
) -> None:
    booking.status = EquipmentBookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason[:300]
    booking.no_show = no_show
    booking.sequence += 1
    booking.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancel_reason",
            "no_show",
            "sequence",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        action=AuditAction.EQUIPMENT_BOOKING_CANCELLED,
        target=booking,
        data={"reason": reason, "no_show": no_show},
    )
    _signal(
        EquipmentBooking, MessageKind.EQUIPMENT_BOOKING_CANCELLED, booking, actor, reason=reason
    )


# --- Checking in -------------------------------------------------------------------------


def check_in_deadline(booking: Booking) -> datetime:
    """When a room booking not checked in is released."""
    return booking.start + timedelta(minutes=booking.room.release_after_minutes)


@transaction.atomic(durable=True)
def booking_check_in(*, actor: User, booking: Booking) -> Booking:
    """The booker (or staff of the branch) checks in to a room booking at the door.

    Open from 15 minutes before the start until the release time; checking in twice
    changes nothing.
    """
    is_staff = can_manage_branch(user=actor, branch=booking.room.branch_id)
    if booking.booker_id != actor.pk and not is_staff:
        raise PermissionDenied()
    lock_one(Room, booking.room_id)
    fresh = Booking.objects.select_related("room").get(pk=booking.pk)
    if fresh.status != BookingStatus.CONFIRMED:
        raise Conflict(
            _("This booking is no longer yours; it was cancelled or released."),
            code=ErrorCode.NOT_CHECKABLE,
        )
    if fresh.checked_in_at is not None:
        return fresh
    now = timezone.now()
    if now < fresh.start - CHECK_IN_OPENS_BEFORE or now >= check_in_deadline(fresh):
        raise RuleViolation(
            _(
                "You can check in from 15 minutes before the booking until %(deadline)s, "
                "%(minutes)s minutes after it starts."
            ),
            code=ErrorCode.NOT_CHECKABLE,
            deadline=f"{_local(check_in_deadline(fresh)):%H:%M}",
            minutes=fresh.room.release_after_minutes,
        )
    fresh.checked_in_at = now
    fresh.save(update_fields=["checked_in_at", "updated_at"])
    audit_log(actor=actor, action=AuditAction.BOOKING_CHECKED_IN, target=fresh)
    return fresh


# --- Releasing what nobody claimed ---------------------------------------------------------


def _release_booking(booking: Booking, *, now: datetime) -> None:
    """Cancel a room booking nobody checked in to, as a no-show (the room is locked)."""
    reason = _released_reason(booking.room.release_after_minutes)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.no_show = True
    booking.sequence += 1
    booking.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancel_reason",
            "no_show",
            "sequence",
            "updated_at",
        ]
    )
    audit_log(
        actor=None,
        action=AuditAction.BOOKING_CANCELLED,
        target=booking,
        data={"old": "confirmed", "reason": reason, "no_show": True},
    )
    _signal(Booking, MessageKind.BOOKING_CANCELLED, booking, None, reason=reason)


def _room_unclaimed(now: datetime, rooms: list[int] | None = None) -> list[Booking]:
    candidates = Booking.objects.filter(
        kind=BookingKind.BOOKING,
        status=BookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        room__check_in_required=True,
        start__lte=now,
        end__gt=now,
    ).select_related("room")
    if rooms is not None:
        candidates = candidates.filter(room_id__in=rooms)
    return [b for b in candidates if check_in_deadline(b) <= now]


def _slot_unclaimed(now: datetime, machines: list[int] | None = None) -> list[EquipmentBooking]:
    candidates = EquipmentBooking.objects.filter(
        status=EquipmentBookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        start__lte=now,
        end__gt=now,
    ).select_related("equipment")
    if machines is not None:
        candidates = candidates.filter(equipment_id__in=machines)
    return [
        b
        for b in candidates
        if b.start + timedelta(minutes=b.equipment.release_after_minutes) <= now
    ]


def release_unclaimed(
    *,
    now: datetime | None = None,
    rooms: list[int] | None = None,
    machines: list[int] | None = None,
) -> int:
    """Release every room booking and machine slot not checked in by its release time (only
    those of ``rooms`` / ``machines`` if given), count each as a no-show and pause the people
    who reached the limit. Returns how many were released. Runs inside the caller's
    transaction (no savepoint of its own): a booking service calls it under its room's or
    machine's lock, ``unclaimed_release`` for the minute task."""
    now = now or timezone.now()
    everything = rooms is None and machines is None
    due_rooms = _room_unclaimed(now, rooms) if everything or rooms is not None else []
    due_slots = _slot_unclaimed(now, machines) if everything or machines is not None else []
    if not due_rooms and not due_slots:
        return 0
    # Rooms before machines, each in key order: the order every writer takes them in.
    lock_many(Room, [b.room_id for b in due_rooms])
    lock_many(Equipment, [b.equipment_id for b in due_slots])
    people: set[int] = set()
    released = 0
    for booking in due_rooms:
        fresh = Booking.objects.select_related("room").get(pk=booking.pk)
        if fresh.status != BookingStatus.CONFIRMED or fresh.checked_in_at is not None:
            continue
        _release_booking(fresh, now=now)
        released += 1
        if fresh.booker_id:
            people.add(fresh.booker_id)
    for slot in due_slots:
        fresh_slot = EquipmentBooking.objects.select_related("equipment").get(pk=slot.pk)
        if (
            fresh_slot.status != EquipmentBookingStatus.CONFIRMED
            or fresh_slot.checked_in_at is not None
        ):
            continue
        minutes = fresh_slot.equipment.release_after_minutes
        _equipment_booking_set_cancelled(
            fresh_slot, actor=None, reason=_released_reason(minutes), no_show=True
        )
        released += 1
        if fresh_slot.booker_id:
            people.add(fresh_slot.booker_id)
    for person_id in sorted(people):
        no_show_consequences(person_id=person_id, now=now)
    return released


@transaction.atomic(durable=True)
def unclaimed_release(*, now: datetime | None = None) -> int:
    """The minute task: release everything not checked in by its release time."""
    return release_unclaimed(now=now)


# --- Pausing the right to book -------------------------------------------------------------


def active_pause(*, person: User | int, now: datetime | None = None) -> BookingPause | None:
    """The pause on ``person``'s right to book now, if any."""
    now = now or timezone.now()
    pk = person if isinstance(person, int) else person.pk
    return (
        BookingPause.objects.filter(person_id=pk, until__gt=now, lifted_at__isnull=True)
        .order_by("-until")
        .first()
    )


def no_show_count(*, person_id: int, since: datetime) -> int:
    """No-shows of rooms and machines whose booking started after ``since``."""
    rooms = Booking.objects.filter(booker_id=person_id, no_show=True, start__gt=since).count()
    slots = EquipmentBooking.objects.filter(
        booker_id=person_id, no_show=True, start__gt=since
    ).count()
    return rooms + slots


def no_show_consequences(*, person_id: int, now: datetime | None = None) -> BookingPause | None:
    """Pause ``person_id``'s right to book if their no-shows since the window opened (or since
    their last pause began, which already counted the earlier ones) reached the limit."""
    now = now or timezone.now()
    if active_pause(person=person_id, now=now) is not None:
        return None
    since = now - timedelta(days=settings.MODESTED_NO_SHOW_WINDOW_DAYS)
    last = BookingPause.objects.filter(person_id=person_id).order_by("-created_at").first()
    if last is not None and last.created_at > since:
        since = last.created_at
    count = no_show_count(person_id=person_id, since=since)
    if count < settings.MODESTED_NO_SHOW_LIMIT:
        return None
    pause = BookingPause.objects.create(
        person_id=person_id,
        created_at=now,
        until=now + timedelta(days=settings.MODESTED_NO_SHOW_PAUSE_DAYS),
        no_shows=count,
    )
    audit_log(
        actor=None,
        action=AuditAction.BOOKING_PAUSED,
        target=pause,
        data={"person": person_id, "no_shows": count, "until": pause.until.isoformat()},
    )
    _signal(BookingPause, MessageKind.BOOKING_PAUSED, pause, None)
    return pause


def check_not_paused(person: User) -> None:
    """Refuse a booking (room or machine) while the person's right to book is paused."""
    pause = active_pause(person=person)
    if pause is None:
        return
    raise RuleViolation(
        _(
            "You cannot book until %(until)s: you did not check in to %(n)s bookings within "
            "%(days)s days, so they were released. Please contact the library if this is wrong."
        ),
        code=ErrorCode.BOOKING_PAUSED,
        until=f"{_local(pause.until):%d.%m.%Y %H:%M}",
        n=pause.no_shows,
        days=settings.MODESTED_NO_SHOW_WINDOW_DAYS,
        extra={"paused_until": pause.until.isoformat()},
    )


@transaction.atomic(durable=True)
def booking_pause_lift(*, actor: User, pause: BookingPause, reason: str) -> BookingPause:
    """Staff lift a pause on a person's right to book, with a reason (audit)."""
    if not (actor and actor.is_authenticated and actor.is_library_staff):
        raise PermissionDenied(_("Only library staff can lift a pause."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Please give a reason for lifting the pause."), field="reason")
    fresh = lock_one(BookingPause, pause.pk)
    if fresh.lifted_at is not None:
        return fresh
    fresh.lifted_at = timezone.now()
    fresh.lifted_by = actor
    fresh.lift_reason = reason[:300]
    fresh.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_log(
        actor=actor,
        action=AuditAction.BOOKING_PAUSE_LIFTED,
        target=fresh,
        data={"person": fresh.person_id, "reason": reason, "until": fresh.until.isoformat()},
    )
    return fresh
