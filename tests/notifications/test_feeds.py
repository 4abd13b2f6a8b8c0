"""The iCalendar feeds, re-parsed as calendar clients parse them (icalendar and
recurring-ical-events): UIDs, SEQUENCE, VTIMEZONE, DST wall times, 304s and the token rules."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from core.models import Audience, Track
from events.services import event_cancel, event_update, registration_cancel
from notifications.models import FeedToken
from rooms.models import EquipmentBooking
from tests.events.factories import make_event
from tests.factories import make_branch, make_user
from tests.notifications.factories import at, registered
from tests.rooms.factories import make_booking, make_equipment, make_room
from tests.volunteers.factories import make_activity, make_shift, make_signup, make_volunteer

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
DAY = date(2026, 12, 10)


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(cal: Calendar) -> dict[str, object]:
    return {str(ev["UID"]): ev for ev in cal.walk("VEVENT")}


# --- The public events feed --------------------------------------------------------------


def test_events_feed_has_a_timezone_stable_uids_and_the_refresh_hints(client) -> None:
    event = make_event(start=at(DAY, 10), title="Strik, hækl; kaffe")
    event.description = "Første linje\nAnden linje, med komma; og semikolon"
    event.save()

    first = client.get("/feeds/events.ics")
    second = client.get("/feeds/events.ics")
    cal = parse(first)

    assert first.content == second.content  # the same state gives the same bytes
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in first.content
    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Copenhagen"
    ev = vevents(cal)[f"event-{event.pk}@modested.dk"]
    assert str(ev["SUMMARY"]) == "Strik, hækl; kaffe"
    assert str(ev["DESCRIPTION"]) == "Første linje\nAnden linje, med komma; og semikolon"
    assert ev["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert ev["DTSTART"].dt == datetime(2026, 12, 10, 10, tzinfo=CPH)
    assert ev["SEQUENCE"] == 0 and ev["STATUS"] == "CONFIRMED"
    # Every TZID used has its VTIMEZONE.
    used = set(re.findall(rb"TZID=([^:;]+)", first.content))
    assert used == {b"Europe/Copenhagen"}


def test_wall_times_stay_right_across_both_dst_changes(client) -> None:
    days = [date(2026, 3, 22), date(2026, 3, 29), date(2026, 10, 18), date(2026, 10, 25)]
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=CPH), tick=False):
        for day in days:
            make_event(start=at(day, 10), title=f"Læseklub {day}")
        cal = parse(client.get("/feeds/events.ics"))

    found = recurring_ical_events.of(cal).between(date(2026, 3, 1), date(2026, 11, 1))
    starts = sorted(ev["DTSTART"].dt for ev in found)
    assert [(s.date(), s.hour, s.minute) for s in starts] == [(d, 10, 0) for d in days]
    utc_hours = [s.astimezone(ZoneInfo("UTC")).hour for s in starts]
    assert utc_hours == [9, 8, 8, 9]  # CET, CEST, CEST, CET


def test_events_feed_filters_like_the_events_api(client) -> None:
    roskilde, jyllinge = make_branch(slug="roskilde"), make_branch(slug="jyllinge")
    room = make_room(branch=roskilde)
    hygge = make_event(branch=roskilde, start=at(DAY, 10), tracks=["hygge"], room=room)
    digital = make_event(branch=jyllinge, start=at(DAY, 12), tracks=["digitale-forbindelser"])
    children = Audience.objects.get(slug="boern")
    digital.audiences.add(children)
    make_event(start=at(DAY, 14), state="draft")

    def uids(query: str) -> set[str]:
        return set(vevents(parse(client.get("/feeds/events.ics" + query))))

    assert uids("") == {f"event-{hygge.pk}@modested.dk", f"event-{digital.pk}@modested.dk"}
    assert uids("?branch=roskilde") == {f"event-{hygge.pk}@modested.dk"}
    assert uids("?track=digitale-forbindelser") == {f"event-{digital.pk}@modested.dk"}
    assert uids("?audience=boern") == {f"event-{digital.pk}@modested.dk"}
    assert uids(f"?room={room.pk}") == {f"event-{hygge.pk}@modested.dk"}
    assert uids("?branch=jyllinge&track=hygge") == set()
    assert Track.objects.filter(slug="hygge").exists()


def test_a_change_raises_the_sequence_and_a_cancellation_stays_30_days(client, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10))
    uid = f"event-{event.pk}@modested.dk"
    before = vevents(parse(client.get("/feeds/events.ics")))[uid]["SEQUENCE"]

    event_update(actor=staff, event=event, start=at(DAY, 11), end=at(DAY, 13))
    moved = vevents(parse(client.get("/feeds/events.ics")))[uid]
    assert moved["SEQUENCE"] > before
    assert moved["DTSTART"].dt.hour == 11

    event_cancel(actor=staff, event=event, reason="Sygdom")
    cancelled = vevents(parse(client.get("/feeds/events.ics")))[uid]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] > moved["SEQUENCE"]

    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert uid in vevents(parse(client.get("/feeds/events.ics")))
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert uid not in vevents(parse(client.get("/feeds/events.ics")))


def test_conditional_requests_get_304_until_something_changes(client, staff) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10))
    first = client.get("/feeds/events.ics")
    etag, modified = first["ETag"], first["Last-Modified"]

    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    not_modified = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag)
    assert not_modified["ETag"] == etag and not_modified.content == b""

    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        event_update(actor=staff, event=event, start=at(DAY, 11), end=at(DAY, 12))
    changed = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get("/feeds/events.ics", HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def test_one_event_can_be_downloaded(client) -> None:
    event = make_event(start=at(DAY, 10))
    cal = parse(client.get(reverse("notifications:event-ics", args=[event.pk])))
    assert list(vevents(cal)) == [f"event-{event.pk}@modested.dk"]
    draft = make_event(start=at(DAY, 10), state="draft")
    assert client.get(f"/feeds/events/{draft.pk}.ics").status_code == 404


def test_events_feed_query_count_does_not_grow(client, django_assert_num_queries, settings) -> None:
    # A cache of its own: the count is about our queries, not about a shared Redis that a
    # busy run may mark as down for a few seconds (core/cache.py).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for i in range(2):
        make_event(start=at(DAY, 10 + i))
    with django_assert_num_queries(1):  # the events' columns: the VEVENTs are built from them
        client.get("/feeds/events.ics")
    with django_assert_num_queries(1):  # built once: the columns alone
        client.get("/feeds/events.ics")
    for i in range(6):
        make_event(start=at(DAY + timedelta(days=1), 8 + i))
    with django_assert_num_queries(1):  # the same one query for four times as many
        client.get("/feeds/events.ics")


def test_cached_feed_is_the_feed_built_afresh(client) -> None:
    from notifications.calendar import feed_ical
    from notifications.selectors import public_events
    from notifications.sources import event_item

    for i in range(12):  # "event-10" sorts before "event-9": the order must not depend on it
        make_event(start=at(DAY, 10), title=f"Samme tid {i}")
    make_event(start=at(DAY, 9), state="cancelled")
    client.get("/feeds/events.ics")  # fills the cache
    cached = client.get("/feeds/events.ics").content

    afresh = feed_ical("Arrangementer", [event_item(e) for e in public_events()])
    assert cached == afresh


def test_a_renamed_room_reaches_the_feed_and_a_304_builds_nothing(
    client, django_assert_num_queries
) -> None:
    room = make_room(name="Mødelokale 1")
    make_event(start=at(DAY, 10), room=room, branch=room.branch)
    first = client.get("/feeds/events.ics")
    assert "Mødelokale 1" in first.content.decode()
    with django_assert_num_queries(1):  # the columns, then 304 without building
        again = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    room.name = "Fortællerummet"
    room.save(update_fields=["name"])
    renamed = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert renamed.status_code == 200 and renamed["ETag"] != first["ETag"]
    assert "Fortællerummet" in renamed.content.decode()


# --- A room's occupancy ------------------------------------------------------------------


def test_room_feed_shows_busy_times_without_personal_data(client) -> None:
    room = make_room()
    booker = make_user(name="Hemmelig Hansen", email="hemmelig@example.org")
    booking = make_booking(
        room=room, start=at(DAY, 10), end=at(DAY, 12), booker=booker, purpose="Skilsmissegruppe"
    )
    make_booking(room=room, start=at(DAY, 14), end=at(DAY, 15), booker=booker, status="pending")
    other_room = make_room(branch=room.branch, name="Salen")
    make_booking(room=other_room, start=at(DAY, 10), end=at(DAY, 12), booker=booker)

    response = client.get(f"/feeds/rooms/{room.pk}.ics")
    cal = parse(response)

    events = vevents(cal)
    assert len(events) == 2
    ev = events[f"booking-{booking.pk}@modested.dk"]
    assert str(ev["SUMMARY"]) == "Optaget"
    assert sorted(str(e["STATUS"]) for e in events.values()) == ["CONFIRMED", "TENTATIVE"]
    for secret in (b"Hemmelig", b"hemmelig@", b"Skilsmisse", b"ATTENDEE", b"ORGANIZER"):
        assert secret not in response.content
    assert client.get("/feeds/rooms/999999.ics").status_code == 404


# --- The personal feed ---------------------------------------------------------------------


def make_feed(client, user) -> str:
    client.force_login(user)
    page = client.post(reverse("notifications:feed-renew"), follow=True)
    assert page.status_code == 200
    match = re.search(
        r'value="(http://testserver/feeds/personal/([^"]+)\.ics)"', page.content.decode()
    )
    assert match, page.content.decode()
    client.logout()
    return match.group(2)


def test_the_token_is_long_random_and_only_stored_hashed(client) -> None:
    person = make_user()
    token = make_feed(client, person)
    assert len(token) >= 43  # 32 bytes from secrets: 256 bits
    row = FeedToken.objects.get(user=person)
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert make_feed(client, make_user()) != token


def test_wrong_and_revoked_tokens_get_the_same_plain_404(client) -> None:
    person = make_user()
    old = make_feed(client, person)
    assert client.get(f"/feeds/personal/{old}.ics").status_code == 200

    new = make_feed(client, person)  # renewed on "my page"
    revoked = client.get(f"/feeds/personal/{old}.ics")
    wrong = client.get(f"/feeds/personal/{'x' * 43}.ics")
    assert revoked.status_code == wrong.status_code == 404
    assert revoked.content == wrong.content
    assert revoked["Content-Type"] == wrong["Content-Type"] == "text/plain; charset=utf-8"
    assert client.get(f"/feeds/personal/{new}.ics").status_code == 200

    client.force_login(person)
    client.post(reverse("notifications:feed-revoke"))
    assert client.get(f"/feeds/personal/{new}.ics").content == wrong.content


def test_personal_feed_has_my_registrations_bookings_slots_and_shifts_only(client) -> None:
    me, other = make_volunteer(), make_user()
    event = make_event(start=at(DAY, 10), title="Foredrag")
    mine = registered(event, me)
    registered(event, other)
    room = make_room()
    booking = make_booking(room=room, start=at(DAY, 13), end=at(DAY, 14), booker=me)
    make_booking(room=room, start=at(DAY, 15), end=at(DAY, 16), booker=other)
    printer = make_equipment(branch=room.branch)
    slot = EquipmentBooking.objects.create(
        equipment=printer, booker=me, start=at(DAY, 16), end=at(DAY, 18)
    )
    shift = make_shift(activity=make_activity(name="Lektiecafé"), start=at(DAY, 19))
    signup = make_signup(shift=shift, volunteer=me)
    token = make_feed(client, me)

    response = client.get(f"/feeds/personal/{token}.ics")
    events = vevents(parse(response))

    assert set(events) == {
        f"registration-{mine.pk}@modested.dk",
        f"booking-{booking.pk}@modested.dk",
        f"equipment-booking-{slot.pk}@modested.dk",
        f"shift-signup-{signup.pk}@modested.dk",
    }
    assert str(events[f"shift-signup-{signup.pk}@modested.dk"]["SUMMARY"]) == (
        "Frivilligvagt: Lektiecafé"
    )
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_cancelled_registration_stays_as_cancelled_with_a_higher_sequence(client) -> None:
    me = make_user()
    reg = registered(make_event(start=at(DAY, 10)), me)
    token = make_feed(client, me)
    uid = f"registration-{reg.pk}@modested.dk"
    before = vevents(parse(client.get(f"/feeds/personal/{token}.ics")))[uid]

    registration_cancel(actor=me, registration=reg)
    after = vevents(parse(client.get(f"/feeds/personal/{token}.ics")))[uid]
    assert after["STATUS"] == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert uid not in vevents(parse(client.get(f"/feeds/personal/{token}.ics")))


def test_personal_feed_query_count_does_not_grow(client, django_assert_num_queries) -> None:
    me = make_volunteer()
    token = make_feed(client, me)
    room = make_room()

    def add(n: int, week: int) -> None:
        day = DAY + timedelta(weeks=week)
        for i in range(n):
            registered(make_event(start=at(day, 8 + i), branch=room.branch), me)
            next_day = day + timedelta(days=1)
            make_booking(room=room, start=at(next_day, 8 + i), end=at(next_day, 9 + i), booker=me)
            shift = make_shift(start=at(day + timedelta(days=2), 8 + 2 * i))
            make_signup(shift=shift, volunteer=me)

    add(1, week=0)
    # 1 the token (with its person), 2 registrations with event, branch, room and stop,
    # 3 bookings with room and branch, 4 equipment slots with machine, room and branch,
    # 5 shift sign-ups with shift, activity, branch, room and its branch.
    with django_assert_num_queries(5):
        client.get(f"/feeds/personal/{token}.ics")
    add(4, week=1)
    with django_assert_num_queries(5):
        client.get(f"/feeds/personal/{token}.ics")


def test_room_feed_query_count_does_not_grow(client, django_assert_num_queries) -> None:
    room = make_room()
    make_booking(room=room, start=at(DAY, 8), end=at(DAY, 9))
    # 1 the room with its branch, 2 its bookings (room and branch joined)
    with django_assert_num_queries(2):
        client.get(f"/feeds/rooms/{room.pk}.ics")
    for i in range(5):
        make_booking(room=room, start=at(DAY, 10 + i), end=at(DAY, 11 + i))
    with django_assert_num_queries(2):
        client.get(f"/feeds/rooms/{room.pk}.ics")
