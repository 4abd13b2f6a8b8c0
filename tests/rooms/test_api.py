"""The rooms API as a new user meets it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from core.models import PartnerKind, Role
from rooms.models import Booking, BookingStatus, EquipmentBooking, EquipmentKind, Licence
from tests.factories import make_branch, make_partner, make_user
from tests.rooms.factories import at, future_day, make_booking, make_equipment, make_room

pytestmark = pytest.mark.django_db


def post_booking(client, room, day, start=(10, 0), end=(11, 0), **extra):  # noqa: ANN001, ANN201
    body = {
        "room": room.pk,
        "start": at(day, *start).isoformat(),
        "end": at(day, *end).isoformat(),
        "purpose": "Bestyrelsesmøde",
        "attendees": 6,
    }
    body.update(extra)
    return client.post("/api/bookings/", body, format="json")


def test_rooms_list_by_branch_with_rules(api) -> None:
    branch = make_branch(slug="jyllinge")
    make_room(branch=branch, name="Mødelokale", capacity=20, amenities="projektor, whiteboard")
    make_room(name="Andet sted")
    response = api.get("/api/rooms/?branch=jyllinge")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["name"] for r in results] == ["Mødelokale"]
    room = results[0]
    assert room["amenities"] == ["projektor", "whiteboard"]
    assert room["rules"]["slot_minutes"] == 30 and "requires_approval" in room["rules"]
    detail = api.get(f"/api/rooms/{room['id']}/").json()
    assert detail["capacity"] == 20 and detail["rules"]["buffer_minutes"] == 0
    assert api.get("/api/rooms/999999/").status_code == 404


def test_availability_shape_and_buffers(api) -> None:
    room = make_room(buffer_minutes=30)
    day = future_day(3)
    make_booking(room=room, start=at(day, 12), end=at(day, 13))
    body = api.get(f"/api/rooms/{room.pk}/availability/?date={day.isoformat()}").json()
    assert body["room"] == room.pk and body["date"] == day.isoformat()
    assert body["busy"] == [
        {"start": at(day, 11, 30).isoformat(), "end": at(day, 13, 30).isoformat()}
    ]
    assert body["free"] == [
        {"start": at(day, 8).isoformat(), "end": at(day, 11, 30).isoformat()},
        {"start": at(day, 13, 30).isoformat(), "end": at(day, 22).isoformat()},
    ]
    assert "+01:00" in body["free"][0]["start"] or "+02:00" in body["free"][0]["start"]
    bad = api.get(f"/api/rooms/{room.pk}/availability/?date=tomorrow")
    assert bad.status_code == 400 and bad.json()["detail"]


def test_book_confirmed_then_conflict_names_the_clash(client_for) -> None:
    room = make_room(name="Musikrum")
    day = future_day(4)
    first = post_booking(client_for(make_user()), room, day)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "confirmed" and first.json()["id"]
    second = post_booking(client_for(make_user()), room, day, start=(10, 30), end=(11, 30))
    assert second.status_code == 409
    body = second.json()
    assert "Musikrum" in body["detail"] and "10.00–11.00" in body["detail"]
    assert body["code"] == "booking_conflict"
    # nearby free times are offered
    assert body["suggestions"] and body["suggestions"][0]["start"] == at(day, 11).isoformat()


def test_rule_broken_is_400_with_message(client_for) -> None:
    room = make_room(capacity=4, name="Studierum A")
    day = future_day(4)
    response = post_booking(client_for(make_user()), room, day, attendees=10)
    assert response.status_code == 400
    assert "4" in response.json()["detail"] and response.json()["field"] == "attendees"
    response = post_booking(
        client_for(make_user()), room, day, start=(10, 10), end=(11, 0), attendees=2
    )
    assert response.status_code == 400 and response.json()["field"] == "start"
    assert not Booking.objects.exists()


def test_anonymous_cannot_book(api) -> None:
    room = make_room()
    assert post_booking(api, room, future_day(2)).status_code in {401, 403}


def test_needs_approval_then_staff_approve(client_for, staff, branch) -> None:
    room = make_room(branch=branch, requires_approval=True)
    day = future_day(4)
    citizen = make_user()
    created = post_booking(client_for(citizen), room, day)
    assert created.json()["status"] == "pending"
    pk = created.json()["id"]
    # another citizen cannot see or approve it; other staff neither
    other = make_user()
    assert client_for(other).get(f"/api/bookings/{pk}/").status_code == 404
    assert client_for(other).post(f"/api/bookings/{pk}/cancel/").status_code == 404
    assert client_for(other).post(f"/api/bookings/{pk}/approve/").status_code == 403
    far_staff = make_user(role=Role.STAFF, branches=[make_branch()])
    assert client_for(far_staff).post(f"/api/bookings/{pk}/approve/").status_code == 404
    approved = client_for(staff).post(f"/api/bookings/{pk}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    assert approved.json()["sequence"] == 1


def test_reject_needs_a_reason(client_for, staff, branch) -> None:
    room = make_room(branch=branch, requires_approval=True)
    pk = post_booking(client_for(make_user()), room, future_day(4)).json()["id"]
    assert (
        client_for(staff).post(f"/api/bookings/{pk}/reject/", {}, format="json").status_code == 400
    )
    rejected = client_for(staff).post(
        f"/api/bookings/{pk}/reject/", {"reason": "Lokalet males"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Lokalet males"


def test_cancel_own_booking_and_the_slot_is_free_again(client_for) -> None:
    room = make_room()
    day = future_day(4)
    person = make_user()
    pk = post_booking(client_for(person), room, day).json()["id"]
    cancelled = client_for(person).post(f"/api/bookings/{pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert post_booking(client_for(make_user()), room, day).status_code == 201


def test_list_shows_own_bookings_and_staff_their_branches(client_for, staff, branch) -> None:
    mine = make_user()
    room = make_room(branch=branch)
    elsewhere = make_room()
    day = future_day(4)
    make_booking(room=room, start=at(day, 10), end=at(day, 11), booker=mine)
    make_booking(room=elsewhere, start=at(day, 10), end=at(day, 11), booker=make_user())
    make_booking(room=room, start=at(day, 12), end=at(day, 13), booker=make_user())
    assert client_for(mine).get("/api/bookings/").json()["count"] == 1
    assert client_for(staff).get("/api/bookings/").json()["count"] == 2


@pytest.mark.parametrize("size", [2, 7])
def test_booking_list_query_count_does_not_grow(
    client_for, django_assert_num_queries, size
) -> None:
    person = make_user()
    room = make_room()
    partner = make_partner()
    day = future_day(4)
    for i in range(size):
        make_booking(
            room=room, start=at(day, 8 + i), end=at(day, 9 + i), booker=person, partner=partner
        )
    client = client_for(person)
    with django_assert_num_queries(2):
        # 1: COUNT for the page; 2: the bookings joined with room, branch, partner and booker
        response = client.get("/api/bookings/")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [2, 6])
def test_room_list_query_count_does_not_grow(api, django_assert_num_queries, size) -> None:
    branch = make_branch()
    for i in range(size):
        make_room(branch=branch, name=f"Rum {i}")
    with django_assert_num_queries(2):
        # 1: COUNT for the page; 2: the rooms joined with their branch
        response = api.get("/api/rooms/")
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [1, 5])
def test_equipment_list_query_count_does_not_grow(api, django_assert_num_queries, size) -> None:
    branch = make_branch()
    for i in range(size):
        make_equipment(branch=branch, name=f"Maskine {i}")
    with django_assert_num_queries(2):
        # 1: COUNT for the page; 2: the machines joined with their branch
        response = api.get(f"/api/equipment/?branch={branch.slug}")
    assert response.json()["count"] == size


def test_series_with_partial_conflicts_then_take_the_free_dates(client_for) -> None:
    # fixed dates clear of holidays, so the test means the same whenever it runs
    with time_machine.travel(datetime(2028, 1, 10, 12, tzinfo=UTC), tick=False):
        _series_partial_conflicts(client_for)


def _series_partial_conflicts(client_for) -> None:  # noqa: ANN001
    room = make_room()
    day = date(2028, 2, 1)  # a Tuesday
    make_booking(
        room=room, start=at(day + timedelta(weeks=2), 17), end=at(day + timedelta(weeks=2), 18)
    )
    person = make_user()
    repeat = {"every_weeks": 1, "until": (day + timedelta(weeks=3)).isoformat()}
    refused = post_booking(client_for(person), room, day, (17, 0), (19, 0), repeat=repeat)
    assert refused.status_code == 409
    body = refused.json()
    assert [c["date"] for c in body["conflicts"]] == [(day + timedelta(weeks=2)).isoformat()]
    assert len(body["free"]) == 3
    assert not Booking.objects.filter(booker=person).exists()
    taken = post_booking(
        client_for(person), room, day, (17, 0), (19, 0), repeat=repeat, take_free=True
    )
    assert taken.status_code == 201
    body = taken.json()
    assert len(body["bookings"]) == 3 and len(body["skipped"]) == 1
    assert {b["status"] for b in body["bookings"]} == {"pending"}  # series need approval
    assert len({b["series_id"] for b in body["bookings"]}) == 1


def test_price_tier_follows_the_partner_kind(client_for) -> None:
    room = make_room(fee_dkk="150.00", rent_dkk="600.00")
    person = make_user()
    free = make_partner(kind=PartnerKind.VOLUNTARY_SOCIAL)
    fee = make_partner(kind=PartnerKind.ADULT_EDUCATION)
    for p in (free, fee):
        p.members.add(person)
    day = future_day(4)
    a = post_booking(client_for(person), room, day, (10, 0), (11, 0), partner=free.pk).json()
    b = post_booking(client_for(person), room, day, (12, 0), (13, 0), partner=fee.pk).json()
    c = post_booking(client_for(person), room, day, (14, 0), (15, 0)).json()
    assert (a["price_tier"], a["price_dkk"]) == ("free", "0.00")
    assert (b["price_tier"], b["price_dkk"]) == ("fee", "150.00")
    assert (c["price_tier"], c["price_dkk"]) == ("rent", "600.00")


def test_partner_must_be_ones_own(client_for) -> None:
    room = make_room()
    partner = make_partner()
    response = post_booking(client_for(make_user()), room, future_day(4), partner=partner.pk)
    assert response.status_code == 400 and response.json()["field"] == "partner"


def test_equipment_flow_licence_then_book_then_cancel(client_for, staff, branch) -> None:
    machine = make_equipment(branch=branch, kind=EquipmentKind.PRINTER_3D, slot_minutes=120)
    maker = make_user()
    day = future_day(3)
    body = {"equipment": machine.pk, "start": at(day, 10).isoformat()}
    refused = client_for(maker).post("/api/equipment-bookings/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "licence_required"
    # only staff grant licences
    assert (
        client_for(maker)
        .post("/api/licences/", {"person": maker.pk, "equipment_kind": "3d_printer"}, format="json")
        .status_code
        == 403
    )
    granted = client_for(staff).post(
        "/api/licences/", {"email": maker.email, "equipment_kind": "3d_printer"}, format="json"
    )
    assert granted.status_code == 201 and Licence.objects.filter(person=maker).exists()
    booked = client_for(maker).post("/api/equipment-bookings/", body, format="json")
    assert booked.status_code == 201, booked.content
    assert booked.json()["end"] == at(day, 12).isoformat()
    slots = client_for(maker).get(f"/api/equipment/{machine.pk}/availability/?date={day}").json()
    ten = next(s for s in slots["slots"] if s["start"] == at(day, 10).isoformat())
    assert ten["free"] is False and slots["equipment"] == machine.pk
    other = make_user()
    Licence.objects.create(person=other, equipment_kind="3d_printer")
    clash = client_for(other).post("/api/equipment-bookings/", body, format="json")
    assert clash.status_code == 409 and "10.00–12.00" in clash.json()["detail"]
    pk = booked.json()["id"]
    assert client_for(other).post(f"/api/equipment-bookings/{pk}/cancel/").status_code == 404
    cancelled = client_for(maker).post(f"/api/equipment-bookings/{pk}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    assert EquipmentBooking.objects.get(pk=pk).sequence == 1


def test_dst_gap_local_time_is_refused(client_for) -> None:
    room = make_room()
    response = client_for(make_user()).post(
        "/api/bookings/",
        {
            "room": room.pk,
            "start": "2027-03-28T02:00:00",
            "end": "2027-03-28T03:00:00",
            "purpose": "x",
            "attendees": 1,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "daylight" in response.json()["detail"] or "sommertid" in response.json()["detail"]
    assert BookingStatus  # noqa: B018


@pytest.mark.parametrize("size", [1, 4])
def test_equipment_booking_list_query_count_does_not_grow(
    client_for, django_assert_num_queries, size
) -> None:
    maker = make_user()
    day = future_day(3)
    for i in range(size):
        machine = make_equipment(name=f"Printer {i}")
        EquipmentBooking.objects.create(
            equipment=machine, booker=maker, start=at(day, 10), end=at(day, 12)
        )
    client = client_for(maker)
    with django_assert_num_queries(2):
        # 1: COUNT for the page; 2: the slots joined with machine, branch and booker
        response = client.get("/api/equipment-bookings/")
    assert response.json()["count"] == size


def test_availability_of_a_machine_lists_slots(api) -> None:
    machine = make_equipment(slot_minutes=120)
    day = future_day(3)
    body = api.get(f"/api/equipment/{machine.pk}/availability/?date={day.isoformat()}").json()
    starts = [slot["start"] for slot in body["slots"]]
    assert starts[:2] == [at(day, 8).isoformat(), at(day, 10).isoformat()]
    assert all(slot["free"] for slot in body["slots"]) and len(body["free"]) == 7
