"""Reads of the rooms app, by capability: rooms and availability, bookings, the makerspace,
and what staff set up. Every name is re-exported here, so callers keep
``from rooms import selectors``."""

from rooms.selectors.availability import (
    Availability as Availability,
)
from rooms.selectors.availability import (
    Interval as Interval,
)
from rooms.selectors.availability import (
    Slot as Slot,
)
from rooms.selectors.availability import (
    _align_up as _align_up,
)
from rooms.selectors.availability import (
    _latest_aligned as _latest_aligned,
)
from rooms.selectors.availability import (
    age_on as age_on,
)
from rooms.selectors.availability import (
    allowed_hours_kinds as allowed_hours_kinds,
)
from rooms.selectors.availability import (
    can_approve as can_approve,
)
from rooms.selectors.availability import (
    can_book as can_book,
)
from rooms.selectors.availability import (
    days_ahead_for as days_ahead_for,
)
from rooms.selectors.availability import (
    live_bookings_between as live_bookings_between,
)
from rooms.selectors.availability import (
    merge_intervals as merge_intervals,
)
from rooms.selectors.availability import (
    not_expired_q as not_expired_q,
)
from rooms.selectors.availability import (
    open_intervals as open_intervals,
)
from rooms.selectors.availability import (
    price_for as price_for,
)
from rooms.selectors.availability import (
    room_availability as room_availability,
)
from rooms.selectors.availability import (
    room_get as room_get,
)
from rooms.selectors.availability import (
    room_list as room_list,
)
from rooms.selectors.availability import (
    subtract_intervals as subtract_intervals,
)
from rooms.selectors.availability import (
    suggest_free_times as suggest_free_times,
)
from rooms.selectors.availability import (
    to_local as to_local,
)
from rooms.selectors.availability import (
    utc as utc,
)
from rooms.selectors.availability import (
    week_grid as week_grid,
)
from rooms.selectors.bookings import (
    _booking_queryset as _booking_queryset,
)
from rooms.selectors.bookings import (
    _pending_q as _pending_q,
)
from rooms.selectors.bookings import (
    approval_queue as approval_queue,
)
from rooms.selectors.bookings import (
    approval_queue_count as approval_queue_count,
)
from rooms.selectors.bookings import (
    approval_queue_for as approval_queue_for,
)
from rooms.selectors.bookings import (
    booking_get_for as booking_get_for,
)
from rooms.selectors.bookings import (
    booking_list_for as booking_list_for,
)
from rooms.selectors.bookings import (
    bookings_due_for_reminder as bookings_due_for_reminder,
)
from rooms.selectors.bookings import (
    cancel_deadline as cancel_deadline,
)
from rooms.selectors.bookings import (
    cancel_deadline_shown as cancel_deadline_shown,
)
from rooms.selectors.bookings import (
    closure_impact_bookings as closure_impact_bookings,
)
from rooms.selectors.bookings import (
    my_bookings as my_bookings,
)
from rooms.selectors.bookings import (
    staff_count_waiting as staff_count_waiting,
)
from rooms.selectors.bookings import (
    upcoming_bookings_for_branch as upcoming_bookings_for_branch,
)
from rooms.selectors.maker_access import (
    LicenceCourse as LicenceCourse,
)
from rooms.selectors.maker_access import (
    MakerAccess as MakerAccess,
)
from rooms.selectors.maker_access import (
    maker_access as maker_access,
)
from rooms.selectors.maker_access import (
    register_licence_course_finder as register_licence_course_finder,
)
from rooms.selectors.makerspace import (
    bookings_booked_by as bookings_booked_by,
)
from rooms.selectors.makerspace import (
    equipment_availability as equipment_availability,
)
from rooms.selectors.makerspace import (
    equipment_booking_get_for as equipment_booking_get_for,
)
from rooms.selectors.makerspace import (
    equipment_booking_list_for as equipment_booking_list_for,
)
from rooms.selectors.makerspace import (
    equipment_bookings_booked_by as equipment_bookings_booked_by,
)
from rooms.selectors.makerspace import (
    equipment_get as equipment_get,
)
from rooms.selectors.makerspace import (
    equipment_list as equipment_list,
)
from rooms.selectors.makerspace import (
    equipment_slots as equipment_slots,
)
from rooms.selectors.makerspace import (
    has_licence as has_licence,
)
from rooms.selectors.makerspace import (
    licences_of as licences_of,
)
from rooms.selectors.makerspace import (
    my_equipment_bookings as my_equipment_bookings,
)
from rooms.selectors.setup import (
    equipment_get_for_staff as equipment_get_for_staff,
)
from rooms.selectors.setup import (
    equipment_managed_by as equipment_managed_by,
)
from rooms.selectors.setup import (
    licence_get_for_staff as licence_get_for_staff,
)
from rooms.selectors.setup import (
    licence_holders as licence_holders,
)
from rooms.selectors.setup import (
    licence_kinds_managed_by as licence_kinds_managed_by,
)
from rooms.selectors.setup import (
    move_room_choices as move_room_choices,
)
from rooms.selectors.setup import (
    room_get_for_staff as room_get_for_staff,
)
from rooms.selectors.setup import (
    rooms_managed_by as rooms_managed_by,
)

__all__ = [
    "LicenceCourse",
    "MakerAccess",
    "maker_access",
    "register_licence_course_finder",
    "closure_impact_bookings",
    "Interval",
    "Slot",
    "Availability",
    "to_local",
    "merge_intervals",
    "not_expired_q",
    "subtract_intervals",
    "allowed_hours_kinds",
    "open_intervals",
    "days_ahead_for",
    "price_for",
    "age_on",
    "can_book",
    "can_approve",
    "room_list",
    "room_get",
    "live_bookings_between",
    "room_availability",
    "utc",
    "_align_up",
    "_latest_aligned",
    "suggest_free_times",
    "week_grid",
    "move_room_choices",
    "rooms_managed_by",
    "room_get_for_staff",
    "equipment_managed_by",
    "equipment_get_for_staff",
    "licence_kinds_managed_by",
    "licence_holders",
    "licence_get_for_staff",
    "_booking_queryset",
    "booking_list_for",
    "booking_get_for",
    "my_bookings",
    "approval_queue",
    "_pending_q",
    "approval_queue_for",
    "approval_queue_count",
    "staff_count_waiting",
    "upcoming_bookings_for_branch",
    "cancel_deadline",
    "cancel_deadline_shown",
    "bookings_due_for_reminder",
    "equipment_list",
    "equipment_get",
    "equipment_slots",
    "equipment_availability",
    "equipment_booking_list_for",
    "equipment_booking_get_for",
    "my_equipment_bookings",
    "licences_of",
    "has_licence",
    "bookings_booked_by",
    "equipment_bookings_booked_by",
]
