"""Shifts hold their room through the rooms service; times, dates and quarters are local."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from core.exceptions import BookingConflict, RuleViolation
from core.timeutils import local_today, local_tz, make_local
from tests.rooms.factories import make_room
from tests.volunteers.factories import at, make_activity, make_shift, make_signup, make_volunteer
from volunteers import selectors, services
from volunteers.models import Shift

pytestmark = pytest.mark.django_db


def test_shift_with_a_room_occupies_it_and_releases_it_when_cancelled(
    branch: Any, staff: Any
) -> None:
    from rooms.models import Booking
    from rooms.services import room_occupy

    room = make_room(branch=branch, name="Netværkstedet")
    activity = make_activity(branch=branch, name="IT-hjælp")
    day = local_today() + timedelta(days=5)
    shift = services.shift_create(
        actor=staff, activity=activity, start=at(day, 10), end=at(day, 12), room=room
    )
    assert shift.room_booking.status == "confirmed"
    assert shift.room_booking.kind == "shift"
    # The room cannot be taken twice...
    with pytest.raises(BookingConflict):
        room_occupy(room=room, start=at(day, 11), end=at(day, 13), title="Møde", actor=staff)
    with pytest.raises(BookingConflict):
        services.shift_create(
            actor=staff, activity=activity, start=at(day, 11), end=at(day, 13), room=room
        )
    assert Shift.objects.count() == 1  # nothing half-written
    # ...the occupation moves with the shift...
    services.shift_update(actor=staff, shift=shift, start=at(day, 13), end=at(day, 15))
    booking = Booking.objects.get(pk=Shift.objects.get(pk=shift.pk).room_booking_id)
    assert (booking.start, booking.end) == (at(day, 13), at(day, 15))
    # ...and is released when the shift is cancelled.
    services.shift_cancel(actor=staff, shift=shift)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert room_occupy(room=room, start=at(day, 13), end=at(day, 15), title="Møde", actor=staff)


def test_room_of_another_branch_is_refused(branch: Any, staff: Any) -> None:
    room = make_room()
    day = local_today() + timedelta(days=5)
    with pytest.raises(RuleViolation):
        services.shift_create(
            actor=staff,
            activity=make_activity(branch=branch),
            start=at(day, 10),
            end=at(day, 12),
            room=room,
        )


@time_machine.travel("2026-03-01 12:00 +01:00", tick=False)
@pytest.mark.parametrize(
    ("first", "rrule", "days", "utc_hours"),
    [
        # Spring forward on Sunday 29 March 2026.
        (date(2026, 3, 28), "FREQ=DAILY;COUNT=3", [28, 29, 30], [9, 8, 8]),
        # Fall back on Sunday 25 October 2026 (a weekly Sunday shift).
        (date(2026, 10, 18), "FREQ=WEEKLY;COUNT=3", [18, 25, 1], [8, 9, 9]),
    ],
    ids=["spring", "autumn"],
)
def test_series_stays_at_local_time_across_dst_sundays(
    branch: Any, staff: Any, first: date, rrule: str, days: list[int], utc_hours: list[int]
) -> None:
    series = services.shift_series_create(
        actor=staff,
        activity=make_activity(branch=branch),
        start=at(first, 10),
        end=at(first, 12),
        rrule=rrule,
    )
    shifts = list(series.shifts.order_by("start"))
    local = [timezone.localtime(s.start, local_tz()) for s in shifts]
    assert [(d.day, d.time()) for d in local] == [(day, time(10)) for day in days]
    # In UTC the shift moves by an hour at the change; it still lasts two hours.
    assert [s.start.astimezone(UTC).hour for s in shifts] == utc_hours
    assert {s.end - s.start for s in shifts} == {timedelta(hours=2)}


def test_a_night_shift_over_the_autumn_change_counts_its_real_hours(
    branch: Any, staff: Any
) -> None:
    # 25 October 2026: the clocks go back at 03:00; 00:00-06:00 local is 7 real hours.
    start = make_local(date(2026, 10, 25), time(0))
    end = make_local(date(2026, 10, 25), time(6))
    with time_machine.travel("2026-10-26 12:00 +01:00", tick=False):
        shift = make_shift(activity=make_activity(branch=branch), start=start, hours=7)
        assert shift.end == end
        signup = make_signup(shift=shift, volunteer=make_volunteer(branches=[branch]))
        signup = services.attendance_record(actor=staff, signup=signup, attended=True)
    assert signup.hours == Decimal("7.00")


def test_quarter_follows_the_local_date(branch: Any) -> None:
    # 00:30 on 1 April local time is still 31 March in UTC: it belongs to Q2.
    shift = make_shift(
        activity=make_activity(branch=branch), start=make_local(date(2026, 4, 1), time(0, 30))
    )
    make_signup(shift=shift, volunteer=make_volunteer(), attended=True, hours="2")
    rows = selectors.hours_report(year=2026, group_by="quarter")
    assert [(r.key, r.hours) for r in rows] == [(2, Decimal("2.00"))]


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_certificate_date_is_the_local_date_of_the_shift(branch: Any) -> None:
    # Valid until 10 January 2027; a shift at 00:30 on 11 January local time (still the 10th
    # in UTC) is after the last valid day.
    person = make_volunteer(branches=[branch], certificate="clear", checked_on=date(2025, 1, 10))
    shift = make_shift(
        activity=make_activity(branch=branch, children_under_15=True),
        start=make_local(date(2027, 1, 11), time(0, 30)),
    )
    with pytest.raises(RuleViolation) as error:
        services.shift_signup(actor=person, shift=shift)
    assert error.value.code == "certificate_expired"
