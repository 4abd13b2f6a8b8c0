"""Closing a branch at short notice in one action (issue #13, deliverable 3): the preview
changes nothing; applying cancels exactly what it lists and tells everyone once; the same
closure again changes nothing more; a move keeps an event's registrations; a move onto a
taken room is a 409 with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from core.contracts import AuditAction
from core.models import AuditLog, Branch, Closure, User
from events.models import Event, EventState, Registration, RegistrationStatus
from notifications.models import Delivery
from rooms.models import Booking, BookingStatus, EquipmentBooking, EquipmentBookingStatus, Room
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch
from tests.rooms.factories import at, future_day, make_booking, make_equipment, make_room
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer
from volunteers.models import Shift

pytestmark = pytest.mark.django_db

PREVIEW = "/api/closures/preview/"
APPLY = "/api/closures/"


@dataclass
class Scene:
    day: date
    jyllinge: Branch
    roskilde: Branch
    staff: User
    room: Room
    roskilde_room: Room
    bookings: list[Booking]
    morning: Booking
    slot: EquipmentBooking
    event: Event
    shift: Shift
    people: list[User]

    def body(self, **extra: Any) -> dict[str, Any]:
        return {
            "branch": "jyllinge",
            "start": at(self.day, 12).isoformat(),
            "end": at(self.day + timedelta(days=1), 0).isoformat(),
            "reason": "Vandskade",
            **extra,
        }


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A page request activates its language in this thread; later tests expect Danish."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def scene() -> Scene:
    day = future_day(9)
    jyllinge = make_branch(name="Jyllinge Bibliotek", slug="jyllinge")
    roskilde = make_branch(name="Roskilde Bibliotek", slug="roskilde")
    staff = make_staff(jyllinge)
    staff.branches.add(roskilde)
    room = make_room(branch=jyllinge, name="Mødelokale")
    bookings = [
        make_booking(room=room, booker=make_person(), start=at(day, 13), end=at(day, 14)),
        make_booking(room=room, booker=make_person(), start=at(day, 15), end=at(day, 16)),
    ]
    morning = make_booking(room=room, booker=make_person(), start=at(day, 9), end=at(day, 10))
    machine = make_equipment(branch=jyllinge)
    slot = EquipmentBooking.objects.create(
        equipment=machine,
        booker=make_person(),
        start=at(day, 17),
        end=at(day, 18),
        status=EquipmentBookingStatus.CONFIRMED,
    )
    event = make_event(branch=jyllinge, start=at(day, 18), title="Forfatteraften")
    people = [make_person() for _ in range(3)]
    for person in people[:2]:
        make_registration(event=event, user=person)
    make_registration(
        event=event,
        user=people[2],
        status=RegistrationStatus.WAITLISTED,
        waitlist_position=1,
    )
    shift = make_shift(activity=make_activity(branch=jyllinge), start=at(day, 14))
    make_signup(shift=shift, volunteer=make_volunteer())
    return Scene(
        day, jyllinge, roskilde, staff, room, make_room(branch=roskilde, name="Sal"),
        bookings, morning, slot, event, shift, people,
    )  # fmt: skip


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def statuses(scene: Scene) -> list[Any]:
    return [
        [b.status for b in Booking.objects.order_by("pk")],
        [e.status for e in EquipmentBooking.objects.order_by("pk")],
        [(e.state, e.start, e.branch_id) for e in Event.objects.order_by("pk")],
        [s.cancelled_at for s in Shift.objects.order_by("pk")],
        [r.status for r in Registration.objects.order_by("pk")],
        Closure.objects.count(),
        Delivery.objects.count(),
        AuditLog.objects.count(),
    ]


def test_the_preview_lists_what_the_closure_touches_and_changes_nothing(scene: Scene) -> None:
    before = statuses(scene)

    response = client_of(scene.staff).post(PREVIEW, scene.body(), format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "room_bookings": [b.pk for b in scene.bookings],
        "equipment_bookings": [scene.slot.pk],
        "events": [{"id": scene.event.pk, "registrations": 2, "waitlisted": 1}],
        "shifts": [scene.shift.pk],
    }
    assert statuses(scene) == before


def test_applying_cancels_exactly_the_preview_and_tells_everyone_once(scene: Scene) -> None:
    client = client_of(scene.staff)
    preview = client.post(PREVIEW, scene.body(), format="json").json()

    response = client.post(APPLY, scene.body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cancelled"] == {
        "room_bookings": preview["room_bookings"],
        "equipment_bookings": preview["equipment_bookings"],
        "events": [e["id"] for e in preview["events"]],
        "shifts": preview["shifts"],
    }
    assert body["moved"] == []
    closure = Closure.objects.get(pk=body["id"])
    assert closure.branch == scene.jyllinge and closure.reason == "Vandskade"
    for booking in scene.bookings:
        booking.refresh_from_db()
        assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Vandskade")
    scene.morning.refresh_from_db()
    assert scene.morning.status == BookingStatus.CONFIRMED  # before the closure: kept
    scene.event.refresh_from_db()
    assert scene.event.state == EventState.CANCELLED
    assert scene.event.cancel_reason == "Vandskade"
    for person in scene.people:
        assert Delivery.objects.filter(kind="event.cancelled", recipient=person).count() == 1
    scene.shift.refresh_from_db()
    assert scene.shift.cancelled_at is not None
    scene.slot.refresh_from_db()
    assert scene.slot.status == EquipmentBookingStatus.CANCELLED
    assert AuditLog.objects.filter(action=AuditAction.CLOSURE_ADDED).count() == 1
    assert AuditLog.objects.filter(action=AuditAction.CLOSURE_APPLIED).count() == 1

    before = statuses(scene)
    again = client.post(APPLY, scene.body(), format="json")

    assert again.status_code == 200, again.content
    assert again.json()["id"] == closure.pk
    assert again.json()["cancelled"] == {
        "room_bookings": [],
        "equipment_bookings": [],
        "events": [],
        "shifts": [],
    }
    assert statuses(scene) == before


def test_a_moved_event_keeps_its_registrations(scene: Scene) -> None:
    next_day = scene.day + timedelta(days=1)
    move = {
        "event": scene.event.pk,
        "start": at(next_day, 14).isoformat(),
        "end": at(next_day, 16).isoformat(),
        "room": scene.roskilde_room.pk,
    }
    client = client_of(scene.staff)

    response = client.post(APPLY, scene.body(moves=[move]), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["moved"] == [scene.event.pk]
    assert response.json()["cancelled"]["events"] == []
    scene.event.refresh_from_db()
    assert scene.event.state == EventState.PUBLISHED
    assert (scene.event.branch, scene.event.room) == (scene.roskilde, scene.roskilde_room)
    assert scene.event.start == at(next_day, 14)
    regs = Registration.objects.filter(event=scene.event)
    assert sorted(r.status for r in regs) == ["confirmed", "confirmed", "waitlisted"]
    assert not Delivery.objects.filter(kind="event.cancelled").exists()

    before = statuses(scene)
    again = client.post(APPLY, scene.body(moves=[move]), format="json")
    assert again.status_code == 200, again.content
    assert again.json()["moved"] == []
    assert statuses(scene) == before


def test_a_move_onto_a_taken_room_is_a_409_and_nothing_changes(scene: Scene) -> None:
    next_day = scene.day + timedelta(days=1)
    make_booking(
        room=scene.roskilde_room, booker=make_person(), start=at(next_day, 13), end=at(next_day, 17)
    )
    move = {
        "event": scene.event.pk,
        "start": at(next_day, 14).isoformat(),
        "end": at(next_day, 16).isoformat(),
        "room": scene.roskilde_room.pk,
    }
    before = statuses(scene)

    response = client_of(scene.staff).post(APPLY, scene.body(moves=[move]), format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "booking_conflict"
    assert statuses(scene) == before


def test_a_move_onto_the_closed_time_is_a_409_and_nothing_changes(scene: Scene) -> None:
    move = {
        "event": scene.event.pk,
        "start": at(scene.day, 20).isoformat(),
        "end": at(scene.day, 21).isoformat(),
    }
    before = statuses(scene)

    response = client_of(scene.staff).post(APPLY, scene.body(moves=[move]), format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "branch_closed"
    assert statuses(scene) == before


def test_staff_of_another_branch_and_citizens_cannot_close_it(scene: Scene) -> None:
    other = make_staff(make_branch(slug="viby"))
    before = statuses(scene)
    for url in (PREVIEW, APPLY):
        assert client_of(other).post(url, scene.body(), format="json").status_code == 404
        citizen = client_of(make_person())
        assert citizen.post(url, scene.body(), format="json").status_code == 403
    assert APIClient().post(APPLY, scene.body(), format="json").status_code in (401, 403)
    assert statuses(scene) == before


def test_the_closure_page_cancels_what_it_touches_on_confirmation(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.staff)
    client.cookies["django_language"] = "en"
    url = "/personale/bibliotek/jyllinge/lukninger/ny/"
    data = {
        "starts_on": scene.day.isoformat(),
        "ends_on": scene.day.isoformat(),
        "from_time": "12:00",
        "reason": "Vandskade",
    }
    preview = client.post(url, data)
    assert preview.status_code == 200
    assert "Cancel what it touches and tell everyone" in preview.content.decode()
    assert not Closure.objects.exists()

    saved = client.post(url, {**data, "confirm": preview.context["confirm"], "apply": "1"})

    assert saved.status_code == 302
    closure = Closure.objects.get()
    assert (closure.starts_on, closure.from_time, closure.until_time) == (scene.day, time(12), None)
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in scene.bookings])} == {
        BookingStatus.CANCELLED
    }
    scene.morning.refresh_from_db()
    assert scene.morning.status == BookingStatus.CONFIRMED
    assert Event.objects.get(pk=scene.event.pk).state == EventState.CANCELLED
    assert Shift.objects.get(pk=scene.shift.pk).cancelled_at is not None
    for person in scene.people:
        assert Delivery.objects.filter(kind="event.cancelled", recipient=person).count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"branch": "no-such-branch"},
        {"start": "2026-12-24T12:00:00"},  # naive: refused, not guessed
        {"end": "yesterday"},
        {"reason": "   "},
        {"moves": "all"},
        {"moves": [{"event": 999999, "start": "2030-01-01T10:00:00+01:00"}]},
    ],
)
def test_wrong_input_is_a_4xx_and_changes_nothing(scene: Scene, changes: dict[str, Any]) -> None:
    before = statuses(scene)
    response = client_of(scene.staff).post(APPLY, scene.body(**changes), format="json")
    assert 400 <= response.status_code < 500, response.content
    assert statuses(scene) == before


def test_a_closure_that_ends_before_it_starts_is_refused(scene: Scene) -> None:
    body = scene.body(start=at(scene.day, 14).isoformat(), end=at(scene.day, 12).isoformat())
    for url in (PREVIEW, APPLY):
        assert client_of(scene.staff).post(url, body, format="json").status_code == 400
    assert not Closure.objects.exists()
