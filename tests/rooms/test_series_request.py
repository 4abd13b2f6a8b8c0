"""A weekly room series is one request: said before it is sent, one message listing its
dates, one row in the queue, one approval (issue #15, point 3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from core.models import Branch, Role, User
from notifications.models import Delivery
from notifications.services import dispatch_due
from rooms.models import BookableBy, Booking, BookingStatus, Room
from tests.factories import make_branch, make_user
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db
SEVEN_TUESDAYS = [date(2027, 3, 2) + timedelta(weeks=n) for n in range(7)]  # to 13 April


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask_for_seven_tuesdays(booker: User, room: Room) -> None:
    response = _client(booker).post(
        f"/lokaler/{room.pk}/",
        {
            "day": "2027-03-02",
            "start_time": "18:00",
            "end_time": "20:00",
            "purpose": "Korprøve",
            "attendees": 8,
            "every_weeks": 1,
            "until": "2027-04-13",
        },
    )
    assert response.status_code == 302


@time_machine.travel("2027-02-20 12:00 +01:00", tick=False)
def test_the_room_page_says_a_series_waits_for_approval_before_it_is_sent() -> None:
    room = make_room(branch=make_branch(name="Gadstrup"), requires_approval=False)
    with translation.override("en"):
        person = make_user(password=None, language="en")
        html = _client(person).get(f"/lokaler/{room.pk}/").content.decode()
    assert "Single bookings are confirmed at once. A weekly series needs staff approval" in html
    assert "staff approve or reject it as a whole" in html


@time_machine.travel("2027-02-20 12:00 +01:00", tick=False)
def test_a_series_is_one_request_one_message_one_approval() -> None:
    branch = make_branch(name="Gadstrup", slug="gadstrup")
    room = make_room(branch=branch, name="Mødelokale", requires_approval=False, max_days_ahead=90)
    booker = make_user(password=None, name="Kirsten Kor")
    staff = make_user(role=Role.STAFF, branches=[branch], password=None, language="en")
    mail.outbox = []

    _ask_for_seven_tuesdays(booker, room)

    bookings = list(Booking.objects.order_by("start"))
    assert [b.start.date() for b in bookings] == SEVEN_TUESDAYS
    assert {b.status for b in bookings} == {BookingStatus.PENDING}
    assert Delivery.objects.filter(kind="booking.requested").count() == 1
    dispatch_due()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    for day in SEVEN_TUESDAYS:
        assert f"{day:%d.%m.%Y} 18.00–20.00" in body

    # The queue shows the series once, and staff approve it as a whole.
    queue = _client(staff).get("/lokaler/godkendelse/gadstrup/").content.decode()
    assert queue.count("Approve the whole series") == 1
    assert "series: 7 dates" in queue
    response = _client(staff).post(
        f"/lokaler/booking/{bookings[0].pk}/godkend/", {"whole_series": "1"}
    )
    assert response.status_code == 302
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert Delivery.objects.filter(kind="booking.confirmed").count() == 1
    mail.outbox = []
    dispatch_due()
    assert len(mail.outbox) == 1
    assert all(f"{day:%d.%m.%Y}" in mail.outbox[0].body for day in SEVEN_TUESDAYS)
    mail.outbox = []


@time_machine.travel("2027-02-20 12:00 +01:00", tick=False)
def test_a_series_rejected_as_a_whole_is_one_message() -> None:
    branch = make_branch(name="Gadstrup", slug="gadstrup")
    room = make_room(branch=branch, requires_approval=True, max_days_ahead=90)
    staff = make_user(role=Role.STAFF, branches=[branch], password=None)
    _ask_for_seven_tuesdays(make_user(password=None), room)
    first = Booking.objects.order_by("start").first()
    assert first is not None
    _client(staff).post(
        f"/lokaler/booking/{first.pk}/afvis/", {"whole_series": "1", "reason": "Salen males"}
    )
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.REJECTED}
    assert Delivery.objects.filter(kind="booking.rejected").count() == 1
    mail.outbox = []


def test_the_demo_has_staff_for_every_branch_whose_rooms_people_book(tmp_path) -> None:
    call_command("load_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    bookable = Branch.objects.filter(rooms__isnull=False).exclude(
        rooms__bookable_by=BookableBy.STAFF, rooms__requires_approval=False
    )
    for branch in bookable.distinct():
        if not branch.rooms.exclude(bookable_by=BookableBy.STAFF).exists():
            continue
        staff = User.objects.filter(role=Role.STAFF, branches=branch)
        assert staff.exists(), f"nobody can approve a room series at {branch.name}"
