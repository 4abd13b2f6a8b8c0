"""``POST /api/bookings/`` (one booking, and a weekly series): the statements of the write are
listed one by one, so a statement more fails the test (issue #16). Real transactions
(``transaction=True``): BEGIN and COMMIT are the ones a request sends; the dispatcher's kick
after the commit is counted apart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import services as core_services
from rooms.models import Booking, BookingStatus
from tests.factories import make_user
from tests.rooms.factories import at, future_day, future_series_day, make_room
from tests.statements import statement_labels

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"


def _book(body: dict[str, Any]) -> tuple[Any, list[str]]:
    key = core_services.api_token_create(user=make_user(), name="test")
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/bookings/", body, format="json", HTTP_AUTHORIZATION=f"Token {key}"
        )
    return response, statement_labels(queries.captured_queries)


def _body(room: Any, day: Any, **extra: Any) -> dict[str, Any]:
    return {
        "room": room.pk,
        "start": at(day, 10).isoformat(),
        "end": at(day, 11).isoformat(),
        "purpose": "Øvning",
        "attendees": 3,
        **extra,
    }


# What one date costs under the room's lock: the rules a person understands, then the clash.
PER_DATE = [
    "SELECT core_closure",  # the branch's closures that day ...
    "SELECT core_closure",  # ... the same query once more (a statement that could go)
    "SELECT core_openinghours",  # within the opening hours
    "SELECT rooms_booking",  # the bookings the limits count
    "SELECT rooms_booking",  # a clash with another booking
]
# What each booking written costs.
PER_BOOKING = ["SAVEPOINT", "INSERT rooms_booking", "RELEASE"]


def _expected(dates: int) -> list[str]:
    return [
        # the token, with its person (fresh: no renewal write)
        "EXECUTE modested_api_token" if POSTGRES else "SELECT core_apitoken",
        "SELECT rooms_room",  # the room given in the body (the serializer)
        "BEGIN",
        "SELECT rooms_room FOR UPDATE" if POSTGRES else "SELECT rooms_room",  # the lock
        "SELECT core_branch",
        *PER_DATE * dates,
        "SELECT rooms_bookingpause",  # the person is not paused from booking
        *PER_BOOKING * dates,
        *["INSERT core_auditlog"] * dates,
        "INSERT notifications_delivery",  # one message for the booking (or the series)
        "COMMIT",
    ]


def test_one_booking_is_these_statements(kicks: list[int]) -> None:
    room = make_room(name="Musikrum")
    response, statements = _book(_body(room, future_day(4)))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == BookingStatus.CONFIRMED
    assert statements == _expected(1)
    assert kicks == [1]


@pytest.mark.parametrize("weeks", [1, 3])
def test_a_weekly_series_costs_the_same_for_each_date(kicks: list[int], weeks: int) -> None:
    room = make_room(name="Musikrum")
    day = future_series_day(4, weeks=weeks)
    until = (day + timedelta(weeks=weeks)).isoformat()
    response, statements = _book(_body(room, day, repeat={"every_weeks": 1, "until": until}))
    assert response.status_code == 201, response.content
    assert Booking.objects.filter(room=room).count() == weeks + 1
    assert statements == _expected(weeks + 1)
    assert kicks == [1]
