"""How the domain objects look in a calendar: one ``CalendarItem`` per event, registration,
room booking, equipment slot and shift sign-up.

The UIDs are stable (``registration-17@modested.dk``) and the same in the personal feed and
in the invitations the e-mails carry, so a calendar client updates one entry. SEQUENCE is
the object's own revision plus that of what it points at, plus one once it is cancelled, so
it rises on every real change and a CANCEL always outranks the REQUEST before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from notifications.calendar import CalendarItem, ItemStatus, make_uid, newest


def site_url(name: str, *args: Any) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _branch_place(branch: Any) -> str:
    bits = [branch.name]
    address = ", ".join(
        p for p in [branch.address, f"{branch.postcode} {branch.town}".strip()] if p
    )
    if address:
        bits.append(address)
    return ", ".join(bits)


def event_location(event: Any) -> str:
    kind = getattr(event, "place_kind", "")
    if kind == "online":
        return getattr(event, "online_url", "") or _("Online")
    parts = []
    if event.room_id:
        parts.append(event.room.name)
    if kind == "address" and getattr(event, "address", ""):
        parts.append(event.address)
        return ", ".join(parts)
    if kind == "bookmobile_stop" and getattr(event, "stop_id", None):
        name, place = event.stop.name.strip(), event.stop.place.strip()
        # The place often repeats the stop's name ("Trekroner Øst, ved butikkerne").
        if place.casefold().startswith(name.casefold()):
            parts.append(place)
        else:
            parts.append(f"{name}, {place}".strip(", "))
        # The bookmobile's own address is its garage, not where the event is.
        parts.append(event.branch.name)
        return ", ".join(p for p in parts if p)
    parts.append(_branch_place(event.branch))
    return ", ".join(p for p in parts if p)


def room_location(room: Any) -> str:
    return f"{room.name}, {_branch_place(room.branch)}"


def event_is_cancelled(event: Any) -> bool:
    return event.state == "cancelled" or event.cancelled_at is not None


def event_item(event: Any, *, url: Callable[[int], str] | None = None) -> CalendarItem:
    """An event as a calendar item: a model object, or any row with the same attributes (the
    public feed's column rows, which pass ``url``, the event's address resolved once)."""
    cancelled = event_is_cancelled(event)
    return CalendarItem(
        uid=make_uid("event", event.pk),
        sequence=event.sequence + (1 if cancelled else 0),
        summary=event.title,
        start=event.start,
        end=event.end,
        status=ItemStatus.CANCELLED if cancelled else ItemStatus.CONFIRMED,
        location=event_location(event),
        description=event.description,
        url=url(event.pk) if url is not None else site_url("events:event-detail", event.pk),
        last_modified=newest([event.updated_at, event.cancelled_at]),
    )


def registration_is_live(registration: Any) -> bool:
    return registration.status == "confirmed" and not event_is_cancelled(registration.event)


def registration_item(registration: Any) -> CalendarItem:
    event = registration.event
    cancelled = registration.status == "cancelled" or event_is_cancelled(event)
    status = ItemStatus.CONFIRMED
    if cancelled:
        status = ItemStatus.CANCELLED
    elif registration.status == "waitlisted":
        status = ItemStatus.TENTATIVE
    description = event.description
    if registration.status == "waitlisted":
        description = _("You are on the waiting list.") + "\n\n" + description
    return CalendarItem(
        uid=make_uid("registration", registration.pk),
        sequence=event.sequence + registration.sequence + (1 if cancelled else 0),
        summary=event.title,
        start=event.start,
        end=event.end,
        status=status,
        location=event_location(event),
        description=description.strip(),
        url=site_url("events:event-detail", event.pk),
        last_modified=newest(
            [event.updated_at, registration.created_at, registration.cancelled_at]
        ),
    )


def booking_is_cancelled(booking: Any) -> bool:
    return booking.status in {"cancelled", "rejected"}


def booking_item(booking: Any, *, busy_only: bool = False) -> CalendarItem:
    cancelled = booking_is_cancelled(booking)
    status = ItemStatus.CONFIRMED
    if cancelled:
        status = ItemStatus.CANCELLED
    elif booking.status == "pending" or getattr(booking, "kind", "") == "hold":
        status = ItemStatus.TENTATIVE  # awaiting approval, or a tentative hold by staff
    if busy_only:
        summary = _("Tentatively held") if booking.kind == "hold" else _("Busy")
        description = ""
    else:
        summary = booking.purpose or _("Booking: %(room)s") % {"room": booking.room.name}
        description = _("Room booking at %(branch)s.") % {"branch": booking.room.branch.name}
    return CalendarItem(
        uid=make_uid("booking", booking.pk),
        sequence=booking.sequence + (1 if cancelled else 0),
        summary=summary,
        start=booking.start,
        end=booking.end,
        status=status,
        location=room_location(booking.room),
        description=description,
        last_modified=newest([booking.updated_at, getattr(booking, "cancelled_at", None)]),
    )


def equipment_booking_item(slot: Any) -> CalendarItem:
    cancelled = slot.status in {"cancelled", "rejected"}
    equipment = slot.equipment
    branch = _equipment_branch(equipment)
    location = equipment.name
    if getattr(equipment, "room_id", None):
        location = f"{equipment.name}, {room_location(equipment.room)}"
    elif branch is not None:
        location = f"{equipment.name}, {_branch_place(branch)}"
    return CalendarItem(
        uid=make_uid("equipment-booking", slot.pk),
        sequence=getattr(slot, "sequence", 0) + (1 if cancelled else 0),
        summary=_("Makerspace: %(equipment)s") % {"equipment": equipment.name},
        start=slot.start,
        end=slot.end,
        status=ItemStatus.CANCELLED if cancelled else ItemStatus.CONFIRMED,
        location=location,
        last_modified=newest(
            [
                getattr(slot, "updated_at", None),
                getattr(slot, "created_at", None),
                getattr(slot, "cancelled_at", None),
            ]
        ),
    )


def _equipment_branch(equipment: Any) -> Any:
    if getattr(equipment, "branch_id", None):
        return equipment.branch
    if getattr(equipment, "room_id", None):
        return equipment.room.branch
    return None


def shift_is_cancelled(shift: Any) -> bool:
    return shift.cancelled_at is not None


def signup_item(signup: Any) -> CalendarItem:
    shift = signup.shift
    activity = shift.activity
    cancelled = signup.status != "signed_up" or shift_is_cancelled(shift)
    location = room_location(shift.room) if shift.room_id else _branch_place(activity.branch)
    description = activity.description
    if shift.note:
        description = f"{shift.note}\n\n{description}".strip()
    return CalendarItem(
        uid=make_uid("shift-signup", signup.pk),
        sequence=shift.sequence + (1 if cancelled else 0),
        summary=_("Volunteer shift: %(activity)s") % {"activity": activity.name},
        start=shift.start,
        end=shift.end,
        status=ItemStatus.CANCELLED if cancelled else ItemStatus.CONFIRMED,
        location=location,
        description=description,
        url=site_url("volunteers:dashboard"),
        last_modified=newest(
            [
                getattr(shift, "updated_at", None),
                signup.created_at,
                getattr(signup, "withdrawn_at", None),
                shift.cancelled_at,
            ]
        ),
    )
