"""Branch settings in pages: opening hours from a date, closures with the impact preview,
and the bookmobile's timetable (issue #13, deliverable 2)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.test import Client

from core.contracts import AuditAction
from core.exceptions import RuleViolation
from core.models import AuditLog, BookmobileStop, BranchKind, Closure, HoursKind, Role
from core.selectors import closure_reason, opening_intervals
from rooms import services as room_services
from tests.factories import make_branch, make_user
from tests.rooms.factories import at, future_day, make_booking, make_room

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def week_data(kind: str, valid_from, opens: str, closes: str) -> dict[str, str]:  # noqa: ANN001
    data = {"kind": kind, "valid_from": valid_from.isoformat()}
    for wd in range(7):
        data[f"d{wd}_opens1"] = opens
        data[f"d{wd}_closes1"] = closes
    return data


def book(room, person, day, start, end):  # noqa: ANN001, ANN201
    return room_services.booking_request(
        actor=person,
        room=room,
        start=at(day, *start),
        end=at(day, *end),
        purpose="Møde",
        attendees=2,
    )


def test_staff_change_their_hours_from_a_date_and_room_bookings_follow() -> None:
    viby = make_branch(name="Viby Bibliotek", slug="viby")  # staffed 08-22 every day
    staff = make_user(role=Role.STAFF, branches=[viby])
    room = make_room(branch=viby)
    change_day = future_day(10)
    before = change_day - timedelta(days=1)

    response = logged_in(staff).post(
        "/personale/bibliotek/viby/aabningstider/",
        week_data(HoursKind.STAFFED, change_day, "10:00", "16:00"),
    )

    assert response.status_code == 302
    row = AuditLog.objects.get(action=AuditAction.OPENING_HOURS_CHANGED)
    assert row.actor == staff and row.target_id == str(viby.pk)
    assert row.data["new"]["0"] == ["10:00-16:00"] and row.data["old"]["0"] == ["08:00-22:00"]
    # Before the change's date the old hours hold; from it the new ones.
    assert book(room, make_user(), before, (8, 0), (9, 0)).first.pk
    with pytest.raises(RuleViolation):
        book(room, make_user(), change_day, (8, 0), (9, 0))
    assert book(room, make_user(), change_day, (10, 0), (11, 0)).first.pk
    later = change_day + timedelta(days=30)
    assert [(i.start, i.end) for i in opening_intervals(branch=viby, day=later)] == [
        (at(later, 10), at(later, 16))
    ]


def test_staff_cannot_touch_another_branchs_settings() -> None:
    viby = make_branch(slug="viby")
    make_branch(slug="roskilde")
    staff = make_user(role=Role.STAFF, branches=[viby])
    client = logged_in(staff)
    day = future_day(10)

    assert client.get("/personale/bibliotek/roskilde/").status_code == 404
    response = client.post(
        "/personale/bibliotek/roskilde/aabningstider/",
        week_data(HoursKind.STAFFED, day, "10:00", "12:00"),
    )
    assert response.status_code == 404
    response = client.post(
        "/personale/bibliotek/roskilde/lukninger/ny/",
        {"starts_on": day.isoformat(), "ends_on": day.isoformat(), "reason": "Kursus"},
    )
    assert response.status_code == 404
    assert not Closure.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.OPENING_HOURS_CHANGED).exists()
    assert client.get("/personale/bibliotek/viby/").status_code == 200
    citizen = make_user(role=Role.CITIZEN)
    assert logged_in(citizen).get("/personale/bibliotek/viby/").status_code == 404


def test_staff_home_links_to_the_branch_settings() -> None:
    viby = make_branch(name="Viby Bibliotek", slug="viby")
    staff = make_user(role=Role.STAFF, branches=[viby])
    client = logged_in(staff)
    assert "/personale/bibliotek/" in client.get("/personale/").content.decode()
    page = client.get("/personale/bibliotek/").content.decode()
    assert "/personale/bibliotek/viby/" in page


def test_administrators_close_every_branch_and_staff_cannot() -> None:
    viby = make_branch(slug="viby")
    roskilde = make_branch(slug="roskilde")
    administrator = make_user(role=Role.ADMINISTRATOR)
    day = future_day(12)
    data = {
        "all_branches": "on",
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "reason": "Strejke",
    }

    response = logged_in(administrator).post("/personale/bibliotek/viby/lukninger/ny/", data)

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.branch is None
    assert closure_reason(branch=roskilde, day=day) == "Strejke"
    assert AuditLog.objects.filter(
        action=AuditAction.CLOSURE_ADDED, target_id=str(closure.pk), actor=administrator
    ).exists()
    # Staff do not get the choice; a forged field closes only their own branch.
    staff = make_user(role=Role.STAFF, branches=[viby])
    logged_in(staff).post("/personale/bibliotek/viby/lukninger/ny/", {**data, "reason": "X"})
    assert Closure.objects.get(reason="X").branch == viby
    # ... and they cannot remove the all-branch closure.
    logged_in(staff).post(f"/personale/bibliotek/viby/lukninger/{closure.pk}/fjern/")
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_the_preview_lists_a_booking_on_the_closed_day_before_saving() -> None:
    viby = make_branch(slug="viby")
    staff = make_user(role=Role.STAFF, branches=[viby])
    room = make_room(branch=viby, name="Mødelokale 1")
    day = future_day(9)
    booker = make_user(name="Karen Blixen")
    booking = make_booking(room=room, booker=booker, start=at(day, 13), end=at(day, 14))
    other = make_booking(room=room, booker=booker, start=at(day, 9), end=at(day, 10))
    client = logged_in(staff)
    data = {
        "starts_on": day.isoformat(),
        "ends_on": day.isoformat(),
        "from_time": "12:00",
        "reason": "Vandskade",
    }

    preview = client.post("/personale/bibliotek/viby/lukninger/ny/", data)

    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Karen Blixen" in text and "Mødelokale 1" in text
    assert text.count("Karen Blixen") == 1  # the 09:00 booking is before the closure
    assert not Closure.objects.exists()
    confirm = preview.context["confirm"]
    # A confirmation for other input does not count: the preview is shown again.
    changed = {**data, "from_time": "08:00", "confirm": confirm}
    assert client.post("/personale/bibliotek/viby/lukninger/ny/", changed).status_code == 200
    assert not Closure.objects.exists()

    saved = client.post("/personale/bibliotek/viby/lukninger/ny/", {**data, "confirm": confirm})

    assert saved.status_code == 302
    closure = Closure.objects.get()
    assert (closure.from_time, closure.until_time) == (time(12), None)
    booking.refresh_from_db()
    other.refresh_from_db()
    assert booking.status == other.status  # kept in place: the cancel action comes later
    # The afternoon is closed, the morning open.
    assert [(i.start, i.end) for i in opening_intervals(branch=viby, day=day)] == [
        (at(day, 8), at(day, 12))
    ]


def test_an_hours_change_over_booked_hours_is_previewed_first() -> None:
    viby = make_branch(slug="viby")
    staff = make_user(role=Role.STAFF, branches=[viby])
    room = make_room(branch=viby)
    day = future_day(10)
    make_booking(
        room=room, booker=make_user(name="Tove Ditlevsen"), start=at(day, 18), end=at(day, 19)
    )
    client = logged_in(staff)
    data = week_data(HoursKind.STAFFED, day, "10:00", "16:00")

    preview = client.post("/personale/bibliotek/viby/aabningstider/", data)

    assert preview.status_code == 200 and "Tove Ditlevsen" in preview.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.OPENING_HOURS_CHANGED).exists()
    saved = client.post(
        "/personale/bibliotek/viby/aabningstider/", {**data, "confirm": preview.context["confirm"]}
    )
    assert saved.status_code == 302
    assert AuditLog.objects.filter(action=AuditAction.OPENING_HOURS_CHANGED).count() == 1


def test_forms_refuse_an_end_before_the_start() -> None:
    viby = make_branch(slug="viby")
    bus = make_branch(slug="bogbussen", kind=BranchKind.BOOKMOBILE, open_all_week=None)
    staff = make_user(role=Role.STAFF, branches=[viby, bus])
    client = logged_in(staff)
    day = future_day(10)

    closure = client.post(
        "/personale/bibliotek/viby/lukninger/ny/",
        {
            "starts_on": day.isoformat(),
            "ends_on": (day - timedelta(days=1)).isoformat(),
            "reason": "Kursus",
        },
    )
    hours = client.post(
        "/personale/bibliotek/viby/aabningstider/",
        week_data(HoursKind.STAFFED, day, "16:00", "10:00"),
    )
    stop = client.post(
        "/personale/bibliotek/bogbussen/stop/ny/",
        {
            "name": "Gadstrup Skole",
            "weekday": "1",
            "arrives": "14:00",
            "departs": "13:00",
            "valid_from": day.isoformat(),
        },
    )

    assert closure.status_code == 200
    assert closure.context["form"].errors["ends_on"]
    assert hours.status_code == 200
    assert hours.context["form"].errors["d0_closes1"]
    assert stop.status_code == 200
    assert stop.context["form"].errors["departs"]
    assert not Closure.objects.exists() and not BookmobileStop.objects.exists()
    assert not AuditLog.objects.exists()


def test_the_bookmobile_timetable_is_edited_in_pages() -> None:
    bus = make_branch(slug="bogbussen", kind=BranchKind.BOOKMOBILE, open_all_week=None)
    staff = make_user(role=Role.STAFF, branches=[bus])
    client = logged_in(staff)
    today = future_day(0)
    data = {
        "name": "Gadstrup Skole",
        "place": "P-pladsen",
        "weekday": "1",
        "arrives": "13:00",
        "departs": "14:30",
        "valid_from": today.isoformat(),
    }

    assert client.post("/personale/bibliotek/bogbussen/stop/ny/", data).status_code == 302
    stop = BookmobileStop.objects.get()
    response = client.post(
        f"/personale/bibliotek/bogbussen/stop/{stop.pk}/", {**data, "departs": "15:00"}
    )
    assert response.status_code == 302
    stop.refresh_from_db()
    assert stop.departs == time(15)
    change = AuditLog.objects.get(action=AuditAction.BOOKMOBILE_STOP_CHANGED)
    assert change.data["old"]["departs"] == "14:30" and change.data["new"]["departs"] == "15:00"
    page = client.get("/personale/bibliotek/bogbussen/").content.decode()
    assert "Gadstrup Skole" in page and "15:00" in page  # English times
    assert client.post(f"/personale/bibliotek/bogbussen/stop/{stop.pk}/fjern/").status_code == 302
    assert not BookmobileStop.objects.exists()
    assert AuditLog.objects.filter(action=AuditAction.BOOKMOBILE_STOP_REMOVED).count() == 1
    # A branch that is not a bookmobile has no timetable page.
    viby = make_branch(slug="viby")
    staff.branches.add(viby)
    assert client.get("/personale/bibliotek/viby/stop/ny/").status_code == 404
