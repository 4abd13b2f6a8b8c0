"""Drafts hold nothing (issue 14, point 3): a draft event does not occupy its room; publishing
it over a booking is a 409 naming the booking. Staff may put a tentative hold on the room with
an expiry (48 hours by default), shown in the week grid and the room feed, released by itself
when it expires, and turned into the event's booking on publishing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation

from core.exceptions import BookingConflict
from core.models import AuditLog, Track
from events import services
from events.models import Event
from rooms import services as room_services
from rooms.models import Booking, BookingKind, BookingStatus
from rooms.tasks import release_expired_holds
from tests.events.factories import make_staff
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages checked here are read in English, for the whole test."""
    with translation.override("en"):
        yield


def _draft(staff: Any, room: Any, day: Any, **extra: Any) -> Event:
    return services.event_create(
        actor=staff,
        title="Forfatteraften",
        branch=room.branch,
        room=room,
        place_kind="room",
        start=at(day, 18),
        end=at(day, 20),
        tracks=[Track.objects.get(slug="hygge")],
        **extra,
    )


def _citizen_books(room: Any, day: Any) -> Booking:
    outcome = room_services.booking_request(
        actor=make_user(),
        room=room,
        start=at(day, 18),
        end=at(day, 19),
        purpose="Bestyrelsesmøde",
        attendees=4,
    )
    return outcome.first


