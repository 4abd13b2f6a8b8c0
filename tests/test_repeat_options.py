"""Every repeat option the pages offer gives the dates an independent expansion gives.

The pages build a recurrence rule from a few fields (events, volunteer shifts, session
proposals) or repeat a room booking weekly; here each option is posted through its page and
the dates that come out are compared with ``dateutil.rrule`` given the rule a person means
("every month, same weekday" is ``BYDAY=+2WE`` for a second Wednesday). The series cross the
daylight-saving change of 28 March 2027, and every date must keep its local time of day.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
import time_machine
from dateutil import rrule as du
from django.test import Client

from core.models import Track
from core.recurrence import nth_weekday
from core.timeutils import local_tz
from events.models import Event
from rooms.models import Booking
from tests.events.factories import make_person, make_staff
from tests.factories import make_branch
from tests.rooms.factories import make_room
from tests.volunteers.factories import make_activity, make_volunteer
from volunteers.models import SessionProposal, Shift
from volunteers.services import proposal_approve

pytestmark = pytest.mark.django_db

# Wednesday 9 December 2026 is the second Wednesday of its month: the example.
DECEMBER_9 = datetime(2026, 12, 9, 10, 0)  # noqa: DTZ001 (a local wall time for dateutil)


def client_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def expected(freq: int, count: int, first: datetime, **kwargs: Any) -> list[datetime]:
    """The independent expansion: dateutil over local wall times."""
    return list(du.rrule(freq, count=count, dtstart=first, **kwargs))


def local_starts(objects: Any) -> list[datetime]:
    """The objects' starts as local wall times (sorted), to compare with dateutil."""
    tz = local_tz()
    return sorted(o.start.astimezone(tz).replace(tzinfo=None) for o in objects)


def test_nth_weekday_names_the_weekday_of_the_month() -> None:
    assert nth_weekday(date(2026, 12, 9)) == "+2WE"
    assert nth_weekday(date(2026, 12, 1)) == "+1TU"
    assert nth_weekday(date(2026, 12, 28)) == "+4MO"
    assert nth_weekday(date(2026, 12, 30)) == "-1WE"  # a fifth Wednesday: the last one


@time_machine.travel("2026-11-25 12:00 +01:00", tick=False)
def test_proposal_every_month_same_weekday_is_the_second_wednesday_across_dst() -> None:
    branch = make_branch()
    me = make_volunteer(branches=[branch])
    data = {
        "title": "Strikkecafé",
        "branch": branch.pk,
        "day": "2026-12-09",
        "start_time": "10:00",
        "end_time": "12:00",
        "repeat": "FREQ=MONTHLY",
        "times": "6",
        "tracks": [Track.objects.get(slug="hygge").pk],
    }
    want = expected(du.MONTHLY, 6, DECEMBER_9, byweekday=du.WE(+2))
    assert [d.date() for d in want] == [
        date(2026, 12, 9),
        date(2027, 1, 13),
        date(2027, 2, 10),
        date(2027, 3, 10),
        date(2027, 4, 14),  # after the change to summer time, still 10:00
        date(2027, 5, 12),
    ]
    preview = client_as(me).post("/frivillig/forslag/ny/", {**data, "preview": "1"})
    html = preview.content.decode()
    for day in want:
        assert f"{day:%d.%m.%Y}" in html
    assert "09.01.2027" not in html and "09.02.2027" not in html
    response = client_as(me).post("/frivillig/forslag/ny/", {**data, "send": "1"})
    assert response.status_code == 302
    proposal = SessionProposal.objects.get()
    staff = make_staff(branch)
    review = client_as(staff).get("/personale/frivillige/forslag/")
    assert review.status_code == 200
    for day in want:
        assert f"{day:%d.%m.%Y}" in review.content.decode()
    approved = proposal_approve(actor=staff, proposal=proposal)
    assert local_starts(Event.objects.filter(series=approved.event_series)) == want


