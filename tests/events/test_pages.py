"""The event pages, as a citizen and as staff would use them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from core.models import Track
from events.models import Event, EventState, Registration
from tests.events.factories import make_event, make_person, make_registration, make_staff
from tests.factories import make_branch

pytestmark = pytest.mark.django_db


def client_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_calendar_views_and_filters() -> None:
    branch = make_branch(slug="viby-x", name="Viby X")
    make_event(branch=branch, title="Sprogcafé", tracks=["indgang-til-faellesskab"])
    make_event(title="Strikkecafé", tracks=["hygge"])
    make_event(title="Hemmelig kladde", state=EventState.DRAFT)
    client = Client()
    page = client.get("/arrangementer/").content.decode()
    assert "Sprogcafé" in page and "Strikkecafé" in page
    assert "Hemmelig kladde" not in page
    filtered = client.get("/arrangementer/?branch=viby-x").content.decode()
    assert "Sprogcafé" in filtered and "Strikkecafé" not in filtered
    assert "Strikkecafé" in client.get("/arrangementer/?track=hygge&q=strik").content.decode()
    in_a_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    for view in ("week", "month"):
        response = client.get(f"/arrangementer/?view={view}&date={in_a_week}")
        assert response.status_code == 200
        assert "Sprogcafé" in response.content.decode()
    assert client.get("/arrangementer/?date=not-a-date").status_code == 200


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "2026-13-45", "rubbish"])
@pytest.mark.parametrize("view", ["list", "week", "month"])
def test_calendar_date_out_of_range_shows_notice_and_today(view: str, raw: str) -> None:
    make_event(title="Strikkecafé", tracks=["hygge"], start=timezone.now() + timedelta(minutes=5))
    response = Client().get(f"/arrangementer/?view={view}&date={raw}&track=hygge")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Viser kalenderen fra i dag i stedet." in page
    assert "Strikkecafé" in page  # fell back to today; the other filter still applies


@pytest.mark.parametrize("view", ["list", "week", "month"])
def test_calendar_at_the_edges_of_the_allowed_years(view: str) -> None:
    client = Client()
    for raw in ("1900-01-01", "2200-12-31"):
        response = client.get(f"/arrangementer/?view={view}&date={raw}")
        assert response.status_code == 200
        assert "Viser kalenderen fra i dag" not in response.content.decode()


def test_register_then_waiting_list_in_plain_words_and_cancel_on_my_page() -> None:
    event = make_event(capacity=1, title="Forfatteraften")
    first, second = make_person(), make_person()
    anonymous = Client().get(f"/arrangementer/{event.pk}/").content.decode()
    assert "Log ind" in anonymous or "Log in" in anonymous

    c1 = client_as(first)
    response = c1.post(f"/arrangementer/{event.pk}/", {"seats": 1}, follow=True)
    assert Registration.objects.get(user=first).status == "confirmed"
    c2 = client_as(second)
    page = c2.get(f"/arrangementer/{event.pk}/").content.decode()
    assert "venteliste" in page.lower() or "waiting list" in page.lower()
    response = c2.post(f"/arrangementer/{event.pk}/", {"seats": 1}, follow=True)
    reg2 = Registration.objects.get(user=second)
    assert reg2.status == "waitlisted"
    assert "1" in response.content.decode()

    mine = c1.get("/min-side/").content.decode()
    assert "Forfatteraften" in mine
    reg1 = Registration.objects.get(user=first)
    # Someone else cannot cancel it.
    assert c2.post(f"/arrangementer/tilmeldinger/{reg1.pk}/afmeld/").status_code == 404
    c1.post(f"/arrangementer/tilmeldinger/{reg1.pk}/afmeld/", {"next": "/min-side/"})
    reg1.refresh_from_db()
    reg2.refresh_from_db()
    assert (reg1.status, reg2.status) == ("cancelled", "confirmed")


def test_my_page_says_afmeld_and_forlad_ventelisten_with_a_confirmation() -> None:
    event = make_event(capacity=1, title="Forfatteraften")
    first, second = make_person(), make_person()
    make_registration(event=event, user=first)
    make_registration(event=event, user=second, status="waitlisted", waitlist_position=1)
    mine = client_as(first).get("/min-side/").content.decode()
    assert "Afmeld mig" in mine and "Er du sikker på, at du vil afmelde dig Forfatteraften?" in mine
    assert "Ja, afmeld mig" in mine
    waiting = client_as(second).get("/min-side/").content.decode()
    assert "Forlad ventelisten" in waiting and "Ja, forlad ventelisten" in waiting
    assert ">Aflys<" not in mine + waiting
    event_page = client_as(first).get(f"/arrangementer/{event.pk}/").content.decode()
    assert "Afmeld mig" in event_page and "Ja, afmeld mig" in event_page


def test_logged_out_event_page_links_back_to_the_event() -> None:
    event = make_event(title="Forfatteraften")
    page = Client().get(f"/arrangementer/{event.pk}/").content.decode()
    back = f"?next=/arrangementer/{event.pk}/"
    assert page.count(back) == 2  # the login link and the "create an account" link
    assert "Tilmeld dig herunder" not in page
    assert "logge ind eller oprette en konto: du kommer direkte tilbage" in page


def test_register_errors_show_beside_the_field() -> None:
    event = make_event(capacity=10, max_seats_per_registration=2)
    response = client_as(make_person()).post(f"/arrangementer/{event.pk}/", {"seats": 5})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Registration.objects.exists()


def test_staff_previews_a_series_then_creates_it() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    client = client_as(staff)
    assert client.get("/personale/arrangementer/ny/").status_code == 200
    form = {
        "title": "IT-hjælp",
        "branch": branch.pk,
        "place_kind": "branch",
        "day": "2027-03-23",
        "start_time": "10:00",
        "end_time": "12:00",
        "repeat": "DAILY",
        "interval": 1,
        "count": 5,
        "registration_required": "on",
        "max_seats_per_registration": 1,
        "price_dkk": "0",
        "capacity": 6,
        "tracks": [Track.objects.get(slug="digitale-forbindelser").pk],
        "publish": "on",
    }
    with time_machine.travel("2027-03-01T09:00:00+01:00"):
        client = client_as(staff)  # log in "then", or the session has expired by 2027
        preview = client.post("/personale/arrangementer/ny/", {**form, "preview": "1"})
        text = preview.content.decode()
        assert preview.status_code == 200
        # Maundy Thursday 25/3 and Good Friday 26/3 2027 are left out, with their names.
        assert text.count('class="skipped"') == 3  # and Easter Saturday 27/3
        assert "Skærtorsdag" in text or "Maundy Thursday" in text
        assert Event.objects.count() == 0
        created = client.post("/personale/arrangementer/ny/", {**form, "create": "1"})
        assert created.status_code == 302
        assert Event.objects.filter(title="IT-hjælp").count() == 2
        no_track = client.post(
            "/personale/arrangementer/ny/", {**form, "tracks": [], "create": "1"}
        )
        assert no_track.status_code == 200
        assert "errorlist" in no_track.content.decode()
    citizen = client_as(make_person())
    assert citizen.get("/personale/arrangementer/ny/").status_code == 403


def test_check_in_on_a_tablet_and_drop_in_attendance() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    event = make_event(branch=branch)
    reg = make_registration(event=event, user=make_person(name="Karen Jensen"))
    client = client_as(staff)
    with time_machine.travel(event.start + timedelta(minutes=2)):
        page = client.get(f"/personale/arrangementer/{event.pk}/tjek-ind/").content.decode()
        assert "Karen Jensen" in page
        client.post(f"/personale/tilmeldinger/{reg.pk}/tjek-ind/")
        reg.refresh_from_db()
        assert reg.checked_in_at is not None
    drop_in = make_event(branch=branch, registration_required=False, capacity=None)
    with time_machine.travel(drop_in.end):
        client.post(f"/personale/arrangementer/{drop_in.pk}/fremmoede/", {"attendance_count": 14})
    drop_in.refresh_from_db()
    assert drop_in.attendance_count == 14
    outsider = client_as(make_staff(make_branch()))
    assert outsider.get(f"/personale/arrangementer/{event.pk}/tjek-ind/").status_code == 404


def test_series_preview_marks_the_dates_the_room_is_taken_and_create_can_skip_them() -> None:
    from core.timeutils import make_local
    from tests.rooms.factories import make_booking, make_room

    branch = make_branch()
    staff = make_staff(branch)
    room = make_room(branch=branch, name="Store sal")
    form = {
        "title": "Sprogcafé",
        "branch": branch.pk,
        "place_kind": "room",
        "room": room.pk,
        "day": "2027-05-03",  # a Monday; five weekdays without holidays
        "start_time": "10:00",
        "end_time": "12:00",
        "repeat": "DAILY",
        "interval": 1,
        "count": 3,
        "registration_required": "on",
        "max_seats_per_registration": 1,
        "price_dkk": "0",
        "capacity": 6,
        "tracks": [Track.objects.get(slug="hygge").pk],
        "publish": "on",
    }
    with time_machine.travel("2027-04-20T09:00:00+02:00"):
        from datetime import date, time

        make_booking(
            room=room,
            start=make_local(date(2027, 5, 4), time(11)),
            end=make_local(date(2027, 5, 4), time(13)),
            purpose="Generalforsamling",
        )
        client = client_as(staff)
        preview = client.post("/personale/arrangementer/ny/", {**form, "preview": "1"})
        text = preview.content.decode()
        assert text.count('class="room-taken"') == 1
        assert "lokalet er optaget:" in text and "Generalforsamling" in text
        assert 'name="skip_room_taken"' in text
        refused = client.post("/personale/arrangementer/ny/", {**form, "create": "1"})
        assert refused.status_code == 200
        assert "Lokalet er optaget den 4.5.2027" in refused.content.decode()
        assert not Event.objects.exists()
        created = client.post(
            "/personale/arrangementer/ny/", {**form, "create": "1", "skip_room_taken": "1"}
        )
        assert created.status_code == 302
        days = sorted(
            e.start.astimezone(make_local(date(2027, 5, 3), time(0)).tzinfo).day
            for e in Event.objects.all()
        )
        assert days == [3, 5]


def test_staff_cancel_event_from_the_page() -> None:
    branch = make_branch()
    event = make_event(branch=branch)
    make_registration(event=event)
    client = client_as(make_staff(branch))
    check_in = client.get(f"/personale/arrangementer/{event.pk}/tjek-ind/").content.decode()
    # The check-in page only links to a page of its own; no one-click cancel under attendance.
    assert f'action="/personale/arrangementer/{event.pk}/aflys/"' not in check_in
    assert f'href="/personale/arrangementer/{event.pk}/aflys/"' in check_in
    confirm_page = client.get(f"/personale/arrangementer/{event.pk}/aflys/")
    assert confirm_page.status_code == 200
    assert "1 tilmelding er bekræftet" in confirm_page.content.decode()
    url = f"/personale/arrangementer/{event.pk}/aflys/"
    without_tick = client.post(url, {"reason": "Sygdom"})
    without_reason = client.post(url, {"confirm": "on"})
    assert without_tick.status_code == without_reason.status_code == 200
    assert "errorlist" in without_tick.content.decode()
    event.refresh_from_db()
    assert event.state != "cancelled"
    client.post(url, {"reason": "Sygdom", "confirm": "on"})
    event.refresh_from_db()
    assert event.state == "cancelled"
    page = Client().get(f"/arrangementer/{event.pk}/").content.decode()
    assert "Sygdom" in page


def test_staff_change_one_date_and_those_registered_hear(signals: list) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    event = make_event(branch=branch, title="Koncert")
    make_registration(event=event)
    client = client_as(staff)
    page = client.get(f"/personale/arrangementer/{event.pk}/ret/")
    assert page.status_code == 200
    form = page.context["form"].initial
    data = {
        **{k: v for k, v in form.items() if v is not None and k not in ("tracks", "published")},
        "start_time": "18:00",
        "end_time": "20:00",
        "tracks": [t.pk for t in form["tracks"]],
        "published": "on",
        "room": "",
    }
    response = client.post(f"/personale/arrangementer/{event.pk}/ret/", data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert event.start.astimezone(timezone.get_current_timezone()).hour == 18
    assert event.sequence == 1
    assert [k for k, _ in signals] == ["event.changed"]
    assert (
        client_as(make_staff(make_branch()))
        .get(f"/personale/arrangementer/{event.pk}/ret/")
        .status_code
        == 404
    )


@pytest.mark.parametrize("size", [2, 10])
def test_calendar_query_count_does_not_grow(django_assert_num_queries: Any, size: int) -> None:
    branch = make_branch()
    tracks = list(Track.objects.all()[:3])
    for i in range(size):
        event = make_event(branch=branch, tracks=None)
        event.tracks.set(tracks[: 1 + i % 3])
        make_registration(event=event)
    client = Client()
    # 1-3 the filter form's branches, tracks and audiences
    # 4 the events (branch, room, stop joined; seats as subqueries)
    # 5-6 their tracks and audiences (prefetch)
    with django_assert_num_queries(6):
        response = client.get("/arrangementer/")
    assert response.content.decode().count('class="when"') == size
