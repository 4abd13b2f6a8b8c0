"""Rooms, opening hours and free times, the week grid, permission questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypedDict

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.exceptions import NotFound
from core.models import Branch, HoursKind, Partner, PartnerKind, User
from core.selectors import (
    can_manage_branch,
    closure_reason,
    closure_reasons,
    hours_in_force,
    opening_intervals,
)
from core.timeutils import day_bounds, local_tz
from rooms.models import (
    LIVE_BOOKING_STATUSES,
    BookableBy,
    Booking,
    BookingKind,
    PriceTier,
    Room,
)

Interval = tuple[datetime, datetime]


class Slot(TypedDict):
    """One slot of a machine on a day (``equipment_slots``), in UTC."""

    start: datetime
    end: datetime
    free: bool
    past: bool


@dataclass
class Availability:
    day: date
    free: list[Interval] = field(default_factory=list)
    busy: list[Interval] = field(default_factory=list)
    closed_reason: str | None = None
    open: list[Interval] = field(default_factory=list)


# --- Small helpers ------------------------------------------------------------------


def to_local(value: datetime) -> datetime:
    return timezone.localtime(value, local_tz())


def merge_intervals(intervals: list[Interval]) -> list[Interval]:
    """Sort and merge touching or overlapping intervals."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract_intervals(base: list[Interval], minus: list[Interval]) -> list[Interval]:
    result: list[Interval] = []
    minus = merge_intervals(minus)
    for start, end in base:
        cursor = start
        for m_start, m_end in minus:
            if m_end <= cursor or m_start >= end:
                continue
            if m_start > cursor:
                result.append((cursor, m_start))
            cursor = max(cursor, m_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def allowed_hours_kinds(*, self_service_allowed: bool) -> set[str]:
    kinds = {HoursKind.STAFFED.value}
    if self_service_allowed:
        kinds.add(HoursKind.SELF_SERVICE.value)
    return kinds


def open_intervals(*, branch: Branch, day: date, self_service_allowed: bool) -> list[Interval]:
    """The merged intervals on ``day`` in which a room or machine of ``branch`` may be used."""
    kinds = allowed_hours_kinds(self_service_allowed=self_service_allowed)
    return merge_intervals(
        [(i.start, i.end) for i in opening_intervals(branch=branch, day=day, kinds=kinds)]
    )


def _tier_price(room: Room, tier: str) -> tuple[str, Decimal]:
    amounts = {PriceTier.FREE: Decimal("0"), PriceTier.FEE: room.fee_dkk}
    return tier, amounts.get(PriceTier(tier), room.rent_dkk)


def days_ahead_for(*, room: Room, booker: User | None) -> int:
    """How far ahead ``booker`` may book ``room``: residents of the library's municipality
    may have a longer window."""
    if (
        booker is not None
        and room.resident_max_days_ahead is not None
        and booker.is_authenticated
        and booker.is_resident
    ):
        return room.resident_max_days_ahead
    return room.max_days_ahead


def price_for(
    *, room: Room, partner: Partner | None, booker: User | None = None
) -> tuple[str, Decimal]:
    """The price tier and amount (DKK, shown, not paid) for booking ``room``; a person
    booking for themselves who lives in the library's municipality gets the room's
    resident tier, if it has one."""
    if (
        partner is None
        and booker is not None
        and room.resident_price_tier
        and booker.is_authenticated
        and booker.is_resident
    ):
        return _tier_price(room, room.resident_price_tier)
    if partner is not None and partner.kind in {
        PartnerKind.VOLUNTARY_SOCIAL,
        PartnerKind.MUNICIPAL,
    }:
        return PriceTier.FREE, Decimal("0")
    if partner is not None and partner.kind == PartnerKind.ADULT_EDUCATION:
        return PriceTier.FEE, room.fee_dkk
    return PriceTier.RENT, room.rent_dkk


def age_on(*, birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --- Permission questions ---------------------------------------------------------------


def can_book(*, user: User | None, room: Room) -> bool:
    """May ``user`` ask for ``room`` at all (ignoring times and limits)?"""
    if user is None or not user.is_authenticated or not room.is_active:
        return False
    if user.is_library_staff:
        return True
    return room.bookable_by != BookableBy.STAFF


def can_approve(*, user: User | None, booking: Booking) -> bool:
    return can_manage_branch(user=user, branch=booking.room.branch_id)


# --- Rooms -------------------------------------------------------------------------


def room_list(*, branch_slug: str | None = None) -> QuerySet[Room]:
    rooms = Room.objects.filter(is_active=True).select_related("branch")
    if branch_slug:
        rooms = rooms.filter(branch__slug=branch_slug)
    return rooms.order_by("branch__position", "branch__name", "name")


def room_get(*, pk: int) -> Room:
    try:
        return room_list().get(pk=pk)
    except (Room.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error


def not_expired_q(now: datetime | None = None) -> Q:
    """Leaves out tentative holds whose expiry has passed: they hold nothing any more, even
    before the beat task (``rooms.release_expired_holds``) has marked them released."""
    return ~Q(kind=BookingKind.HOLD, hold_expires_at__lte=now or timezone.now())


def live_bookings_between(*, room: Room, start: datetime, end: datetime) -> QuerySet[Booking]:
    """Live bookings of ``room`` whose blocked period touches [start, end) (an expired
    tentative hold is not live)."""
    return (
        Booking.objects.filter(
            room=room,
            status__in=LIVE_BOOKING_STATUSES,
            blocked_start__lt=end,
            blocked_end__gt=start,
        )
        .filter(not_expired_q())
        .order_by("start")
    )


def room_availability(*, room: Room, day: date, now: datetime | None = None) -> Availability:
    """Free and busy intervals of ``room`` on the local ``day``.

    Busy is what a new booking may not touch: each live booking widened by the room's
    buffer before it and its own buffer after it. Free is the open time (hours the
    room may be used, no closure) minus busy, and not in the past.
    """
    now = now or timezone.now()
    day_start, day_end = day_bounds(day)
    availability = Availability(day=day)
    buffer = timedelta(minutes=room.buffer_minutes)
    busy = [
        (max(b.start - buffer, day_start), min(b.blocked_end, day_end))
        for b in live_bookings_between(room=room, start=day_start - buffer, end=day_end + buffer)
    ]
    availability.busy = merge_intervals([(s, e) for s, e in busy if s < e])
    availability.closed_reason = closure_reason(branch=room.branch, day=day)
    if availability.closed_reason is None:
        availability.open = open_intervals(
            branch=room.branch, day=day, self_service_allowed=room.self_service_allowed
        )
    free = subtract_intervals(availability.open, availability.busy)
    # Time already begun is not offered: a free time starts at the next slot of the room.
    next_slot = _align_up(now, room.slot_minutes)
    availability.free = [(max(s, next_slot), e) for s, e in free if max(s, next_slot) < e]
    return availability


def utc(value: datetime) -> datetime:
    """Absolute arithmetic is only safe in UTC (aware local times add in wall-clock time)."""
    return value.astimezone(UTC)


def _align_up(moment: datetime, step_minutes: int) -> datetime:
    """The first moment at or after ``moment`` on the local ``step_minutes`` grid, in UTC."""
    local = to_local(moment)
    minutes = local.hour * 60 + local.minute
    rest = minutes % step_minutes
    if rest == 0 and local.second == 0 and local.microsecond == 0:
        return utc(moment)
    floor = utc(local.replace(second=0, microsecond=0))
    return floor + timedelta(minutes=step_minutes - rest)


def _latest_aligned(first: datetime, latest: datetime, step_minutes: int) -> datetime | None:
    if latest < first:
        return None
    steps = (latest - first) // timedelta(minutes=step_minutes)
    return first + steps * timedelta(minutes=step_minutes)


def suggest_free_times(
    *, room: Room, start: datetime, end: datetime, limit: int = 3, days: int = 7
) -> list[Interval]:
    """Free times of the same length near the wish: the same day first, then the next days."""
    duration = end - start
    step = timedelta(minutes=room.slot_minutes)
    wish_local = to_local(start)
    found: list[tuple[timedelta, Interval]] = []
    for offset in range(days):
        day = wish_local.date() + timedelta(days=offset)
        wish_time = utc(datetime.combine(day, wish_local.time()).replace(tzinfo=local_tz()))
        for free_start, free_end in room_availability(room=room, day=day).free:
            first = _align_up(free_start, room.slot_minutes)
            last = _latest_aligned(first, utc(free_end) - duration, room.slot_minutes)
            if last is None:
                continue
            target = min(max(wish_time, first), last)
            candidate = first + ((target - first) // step) * step
            found.append((abs(candidate - utc(start)), (candidate, candidate + duration)))
        if len(found) >= limit:
            break
    found.sort(key=lambda item: item[0])
    return [interval for _distance, interval in found[:limit]]


def week_grid(*, branch: Branch, monday: date) -> dict[str, object]:
    """The rooms of ``branch`` × the seven days from ``monday``, with the busy times of each.

    Each cell has ``state``: "past" (the day is over), "closed" (a closure, or no hours
    in which the room may be used that weekday) or "open"; ``closed`` holds the closure's
    reason. Four queries: the rooms, the week's live bookings, the closures and the
    branch's opening hours.
    """
    days = [monday + timedelta(days=i) for i in range(7)]
    start, _ = day_bounds(days[0])
    _, end = day_bounds(days[-1])
    rooms = list(Room.objects.filter(branch=branch, is_active=True).order_by("name"))
    bookings = (
        Booking.objects.filter(
            room__in=rooms, status__in=LIVE_BOOKING_STATUSES, start__lt=end, end__gt=start
        )
        .filter(not_expired_q())
        .order_by("start")
    )
    cells: dict[tuple[int, date], list[Booking]] = {}
    for booking in bookings:
        cells.setdefault((booking.room_id, to_local(booking.start).date()), []).append(booking)
    closed = closure_reasons(branch=branch, start=days[0], end=days[-1])
    hours = list(branch.opening_hours.all()) if rooms else []
    today = to_local(timezone.now()).date()

    def state(room: Room, day: date) -> str:
        if day < today:
            return "past"
        kinds = allowed_hours_kinds(self_service_allowed=room.self_service_allowed)
        in_force = hours_in_force(hours=hours, on=day)  # a changed week counts from its date
        if day in closed or not any(
            h.weekday == day.weekday() and h.kind in kinds for h in in_force
        ):
            return "closed"
        return "open"

    rows = [
        {
            "room": room,
            "cells": [
                {
                    "day": day,
                    "bookings": cells.get((room.pk, day), []),
                    "closed": closed.get(day),
                    "state": state(room, day),
                }
                for day in days
            ],
        }
        for room in rooms
    ]
    return {"days": days, "rows": rows, "closed": closed}
