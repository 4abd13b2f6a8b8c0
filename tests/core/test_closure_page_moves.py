"""The closure page (issue #13, point 3): staff move an event instead of cancelling it,
keeping its registrations; a move that cannot be made changes nothing; and the preview says
which items apply leaves alone because they are already over."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from core.models import Closure
from events.models import Event, EventState, Registration
from notifications.models import Delivery
from rooms.models import Booking, BookingStatus
from tests.core import test_closure_apply as base
from tests.core.test_closure_apply import Scene, statuses
from tests.events.factories import make_person
from tests.rooms.factories import at, make_booking

pytestmark = pytest.mark.django_db

URL = "/personale/bibliotek/jyllinge/lukninger/ny/"

# The same scene as the API's tests (tests/core/test_closure_apply.py).
scene = base.scene
_language_restored = base._language_restored


def _client(scene: Scene) -> Client:
    client = Client()
    client.force_login(scene.staff)
    client.cookies["django_language"] = "en"
    return client


def _form(scene: Scene) -> dict[str, str]:
    day = scene.day.isoformat()
    return {"starts_on": day, "ends_on": day, "from_time": "12:00", "reason": "Vandskade"}


def _move(scene: Scene) -> dict[str, str]:
    prefix = f"move_{scene.event.pk}_"
    return {
        prefix + "date": (scene.day + timedelta(days=1)).isoformat(),
        prefix + "start": "14:00",
        prefix + "end": "16:00",
        prefix + "room": str(scene.roskilde_room.pk),
    }


def test_staff_move_the_event_to_another_branch_from_the_closure_page(scene: Scene) -> None:
    client = _client(scene)
    preview = client.post(URL, _form(scene))
    page = preview.content.decode()
    assert "Move an event instead of cancelling it" in page
    assert f'name="move_{scene.event.pk}_date"' in page
    assert "Roskilde Bibliotek: Sal" in page  # the rooms of every branch the staff member runs

    done = client.post(
        URL, {**_form(scene), **_move(scene), "confirm": preview.context["confirm"], "apply": "1"}
    )

    assert done.status_code == 302
    event = Event.objects.get(pk=scene.event.pk)
    assert event.state == EventState.PUBLISHED
    assert (event.branch, event.room) == (scene.roskilde, scene.roskilde_room)
    assert event.start == at(scene.day + timedelta(days=1), 14)
    assert Registration.objects.filter(event=event).count() == 3  # kept, waiting list too
    for person in scene.people:
        assert Delivery.objects.filter(recipient=person).count() == 1
        assert Delivery.objects.filter(recipient=person, kind="event.changed").count() == 1
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in scene.bookings])} == {
        BookingStatus.CANCELLED
    }
    messages = [str(m) for m in client.get("/personale/").context["messages"]]
    assert "1 event was moved, keeping its registrations." in messages


def test_a_move_onto_a_taken_room_changes_nothing_and_says_why(scene: Scene) -> None:
    next_day = scene.day + timedelta(days=1)
    make_booking(
        room=scene.roskilde_room, booker=make_person(), start=at(next_day, 13), end=at(next_day, 17)
    )
    client = _client(scene)
    preview = client.post(URL, _form(scene))
    before = statuses(scene)

    refused = client.post(
        URL, {**_form(scene), **_move(scene), "confirm": preview.context["confirm"], "apply": "1"}
    )

    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    assert statuses(scene) == before
    # What was typed stays in the form, to change and try again.
    assert 'value="14:00"' in refused.content.decode()


def test_an_unreadable_move_is_a_form_error_not_a_500(scene: Scene) -> None:
    client = _client(scene)
    preview = client.post(URL, _form(scene))
    before = statuses(scene)
    bad = {**_move(scene), f"move_{scene.event.pk}_start": "25:99"}
    refused = client.post(
        URL, {**_form(scene), **bad, "confirm": preview.context["confirm"], "apply": "1"}
    )
    assert refused.status_code == 200
    assert "valid date and times" in refused.content.decode()
    assert statuses(scene) == before


def test_the_preview_marks_what_is_over_and_apply_leaves_exactly_that_alone(scene: Scene) -> None:
    over, coming = scene.bookings  # 13-14 and 15-16 on the closure's day
    with time_machine.travel(at(scene.day, 14, 30), tick=False):
        client = _client(scene)
        preview = client.post(URL, _form(scene))
        items = [i for _b, groups in preview.context["preview"] for g in groups for i in g.items]
        ended = {(i["kind"], i["id"]) for i in items if i["ended"]}
        assert ended == {("room_booking", over.pk)}
        assert "already over: left alone" in preview.content.decode()

        client.post(URL, {**_form(scene), "confirm": preview.context["confirm"], "apply": "1"})

    assert Closure.objects.count() == 1
    over.refresh_from_db()
    coming.refresh_from_db()
    assert over.status == BookingStatus.CONFIRMED
    assert coming.status == BookingStatus.CANCELLED
    # Everything else the preview listed as not over was changed.
    for kind, pk in {(i["kind"], i["id"]) for i in items if not i["ended"]}:
        if kind == "event":
            assert Event.objects.get(pk=pk).state == EventState.CANCELLED
        if kind == "room_booking":
            assert Booking.objects.get(pk=pk).status == BookingStatus.CANCELLED
