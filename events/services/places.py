"""An event held in a room occupies it through the rooms app's services, so rooms and events
never double-book each other: take, move and release the event's room booking."""

from __future__ import annotations

from core.models import User
from events.models import Event, EventState, PlaceKind
from rooms import services as room_services


def _occupy(event: Event, actor: User | None) -> None:
    room = event.room if event.room_id is not None and event.place_kind == PlaceKind.ROOM else None
    if room is None:
        return
    event.room_booking = room_services.room_occupy(
        room=room, start=event.start, end=event.end, title=event.title, actor=actor
    )
    event.save(update_fields=["room_booking"])


def _release(event: Event, actor: User | None) -> None:
    booking = event.room_booking if event.room_booking_id is not None else None
    if booking is None:
        return
    event.room_booking = None
    event.save(update_fields=["room_booking"])
    room_services.room_release(booking=booking, actor=actor)


def _sync_room(event: Event, actor: User | None, *, room_changed: bool) -> None:
    """After a change of time or place: move, release or take the room booking."""
    wants_room = event.place_kind == PlaceKind.ROOM and event.room_id is not None
    if event.state == EventState.CANCELLED:
        _release(event, actor)
        return
    if event.room_booking_id is not None and (room_changed or not wants_room):
        _release(event, actor)
    if not wants_room:
        return
    booking = event.room_booking if event.room_booking_id is not None else None
    if booking is None:
        _occupy(event, actor)
    elif booking.start != event.start or booking.end != event.end:
        event.room_booking = room_services.room_occupancy_move(
            booking=booking, start=event.start, end=event.end, actor=actor
        )
        event.save(update_fields=["room_booking"])
