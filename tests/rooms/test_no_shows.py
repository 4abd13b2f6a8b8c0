"""No-shows release what they hold (issue 14, point 2): check-in at the door, the release at
the room's release time (one mechanism for rooms and machines), and the pause after repeated
no-shows, which staff can lift with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.exceptions import BookingConflict, RuleViolation
from core.models import AuditLog, Role
from notifications.models import Delivery
from rooms import services, tasks
from rooms.models import BookingPause, BookingStatus, EquipmentBookingStatus
from tests.factories import PASSWORD, make_user
from tests.rooms.factories import at, future_day, make_equipment, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(branch):  # noqa: ANN001, ANN201
    return make_room(branch=branch, slot_minutes=15, check_in_required=True)


def _book(room, person, day, start=(10, 0), end=(11, 0)):  # noqa: ANN001, ANN201
    return services.booking_request(
        actor=person,
        room=room,
        start=at(day, *start),
        end=at(day, *end),
        purpose="Studiegruppe",
        attendees=2,
    ).first


def test_released_at_minute_15_and_taken_by_someone_else_at_minute_16(room, citizen) -> None:  # noqa: ANN001
    other = make_user(name="Ole Anden")
    day = future_day(3)
    booking = _book(room, citizen, day)
    with time_machine.travel(at(day, 10, 14), tick=False):
        assert tasks.release_unclaimed_slots() == 0
        with pytest.raises(BookingConflict):  # still held at minute 14
            _book(room, other, day, start=(10, 30))
    with time_machine.travel(at(day, 10, 15), tick=False):
        assert tasks.release_unclaimed_slots() == 1  # the minute task, as beat runs it
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.no_show is True
    assert "15" in booking.cancel_reason
    assert Delivery.objects.filter(
        kind="booking.cancelled", recipient=citizen, object_id=str(booking.pk)
    ).exists()
    with time_machine.travel(at(day, 10, 16), tick=False):
        taken = _book(room, other, day, start=(10, 30))
    assert taken.status == BookingStatus.CONFIRMED
    assert taken.booker == other


def test_released_at_once_when_someone_books_before_the_minute_task_runs(room, citizen) -> None:  # noqa: ANN001
    other = make_user(name="Ole Anden")
    day = future_day(3)
    booking = _book(room, citizen, day)
    with time_machine.travel(at(day, 10, 16), tick=False):
        taken = _book(room, other, day, start=(10, 30))
    booking.refresh_from_db()
    assert booking.no_show is True and booking.status == BookingStatus.CANCELLED
    assert taken.status == BookingStatus.CONFIRMED


def test_a_booking_checked_in_is_kept_and_a_room_without_check_in_is_never_released(
    room, branch, citizen
) -> None:  # noqa: ANN001
    plain = make_room(branch=branch, name="Uden tjek-ind", slot_minutes=15)
    day = future_day(3)
    kept = _book(room, citizen, day)
    unchecked = _book(plain, citizen, day)
    with time_machine.travel(at(day, 9, 44), tick=False):
        with pytest.raises(RuleViolation) as error:  # too early
            services.booking_check_in(actor=citizen, booking=kept)
        assert error.value.code == "not_checkable"
    with time_machine.travel(at(day, 9, 50), tick=False):
        services.booking_check_in(actor=citizen, booking=kept)
    with time_machine.travel(at(day, 10, 30), tick=False):
        assert services.unclaimed_release() == 0
    kept.refresh_from_db()
    unchecked.refresh_from_db()
    assert kept.status == unchecked.status == BookingStatus.CONFIRMED
    assert kept.checked_in_at is not None


def test_the_release_time_is_per_room(branch, citizen) -> None:  # noqa: ANN001
    room = make_room(branch=branch, check_in_required=True, release_after_minutes=30)
    day = future_day(3)
    booking = _book(room, citizen, day)
    with time_machine.travel(at(day, 10, 29), tick=False):
        assert services.unclaimed_release() == 0
    with time_machine.travel(at(day, 10, 30), tick=False):
        assert services.unclaimed_release() == 1
    booking.refresh_from_db()
    assert booking.no_show


def test_machines_and_rooms_share_the_one_release(room, branch, citizen) -> None:  # noqa: ANN001
    machine = make_equipment(branch=branch, licence_required=False, slot_minutes=60)
    day = future_day(3)
    booking = _book(room, citizen, day)
    slot = services.equipment_booking_create(
        actor=citizen, equipment=machine, start=at(day, 10), end=at(day, 11)
    )
    with time_machine.travel(at(day, 10, 15), tick=False):
        assert tasks.release_unclaimed_slots() == 2
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.no_show and slot.no_show
    assert slot.status == EquipmentBookingStatus.CANCELLED


def _no_show(room, person, day):  # noqa: ANN001, ANN202
    _book(room, person, day)
    with time_machine.travel(at(day, 10, 15), tick=False):
        services.unclaimed_release()


def test_a_third_no_show_pauses_booking_with_a_clear_message(room, citizen) -> None:  # noqa: ANN001
    days = [future_day(3), future_day(4), future_day(5)]
    _no_show(room, citizen, days[0])
    _no_show(room, citizen, days[1])
    assert not BookingPause.objects.filter(person=citizen).exists()
    _no_show(room, citizen, days[2])
    pause = BookingPause.objects.get(person=citizen)
    assert pause.no_shows == 3
    assert pause.until == at(days[2], 10, 15) + timedelta(days=30)
    assert AuditLog.objects.filter(action="booking.paused", target_id=str(pause.pk)).exists()
    assert Delivery.objects.filter(kind="booking.paused", recipient=citizen).count() == 1
    with time_machine.travel(at(days[2], 12), tick=False), translation.override("en"):
        with pytest.raises(RuleViolation) as error:
            _book(room, citizen, future_day(8))
        assert error.value.code == "booking_paused"
        until = f"{(at(days[2], 10, 15) + timedelta(days=30)):%d.%m.%Y}"
        assert f"You cannot book until {until}" in error.value.message
        assert "did not check in to 3 bookings within 90 days" in error.value.message


@pytest.mark.usefixtures("room")
def test_a_pause_refuses_machines_too_and_staff_can_lift_it_with_a_reason(
    room, branch, citizen, staff
) -> None:  # noqa: ANN001
    for n in (3, 4, 5):
        _no_show(room, citizen, future_day(n))
    machine = make_equipment(branch=branch, licence_required=False, slot_minutes=60)
    later = future_day(6)
    with time_machine.travel(at(later, 8), tick=False):
        with pytest.raises(RuleViolation) as error:
            services.equipment_booking_create(
                actor=citizen, equipment=machine, start=at(later, 12), end=at(later, 13)
            )
        assert error.value.code == "booking_paused"
        pause = BookingPause.objects.get(person=citizen)
        with pytest.raises(RuleViolation):  # a reason is required
            services.booking_pause_lift(actor=staff, pause=pause, reason=" ")
        services.booking_pause_lift(actor=staff, pause=pause, reason="Var syg, ringede")
        assert AuditLog.objects.filter(action="booking.pause_lifted", actor=staff).exists()
        assert _book(room, citizen, later, start=(14, 0), end=(15, 0)).pk


def test_the_pause_page_lists_and_lifts_pauses_for_staff_only(room, citizen, staff) -> None:  # noqa: ANN001
    for n in (3, 4, 5):
        _no_show(room, citizen, future_day(n))
    pause = BookingPause.objects.get(person=citizen)
    with time_machine.travel(at(future_day(5), 12), tick=False), translation.override("en"):
        browser = Client()
        browser.cookies["django_language"] = "en"
        browser.login(email=citizen.email, password=PASSWORD)
        assert browser.get(reverse("rooms:pauses")).status_code == 403
        mine = browser.get(reverse("rooms:my-bookings")).content.decode()
        assert "Your right to book rooms and machines is paused until" in mine
        desk = Client()
        desk.cookies["django_language"] = "en"
        desk.login(email=staff.email, password=PASSWORD)
        page = desk.get(reverse("rooms:pauses")).content.decode()
        assert citizen.name in page and "after 3 no-shows" in page
        desk.post(reverse("rooms:pause-lift", args=[pause.pk]), {"reason": "Fejl i systemet"})
    pause.refresh_from_db()
    assert pause.lifted_by == staff and pause.lift_reason == "Fejl i systemet"


def test_the_door_page_checks_the_booker_in_and_the_sign_carries_its_qr_code(
    room, citizen, staff
) -> None:  # noqa: ANN001
    day = future_day(3)
    booking = _book(room, citizen, day)
    door = reverse("rooms:door-check-in", args=[room.pk])
    desk = Client()
    desk.cookies["django_language"] = "en"
    desk.login(email=staff.email, password=PASSWORD)
    sign = desk.get(reverse("rooms:door-sign", args=[room.pk])).content.decode()
    assert "<svg" in sign and door in sign
    stranger = make_user(role=Role.STAFF, name="Anden filial")
    other_desk = Client()
    other_desk.cookies["django_language"] = "en"
    other_desk.login(email=stranger.email, password=PASSWORD)
    assert other_desk.get(reverse("rooms:door-sign", args=[room.pk])).status_code == 404
    browser = Client()
    browser.cookies["django_language"] = "en"
    browser.login(email=citizen.email, password=PASSWORD)
    with time_machine.travel(at(day, 9, 55), tick=False), translation.override("en"):
        page = browser.get(door).content.decode()
        assert "Check in" in page
        browser.post(door, {"booking": booking.pk})
        assert "Checked in at" in browser.get(door).content.decode()
    booking.refresh_from_db()
    assert booking.checked_in_at is not None
    with time_machine.travel(at(day, 10, 20), tick=False):
        assert services.unclaimed_release() == 0
