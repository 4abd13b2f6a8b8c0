"""The feeds' lean path says exactly what icalendar says.

``vevent_bytes`` writes each VEVENT directly and the public feed builds them from one query's
columns; these tests hold both to the bytes that ``icalendar`` builds with ``build_vevent``
and ``event_item`` over tricky data: Danish letters, emoji on the folding boundary, long
descriptions, commas, semicolons, backslashes, every kind of line break, cancelled and moved
occurrences, every place kind, the personal and the room feeds. A change made through the
services reaches the feed with a new ETag.
"""

from __future__ import annotations

import random
import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from icalendar import Calendar

from core.models import BookmobileStop
from events.services import event_cancel, event_update
from notifications import selectors
from notifications.calendar import (
    CalendarItem,
    _calendar,
    _line,
    _vtimezone,
    build_vevent,
    feed_ical,
    vevent_bytes,
)
from notifications.selectors import public_events
from notifications.sources import event_item
from tests.events.factories import make_event
from tests.factories import make_branch, make_user
from tests.notifications.factories import TRICKY, at, random_calendar_item, registered
from tests.notifications.test_feeds import make_feed
from tests.rooms.factories import make_booking, make_room

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
DAY = date(2026, 12, 10)


def full_icalendar_feed(name: str, items: list[CalendarItem]) -> bytes:
    """The feed as icalendar alone builds it: the calendar, the VTIMEZONE and each VEVENT
    added as components (what the feeds were before the lean path)."""
    cal = _calendar(name, feed=True)
    ordered = sorted(items, key=lambda i: (i.start, i.uid))
    if ordered:
        cal.add_component(_vtimezone())
    for item in ordered:
        cal.add_component(build_vevent(item))
    return cal.to_ical()


def feed_name(body: bytes) -> str:
    """The feed's name as the view gave it (read from the NAME line, unfolded, unescaped)."""
    from icalendar.parser.string import _unescape_char

    unfolded = body.decode().replace("\r\n ", "")
    [name] = re.findall(r"^NAME:(.*)\r$", unfolded, flags=re.MULTILINE)
    return str(_unescape_char(name))


# --- vevent_bytes against build_vevent ------------------------------------------------------


def test_each_vevent_is_byte_for_byte_what_icalendar_writes() -> None:
    rng = random.Random(16)
    for n in range(600):
        item = random_calendar_item(rng, n)
        assert vevent_bytes(item) == build_vevent(item).to_ical(), item


def test_folding_keeps_lines_to_75_octets_on_character_boundaries() -> None:
    rng = random.Random(5545)
    alphabet = [*'abæøåÆØÅ ,;\\^:"é€', "🎉", "\U0001f468\u200d\U0001f469", "\t"]
    for _ in range(3000):
        text = "DESCRIPTION:" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        folded = _line(text)
        assert folded.endswith(b"\r\n")
        physical = folded[:-2].split(b"\r\n")
        assert all(len(line) <= 75 for line in physical)
        assert all(line.startswith(b" ") for line in physical[1:])
        for line in physical:
            line.decode()  # no UTF-8 character is split across lines
        assert b"".join(line[1:] if i else line for i, line in enumerate(physical)).decode() == (
            text
        )


def test_folding_is_icalendars_folding() -> None:
    from icalendar.parser.string import _foldline

    rng = random.Random(75)
    alphabet = [*"abæøå ,;\\^", "🎉", "€"]
    for _ in range(3000):
        text = "X:" + "".join(rng.choice(alphabet) for _ in range(rng.randint(60, 300)))
        assert _line(text) == (_foldline(text) + "\r\n").encode()


def test_an_empty_summary_and_no_optional_properties() -> None:
    item = CalendarItem(
        uid="event-1@modested.dk", sequence=0, summary="", start=at(DAY, 10), end=at(DAY, 12)
    )
    assert vevent_bytes(item) == build_vevent(item).to_ical()
    assert b"SUMMARY:\r\n" in vevent_bytes(item)


# --- The public feed, built from its columns ----------------------------------------------


def tricky_events(staff) -> list:
    """Published events in every place kind, with tricky text, one moved and one cancelled."""
    branch = staff.branches.get()
    branch.address, branch.postcode, branch.town = "Stændertorvet 3, 2. sal", "4000", "Roskilde"
    branch.save()
    room = make_room(branch=branch, name="Fortællerummet; Æ")
    stop_a = BookmobileStop.objects.create(
        branch=branch,
        name="Trekroner Øst",
        place="Trekroner Øst, ved butikkerne",
        weekday=2,
        arrives=time(14),
        departs=time(16),
        valid_from=date(2026, 1, 1),
    )
    stop_b = BookmobileStop.objects.create(
        branch=branch,
        name="Himmelev",
        place="P-pladsen, Himmelev Skole",
        weekday=3,
        arrives=time(10),
        departs=time(11),
        valid_from=date(2026, 1, 1),
    )
    places = [
        {"place_kind": "branch"},
        {"place_kind": "room", "room": room},
        {"place_kind": "address", "address": "Algade 1, baghuset; 1. sal", "room": room},
        {"place_kind": "address", "address": ""},
        {"place_kind": "online", "online_url": "https://meet.example/æ?x=1,2"},
        {"place_kind": "online", "online_url": ""},
        {"place_kind": "bookmobile_stop", "stop": stop_a},
        {"place_kind": "bookmobile_stop", "stop": stop_b},
    ]
    events = []
    for n, text in enumerate(TRICKY):
        events.append(
            make_event(
                branch=branch,
                start=at(DAY + timedelta(days=n % 4), 9 + n % 9),
                title=(text or "Uden titel")[:200],  # the column holds 200
                description=TRICKY[-1 - n] + "\n\n" + text,
                **places[n % len(places)],
            )
        )
    # the same start for several: the order then goes by UID ("event-10" before "event-9")
    events += [make_event(branch=branch, start=at(DAY, 10), title=f"Samme {i}") for i in range(3)]
    event_update(actor=staff, event=events[1], start=at(DAY, 18), end=at(DAY, 20))  # moved
    event_cancel(actor=staff, event=events[2], reason="Sygdom; og, komma")  # cancelled
    return events


