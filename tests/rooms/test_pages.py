"""The pages as a person uses them."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import Role
from rooms.models import Booking, BookingStatus, EquipmentBooking, EquipmentKind, Licence
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, make_booking, make_equipment, make_room

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def form_data(day, start="10:00", end="11:00", **extra):  # noqa: ANN001, ANN201
    data = {
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "purpose": "Møde",
        "attendees": "3",
    }
    data.update(extra)
    return data


def test_room_list_shows_rules_in_plain_words(client) -> None:
    branch = make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    make_room(branch=branch, name="Mødelokale", buffer_minutes=15, requires_approval=True)
    response = client.get("/lokaler/?bibliotek=jyllinge")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Mødelokale" in text and "Jyllinge Bibliotek" in text
    assert "15 minutter" in text or "15 minutes" in text


def test_booking_form_books_and_my_bookings_lists_it() -> None:
    room = make_room(name="Musikrum")
    person = make_user()
    client = logged_in(person)
    day = future_day(4)
    response = client.post(f"/lokaler/{room.pk}/", form_data(day))
    assert response.status_code == 302
    booking = Booking.objects.get(booker=person)
    assert booking.status == BookingStatus.CONFIRMED
    page = client.get("/lokaler/mine/").content.decode()
    assert "Musikrum" in page
    # and on my page
    assert "Musikrum" in client.get("/min-side/").content.decode()


def test_taken_time_shows_error_beside_field_and_free_times_nearby() -> None:
    room = make_room()
    day = future_day(4)
    make_booking(room=room, start=at(day, 10), end=at(day, 11))
    response = logged_in(make_user()).post(f"/lokaler/{room.pk}/", form_data(day))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="errorlist"' in text
    assert "start_time=11:00" in text  # a nearby free time offered as a link
    assert Booking.objects.count() == 1


def test_rule_error_appears_beside_the_field() -> None:
    room = make_room(capacity=4)
    response = logged_in(make_user()).post(
        f"/lokaler/{room.pk}/", form_data(future_day(4), attendees="9")
    )
    form = response.context["form"]
    assert form.errors.get("attendees")


def test_dst_gap_time_is_refused_on_the_form() -> None:
    room = make_room(max_days_ahead=400)
    response = logged_in(make_user()).post(
        f"/lokaler/{room.pk}/",
        {
            **form_data(future_day(4)),
            "day": "2027-03-28",
            "start_time": "02:00",
            "end_time": "03:30",
        },
    )
    assert response.context["form"].errors.get("start_time")
    assert not Booking.objects.exists()


def test_cancel_from_my_bookings() -> None:
    room = make_room()
    person = make_user()
    day = future_day(4)
    booking = make_booking(room=room, start=at(day, 10), end=at(day, 11), booker=person)
    other = logged_in(make_user())
    assert other.post(f"/lokaler/booking/{booking.pk}/aflys/").status_code == 404
    response = logged_in(person).post(f"/lokaler/booking/{booking.pk}/aflys/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_week_grid_shows_rooms_and_taken_times(client) -> None:
    branch = make_branch(slug="viby")
    room = make_room(branch=branch, name="Fælleskøkken")
    day = future_day(2)
    make_booking(room=room, start=at(day, 10), end=at(day, 12))
    text = client.get(f"/lokaler/uge/viby/?uge={day.isoformat()}").content.decode()
    assert "Fælleskøkken" in text and "10.00–12.00" in text
    assert client.get("/lokaler/uge/nowhere/").status_code == 404


def test_approval_queue_only_for_staff_of_the_branch(staff, branch) -> None:
    room = make_room(branch=branch, requires_approval=True)
    day = future_day(4)
    booking = make_booking(
        room=room, start=at(day, 10), end=at(day, 11), booker=make_user(), status="pending"
    )
    assert logged_in(make_user()).get(f"/lokaler/godkendelse/{branch.slug}/").status_code == 404
    other_staff = make_user(role=Role.STAFF, branches=[make_branch()])
    assert logged_in(other_staff).get(f"/lokaler/godkendelse/{branch.slug}/").status_code == 404
    assert logged_in(other_staff).post(f"/lokaler/booking/{booking.pk}/godkend/").status_code == 404
    client = logged_in(staff)
    assert "Mødelokale 1" in client.get(f"/lokaler/godkendelse/{branch.slug}/").content.decode()
    client.post(f"/lokaler/booking/{booking.pk}/godkend/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_makerspace_page_shows_machines_licences_and_books_a_slot(branch) -> None:
    machine = make_equipment(
        branch=branch, name="Laserskærer", kind=EquipmentKind.LASER_CUTTER, slot_minutes=60
    )
    maker = make_user()
    Licence.objects.create(person=maker, equipment_kind=EquipmentKind.LASER_CUTTER)
    client = logged_in(maker)
    day = future_day(3)
    text = client.get(f"/makerspace/?dato={day.isoformat()}").content.decode()
    assert "Laserskærer" in text and "10.00–11.00" in text
    assert "Laserskærer" in text and "Laser" in text
    response = client.post(
        "/makerspace/book/", {"equipment": machine.pk, "start": at(day, 10).isoformat()}
    )
    assert response.status_code == 302
    assert EquipmentBooking.objects.filter(booker=maker, equipment=machine).count() == 1


def test_staff_give_a_licence_on_the_makerspace_page(staff, branch) -> None:
    make_equipment(branch=branch, kind="vinyl_cutter")  # a branch of theirs has the machine
    maker = make_user(email="maker@example.org")
    client = logged_in(staff)
    assert "grant-email" in client.get("/makerspace/").content.decode()
    client.post(
        "/makerspace/koerekort/", {"email": "MAKER@example.org", "equipment_kind": "vinyl_cutter"}
    )
    licence = Licence.objects.get(person=maker)
    assert licence.equipment_kind == "vinyl_cutter" and licence.granted_by == staff
    # citizens cannot
    assert (
        logged_in(maker)
        .post("/makerspace/koerekort/", {"email": staff.email, "equipment_kind": "vinyl_cutter"})
        .status_code
        == 404
    )
    assert "grant-email" not in logged_in(maker).get("/makerspace/").content.decode()