def test_a_draft_holds_nothing_and_publishing_over_a_booking_is_a_409_naming_it() -> None:
    room = make_room(name="Salen")
    staff = make_staff(room.branch)
    day = future_day(5)
    draft = _draft(staff, room, day)
    assert draft.room_booking_id is None  # the draft occupies nothing

    _citizen_books(room, day)  # the citizen gets the room

    with translation.override("en"), pytest.raises(BookingConflict) as refused:
        services.event_update(actor=staff, event=draft, state="published")
    assert "Salen is taken at that time" in refused.value.message
    assert "another booking" in refused.value.message
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_publishing_a_draft_on_a_free_room_occupies_it_and_back_to_draft_frees_it() -> None:
    room = make_room()
    staff = make_staff(room.branch)
    day = future_day(5)
    draft = _draft(staff, room, day)

    services.event_update(actor=staff, event=draft, state="published")
    draft.refresh_from_db()
    booking = draft.room_booking
    assert (booking.kind, booking.status) == (BookingKind.EVENT, BookingStatus.CONFIRMED)

    services.event_update(actor=staff, event=draft, state="draft")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_the_api_publishing_over_a_booking_answers_409(client_for) -> None:
    room = make_room(name="Salen")
    staff = make_staff(room.branch)
    day = future_day(5)
    draft = _draft(staff, room, day)
    _citizen_books(room, day)

    response = client_for(staff).patch(
        f"/api/events/{draft.pk}/", {"state": "published"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "booking_conflict"
    assert "Salen" in response.json()["detail"]


def test_a_hold_keeps_the_room_until_it_expires_by_itself() -> None:
    room = make_room(name="Salen")
    staff = make_staff(room.branch)
    day = future_day(5)
    draft = _draft(staff, room, day)

    hold = services.event_hold_room(actor=staff, event=draft)

    assert hold.kind == BookingKind.HOLD
    assert (
        timedelta(hours=47, minutes=59)
        < hold.hold_expires_at - timezone.now()
        <= timedelta(hours=48)
    )
    with translation.override("en"), pytest.raises(BookingConflict) as refused:
        _citizen_books(room, day)
    assert "a tentative hold for “Forfatteraften”" in refused.value.message

    # Two days later the hold has run out: the room is free at once (query time) ...
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        booking = _citizen_books(room, day)
        assert booking.status == BookingStatus.CONFIRMED
    hold.refresh_from_db()
    assert hold.status == BookingStatus.CANCELLED
    assert AuditLog.objects.filter(action="booking.hold_expired", target_id=str(hold.pk)).exists()


def test_the_beat_task_releases_expired_holds_once() -> None:
    room = make_room()
    staff = make_staff(room.branch)
    draft = _draft(staff, room, future_day(5))
    hold = services.event_hold_room(actor=staff, event=draft, hours=2)

    assert release_expired_holds.apply().get() == 0  # the task beat runs, run here
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert room_services.holds_release_expired() == 1
        assert room_services.holds_release_expired() == 0
    hold.refresh_from_db()
    assert hold.status == BookingStatus.CANCELLED


def test_publishing_turns_the_hold_into_the_events_booking() -> None:
    room = make_room()
    staff = make_staff(room.branch)
    draft = _draft(staff, room, future_day(5))
    hold = services.event_hold_room(actor=staff, event=draft)

    services.event_update(actor=staff, event=draft, state="published")

    draft.refresh_from_db()
    assert draft.room_booking_id == hold.pk
    hold.refresh_from_db()
    assert (hold.kind, hold.status, hold.hold_expires_at) == (
        BookingKind.EVENT,
        BookingStatus.CONFIRMED,
        None,
    )


def test_publishing_after_the_hold_expired_books_the_room_anew_if_free() -> None:
    room = make_room()
    staff = make_staff(room.branch)
    day = future_day(5)
    draft = _draft(staff, room, day)
    hold = services.event_hold_room(actor=staff, event=draft, hours=1)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        services.event_update(actor=staff, event=draft, state="published")

    draft.refresh_from_db()
    assert draft.room_booking_id != hold.pk
    assert draft.room_booking.kind == BookingKind.EVENT
    hold.refresh_from_db()
    assert hold.status == BookingStatus.CANCELLED


def test_the_week_grid_and_the_room_feed_show_the_hold_as_tentative(client) -> None:
    room = make_room(name="Salen")
    staff = make_staff(room.branch)
    day = future_day(3)
    draft = _draft(staff, room, day)
    services.event_hold_room(actor=staff, event=draft)
    monday = day - timedelta(days=day.weekday())

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.get(f"/lokaler/uge/{room.branch.slug}/?uge={monday:%Y-%m-%d}")
        feed = client.get(f"/feeds/rooms/{room.pk}.ics").content.decode()

    assert "tentative hold" in page.content.decode()
    assert "Forfatteraften" in page.content.decode()
    assert "STATUS:TENTATIVE" in feed


def test_the_api_holds_the_room_of_a_draft(client_for) -> None:
    room = make_room()
    staff = make_staff(room.branch)
    draft = _draft(staff, room, future_day(5))
    api = client_for(staff)

    response = api.post(f"/api/events/{draft.pk}/hold/", {"hours": 24}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["room"] == room.pk
    detail = api.get(f"/api/events/{draft.pk}/").json()
    assert detail["room_hold"]["expires_at"] == response.json()["expires_at"]
    citizen = client_for(make_user())
    assert citizen.post(f"/api/events/{draft.pk}/hold/", {}, format="json").status_code in {
        403,
        404,
    }


def test_a_published_event_cannot_be_put_on_hold(client_for) -> None:
    branch = make_branch()
    room = make_room(branch=branch)
    staff = make_staff(branch)
    event = _draft(staff, room, future_day(5))
    services.event_update(actor=staff, event=event, state="published")

    response = client_for(staff).post(f"/api/events/{event.pk}/hold/", {}, format="json")

    assert response.status_code == 400


def test_staff_hold_a_room_through_the_rooms_api_and_give_it_back(client_for) -> None:
    room = make_room(name="Salen")
    staff = make_staff(room.branch)
    day = future_day(5)
    api = client_for(staff)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message, in English
    body = {
        "start": at(day, 18).isoformat(),
        "end": at(day, 20).isoformat(),
        "title": "Mulig koncert",
    }

    held = api.post(f"/api/rooms/{room.pk}/holds/", body, format="json")
    assert held.status_code == 201, held.content
    assert held.json()["title"] == "Mulig koncert"
    taken = api.post(f"/api/rooms/{room.pk}/holds/", body, format="json")
    assert taken.status_code == 409
    assert "a tentative hold for “Mulig koncert”" in taken.json()["detail"]
    citizen = client_for(make_user())
    assert citizen.post(f"/api/rooms/{room.pk}/holds/", body, format="json").status_code == 403

    released = api.post(f"/api/bookings/{held.json()['id']}/release-hold/")
    assert released.status_code == 200
    assert released.json()["status"] == "cancelled"
    _citizen_books(room, day)  # free again
