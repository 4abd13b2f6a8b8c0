"""Conflict finding: which live bookings stand in a room's way, and the 409 that names them.

Kept apart from the rules (``rules.py``) as Indico keeps ``rb/operations/conflicts.py``: the
rules decide whether a booking may be made at all, this module whether the room is free.
Callers lock the room first (``core.locking.lock_one``), so what is found here stays true
until their transaction ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import BookingConflict
from core.services import audit_log
from rooms import selectors
from rooms.models import Booking, BookingKind, BookingStatus, Room
from rooms.services._common import _local, format_when


def _blocked(room: Room, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The period a booking holds the room: its time plus the buffer after it."""
    return start, end + timedelta(minutes=room.buffer_minutes)


def _overlapping(
    room: Room, blocked_start: datetime, blocked_end: datetime, exclude: list[int] | None = None
) -> list[Booking]:
    qs = selectors.live_bookings_between(room=room, start=blocked_start, end=blocked_end)
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    return list(qs)


def _clashes(
    room: Room,
    blocked_start: datetime,
    blocked_end: datetime,
    *,
    look_back: timedelta,
    exclude: list[int] | None = None,
) -> list[Booking]:
    """The live bookings whose blocked period overlaps [blocked_start, blocked_end).

    One query reaches ``look_back`` further into the past (an earlier booking's buffer may
    still hold the room), then each candidate's own blocked period is compared exactly.
    Tentative holds that have expired are released first (the caller holds the room's lock),
    so they stand in nobody's way, not even the database's exclusion constraint.
    """
    release_expired_holds_of(room)
    return [
        b
        for b in _overlapping(room, blocked_start - look_back, blocked_end, exclude=exclude)
        if b.blocked_start < blocked_end and blocked_start < b.blocked_end
    ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _release_expired(holds: list[Booking], now: datetime) -> int:
    """Mark expired holds released, one audit row each (the room is locked by the caller)."""
    for hold in holds:
        hold.status = BookingStatus.CANCELLED
        hold.cancelled_at = now
        hold.sequence += 1
        hold.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        audit_log(
            actor=None,
            action=AuditAction.BOOKING_HOLD_EXPIRED,
            target=hold,
            data={"expires_at": _iso(hold.hold_expires_at)},
        )
    return len(holds)


def release_expired_holds_of(room: Room, now: datetime | None = None) -> int:
    """Release the expired holds of a locked room (a writer that finds them under the lock)."""
    now = now or timezone.now()
    expired = Booking.objects.filter(
        room=room,
        kind=BookingKind.HOLD,
        status=BookingStatus.CONFIRMED,
        hold_expires_at__lte=now,
    ).order_by("pk")
    return _release_expired(list(expired), now)


def _describe(booking: Booking) -> str:
    when = format_when(booking.start, booking.end)
    if booking.kind == BookingKind.EVENT:
        what = _("the library's event “%(title)s”") % {"title": booking.purpose}
    elif booking.kind == BookingKind.HOLD:
        what = _("a tentative hold for “%(title)s”") % {"title": booking.purpose}
    elif booking.kind == BookingKind.SHIFT:
        what = _("the library's volunteer shift “%(title)s”") % {"title": booking.purpose}
    elif booking.status == BookingStatus.PENDING:
        what = str(_("a request awaiting approval"))
    else:
        what = str(_("another booking"))
    return _("%(what)s, %(when)s") % {"what": what, "when": when}


def _clash(room: Room, clashes: list[Booking], start: datetime, end: datetime) -> BookingConflict:
    described = "; ".join(_describe(b) for b in clashes[:3])
    buffer_note = (
        _(" (the room keeps %(minutes)s minutes free between bookings)")
        % {"minutes": room.buffer_minutes}
        if room.buffer_minutes
        else ""
    )
    return BookingConflict(
        _("%(room)s is taken at that time: %(clash)s%(buffer)s. Please choose another time."),
        room=room.name,
        clash=described,
        buffer=buffer_note,
        extra={
            "conflicts": [
                {"start": _local(b.start).isoformat(), "end": _local(b.end).isoformat()}
                for b in clashes
            ],
        },
    )
