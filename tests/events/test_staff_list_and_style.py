"""The staff event list (columns and filters), one style for dates and times, no "---------"
in any select, and one "All" in the audience filter."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.models import Role
from core.timeutils import clock_span, make_local
from events.models import EventState
from tests.events.factories import make_event, make_registration, make_staff
from tests.factories import make_branch, make_user
from tests.rooms.factories import make_room

pytestmark = pytest.mark.django_db

NOW = "2026-11-25T09:00:00+01:00"


def client_as(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


@time_machine.travel(NOW, tick=False)
def test_the_staff_list_has_columns_and_filters() -> None:
    viby, ejby = (
        make_branch(slug="viby-x", name="Viby X"),
        make_branch(slug="ejby-x", name="Ejby X"),
    )
    staff = make_user(role=Role.STAFF, branches=[viby, ejby], password=None)
    monday = make_local(date(2026, 11, 30), time(10))
    strik = make_event(branch=viby, title="Strikkecafé", start=monday, capacity=10)
    make_registration(event=strik, seats=3)
    make_event(branch=ejby, title="Kladde-kaffe", start=monday, state=EventState.DRAFT)
    make_event(branch=make_branch(slug="andet"), title="Andres", start=monday)
    with translation.override("en"):
        page = client_as(staff).get("/personale/arrangementer/").content.decode()
        rows = _rows(page)
        assert len(rows) == 2  # only the staff member's branches
        strik_row = next(r for r in rows if "Strikkecafé" in r)
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', strik_row, flags=re.S)
        assert [label for label, _c in cells] == [
            "Date",
            "Event",
            "Library",
            "Registrations",
            "State",
        ]
        shown = dict(cells)
        assert "10:00–12:00" in shown["Date"] and "30.11." in shown["Date"]
        assert shown["Library"].startswith("Viby X")
        assert shown["Registrations"].startswith("3/10")
        assert "Published" in shown["State"]
        assert "---------" not in page
        drafts = client_as(staff).get("/personale/arrangementer/?state=draft").content.decode()
        assert "Kladde-kaffe" in drafts and "Strikkecafé" not in drafts
        viby_only = client_as(staff).get("/personale/arrangementer/?branch=viby-x")
        assert "Strikkecafé" in viby_only.content.decode()
        assert "Kladde-kaffe" not in viby_only.content.decode()
        search = client_as(staff).get("/personale/arrangementer/?q=strik").content.decode()
        assert len(_rows(search)) == 1
        later = client_as(staff).get("/personale/arrangementer/?date=2026-12-01").content.decode()
        assert "Strikkecafé" not in later
        other = client_as(staff).get("/personale/arrangementer/?branch=andet").content.decode()
        assert "Andres" not in other  # a branch that is not theirs is not a way in


@time_machine.travel(NOW, tick=False)
def test_the_staff_list_costs_the_same_queries_at_any_length() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    client = client_as(staff)
    counts = []
    for n in (1, 5):
        for _i in range(n):
            make_event(branch=branch)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/personale/arrangementer/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_one_time_style_danish_and_english() -> None:
    with translation.override("da"):
        assert clock_span(time(7), time(22)) == "07.00–22.00"
    with translation.override("en"):
        assert clock_span(time(7), time(22)) == "07:00–22:00"


@time_machine.travel(NOW, tick=False)
def test_dates_read_as_people_write_them() -> None:
    start = make_local(date(2026, 11, 30), time(10))
    event = make_event(title="Strikkecafé", start=start)
    english = Client()
    english.cookies["django_language"] = "en"
    page = english.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "Monday 30 November 2026" in page and "10:00–12:00" in page
    text = Client().get(f"/arrangementer/{event.pk}/").content.decode()  # Danish first
    assert "Mandag 30. november 2026" in text and "10.00–12.00" in text


@time_machine.travel(NOW, tick=False)
def test_room_errors_say_the_hours_in_danish_style() -> None:
    from rooms import services as room_services
    from tests.rooms.factories import make_booking

    branch = make_branch()
    room = make_room(branch=branch, name="Salen")
    day = date(2026, 12, 1)
    make_booking(room=room, start=make_local(day, time(11)), end=make_local(day, time(13)))
    from core.exceptions import BookingConflict

    with translation.override("da"), pytest.raises(BookingConflict) as error:
        room_services.room_occupy(
            room=room,
            start=make_local(day, time(10)),
            end=make_local(day, time(12)),
            title="Koncert",
            actor=make_staff(branch),
        )
    assert "11.00–13.00" in error.value.message


def test_no_select_offers_dashes_and_the_audience_filter_has_one_all() -> None:
    branch = make_branch()
    make_room(branch=branch)
    staff = make_staff(branch)
    with translation.override("da"):
        calendar = Client().get("/arrangementer/").content.decode()
        audience = calendar.split('name="audience"', 1)[1].split("</select>", 1)[0]
        assert audience.count(">Alle</option>") == 1
        client = client_as(staff)
        for url in (
            "/personale/arrangementer/",
            "/personale/arrangementer/ny/",
            f"/personale/arrangementer/{make_event(branch=branch).pk}/ret/",
            "/personale/lokaler/ny/",
            "/personale/lokaler/maskiner/ny/",
            "/personale/frivillige/aktiviteter/ny/",
            "/personale/frivillige/vagter/ny/",
            "/personale/frivillige/profiler/",
            "/personale/frivillige/timer/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "---------" not in response.content.decode(), url
