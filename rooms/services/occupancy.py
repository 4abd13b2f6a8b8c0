"""The library's own use of a room: an event or a volunteer shift holds it (called by the
events and volunteers services, inside their transactions).

The library's use outranks a person's request: a pending request in the way is rejected
(``booking.rejected``, with ``OWN_EVENT_REASON``); a confirmed booking in the way is a 409
naming it. Opening hours are not checked: the library decides when it uses its rooms.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import Conflict, RuleViolation
from core.locking import lock_one
from core.models import User
from core.services import audit_log
from rooms.models import Booking, BookingKind, BookingStatus, Room
from rooms.services._common import ROOM_CONSTRAINTS, _save_or_conflict, _utc
from rooms.services.bookings import _reject_pending
from rooms.services.conflicts import _blocked, _clash, _clashes

OWN_EVENT_REASON = _("the library needs the room for its own event")


@transaction.atomic
def room_occupy(
    *,
    room: Room,
    start: datetime,
    end: datetime,
    title: str,
    actor: User | None,
    kind: str = BookingKind.EVENT,
) -> Booking:
    """The library's own use of a room (event or volunteer shift): a confirmed Booking.

    Rejects overlapping pending requests (sending ``booking.rejected``); raises
    ``BookingConflict`` naming the clash if a confirmed booking or another occupation
    overlaps, counting the room's buffer. Does not check opening hours. Composable: runs
    inside the caller's transaction.
    """
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    if kind not in {BookingKind.EVENT, BookingKind.SHIFT}:
        raise RuleViolation(_("Unknown kind of room use: %(kind)s."), kind=kind)
    room = lock_one(Room, room.pk)
    blocked_start, blocked_end = _blocked(room, start, end)
    overlapping = _clashes(
        room, blocked_start, blocked_end, look_back=timedelta(minutes=room.buffer_minutes)
    )
    confirmed = [b for b in overlapping if b.status == BookingStatus.CONFIRMED]
    if confirmed:
        raise _clash(room, confirmed, start, end)
    _reject_pending(overlapping, reason=str(OWN_EVENT_REASON), actor=actor)
    booking = Booking(
        room=room,
        booker=None,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        status=BookingStatus.CONFIRMED,
        kind=kind,
        purpose=title[:200],
        attendees=1,
    )
    _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], start, end))
    audit_log(
        actor=actor,
        action=AuditAction.BOOKING_OCCUPIED,
        target=booking,
        data={"room": room.pk, "start": start.isoformat(), "end": end.isoformat(), "kind": kind},
    )
    return booking


@transaction.atomic
def room_occupancy_move(
    *, booking: Booking, start: datetime, end: datetime, actor: User | None
) -> Booking:
    """Move the library's occupation to a new time in the same room (same rules as occupy)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    room = lock_one(Room, booking.room_id)
    booking = Booking.objects.get(pk=booking.pk)
    if booking.kind == BookingKind.BOOKING:
        raise RuleViolation(_("Only the library's own use of a room can be moved this way."))
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict(_("This use of the room has been released and cannot be moved."))
    if booking.start == start and booking.end == end:
        return booking
    blocked_start, blocked_end = _blocked(room, start, end)
    overlapping = _clashes(
        room, blocked_start, blocked_end, look_back=timedelta(hours=24), exclude=[booking.pk]
    )
    confirmed = [b for b in overlapping if b.status == BookingStatus.CONFIRMED]
    if confirmed:
        raise _clash(room, confirmed, start, end)
    _reject_pending(overlapping, reason=str(OWN_EVENT_REASON), actor=actor)
    old = {"start": booking.start.isoformat(), "end": booking.end.isoformat()}
    booking.start, booking.end = start, end
    booking.blocked_start, booking.blocked_end = blocked_start, blocked_end
    booking.sequence += 1
    _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], start, end))
    audit_log(
        actor=actor,
        action=AuditAction.BOOKING_MOVED,
        target=booking,
        data={"old": old, "new": {"start": start.isoformat(), "end": end.isoformat()}},
    )
    return booking


@transaction.atomic
def room_release(*, booking: Booking, actor: User | None) -> None:
    """Give back a room the library occupied (cancels the occupation). Idempotent."""
    lock_one(Room, booking.room_id)
    fresh = Booking.objects.get(pk=booking.pk)
    if fresh.status == BookingStatus.CANCELLED:
        return
    fresh.status = BookingStatus.CANCELLED
    fresh.cancelled_at = timezone.now()
    fresh.sequence += 1
    fresh.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    audit_log(
        actor=actor, action=AuditAction.BOOKING_RELEASED, target=fresh, data={"old": "confirmed"}
    )
    booking.status, booking.cancelled_at, booking.sequence = (
        fresh.status,
        fresh.cancelled_at,
        fresh.sequence,
    )
