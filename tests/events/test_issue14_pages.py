"""The pages of issue 14 (points 1, 3 and 6): a move to a smaller room on the edit page, the
tentative hold of a draft, and "tell me when it opens" on the event page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from events.models import OpeningReminder, Registration, RegistrationStatus
from rooms.models import BookingKind, Room
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def _edit_data(client: Client, event: Any, **changes: Any) -> dict[str, Any]:
    form = client.get(f"/personale/arrangementer/{event.pk}/ret/").context["form"].initial
    data = {
        **{
            k: v
            for k, v in form.items()
            if v not in (None, False) and k not in ("tracks", "published", "registration_opens_at")
        },
        "tracks": [t.pk for t in form["tracks"]],
        "published": "on",
    }
    data.update(changes)
    return data


def test_moving_to_a_smaller_room_shows_the_count_then_moves_the_last_registered() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    big = Room.objects.create(branch=branch, name="Store sal", capacity=30)
    tiny = Room.objects.create(branch=branch, name="Grupperum", capacity=1)
    event = make_event(branch=branch, room=big, place_kind="room", capacity=5)
    first = make_registration(event=event, created_at=timezone.now() - timedelta(hours=2))
    last = make_registration(event=event)
    client = client_as(staff)

    shown = client.post(
        f"/personale/arrangementer/{event.pk}/ret/", _edit_data(client, event, room=tiny.pk)
    )
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Grupperum holds 1 people, but 2 seats are confirmed" in text
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2

    saved = client.post(
        f"/personale/arrangementer/{event.pk}/ret/",
        _edit_data(client, event, room=tiny.pk, waitlist_overflow="on"),
    )
    assert saved.status_code == 302
    first.refresh_from_db()
    last.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED
    assert (last.status, last.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)


def test_staff_hold_a_drafts_room_from_its_page() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    room = Room.objects.create(branch=branch, name="Salen", capacity=30)
    draft = make_event(branch=branch, room=room, place_kind="room", state="draft")
    client = client_as(staff)

    before = client.get(f"/arrangementer/{draft.pk}/").content.decode()
    response = client.post(f"/personale/arrangementer/{draft.pk}/hold-lokale/")
    after = client.get(f"/arrangementer/{draft.pk}/").content.decode()

    assert "A draft does not keep its room" in before
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.room_booking.kind == BookingKind.HOLD
    assert "Salen is held for this draft until" in after


def test_tell_me_when_it_opens_on_the_event_page() -> None:
    opens = timezone.now() + timedelta(days=2)
    event = make_event(registration_opens_at=opens)
    person = make_person()
    client = client_as(person)

    page = client.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "Registration opens" in page
    assert "Tell me when it opens" in page

    response = client.post(f"/arrangementer/{event.pk}/sig-til-naar-tilmelding-aabner/")
    assert response.status_code == 302
    assert OpeningReminder.objects.filter(event=event, user=person).exists()
    again = client.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "We will send you one e-mail when registration opens." in again
    assert "Tell me when it opens" not in again
