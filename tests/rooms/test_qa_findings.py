"""Regressions for what QA found trying the rooms app as a new user in a fresh clone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client

from core.models import HoursKind, PartnerKind, Role
from rooms import selectors
from rooms.models import BookableBy, EquipmentBooking
from tests.factories import make_branch, make_partner, make_user
from tests.rooms.factories import at, make_booking, make_equipment, make_room

pytestmark = pytest.mark.django_db

# Wednesday 25 November 2026, 15.39 in Copenhagen (UTC+1).
NOW = datetime(2026, 11, 25, 14, 39, tzinfo=UTC)
WEDNESDAY = date(2026, 11, 25)


def logged_in(user, language: str | None = None) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def weekday_branch(closes: time = time(19), **overrides):  # noqa: ANN003, ANN201
    """Staffed 09–``closes`` Monday to Saturday, closed on Sundays."""
    hours = [(wd, time(9), closes, HoursKind.STAFFED) for wd in range(6)]
    return make_branch(hours=hours, open_all_week=None, **overrides)


def form_data(day: date, start: str, end: str) -> dict[str, str]:
    return {
        "day": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "purpose": "Møde",
        "attendees": "3",
    }


def field_errors(html: str, field: str) -> str:
    match = re.search(rf'id="id_{field}-errors">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


# 1. Dates nobody can book are a readable message, never a 500 ------------------------


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "garbage", "2026-02-30"])
def test_pages_show_a_notice_for_impossible_dates(client, raw: str) -> None:
    branch = make_branch(slug="jyllinge")
    room = make_room(branch=branch)
    make_equipment(branch=branch)
    for url in (
        f"/lokaler/{room.pk}/?dato={raw}",
        f"/makerspace/?dato={raw}",
        f"/lokaler/uge/jyllinge/?uge={raw}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        notice = response.content.decode().split('class="messages"')[1]
        assert "i dag i stedet" in notice, url  # "... Showing today instead."


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "garbage", ""])
def test_api_availability_refuses_impossible_dates_with_400(api, raw: str) -> None:
    room = make_room()
    machine = make_equipment()
    for url in (
        f"/api/rooms/{room.pk}/availability/?date={raw}",
        f"/api/equipment/{machine.pk}/availability/?date={raw}",
    ):
        response = api.get(url)
        assert response.status_code == 400, url
        assert response.json()["detail"], url


def test_booking_form_with_an_impossible_date_is_a_form_error() -> None:
    room = make_room()
    response = logged_in(make_user()).post(
        f"/lokaler/{room.pk}/", form_data(date(9999, 12, 31), "10:00", "11:00")
    )
    assert response.status_code == 200
    assert "1900" in field_errors(response.content.decode(), "day")


# 2. Free times nearby for closed days and hours, the error beside From/To --------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("day", "start", "end", "expected"),
    [
        (date(2026, 11, 29), "10:00", "11:00", "mandag 30. november 10.00–11.00"),  # Sunday
        (date(2026, 12, 24), "10:00", "11:00", "mandag 28. december 10.00–11.00"),  # holidays
        (date(2026, 11, 26), "19:30", "21:00", "torsdag 26. november 17.30–19.00"),  # late
    ],
)
def test_closed_and_outside_hours_offer_free_times_nearby(
    day: date, start: str, end: str, expected: str
) -> None:
    room = make_room(branch=weekday_branch())
    response = logged_in(make_user()).post(
        f"/lokaler/{room.pk}/", form_data(day, start, end), follow=False
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "start_time")  # the reason stands beside "Fra"
    assert "Ledige tider i nærheden" in html
    assert expected in html


@time_machine.travel(NOW, tick=False)
def test_taken_error_stands_beside_the_times() -> None:
    room = make_room(name="Musikrum")
    day = date(2026, 11, 27)
    make_booking(room=room, start=at(day, 10), end=at(day, 11))
    html = (
        logged_in(make_user())
        .post(f"/lokaler/{room.pk}/", form_data(day, "10:00", "11:00"))
        .content.decode()
    )
    assert "Musikrum" in field_errors(html, "start_time")
    assert "Det tidspunkt er optaget" in html
    assert "11.00–12.00" in html


# 3. "Ledig" in Danish, from the next slot -----------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_free_times_are_danish_and_start_at_the_next_slot(client) -> None:
    room = make_room(branch=weekday_branch(), slot_minutes=30)
    html = client.get(f"/lokaler/{room.pk}/?dato={WEDNESDAY.isoformat()}").content.decode()
    assert "Ledig 16.00–19.00" in html
    assert "Free " not in html and "15.39" not in html
    first = selectors.room_availability(room=room, day=WEDNESDAY).free[0][0]
    assert selectors.to_local(first).time() == time(16)


# 4. Past and closed days in the week grid; past machine slots ---------------------------


@time_machine.travel(NOW, tick=False)
def test_week_grid_says_past_and_closed_instead_of_free(client) -> None:
    make_room(branch=weekday_branch(slug="jyllinge"))
    html = client.get("/lokaler/uge/jyllinge/?uge=2026-11-25").content.decode()
    cells = re.findall(r"<td>\s*(.*?)\s*</td>", html, re.S)
    labels = [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    # Monday, Tuesday over; Wednesday to Saturday free; Sunday closed
    assert labels == ["forbi", "forbi", "ledig", "ledig", "ledig", "ledig", "lukket"]


@time_machine.travel(NOW, tick=False)
def test_makerspace_shows_todays_past_slots_as_past(client) -> None:
    make_equipment(branch=make_branch(), slot_minutes=120)  # 08–22: seven slots
    html = client.get("/makerspace/?dato=2026-11-25").content.decode()
    assert html.count("forbi") == 4  # 08, 10, 12 and 14 (begun) are past
    assert "optaget" not in html


# 5. Only buttons that can work now ---------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_no_show_button_only_once_the_booking_has_begun() -> None:
    branch = make_branch(slug="jyllinge")
    room = make_room(branch=branch)
    citizen = make_user()
    make_booking(room=room, start=at(WEDNESDAY, 15), end=at(WEDNESDAY, 16), booker=citizen)
    later = make_booking(room=room, start=at(WEDNESDAY, 18), end=at(WEDNESDAY, 19), booker=citizen)
    staff = make_user(role=Role.STAFF, branches=[branch])
    html = logged_in(staff).get("/lokaler/godkendelse/jyllinge/").content.decode()
    assert html.count("Marker som udeblevet") == 1
    assert f"/lokaler/booking/{later.pk}/udeblev/" not in html


@time_machine.travel(NOW, tick=False)
def test_check_in_button_only_in_the_check_in_window() -> None:
    machine = make_equipment(slot_minutes=60)
    person = make_user()
    soon = EquipmentBooking.objects.create(
        equipment=machine, booker=person, start=at(WEDNESDAY, 15, 50), end=at(WEDNESDAY, 16, 50)
    )
    later = EquipmentBooking.objects.create(
        equipment=machine,
        booker=person,
        start=at(date(2026, 11, 27), 10),
        end=at(date(2026, 11, 27), 11),
    )
    html = logged_in(person).get("/makerspace/").content.decode()
    assert f"/makerspace/booking/{soon.pk}/tjek-ind/" in html
    assert f"/makerspace/booking/{later.pk}/tjek-ind/" not in html
    assert "Tjek ind fra 27.11. kl. 09.45" in html


# 6. Staff-only rooms tell citizens who books them --------------------------------------


def test_staff_only_rooms_are_not_offered_to_citizens() -> None:
    branch = make_branch(slug="jyllinge")
    make_room(branch=branch, name="Netværkstedet", bookable_by=BookableBy.STAFF)
    citizen_html = logged_in(make_user()).get("/lokaler/").content.decode()
    assert "Se ledige tider og book" not in citizen_html
    assert "Kun bibliotekets personale booker dette lokale." in citizen_html
    staff_html = logged_in(make_user(role=Role.STAFF, branches=[branch])).get("/lokaler/")
    assert "Se ledige tider og book" in staff_html.content.decode()


# 7. The price beside the form ----------------------------------------------------------------


def test_booking_form_shows_the_price_for_oneself_and_each_association() -> None:
    room = make_room(fee_dkk="150.00", rent_dkk="600.00")
    person = make_user()
    make_partner(name="Aftenskolen", kind=PartnerKind.ADULT_EDUCATION).members.add(person)
    make_partner(name="Besøgsvennerne", kind=PartnerKind.VOLUNTARY_SOCIAL).members.add(person)
    html = logged_in(person).get(f"/lokaler/{room.pk}/").content.decode()
    price = html.split('id="price-heading"')[1].split("</aside>")[0]
    assert "Booker du selv: 600 kr." in price
    assert "På vegne af Aftenskolen: 150 kr." in price
    assert "På vegne af Besøgsvennerne: gratis" in price


# 8. A cancel deadline nobody misreads ---------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("da", "Du kan aflyse senest onsdag 25.11. kl. 23.59."),
        ("en", "Cancel by Wednesday 25.11. at 23:59 at the latest."),
    ],
)
def test_cancel_deadline_is_the_evening_before(language: str, expected: str) -> None:
    room = make_room(cancel_days_before=1)
    person = make_user()
    day = date(2026, 11, 26)
    make_booking(room=room, start=at(day, 13), end=at(day, 14), booker=person)
    html = logged_in(person, language).get("/lokaler/mine/").content.decode()
    assert expected in html
    assert "26.11. 00.00" not in html


# 9. API times: local with offset everywhere -----------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_conflict_409_gives_conflicts_and_suggestions_in_local_time(client_for) -> None:
    room = make_room()
    day = date(2026, 11, 27)
    make_booking(room=room, start=at(day, 10), end=at(day, 11))
    response = client_for(make_user()).post(
        "/api/bookings/",
        {
            "room": room.pk,
            "start": at(day, 10).isoformat(),
            "end": at(day, 11).isoformat(),
            "purpose": "Møde",
            "attendees": 3,
        },
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["conflicts"] == [
        {"start": "2026-11-27T10:00:00+01:00", "end": "2026-11-27T11:00:00+01:00"}
    ]
    assert body["suggestions"][0]["start"].endswith("+01:00")


# 10. My bookings fit a phone ----------------------------------------------------------------


def test_my_bookings_are_cards_not_a_wide_table() -> None:
    room = make_room(name="Musikrum")
    person = make_user()
    start = at(date.today() + timedelta(days=5), 10)
    make_booking(room=room, start=start, end=start + timedelta(hours=1), booker=person)
    html = logged_in(person).get("/min-side/").content.decode()
    section = html.split('id="my-bookings-heading"')[1].split("</section>")[0]
    assert "Musikrum" in section
    assert "<table" not in section


@time_machine.travel(NOW, tick=False)
def test_api_outside_hours_400_also_suggests_free_times(client_for) -> None:
    room = make_room(branch=weekday_branch())
    day = date(2026, 11, 26)
    response = client_for(make_user()).post(
        "/api/bookings/",
        {
            "room": room.pk,
            "start": at(day, 19, 30).isoformat(),
            "end": at(day, 21).isoformat(),
            "purpose": "Møde",
            "attendees": 3,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["suggestions"][0] == {
        "start": "2026-11-26T17:30:00+01:00",
        "end": "2026-11-26T19:00:00+01:00",
    }
