"""What the rooms app keeps about a person, for the export and the account's deletion
(registered with ``core.privacy`` in ``RoomsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from core.models import User
from rooms import selectors, services


def export(user: User) -> dict[str, Any]:
    """The person's room bookings, makerspace slots and licences. Who approved or granted
    them is left out (staff), as is anyone else's booking."""
    bookings = [
        {
            "room": booking.room.name,
            "branch": booking.room.branch.name,
            "start": booking.start,
            "end": booking.end,
            "kind": booking.kind,
            "status": booking.status,
            "purpose": booking.purpose,
            "attendees": booking.attendees,
            "on_behalf_of": booking.partner.name if booking.partner is not None else None,
            "price_tier": booking.price_tier,
            "price_dkk": booking.price_dkk,
            "booked_at": booking.created_at,
            "decided_at": booking.decided_at,
            "rejection_reason": booking.rejection_reason,
            "cancelled_at": booking.cancelled_at,
            "cancel_reason": booking.cancel_reason,
            "no_show": booking.no_show,
        }
        for booking in selectors.bookings_booked_by(user=user)
    ]
    slots = [
        {
            "machine": slot.equipment.name,
            "branch": slot.equipment.branch.name,
            "start": slot.start,
            "end": slot.end,
            "status": slot.status,
            "booked_at": slot.created_at,
            "checked_in_at": slot.checked_in_at,
            "cancelled_at": slot.cancelled_at,
            "cancel_reason": slot.cancel_reason,
            "no_show": slot.no_show,
        }
        for slot in selectors.equipment_bookings_booked_by(user=user)
    ]
    licences = [
        {
            "machine_kind": licence.equipment_kind,
            "granted_at": licence.granted_at,
            "how": licence.source,
        }
        for licence in selectors.licences_of(user=user)
    ]
    return {"room_bookings": bookings, "machine_bookings": slots, "licences": licences}


def erase(user: User) -> dict[str, int]:
    """Cancel coming bookings and slots, unlink the rest; licences go with the account."""
    return services.bookings_release_person(person=user)
