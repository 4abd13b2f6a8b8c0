"""Moving an event keeps its people (issue 14, point 1): registrations and waiting-list places
stay, each person hears once what changed (old and new time and place) with an invitation that
replaces the old one (same UID, higher SEQUENCE); a room too small for the confirmed seats is a
409 until staff decide who moves to the waiting list, and those people are told."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from icalendar import Calendar

from core.exceptions import BookingConflict, Conflict
from core.models import Track
from events import services
from events.models import Event, Registration, RegistrationStatus
from notifications.services import dispatch_due
from rooms.models import Room
from tests.events.factories import make_staff
from tests.factories import make_branch, make_user
from tests.notifications.factories import at, ics_parts, registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages checked here are read in English, for the whole test."""
    with translation.override("en"):
        yield


DAY = date(2026, 12, 2)  # a Wednesday; TODAY (conftest) is 25 November 2026


def _weekly_series(staff: Any, room: Room, capacity: int = 3) -> list[Event]:
    series = services.series_create(
        actor=staff,
        rrule="FREQ=WEEKLY;COUNT=3",
        start=at(DAY, 10),
        end=at(DAY, 12),
        title="Strikkecafé",
        branch=room.branch,
        room=room,
        place_kind="room",
        capacity=capacity,
        state="published",
        tracks=[Track.objects.get(slug="hygge")],
    )
    return list(series.events.order_by("start"))


def _people_in(events: list[Event], n: int) -> dict[int, list[Registration]]:
    """``n`` people register for every date (capacity 3: the rest wait)."""
    people = [make_user(language="en", name=f"Person {i}") for i in range(n)]
    return {e.pk: [registered(e, p) for p in people] for e in events}


def _state(event: Event) -> list[tuple[int, str, int | None]]:
    return list(event.registrations.order_by("pk").values_list("pk", "status", "waitlist_position"))


def _first_vevent(message: Any) -> Any:
    return Calendar.from_ical(ics_parts(message)[0][1]).walk("VEVENT")[0]


def test_moving_a_weekly_series_to_another_room_keeps_everyone_and_tells_each_once(
    mail_expected,
) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    small = Room.objects.create(branch=branch, name="Lille sal", capacity=10)
    large = Room.objects.create(branch=branch, name="Store sal", capacity=40)
    events = _weekly_series(staff, small)
    regs = _people_in(events, 5)  # 3 confirmed and 2 waiting on each date
    before = {e.pk: _state(e) for e in events}
    dispatch_due()
    invitations = {str(_first_vevent(m)["UID"]): m for m in mail_expected if ics_parts(m)}
    mail_expected.clear()

    services.series_update(actor=staff, series=events[0].series, room=large)
    dispatch_due()
    dispatch_due()  # a second run sends nothing again

    for event in events:
        event.refresh_from_db()
        assert event.room == large
        assert _state(event) == before[event.pk]  # nobody lost a seat or a place in line
        assert event.room_booking.room == large
    # One message per registration (each is its own calendar entry), none twice.
    all_regs = [r for rs in regs.values() for r in rs]
    assert len(mail_expected) == len(all_regs)
    assert all(m.subject == "Changed time or place: Strikkecafé" for m in mail_expected)
    with translation.override("en"):
        assert all("Before: " in m.body and "Lille sal" in m.body for m in mail_expected)
        assert all("Now: " in m.body and "Store sal" in m.body for m in mail_expected)
    # The confirmed person's new invitation replaces the old entry: same UID, higher SEQUENCE.
    first_confirmed = regs[events[0].pk][0]
    uid = f"registration-{first_confirmed.pk}@modested.dk"
    old = _first_vevent(invitations[uid])
    new_messages = [
        m for m in mail_expected if ics_parts(m) and str(_first_vevent(m)["UID"]) == uid
    ]
    [new_message] = new_messages
    new = _first_vevent(new_message)
    assert new["UID"] == old["UID"]
    assert new["SEQUENCE"] > old["SEQUENCE"]
    assert "Store sal" in str(new["LOCATION"])


