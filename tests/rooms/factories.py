"""Factories for the rooms app (other apps' tests import these)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from core.holidays import closed_days
from core.models import Branch, User
from core.timeutils import local_tz, make_local
from rooms.models import Booking, BookingKind, BookingStatus, Equipment, EquipmentKind, Room
from tests.factories import make_branch


def make_room(*, branch: Branch | None = None, **overrides: Any) -> Room:
    data: dict[str, Any] = {
        "name": "Mødelokale 1",
        "capacity": 12,
        "min_duration_minutes": 30,
        "max_duration_minutes": 240,
        "slot_minutes": 30,
        "buffer_minutes": 0,
        "max_days_ahead": 90,
    }
    data.update(overrides)
    return Room.objects.create(branch=branch or make_branch(), **data)


def make_equipment(*, branch: Branch | None = None, **overrides: Any) -> Equipment:
    data: dict[str, Any] = {
        "name": "3D-printer 1",
        "kind": EquipmentKind.PRINTER_3D,
        "licence_required": True,
        "slot_minutes": 120,
        "max_slots_per_day": 2,
        "max_slots_per_week": 4,
        "max_days_ahead": 42,
    }
    data.update(overrides)
    return Equipment.objects.create(branch=branch or make_branch(), **data)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """An aware local datetime."""
    return make_local(day, time(hh, mm))


def future_day(days: int = 7, weekday: int | None = None) -> date:
    """A local date ``days`` from today (moved forward to ``weekday`` if given)."""
    day = timezone.localtime(timezone.now(), local_tz()).date() + timedelta(days=days)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    while day in closed_days(day.year):  # keep tests clear of holidays whenever they run
        day += timedelta(days=7 if weekday is not None else 1)
    return day


def future_series_day(days: int = 7, *, weeks: int) -> date:
    """A local date ``days`` or more from today from which ``weeks`` more weekly dates are
    all open (no holiday in the way of a weekly series, whenever the tests run)."""
    day = future_day(days)
    while any(
        (day + timedelta(weeks=k)) in closed_days((day + timedelta(weeks=k)).year)
        for k in range(weeks + 1)
    ):
        day = future_day((day - timezone.localdate()).days + 1)
    return day


def make_booking(
    *,
    room: Room,
    start: datetime,
    end: datetime,
    booker: User | None = None,
    status: str = BookingStatus.CONFIRMED,
    kind: str = BookingKind.BOOKING,
    **overrides: Any,
) -> Booking:
    """A booking written directly (no rules checked): for arranging a scene in tests."""
    buffer = timedelta(minutes=room.buffer_minutes)
    return Booking.objects.create(
        room=room,
        booker=booker,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end + buffer,
        status=status,
        kind=kind,
        purpose=overrides.pop("purpose", "Møde"),
        **overrides,
    )
