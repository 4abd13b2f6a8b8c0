from __future__ import annotations

import pytest

from core.models import Closure
from rooms import selectors
from tests.factories import make_branch
from tests.rooms.factories import at, future_day, make_booking, make_room

pytestmark = pytest.mark.django_db


def test_availability_free_and_busy_respect_buffers_and_hours() -> None:
    room = make_room(buffer_minutes=15)
    day = future_day(3)
    make_booking(room=room, start=at(day, 10), end=at(day, 11))
    make_booking(room=room, start=at(day, 14), end=at(day, 15), status="pending")
    make_booking(room=room, start=at(day, 16), end=at(day, 17), status="cancelled")
    availability = selectors.room_availability(room=room, day=day)
    assert availability.busy == [
        (at(day, 9, 45), at(day, 11, 15)),
        (at(day, 13, 45), at(day, 15, 15)),
    ]
    assert availability.free == [
        (at(day, 8), at(day, 9, 45)),
        (at(day, 11, 15), at(day, 13, 45)),
        (at(day, 15, 15), at(day, 22)),
    ]


def test_availability_on_a_closed_day_is_empty_with_the_reason() -> None:
    room = make_room()
    day = future_day(3)
    Closure.objects.create(branch=room.branch, starts_on=day, ends_on=day, reason="Personaledag")
    availability = selectors.room_availability(room=room, day=day)
    assert availability.free == [] and availability.closed_reason == "Personaledag"


def test_suggestions_are_the_nearest_free_times_of_the_same_length() -> None:
    room = make_room()
    day = future_day(3)
    make_booking(room=room, start=at(day, 10), end=at(day, 12))
    found = selectors.suggest_free_times(room=room, start=at(day, 10, 30), end=at(day, 11, 30))
    # both are 90 minutes from the wish
    assert set(found[:2]) == {(at(day, 9), at(day, 10)), (at(day, 12), at(day, 13))}


@pytest.mark.parametrize("size", [1, 4])
def test_week_grid_query_count(django_assert_num_queries, size) -> None:
    branch = make_branch()
    day = future_day(3)
    for i in range(size):
        room = make_room(branch=branch, name=f"Rum {i}")
        make_booking(room=room, start=at(day, 10), end=at(day, 11))
    monday = day - __import__("datetime").timedelta(days=day.weekday())
    with django_assert_num_queries(4):
        # 1: the rooms; 2: the week's live bookings; 3: the branch's closures;
        # 4: the branch's opening hours (to tell closed weekdays)
        grid = selectors.week_grid(branch=branch, monday=monday)
    assert sum(len(c["bookings"]) for r in grid["rows"] for c in r["cells"]) == size