def test_a_move_onto_a_taken_room_is_refused_naming_what_is_there() -> None:
    branch = make_branch()
    staff = make_staff(branch)
    first = Room.objects.create(branch=branch, name="Sal A", capacity=20)
    second = Room.objects.create(branch=branch, name="Sal B", capacity=20)
    event = _weekly_series(staff, first)[0]
    services.event_create(
        actor=staff,
        title="Foredrag",
        branch=branch,
        room=second,
        place_kind="room",
        start=at(DAY, 11),
        end=at(DAY, 13),
        state="published",
        tracks=[Track.objects.get(slug="hygge")],
    )

    with translation.override("en"), pytest.raises(BookingConflict) as refused:
        services.event_update(actor=staff, event=event, room=second)

    assert "Foredrag" in refused.value.message
    event.refresh_from_db()
    assert event.room == first


def test_a_smaller_room_is_a_409_with_the_count_until_staff_choose(mail_expected) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    big = Room.objects.create(branch=branch, name="Store sal", capacity=40)
    tiny = Room.objects.create(branch=branch, name="Grupperum", capacity=2)
    event = _weekly_series(staff, big, capacity=4)[0]
    people = [make_user(language="en") for _ in range(5)]
    regs = [registered(event, p) for p in people]  # 4 confirmed, 1 waiting
    dispatch_due()
    mail_expected.clear()

    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.event_update(actor=staff, event=event, room=tiny)
    assert refused.value.code == "room_too_small"
    assert "holds 2 people, but 4 seats are confirmed" in refused.value.message
    # By default the last registered move: the third and fourth person.
    assert refused.value.extra["suggested"] == [regs[3].pk, regs[2].pk]
    event.refresh_from_db()
    assert event.room == big  # nothing saved

    services.event_update(
        actor=staff, event=event, room=tiny, room_fit=services.RoomFit(to_waitlist=True)
    )
    dispatch_due()

    by_pk = {r.pk: r for r in Registration.objects.filter(event=event)}
    assert [by_pk[r.pk].status for r in regs[:2]] == [RegistrationStatus.CONFIRMED] * 2
    # Moved people go first in line, in the order they registered; the one waiting follows.
    assert [by_pk[r.pk].waitlist_position for r in regs[2:]] == [1, 2, 3]
    event.refresh_from_db()
    assert event.capacity == 2
    assert len(mail_expected) == 5  # everyone told once
    moved = [m for m in mail_expected if m.to[0] in {people[2].email, people[3].email}]
    assert all("you are now on the waiting list, as number" in m.body for m in moved)
    assert all(ics_parts(m)[0][0] == "REQUEST" for m in moved)
    assert all(str(_first_vevent(m)["STATUS"]) == "TENTATIVE" for m in moved)
    kept = [m for m in mail_expected if m.to[0] in {people[0].email, people[1].email}]
    assert all("Your registration still stands" in m.body for m in kept)


