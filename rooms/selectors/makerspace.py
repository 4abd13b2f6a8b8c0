"""Machines, their slots, machine bookings and licences."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.exceptions import NotFound
from core.models import User
from core.selectors import (
    branches_managed_by,
    can_manage_branch,
)
from core.timeutils import day_bounds
from rooms.models import (
    Booking,
    Equipment,
    EquipmentBooking,
    EquipmentBookingStatus,
    Licence,
)
from rooms.selectors.availability import (
    Availability,
    Slot,
    _align_up,
    merge_intervals,
    open_intervals,
    utc,
)

# --- Makerspace ------------------------------------------------------------------------


def equipment_list(*, branch_slug: str | None = None) -> QuerySet[Equipment]:
    items = Equipment.objects.filter(is_active=True).select_related("branch")
    if branch_slug:
        items = items.filter(branch__slug=branch_slug)
    return items.order_by("branch__position", "branch__name", "kind", "name")


def equipment_get(*, pk: int | str | None) -> Equipment:
    """An active machine; an unknown one, or none named (a form sent empty), is a 404."""
    if pk is None:
        raise NotFound()
    try:
        return equipment_list().get(pk=pk)
    except (Equipment.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error


def equipment_slots(*, equipment: Equipment, day: date, now: datetime | None = None) -> list[Slot]:
    """The slots of ``day`` (start, end, free, past), in the branch's usable hours."""
    now = now or timezone.now()
    step = timedelta(minutes=equipment.slot_minutes)
    intervals = open_intervals(
        branch=equipment.branch, day=day, self_service_allowed=equipment.self_service_allowed
    )
    day_start, day_end = day_bounds(day)
    taken = [
        (b.start, b.end, b)
        for b in EquipmentBooking.objects.filter(
            equipment=equipment,
            status=EquipmentBookingStatus.CONFIRMED,
            start__lt=day_end,
            end__gt=day_start,
        )
    ]
    slots: list[Slot] = []
    for open_start, open_end in intervals:
        cursor = _align_up(open_start, equipment.slot_minutes)
        while cursor + step <= utc(open_end):
            slot_end = cursor + step
            clash = any(s < slot_end and cursor < e for s, e, _b in taken)
            slots.append(
                {
                    "start": cursor,
                    "end": slot_end,
                    "free": not clash and cursor >= now,
                    "past": cursor < now,
                }
            )
            cursor = slot_end
    return slots


def equipment_availability(
    *, equipment: Equipment, day: date, now: datetime | None = None
) -> Availability:
    slots = equipment_slots(equipment=equipment, day=day, now=now)
    availability = Availability(day=day)
    availability.free = [(s["start"], s["end"]) for s in slots if s["free"]]
    day_start, day_end = day_bounds(day)
    availability.busy = merge_intervals(
        [
            (max(b.start, day_start), min(b.end, day_end))
            for b in EquipmentBooking.objects.filter(
                equipment=equipment,
                status=EquipmentBookingStatus.CONFIRMED,
                start__lt=day_end,
                end__gt=day_start,
            )
        ]
    )
    return availability


def equipment_booking_list_for(*, actor: User) -> QuerySet[EquipmentBooking]:
    qs = EquipmentBooking.objects.select_related("equipment__branch", "booker")
    if actor.is_administrator:
        return qs.order_by("start", "pk")
    own = Q(booker=actor)
    if actor.is_library_staff:
        own |= Q(equipment__branch__in=branches_managed_by(user=actor))
    return qs.filter(own).order_by("start", "pk")


def equipment_booking_get_for(*, actor: User | None, pk: int | str) -> EquipmentBooking:
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    try:
        booking = EquipmentBooking.objects.select_related("equipment__branch", "booker").get(pk=pk)
    except (EquipmentBooking.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error
    if booking.booker_id == actor.pk or can_manage_branch(
        user=actor, branch=booking.equipment.branch_id
    ):
        return booking
    raise NotFound()


def my_equipment_bookings(*, user: User, now: datetime | None = None) -> QuerySet[EquipmentBooking]:
    now = now or timezone.now()
    return (
        EquipmentBooking.objects.select_related("equipment__branch")
        .filter(booker=user, end__gt=now)
        .order_by("start", "pk")
    )


def licences_of(*, user: User) -> QuerySet[Licence]:
    return (
        Licence.objects.filter(person=user).select_related("granted_by").order_by("equipment_kind")
    )


def has_licence(*, user: User, equipment_kind: str) -> bool:
    return Licence.objects.filter(person=user, equipment_kind=equipment_kind).exists()


def bookings_booked_by(*, user: User) -> QuerySet[Booking]:
    """Every room booking ``user`` made, past and coming (for the person's own data export)."""
    return (
        Booking.objects.filter(booker=user)
        .select_related("room__branch", "partner")
        .order_by("start", "pk")
    )


def equipment_bookings_booked_by(*, user: User) -> QuerySet[EquipmentBooking]:
    """Every makerspace slot ``user`` booked, past and coming (for the data export)."""
    return (
        EquipmentBooking.objects.filter(booker=user)
        .select_related("equipment__branch")
        .order_by("start", "pk")
    )
