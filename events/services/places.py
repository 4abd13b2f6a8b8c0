"""An event held in a room occupies it through the rooms app's services, so rooms and events
never double-book each other: take, move and release the event's room booking.

Only a published event occupies its room: a draft holds nothing, so a draft left for weeks
keeps nobody out. Staff who want to keep the room meanwhile put a tentative hold on it
(``event_hold_room``, expiring after 48 hours unless they say otherwise), which publishing
turns into the event's booking. A clash at publishing is a 409 naming what is in the way.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import locking
from core.exceptions import RuleViolation
from core.models import User
from events.models import Event, EventState, PlaceKind
from events.services._common import _require_branch
from rooms import services as room_services
from rooms.models import Booking, BookingKind


def _wants_room(event: Event) -> bool:
    return event.place_kind == PlaceKind.ROOM and event.room_id is not None


def _occupy(event: Event, actor: User | None) -> None:
    """A published event in a room takes it (its live hold in that room, if it has one)."""
    if event.state != EventState.PUBLISHED or not _wants_room(event):
        return
    assert event.room is not None
    hold = _live_hold(event)
    if hold is not None:
        event.room_booking = room_services.room_hold_confirm(
            booking=hold, start=event.start, end=event.end, title=event.title, actor=actor
        )
    else:
        if event.room_booking_id is not None:
            _release(event, actor)  # a hold that has expired
        event.room_booking = room_services.room_occupy(
            room=event.room, start=event.start, end=event.end, title=event.title, actor=actor
        )
    event.save(update_fields=["room_booking"])


def _live_hold(event: Event) -> Booking | None:
    booking = event.room_booking if event.room_booking_id is not None else None
    if booking is None or booking.room_id != event.room_id:
        return None
    return booking if room_services.hold_is_live(booking) else None


def _release(event: Event, actor: User | None) -> None:
    booking = event.room_booking if event.room_booking_id is not None else None
    if booking is None:
        return
    event.room_booking = None
    event.save(update_fields=["room_booking"])
    room_services.room_release(booking=booking, actor=actor)


def _sync_room(event: Event, actor: User | None, *, room_changed: bool) -> None:
    """After a change of time, place or state: move, release or take the room booking."""
    if event.state == EventState.CANCELLED:
        _release(event, actor)
        return
    booking = event.room_booking if event.room_booking_id is not None else None
    if booking is not None and (room_changed or not _wants_room(event)):
        _release(event, actor)
        booking = None
    if event.state == EventState.DRAFT:
        if booking is not None and booking.kind != BookingKind.HOLD:
            _release(event, actor)  # back to draft: the room is free again
        return
    if booking is None or booking.kind == BookingKind.HOLD:
        _occupy(event, actor)
    elif booking.start != event.start or booking.end != event.end:
        event.room_booking = room_services.room_occupancy_move(
            booking=booking, start=event.start, end=event.end, actor=actor
        )
        event.save(update_fields=["room_booking"])


@transaction.atomic(durable=True)
def event_hold_room(*, actor: User, event: Event, hours: int | None = None) -> Booking:
    """Staff keep the room of a draft event for a while (48 hours unless ``hours``).

    The hold blocks the room like a booking and is shown as a tentative hold in the week grid
    and the room's feed; it frees the room by itself when it expires, and publishing the
    event turns it into the event's booking. Holding again renews the expiry.
    """
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    if event.state != EventState.DRAFT:
        raise RuleViolation(_("Only a draft event can hold its room; a published one has it."))
    if not _wants_room(event):
        raise RuleViolation(_("Choose a room for the event first."), field="room")
    assert event.room is not None
    expires_at = room_services.hold_expiry(hours=hours)
    hold = _live_hold(event)
    if hold is not None:
        room_services.room_release(booking=hold, actor=actor)
    event.room_booking = room_services.room_hold(
        room=event.room,
        start=event.start,
        end=event.end,
        title=event.title,
        actor=actor,
        expires_at=expires_at,
    )
    event.save(update_fields=["room_booking"])
    return event.room_booking