def test_staff_may_choose_exactly_who_moves_to_the_waiting_list(mail_expected) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    big = Room.objects.create(branch=branch, name="Store sal", capacity=40)
    tiny = Room.objects.create(branch=branch, name="Grupperum", capacity=2)
    event = _weekly_series(staff, big, capacity=3)[0]
    regs = [registered(event, make_user()) for _ in range(3)]

    services.event_update(
        actor=staff, event=event, room=tiny, room_fit=services.RoomFit(registrations=(regs[0].pk,))
    )

    regs[0].refresh_from_db()
    assert (regs[0].status, regs[0].waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_the_api_answers_409_with_the_count_and_moves_when_told(client_for, mail_expected) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    big = Room.objects.create(branch=branch, name="Store sal", capacity=40)
    tiny = Room.objects.create(branch=branch, name="Grupperum", capacity=1)
    event = _weekly_series(staff, big, capacity=3)[0]
    regs = [registered(event, make_user()) for _ in range(2)]
    api = client_for(staff)

    refused = api.patch(f"/api/events/{event.pk}/", {"room": tiny.pk}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "room_too_small"
    assert refused.json()["confirmed_seats"] == 2
    assert refused.json()["room_capacity"] == 1
    assert refused.json()["suggested"] == [regs[1].pk]

    moved = api.patch(
        f"/api/events/{event.pk}/", {"room": tiny.pk, "waitlist_overflow": True}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["room"] == tiny.pk
    regs[1].refresh_from_db()
    assert regs[1].status == RegistrationStatus.WAITLISTED


def test_a_series_moved_to_a_later_time_keeps_its_people(mail_expected) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    room = Room.objects.create(branch=branch, name="Sal", capacity=20)
    events = _weekly_series(staff, room)
    _people_in(events[:1], 4)
    before = _state(events[0])
    dispatch_due()
    mail_expected.clear()

    services.series_update(actor=staff, series=events[0].series, start_time=time(14, 0))
    dispatch_due()

    events[0].refresh_from_db()
    assert _state(events[0]) == before
    assert events[0].start == at(DAY, 14)
    assert len(mail_expected) == 4
    assert all("10:00–12:00" in m.body and "14:00–16:00" in m.body for m in mail_expected)


ICALJS_DIR = os.environ.get("ICALJS_DIR", "")
NODE = shutil.which("node")


@pytest.mark.skipif(
    not (NODE and ICALJS_DIR and Path(ICALJS_DIR, "ical.js").is_dir()),
    reason="needs node and ical.js (ICALJS_DIR=<prefix>/node_modules)",
)
def test_icaljs_sees_the_update_replace_the_old_entry(mail_expected, tmp_path) -> None:
    branch = make_branch()
    staff = make_staff(branch)
    first = Room.objects.create(branch=branch, name="Lille sal", capacity=20)
    second = Room.objects.create(branch=branch, name="Store sal", capacity=20)
    event = _weekly_series(staff, first)[0]
    registered(event, make_user())
    dispatch_due()
    [invitation] = mail_expected
    mail_expected.clear()
    services.event_update(actor=staff, event=event, room=second, start=at(DAY, 13), end=at(DAY, 15))
    dispatch_due()

    script = Path(__file__).with_name("icaljs_dump.mjs")

    def parse(body: bytes) -> dict[str, Any]:
        path = tmp_path / "invite.ics"
        path.write_bytes(body)
        out = subprocess.run(  # noqa: S603
            [NODE or "node", str(script), str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "ICALJS_DIR": ICALJS_DIR},
            check=True,
        )
        return json.loads(out.stdout)["events"][0]

    old = parse(ics_parts(invitation)[0][1])
    updates = [parse(ics_parts(m)[0][1]) for m in mail_expected]
    newest = max(updates, key=lambda e: e["sequence"])
    assert newest["uid"] == old["uid"]
    assert newest["sequence"] > old["sequence"]
    assert newest["wall"] == [13, 0]


def test_a_move_onto_a_closed_day_is_refused_with_the_reason_and_keeps_everyone() -> None:
    from core.models import Closure

    branch = make_branch()
    staff = make_staff(branch)
    room = Room.objects.create(branch=branch, name="Sal", capacity=20)
    event = _weekly_series(staff, room)[0]
    reg = registered(event, make_user())
    Closure.objects.create(
        branch=branch, starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 4), reason="Vandskade"
    )

    with pytest.raises(Conflict) as refused:
        services.event_update(
            actor=staff, event=event, start=at(date(2026, 12, 4), 10), end=at(date(2026, 12, 4), 12)
        )

    assert refused.value.code == "branch_closed"
    assert "Vandskade" in refused.value.message
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CONFIRMED
