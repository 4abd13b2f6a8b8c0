"""The same rules for everyone, and a trace where they are bent (issue 14, point 4): staff
book a room on a citizen's behalf through ``POST /api/bookings/`` under the citizen's rules."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.models import AuditLog, Role
from rooms.models import Booking
from tests.factories import PASSWORD, make_branch, make_user
from tests.rooms.factories import at, future_day, make_booking, make_room

pytestmark = pytest.mark.django_db


def _body(room, day, start=(10, 0), end=(11, 0), **extra):  # noqa: ANN001, ANN202
    return {
        "room": room.pk,
        "start": at(day, *start).isoformat(),
        "end": at(day, *end).isoformat(),
        "purpose": "Ansøgning om job",
        "attendees": 1,
        **extra,
    }


@pytest.fixture
def room(branch):  # noqa: ANN001, ANN201
    return make_room(branch=branch, max_per_day=1)


def test_a_broken_limit_without_a_reason_is_the_citizens_400(
    room, citizen, staff, client_for
) -> None:  # noqa: ANN001
    day = future_day(5)
    first = client_for(citizen).post("/api/bookings/", _body(room, day), format="json")
    assert first.status_code == 201
    as_citizen = client_for(citizen).post(
        "/api/bookings/", _body(room, day, (12, 0), (13, 0)), format="json"
    )
    on_behalf = client_for(staff).post(
        "/api/bookings/",
        _body(room, day, (12, 0), (13, 0), on_behalf_of=citizen.email),
        format="json",
    )
    assert as_citizen.status_code == on_behalf.status_code == 400
    assert as_citizen.json()["code"] == on_behalf.json()["code"] == "limit_per_day"
    assert as_citizen.json()["detail"] == on_behalf.json()["detail"]
    assert Booking.objects.filter(booker=citizen).count() == 1


def test_with_a_reason_the_rule_is_bent_logged_and_shown(room, citizen, staff, client_for) -> None:  # noqa: ANN001
    day = future_day(5)
    client_for(citizen).post("/api/bookings/", _body(room, day), format="json")
    response = client_for(staff).post(
        "/api/bookings/",
        _body(
            room,
            day,
            (12, 0),
            (13, 0),
            on_behalf_of=citizen.email.upper(),
            override_reason="Jobsamtale flyttet, ringede",
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["override"] == {
        "rule": "limit_per_day",
        "reason": "Jobsamtale flyttet, ringede",
        "by": staff.email,
    }
    booking = Booking.objects.get(pk=response.json()["id"])
    assert booking.booker == citizen and booking.booked_by_staff == staff
    assert booking.status == "confirmed"
    log = AuditLog.objects.get(action="rule.overridden", target_id=str(booking.pk))
    assert log.actor == staff
    assert log.data["rule"] == "limit_per_day" and log.data["reason"].startswith("Jobsamtale")


def test_outside_hours_needs_a_reason_on_behalf_too(citizen, client_for) -> None:  # noqa: ANN001
    from datetime import time

    branch = make_branch(open_all_week=(time(9), time(17)))
    desk = make_user(role=Role.STAFF, branches=[branch])
    room = make_room(branch=branch)
    day = future_day(5)
    late = _body(room, day, (18, 0), (19, 0), on_behalf_of=citizen.email)
    refused = client_for(desk).post("/api/bookings/", late, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "outside_hours"
    late["override_reason"] = "Foreningen har nøgle"
    bent = client_for(desk).post("/api/bookings/", late, format="json")
    assert bent.status_code == 201
    assert bent.json()["override"]["rule"] == "outside_hours"


def test_no_rule_broken_means_no_override_and_the_citizen_is_the_booker(
    room, citizen, staff, client_for
) -> None:  # noqa: ANN001
    response = client_for(staff).post(
        "/api/bookings/",
        _body(room, future_day(5), on_behalf_of=citizen.email, override_reason="unødvendig"),
        format="json",
    )
    assert response.status_code == 201
    assert "override" not in response.json()
    assert response.json()["booker_name"] == citizen.name
    assert not AuditLog.objects.filter(action="rule.overridden").exists()


def test_a_taken_room_is_never_bent(room, citizen, staff, client_for) -> None:  # noqa: ANN001
    day = future_day(5)
    make_booking(room=room, start=at(day, 10), end=at(day, 11))
    response = client_for(staff).post(
        "/api/bookings/",
        _body(room, day, on_behalf_of=citizen.email, override_reason="Vigtigt"),
        format="json",
    )
    assert response.status_code == 409


def test_only_staff_of_the_branch_book_on_behalf(room, citizen, client_for) -> None:  # noqa: ANN001
    neighbour = make_user(name="Nabo")
    elsewhere = make_user(role=Role.STAFF, branches=[make_branch()])
    for actor in (neighbour, elsewhere):
        response = client_for(actor).post(
            "/api/bookings/",
            _body(room, future_day(5), on_behalf_of=citizen.email, override_reason="x"),
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["code"] == "on_behalf_not_allowed"
    unknown = make_user(role=Role.STAFF, branches=[room.branch])
    response = client_for(unknown).post(
        "/api/bookings/",
        _body(room, future_day(5), on_behalf_of="ingen@example.org"),
        format="json",
    )
    assert response.status_code == 400
    assert not Booking.objects.exists()


def test_the_desk_page_books_on_behalf_and_shows_the_override_to_staff(
    room, citizen, staff
) -> None:  # noqa: ANN001
    day = future_day(5)
    desk = Client()
    desk.cookies["django_language"] = "en"
    desk.login(email=staff.email, password=PASSWORD)
    url = reverse("rooms:room-detail", args=[room.pk]) + f"?dato={day:%Y-%m-%d}"
    form = {
        "day": f"{day:%Y-%m-%d}",
        "start_time": "21:00",
        "end_time": "23:00",
        "purpose": "Lektiecafé",
        "attendees": "2",
        "on_behalf_of": citizen.email,
    }
    with translation.override("en"):
        page = desk.post(url, form).content.decode()
        assert "outside the hours" in page
        assert not Booking.objects.exists()
        form["override_reason"] = "Aftalt med vagten"
        desk.post(url, form)
        booking = Booking.objects.get()
        assert booking.booker == citizen and booking.override_rule == "outside_hours"
        queue = desk.get(reverse("rooms:week", args=[room.branch.slug]) + f"?uge={day:%Y-%m-%d}")
        assert "Aftalt med vagten" in queue.content.decode()