@pytest.mark.parametrize(
    ("repeat", "first", "rule"),
    [
        ("FREQ=WEEKLY", datetime(2027, 3, 17, 15), {"freq": du.WEEKLY}),  # noqa: DTZ001
        ("FREQ=WEEKLY;INTERVAL=2", datetime(2027, 3, 17, 15), {"freq": du.WEEKLY, "interval": 2}),  # noqa: DTZ001
        (
            "FREQ=MONTHLY",
            datetime(2027, 1, 20, 15),  # noqa: DTZ001 (the third Wednesday)
            {"freq": du.MONTHLY, "byweekday": du.WE(+3)},
        ),
        (
            "FREQ=MONTHLY",
            datetime(2027, 3, 31, 15),  # noqa: DTZ001 (a fifth, so the last Wednesday)
            {"freq": du.MONTHLY, "byweekday": du.WE(-1)},
        ),
    ],
)
def test_every_shift_repeat_option_matches_dateutil(
    repeat: str, first: datetime, rule: dict[str, Any]
) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    activity = make_activity(branch=branch, name="Lektiecafé")
    freq = rule.pop("freq")
    want = expected(freq, 4, first, **rule)
    with time_machine.travel("2026-12-01 12:00 +01:00", tick=False):
        response = client_as(staff).post(
            "/personale/frivillige/vagter/ny/",
            {
                "activity": activity.pk,
                "day": f"{first:%Y-%m-%d}",
                "start_time": "15:00",
                "end_time": "17:00",
                "needed": "2",
                "repeat": repeat,
                "times": "4",
                "create": "1",
            },
        )
    assert response.status_code == 302
    assert local_starts(Shift.objects.all()) == want


@pytest.mark.parametrize(
    ("fields", "first", "rule"),
    [
        ({"repeat": "DAILY"}, datetime(2027, 3, 26, 10), {"freq": du.DAILY}),  # noqa: DTZ001
        (
            {"repeat": "WEEKLY", "weekdays": ["TU", "TH"]},
            datetime(2027, 3, 16, 10),  # noqa: DTZ001
            {"freq": du.WEEKLY, "byweekday": (du.TU, du.TH)},
        ),
        (
            {"repeat": "WEEKLY", "interval": 2},
            datetime(2027, 3, 16, 10),  # noqa: DTZ001
            {"freq": du.WEEKLY, "interval": 2},
        ),
        (
            {"repeat": "MONTHLY"},
            DECEMBER_9,
            {"freq": du.MONTHLY, "byweekday": du.WE(+2)},
        ),
    ],
)
def test_every_event_repeat_option_matches_dateutil(
    fields: dict[str, Any], first: datetime, rule: dict[str, Any]
) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    freq = rule.pop("freq")
    want = expected(freq, 5, first, **rule)
    form = {
        "title": "Sprogcafé",
        "branch": branch.pk,
        "place_kind": "branch",
        "day": f"{first:%Y-%m-%d}",
        "start_time": "10:00",
        "end_time": "12:00",
        "interval": 1,
        "count": 5,
        "include_closed": "on",  # keep Easter in, so every date the rule gives is compared
        "closed_override_reason": "Påskearrangement",
        "max_seats_per_registration": 1,
        "price_dkk": "0",
        "tracks": [Track.objects.get(slug="hygge").pk],
        "create": "1",
        **fields,
    }
    with time_machine.travel("2026-12-01 09:00 +01:00", tick=False):
        response = client_as(staff).post("/personale/arrangementer/ny/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert local_starts(Event.objects.all()) == want


@pytest.mark.parametrize("every_weeks", [1, 2])
def test_room_series_weekly_and_fortnightly_match_dateutil_across_dst(every_weeks: int) -> None:
    branch = make_branch()
    room = make_room(branch=branch, max_days_ahead=120, max_series_occurrences=20)
    first = datetime(2027, 3, 16, 18)  # noqa: DTZ001 (Tuesday; summer time from 28 March)
    until = date(2027, 4, 20)
    last = datetime.combine(until, time(23, 59))
    want = list(du.rrule(du.WEEKLY, interval=every_weeks, dtstart=first, until=last))
    with time_machine.travel("2027-03-01 12:00 +01:00", tick=False):
        response = client_as(make_person()).post(
            f"/lokaler/{room.pk}/",
            {
                "day": "2027-03-16",
                "start_time": "18:00",
                "end_time": "20:00",
                "purpose": "Korprøve",
                "attendees": 8,
                "every_weeks": every_weeks,
                "until": f"{until:%Y-%m-%d}",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert local_starts(Booking.objects.all()) == want
    assert {b.start.astimezone(local_tz()).time() for b in Booking.objects.all()} == {time(18)}
