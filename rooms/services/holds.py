"""Tentative holds: staff keep a room for an event still being planned, for a while.

A draft event holds nothing (``events.services.places``); instead staff may put a
*tentative hold* on the room with an expiry (48 hours unless they say otherwise). A hold is a
confirmed ``Booking`` of kind ``hold`` with ``hold_expires_at``, so it blocks the room like
any booking (and the exclusion constraint backs it). It is released by itself when it
expires: at query time (``selectors.not_expired_q`` leaves it out of every list and every
conflict check, and a writer that finds it under the room's lock releases it) and by the
beat task ``rooms.release_expired_holds``. Publishing the event turns its hold into the
event's booking (``room_hold_confirm``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import Conflict, PermissionDenied, RuleViolation
from core.locking import lock_one
from core.models import User
from core.selectors import can_manage_branch
from core.services import audit_log
from rooms.models import Booking, BookingKind, BookingStatus, Room
from rooms.services._common import ROOM_CONSTRAINTS, _save_or_conflict, _utc
from rooms.services.conflicts import _blocked, _clash, _clashes, _iso, release_expired_holds_of

HOLD_HOURS = 48
MAX_HOLD_HOURS = 14 * 24


def hold_expiry(*, hours: int | None = None, now: datetime | None = None) -> datetime:
    """When a hold made now expires (48 hours unless ``hours``, at most 14 days)."""
    hours = HOLD_HOURS if hours is None else hours
    if not 1 <= hours <= MAX_HOLD_HOURS:
        raise RuleViolation(
            _("A hold lasts between 1 hour and %(most)s hours."), field="hours", most=MAX_HOLD_HOURS
        )
    return (now or timezone.now()) + timedelta(hours=hours)


@transaction.atomic
def room_hold(
    *,
    room: Room,
    start: datetime,
    end: datetime,
    title: str,
    actor: User | None,
    expires_at: datetime,
) -> Booking:
    """A tentative hold on ``room`` for [start, end) until ``expires_at`` (composable).

    Staff of the room's branch only. Anything live in the way (a request awaiting approval
    included: a hold is tentative and rejects nobody) is a 409 naming it.
    """
    if not can_manage_branch(user=actor, branch=room.branch):
        raise PermissionDenied(
            _("Only staff of %(branch)s may hold its rooms."), branch=room.branch.name
        )
    start, end, expires_at = _utc(start), _utc(end), _utc(expires_at)
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    if expires_at <= timezone.now():
        raise RuleViolation(_("A hold must expire in the future."), field="expires_at")
    room = lock_one(Room, room.pk)
    blocked_start, blocked_end = _blocked(room, start, end)
    look_back = timedelta(minutes=room.buffer_minutes)
    clashes = _clashes(room, blocked_start, blocked_end, look_back=look_back)
    if clashes:
        raise _clash(room, clashes, start, end)
    hold = Booking(
        room=room,
        booker=None,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        status=BookingStatus.CONFIRMED,
        kind=BookingKind.HOLD,
        hold_expires_at=expires_at,
        purpose=title[:200],
        attendees=1,
    )
    _save_or_conflict(hold, ROOM_CONSTRAINTS, _clash(room, [], start, end))
    audit_log(
        actor=actor,
        action=AuditAction.BOOKING_HELD,
        target=hold,
        data={
            "room": room.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "expires_at": expires_at.isoformat(),
        },
    )
    return hold


@transaction.atomic(durable=True)
def room_hold_create(
    *,
    room: Room,
    start: datetime,
    end: datetime,
    title: str,
    actor: User,
    hours: int | None = None,
) -> Booking:
    """Staff hold a room (API and pages): ``room_hold`` expiring after ``hours`` (48)."""
    return room_hold(
        room=room,
        start=start,
        end=end,
        title=title,
        actor=actor,
        expires_at=hold_expiry(hours=hours),
    )


def hold_is_live(booking: Booking, now: datetime | None = None) -> bool:
    """A hold that still keeps its room."""
    return (
        booking.kind == BookingKind.HOLD
        and booking.status == BookingStatus.CONFIRMED
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > (now or timezone.now())
    )


@transaction.atomic
def room_hold_confirm(
    *, booking: Booking, start: datetime, end: datetime, title: str, actor: User | None
) -> Booking:
    """Turn a live hold into the event's booking, at the event's time (composable).

    Outside the hold's own time the room must be free (a 409 naming what is in the way)."""
    start, end = _utc(start), _utc(end)
    room = lock_one(Room, booking.room_id)
    booking = Booking.objects.get(pk=booking.pk)
    if not hold_is_live(booking):
        raise Conflict(_("The hold on this room has ended; the room must be booked again."))
    blocked_start, blocked_end = _blocked(room, start, end)
    clashes = _clashes(
        room, blocked_start, blocked_end, look_back=timedelta(hours=24), exclude=[booking.pk]
    )
    if clashes:
        raise _clash(room, clashes, start, end)
    old = {"kind": booking.kind, "expires_at": _iso(booking.hold_expires_at)}
    booking.kind, booking.hold_expires_at = BookingKind.EVENT, None
    booking.start, booking.end = start, end
    booking.blocked_start, booking.blocked_end = blocked_start, blocked_end
    booking.purpose = title[:200]
    booking.sequence += 1
    _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], start, end))
    audit_log(
        actor=actor,
        action=AuditAction.BOOKING_OCCUPIED,
        target=booking,
        data={"old": old, "start": start.isoformat(), "end": end.isoformat(), "kind": "event"},
    )
    return booking


@transaction.atomic(durable=True)
def holds_release_expired(*, now: datetime | None = None) -> int:
    """Beat (every minute): release every expired hold, room by room under the room's lock."""
    now = now or timezone.now()
    room_ids = sorted(
        set(
            Booking.objects.filter(
                kind=BookingKind.HOLD, status=BookingStatus.CONFIRMED, hold_expires_at__lte=now
            ).values_list("room_id", flat=True)
        )
    )
    released = 0
    for room in locking.lock_many(Room, room_ids):
        released += release_expired_holds_of(room, now)
    return released


@transaction.atomic(durable=True)
def room_hold_release(*, booking: Booking, actor: User) -> Booking:
    """Staff give a hold back before it expires. Idempotent."""
    room = lock_one(Room, booking.room_id)
    if not can_manage_branch(user=actor, branch=room.branch):
        raise PermissionDenied(
            _("Only staff of %(branch)s may hold its rooms."), branch=room.branch.name
        )
    booking = Booking.objects.get(pk=booking.pk)
    if booking.kind != BookingKind.HOLD:
        raise RuleViolation(_("This booking is not a tentative hold."))
    if booking.status == BookingStatus.CANCELLED:
        return booking
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.sequence += 1
    booking.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    audit_log(
        actor=actor, action=AuditAction.BOOKING_RELEASED, target=booking, data={"old": "hold"}
    )
    return booking
