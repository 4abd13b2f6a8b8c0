"""The booking rules, through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from core.exceptions import BookingConflict, NotFound, RuleViolation
from core.models import Closure, HoursKind, Role
from core.signals import state_changed
from rooms import selectors, services
from rooms.models import BookingStatus, EquipmentBookingStatus, EquipmentKind, Licence
from tests.factories import make_branch, make_partner, make_user
from tests.rooms.factories import (
    at,
    future_day,
    future_series_day,
    make_booking,
    make_equipment,
    make_room,
)

pytestmark = pytest.mark.django_db


def book(room, person, day, start=(10, 0), end=(11, 0), **kw):  # noqa: ANN001, ANN201
    return services.booking_request(
        actor=person,
        room=room,
        start=at(day, *start),
        end=at(day, *end),
        purpose=kw.pop("purpose", "Møde"),
        attendees=kw.pop("attendees", 2),
        **kw,
    )


@pytest.fixture
def kinds() -> list[str]:
    seen: list[str] = []

    def listener(sender, kind, **kwargs):  # noqa: ANN001, ANN202
        seen.append(kind)

    state_changed.connect(listener, weak=False)
    yield seen
    state_changed.disconnect(listener)


# --- Buffers and boundaries ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ((11, 0), (12, 0), False),  # inside the buffer after
        ((11, 30), (12, 0), True),  # right after the buffer
        ((9, 0), (9, 45), False),  # its own buffer would run into the booking
        ((9, 0), (9, 30), True),  # ends a buffer before
    ],
)
def test_buffer_is_kept_on_both_sides(start, end, ok) -> None:  # noqa: ANN001
    room = make_room(buffer_minutes=30, slot_minutes=15)
    day = future_day(4)
    make_booking(room=room, start=at(day, 10), end=at(day, 11))
    if ok:
        assert book(room, make_user(), day, start, end).first.status == "confirmed"
    else:
        with pytest.raises(BookingConflict):
            book(room, make_user(), day, start, end)


def test_back_to_back_allowed_without_buffer_one_minute_overlap_is_not() -> None:
    room = make_room(slot_minutes=15)
    day = future_day(4)
    book(room, make_user(), day, (10, 0), (11, 0))
    book(room, make_user(), day, (11, 0), (12, 0))
    book(room, make_user(), day, (9, 0), (10, 0))
    room.slot_minutes = 1
    room.save()
    with pytest.raises(BookingConflict):
        book(room, make_user(), day, (11, 59), (12, 30))


def test_opening_hours_edges() -> None:
    room = make_room()  # staffed 08-22 every day
    day = future_day(4)
    book(room, make_user(), day, (8, 0), (9, 0))
    book(room, make_user(), day, (21, 0), (22, 0))
    with pytest.raises(RuleViolation) as error:
        book(room, make_user(), day, (7, 30), (8, 30))
    assert "08.00–22.00" in error.value.message


def test_duration_steps_and_how_far_ahead() -> None:
    room = make_room(min_duration_minutes=60, max_duration_minutes=120, max_days_ahead=10)
    day = future_day(4)
    with pytest.raises(RuleViolation, match="60"):
        book(room, make_user(), day, (10, 0), (10, 30))
    with pytest.raises(RuleViolation, match="120"):
        book(room, make_user(), day, (10, 0), (13, 0))
    with pytest.raises(RuleViolation) as error:
        book(room, make_user(), day, (10, 15), (11, 15))
    assert error.value.field == "start"
    with pytest.raises(RuleViolation, match="10"):
        book(room, make_user(), future_day(12))


def test_past_start_is_refused() -> None:
    room = make_room()
    with pytest.raises(RuleViolation):
        book(room, make_user(), future_day(-1))


# --- DST Sundays -------------------------------------------------------------------------


IN_2028 = datetime(2028, 1, 10, 12, tzinfo=UTC)  # so the DST Sundays of 2028 are bookable


@pytest.mark.parametrize("sunday", [date(2028, 3, 26), date(2028, 10, 29)])
def test_dst_sundays_book_in_wall_time(sunday: date) -> None:
    room = make_room(max_days_ahead=400)
    with time_machine.travel(IN_2028, tick=False):
        booking = book(room, make_user(), sunday, (10, 0), (12, 0)).first
        availability = selectors.room_availability(room=room, day=sunday)
    assert booking.end - booking.start == timedelta(hours=2)
    local = selectors.to_local(booking.start)
    assert (local.hour, local.minute) == (10, 0)
    assert [
        (selectors.to_local(s).hour, selectors.to_local(e).hour) for s, e in availability.free
    ] == [
        (8, 10),
        (12, 22),
    ]
    # the day is 23 or 25 hours long, and a booking over the change still lasts what it says
    open_hours = sum(((e - s) for s, e in availability.free), timedelta()) + timedelta(hours=2)
    assert open_hours == timedelta(hours=14)


def test_dst_sunday_2027_is_easter_sunday_and_closed() -> None:
    room = make_room(max_days_ahead=400)
    with pytest.raises(RuleViolation) as error:
        book(room, make_user(), date(2027, 3, 28))
    assert "28.03.2027" in error.value.message


def test_weekly_series_across_dst_stays_at_ten_local() -> None:
    room = make_room(max_days_ahead=400, max_series_occurrences=10)
    staff = make_user(role=Role.STAFF, branches=[room.branch])
    with time_machine.travel(IN_2028, tick=False):
        outcome = services.booking_request(
            actor=staff,
            room=room,
            start=at(date(2028, 3, 19), 10),
            end=at(date(2028, 3, 19), 11),
            purpose="Strikkecafé",
            attendees=5,
            every_weeks=1,
            until=date(2028, 4, 2),
        )
    assert [selectors.to_local(b.start).hour for b in outcome.bookings] == [10, 10, 10]
    assert [b.start.astimezone(UTC).hour for b in outcome.bookings] == [9, 8, 8]
    assert all(b.status == BookingStatus.CONFIRMED for b in outcome.bookings)  # staff: no approval


# --- Closures, holidays, self-service -----------------------------------------------------


def test_closure_and_holiday_are_refused_with_the_reason() -> None:
    room = make_room()
    day = future_day(5)
    Closure.objects.create(
        branch=room.branch, starts_on=day, ends_on=day, reason="Maling af lokaler"
    )
    with pytest.raises(RuleViolation, match="Maling af lokaler"):
        book(room, make_user(), day)
    christmas = date(2026, 12, 25)
    if christmas > timezone.localdate():
        with pytest.raises(RuleViolation) as error:
            book(room, make_user(), christmas)
        assert "25.12.2026" in error.value.message


def test_self_service_hours() -> None:
    hours = [(wd, time(10), time(14), HoursKind.STAFFED) for wd in range(7)]
    hours += [(wd, time(14), time(22), HoursKind.SELF_SERVICE) for wd in range(7)]
    branch = make_branch(hours=hours)
    day = future_day(4)
    staffed_only = make_room(branch=branch, self_service_allowed=False)
    with translation.override("en"), pytest.raises(RuleViolation, match="staffed"):
        book(staffed_only, make_user(), day, (15, 0), (16, 0))
    open_room = make_room(branch=branch, self_service_allowed=True, name="Studierum")
    book(open_room, make_user(birth_date=date(1980, 1, 1)), day, (13, 0), (16, 0))
    with pytest.raises(RuleViolation, match="18"):
        book(open_room, make_user(birth_date=day - timedelta(days=15 * 365)), day, (17, 0), (18, 0))


# --- Series --------------------------------------------------------------------------------


@time_machine.travel(IN_2028, tick=False)
def test_series_with_a_holiday_and_a_taken_date() -> None:
    room = make_room()
    first = date(2028, 2, 2)
    taken = first + timedelta(weeks=1)
    closed = first + timedelta(weeks=2)
    make_booking(room=room, start=at(taken, 18), end=at(taken, 19))
    Closure.objects.create(branch=room.branch, starts_on=closed, ends_on=closed, reason="Lukket")
    person = make_user()
    with pytest.raises(BookingConflict) as error:
        book(room, person, first, (17, 0), (19, 0), every_weeks=1, until=first + timedelta(weeks=3))
    assert {c["date"] for c in error.value.extra["conflicts"]} == {
        taken.isoformat(),
        closed.isoformat(),
    }
    assert len(error.value.extra["free"]) == 2
    outcome = book(
        room,
        person,
        first,
        (17, 0),
        (19, 0),
        every_weeks=1,
        until=first + timedelta(weeks=3),
        take_free=True,
    )
    assert [b.start for b in outcome.bookings] == [
        at(first, 17),
        at(first + timedelta(weeks=3), 17),
    ]
    assert all(b.status == BookingStatus.PENDING for b in outcome.bookings)


def test_fortnightly_series_and_its_cap() -> None:
    room = make_room(max_series_occurrences=3, max_days_ahead=400)
    first = date(2028, 2, 1)  # no holidays in the following weeks
    with time_machine.travel(IN_2028, tick=False):
        outcome = book(room, make_user(), first, every_weeks=2, until=first + timedelta(weeks=4))
        assert [b.start for b in outcome.bookings] == [
            at(first + timedelta(weeks=w), 10) for w in (0, 2, 4)
        ]
        with pytest.raises(RuleViolation, match="3"):
            book(room, make_user(), first, (12, 0), (13, 0), every_weeks=1, until=date(2028, 2, 29))


# --- Limits per person -------------------------------------------------------------------


def test_limit_per_day_and_per_week() -> None:
    room = make_room(max_per_day=1, max_per_week=2)
    person = make_user()
    monday = future_day(7, weekday=0)
    book(room, person, monday)
    with pytest.raises(RuleViolation) as error:
        book(room, person, monday, (14, 0), (15, 0))
    assert error.value.code == "limit_per_day"
    book(room, person, monday + timedelta(days=1))
    with pytest.raises(RuleViolation) as error:
        book(room, person, monday + timedelta(days=2))
    assert error.value.code == "limit_per_week"
    book(room, make_user(), monday + timedelta(days=2))  # others are not limited by it


def test_limit_of_future_bookings_counts_a_series_as_one() -> None:
    room = make_room(max_future=2)
    person = make_user()
    day = future_series_day(3, weeks=3)
    book(room, person, day, every_weeks=1, until=day + timedelta(weeks=3))
    book(room, person, day, (14, 0), (15, 0))
    with pytest.raises(RuleViolation) as error:
        book(room, person, day, (16, 0), (17, 0))
    assert error.value.code == "limit_future"


def test_cancelled_bookings_do_not_count_and_free_the_slot() -> None:
    room = make_room(max_per_day=1)
    person = make_user()
    day = future_day(4)
    booking = book(room, person, day).first
    services.booking_cancel(actor=person, booking=booking)
    book(room, person, day)


# --- Who may book, partner, capacity, prices -----------------------------------------------


def test_staff_only_room_and_associations_only_room(staff, branch) -> None:
    day = future_day(4)
    staff_room = make_room(branch=branch, bookable_by="staff")
    with pytest.raises(Exception) as error:
        book(staff_room, make_user(), day)
    assert error.value.status_code == 403
    assert book(staff_room, staff, day).first.status == "confirmed"
    assoc_room = make_room(branch=branch, bookable_by="associations", name="Salen")
    person = make_user()
    with pytest.raises(RuleViolation) as error:
        book(assoc_room, person, day)
    assert error.value.field == "partner"
    partner = make_partner()
    partner.members.add(person)
    assert book(assoc_room, person, day, partner=partner).first.partner == partner


def test_approval_flow_and_signals(staff, branch, kinds) -> None:
    room = make_room(branch=branch, requires_approval=True)
    person = make_user()
    booking = book(room, person, future_day(4)).first
    assert booking.status == BookingStatus.PENDING
    services.booking_approve(actor=staff, booking=booking)
    services.booking_approve(actor=staff, booking=booking)  # nothing more happens
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.sequence == 1
    assert kinds == ["booking.requested", "booking.confirmed"]
    with pytest.raises(Exception) as error:
        services.booking_reject(actor=staff, booking=booking, reason="for sent")
    assert error.value.status_code == 409


def test_cancel_deadline_for_the_booker_staff_any_time_with_reason(staff, branch, kinds) -> None:
    room = make_room(branch=branch)
    person = make_user()
    day = future_day(2)
    booking = book(room, person, day).first
    deadline = selectors.cancel_deadline(booking=booking)
    assert selectors.to_local(deadline) == at(day, 0)
    with time_machine.travel(at(day, 8), tick=False):
        with pytest.raises(RuleViolation) as error:
            services.booking_cancel(actor=person, booking=booking)
        assert error.value.code == "cancel_deadline_passed"
        with pytest.raises(RuleViolation):
            services.booking_cancel(actor=staff, booking=booking)  # staff must give a reason
        services.booking_cancel(actor=staff, booking=booking, reason="Vandskade")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Vandskade"
    assert kinds[-1] == "booking.cancelled" and booking.sequence == 1


def test_no_show_only_after_start(staff, branch) -> None:
    room = make_room(branch=branch)
    day = future_day(2)
    booking = book(room, make_user(), day).first
    with pytest.raises(RuleViolation):
        services.booking_mark_no_show(actor=staff, booking=booking)
    with time_machine.travel(at(day, 10, 30), tick=False):
        assert services.booking_mark_no_show(actor=staff, booking=booking).no_show is True


def test_someone_elses_booking_is_not_found() -> None:
    room = make_room()
    booking = book(room, make_user(), future_day(3)).first
    with pytest.raises(NotFound):
        selectors.booking_get_for(actor=make_user(), pk=booking.pk)
    with pytest.raises(NotFound):
        selectors.booking_get_for(
            actor=make_user(role=Role.STAFF, branches=[make_branch()]), pk=booking.pk
        )


# --- Makerspace: licences, age, limits, release ------------------------------------------


def test_licence_and_age_for_the_laser_cutter(staff) -> None:
    laser = make_equipment(kind=EquipmentKind.LASER_CUTTER, min_age=18, slot_minutes=60)
    day = future_day(3)
    adult = make_user(birth_date=date(1990, 5, 1))
    with pytest.raises(RuleViolation) as error:
        services.equipment_booking_create(actor=adult, equipment=laser, start=at(day, 10))
    assert error.value.code == "licence_required"
    services.licence_grant(person=adult, equipment_kind=EquipmentKind.LASER_CUTTER, actor=staff)
    assert services.equipment_booking_create(
        actor=adult, equipment=laser, start=at(day, 10)
    ).end == at(day, 11)
    teen = make_user(birth_date=day - timedelta(days=16 * 365))
    unknown = make_user()
    for person, code in ((teen, "too_young"), (unknown, "age_unknown")):
        Licence.objects.create(person=person, equipment_kind=EquipmentKind.LASER_CUTTER)
        with pytest.raises(RuleViolation) as error:
            services.equipment_booking_create(actor=person, equipment=laser, start=at(day, 12))
        assert error.value.code == code


def test_machine_slots_per_day_and_week() -> None:
    printer = make_equipment(slot_minutes=120, max_slots_per_day=2, max_slots_per_week=3)
    maker = make_user()
    Licence.objects.create(person=maker, equipment_kind=printer.kind)
    monday = future_day(7, weekday=0)
    services.equipment_booking_create(actor=maker, equipment=printer, start=at(monday, 8))
    services.equipment_booking_create(actor=maker, equipment=printer, start=at(monday, 10))
    with pytest.raises(RuleViolation) as error:
        services.equipment_booking_create(actor=maker, equipment=printer, start=at(monday, 12))
    assert error.value.code == "limit_per_day"
    services.equipment_booking_create(
        actor=maker, equipment=printer, start=at(monday + timedelta(days=1), 8)
    )
    with pytest.raises(RuleViolation) as error:
        services.equipment_booking_create(
            actor=maker, equipment=printer, start=at(monday + timedelta(days=2), 8)
        )
    assert error.value.code == "limit_per_week"


def test_slot_not_checked_in_is_freed_after_15_minutes(kinds) -> None:
    printer = make_equipment(slot_minutes=120)
    first, second = make_user(), make_user()
    for person in (first, second):
        Licence.objects.create(person=person, equipment_kind=printer.kind)
    day = future_day(3)
    slot = services.equipment_booking_create(actor=first, equipment=printer, start=at(day, 10))
    with time_machine.travel(at(day, 10, 10), tick=False):
        with pytest.raises(BookingConflict):
            services.equipment_booking_create(actor=second, equipment=printer, start=at(day, 10))
        assert services.equipment_release_unclaimed() == 0
    with time_machine.travel(at(day, 10, 16), tick=False):
        assert services.equipment_release_unclaimed() == 1
        services.equipment_booking_create(actor=second, equipment=printer, start=at(day, 10))
    slot.refresh_from_db()
    assert slot.status == EquipmentBookingStatus.CANCELLED and slot.no_show
    assert "equipment_booking.cancelled" in kinds


def test_check_in_keeps_the_slot() -> None:
    printer = make_equipment(slot_minutes=120)
    maker = make_user()
    Licence.objects.create(person=maker, equipment_kind=printer.kind)
    day = future_day(3)
    slot = services.equipment_booking_create(actor=maker, equipment=printer, start=at(day, 10))
    with pytest.raises(RuleViolation):
        services.equipment_booking_check_in(actor=maker, booking=slot)  # too early
    with time_machine.travel(at(day, 10, 5), tick=False):
        services.equipment_booking_check_in(actor=maker, booking=slot)
    with time_machine.travel(at(day, 10, 30), tick=False):
        assert services.equipment_release_unclaimed() == 0
    slot.refresh_from_db()
    assert slot.status == EquipmentBookingStatus.CONFIRMED and slot.checked_in_at is not None


def test_retention_also_covers_machine_slots() -> None:
    printer = make_equipment()
    maker = make_user()
    Licence.objects.create(person=maker, equipment_kind=printer.kind)
    day = future_day(3)
    slot = services.equipment_booking_create(actor=maker, equipment=printer, start=at(day, 10))
    with time_machine.travel(datetime.combine(day + timedelta(days=40), time(12), tzinfo=UTC)):
        assert services.bookings_anonymise_old() == 1
    slot.refresh_from_db()
    assert slot.booker is None


def test_whole_series_approve_and_cancel(staff, branch) -> None:
    room = make_room(branch=branch)
    person = make_user()
    with time_machine.travel(IN_2028, tick=False):
        first = date(2028, 2, 7)
        outcome = book(room, person, first, every_weeks=1, until=first + timedelta(weeks=2))
        assert [b.status for b in outcome.bookings] == ["pending"] * 3
        approved = services.booking_approve(actor=staff, booking=outcome.first, whole_series=True)
        assert [b.status for b in approved] == ["confirmed"] * 3
        cancelled = services.booking_cancel(
            actor=person, booking=outcome.bookings[1], whole_series=True
        )
        assert len(cancelled) == 3 and {b.status for b in cancelled} == {"cancelled"}