def test_the_public_feed_is_what_icalendar_builds_from_the_events(client, staff) -> None:
    tricky_events(staff)
    cache.clear()
    cold = client.get("/feeds/events.ics")  # built from the columns
    warm = client.get("/feeds/events.ics")  # from the cached VEVENTs
    assert cold.status_code == warm.status_code == 200

    items = [event_item(e) for e in public_events()]
    expected = full_icalendar_feed(feed_name(cold.content), items)

    assert cold.content == expected
    assert warm.content == expected
    assert warm["ETag"] == cold["ETag"]
    assert cold.content.count(b"BEGIN:VEVENT") == len(items) == len(TRICKY) + 3
    assert b"STATUS:CANCELLED" in cold.content
    assert feed_ical(feed_name(cold.content), items) == expected


def test_the_branch_feed_is_what_icalendar_builds(client, staff) -> None:
    events = tricky_events(staff)
    make_event(start=at(DAY, 10), title="Et andet bibliotek")  # not in the branch's feed
    slug = events[0].branch.slug

    response = client.get(f"/feeds/events.ics?branch={slug}")

    items = [event_item(e) for e in public_events(branch=slug)]
    assert response.content == full_icalendar_feed(feed_name(response.content), items)
    assert "Et andet bibliotek" not in response.content.decode()


def test_a_title_changed_through_the_service_reaches_the_feed_with_a_new_etag(
    client, staff
) -> None:
    event = make_event(branch=staff.branches.get(), start=at(DAY, 10), title="Strikkecafé")
    first = client.get("/feeds/events.ics")
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    event_update(actor=staff, event=event, title="Strik & snak, med kage")
    event.refresh_from_db()
    assert event.sequence >= 1  # a real change is a new revision

    changed = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    body = Calendar.from_ical(changed.content)
    [vevent] = body.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Strik & snak, med kage"
    assert vevent["SEQUENCE"] == event.sequence
    assert "Strikkecafé" not in changed.content.decode()


def test_the_feed_without_a_cache_is_the_same_feed(client, staff, settings) -> None:
    tricky_events(staff)
    cached = client.get("/feeds/events.ics").content
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert client.get("/feeds/events.ics").content == cached


# --- The personal and the room feeds share the writer --------------------------------------


def test_the_personal_feed_is_what_icalendar_builds(client) -> None:
    me = make_user(name="Åse Ørnebæk")
    branch = make_branch(name="Hovedbiblioteket, Roskilde")
    room = make_room(branch=branch, name="Lokale 2; oppe")
    for n, text in enumerate(TRICKY[1:8]):
        registered(make_event(branch=branch, start=at(DAY, 9 + n), title=text), me)
    make_booking(room=room, start=at(DAY, 19), end=at(DAY, 20), booker=me, purpose=TRICKY[5])
    token = make_feed(client, me)

    response = client.get(f"/feeds/personal/{token}.ics")

    items = selectors.personal_feed_items(user=me)
    assert response.content == full_icalendar_feed(feed_name(response.content), items)
    assert response.content.count(b"BEGIN:VEVENT") == 8


def test_the_room_feed_is_what_icalendar_builds(client) -> None:
    room = make_room(name="Mødelokale, 1")
    for h in (9, 11, 14):
        make_booking(room=room, start=at(DAY, h), end=at(DAY, h + 1), purpose="Privat; hemmeligt")

    response = client.get(f"/feeds/rooms/{room.pk}.ics")

    items = selectors.room_busy_items(room=room)
    assert response.content == full_icalendar_feed(feed_name(response.content), items)
    assert not re.search(rb"hemmeligt", response.content)


# --- Read by ical.js (Thunderbird's parser), when it is installed ----------------------------


def test_icaljs_reads_every_tricky_event_as_written(client, staff, tmp_path) -> None:
    from tests.notifications import test_icaljs

    if not (test_icaljs.NODE and test_icaljs.ICALJS_DIR):
        pytest.skip("needs node and ical.js (ICALJS_DIR=<prefix>/node_modules)")
    events = tricky_events(staff)
    cache.clear()
    body = client.get("/feeds/events.ics").content

    parsed = {e["uid"]: e for e in test_icaljs.icaljs(body, tmp_path)["events"]}

    assert len(parsed) == len(events)
    for event in public_events():
        item = event_item(event)
        seen = parsed[item.uid]
        # icalendar reads a literal "\N" as a line break, and every line break as LF
        assert seen["summary"] == item.summary.replace("\\N", "\n").replace("\r\n", "\n").replace(
            "\r", "\n"
        )
        assert (seen["description"] or "") == item.description.replace("\\N", "\n").replace(
            "\r\n", "\n"
        ).replace("\r", "\n")
        assert (seen["sequence"], seen["status"]) == (item.sequence, item.status)
        assert seen["tzid"] == "Europe/Copenhagen"
        local = item.start.astimezone(CPH)
        assert seen["wall"] == [local.hour, local.minute]
