"""Writes of the rooms app: bookings, the library's own use of rooms, the makerspace.

One module per capability; every public name is re-exported here, so callers keep
``from rooms import services`` and ``services.booking_request(...)``:

- ``rules``: whether a booking may be made at all (who, shape, hours, series dates, limits);
- ``conflicts``: what stands in a room's way, and the 409 that names it;
- ``bookings``: a person's request (``booking_request``) and the decisions on it
  (approve, reject, cancel, no-show);
- ``occupancy``: the library's own use of a room for an event or a volunteer shift;
- ``holds``: tentative holds on a room for an event being planned, with an expiry (48 h);
- ``makerspace``: machine licences, slot bookings, check-in, the release of unclaimed slots;
- ``setup``: staff create rooms and machines and change their rules (``room_update``
  lists the coming bookings the new rules would not allow and leaves them in place);
- ``retention``: unlinking people from old bookings, and account deletion;
- ``_common``: small shared helpers (UTC and local times, saving under a constraint, signals).

Every writer that can create an overlap locks the room (or machine) row first with
``core.locking.lock_one`` and checks inside the same transaction, so on PostgreSQL the
losers of a race wait, then see the winner and get a clear 409 instead of a deadlock.
The exclusion constraints are the backstop; an ``IntegrityError`` from them becomes the
same 409.
"""

from rooms.services._common import EQUIPMENT_CONSTRAINTS, ROOM_CONSTRAINTS, format_when
from rooms.services.bookings import (
    BookingOutcome,
    booking_approve,
    booking_cancel,
    booking_mark_no_show,
    booking_reject,
    booking_request,
)
from rooms.services.holds import (
    HOLD_HOURS,
    hold_expiry,
    hold_is_live,
    holds_release_expired,
    room_hold,
    room_hold_confirm,
    room_hold_create,
    room_hold_release,
)
from rooms.services.makerspace import (
    equipment_booking_cancel,
    equipment_booking_check_in,
    equipment_booking_create,
    equipment_release_unclaimed,
    licence_grant,
    licence_grant_by_staff,
    licence_revoke,
    licence_revoke_course_grant,
)
from rooms.services.occupancy import (
    OWN_EVENT_REASON,
    room_occupancy_move,
    room_occupy,
    room_release,
)
from rooms.services.retention import (
    RETENTION_DAYS,
    bookings_anonymise_old,
    bookings_release_person,
)
from rooms.services.rules import SkippedDate
from rooms.services.setup import (
    EQUIPMENT_FIELDS,
    ROOM_FIELDS,
    RoomChange,
    RuleBreach,
    equipment_create,
    equipment_update,
    room_create,
    room_rule_breaches,
    room_update,
)

__all__ = [
    "HOLD_HOURS",
    "hold_expiry",
    "hold_is_live",
    "holds_release_expired",
    "room_hold",
    "room_hold_confirm",
    "room_hold_create",
    "room_hold_release",
    "EQUIPMENT_CONSTRAINTS",
    "EQUIPMENT_FIELDS",
    "OWN_EVENT_REASON",
    "RETENTION_DAYS",
    "ROOM_CONSTRAINTS",
    "ROOM_FIELDS",
    "RoomChange",
    "RuleBreach",
    "BookingOutcome",
    "SkippedDate",
    "booking_approve",
    "booking_cancel",
    "booking_mark_no_show",
    "booking_reject",
    "booking_request",
    "bookings_anonymise_old",
    "bookings_release_person",
    "equipment_booking_cancel",
    "equipment_booking_check_in",
    "equipment_booking_create",
    "equipment_create",
    "equipment_release_unclaimed",
    "equipment_update",
    "format_when",
    "licence_grant",
    "licence_grant_by_staff",
    "licence_revoke",
    "licence_revoke_course_grant",
    "room_occupancy_move",
    "room_occupy",
    "room_create",
    "room_release",
    "room_rule_breaches",
    "room_update",
]
