"""The invitations' lean path says exactly what icalendar says.

An e-mail's ``.ics`` (``messages.invitation``) writes its VEVENT with ``vevent_bytes``,
ORGANIZER and ATTENDEE included; these tests hold it to the bytes icalendar builds with
``build_vevent`` (``calendar.invitation_ical``), METHOD:REQUEST and METHOD:CANCEL, over tricky
titles, places and descriptions, and over addresses and parameter values with commas,
semicolons, colons, quotes, carets, line breaks and Danish letters, long enough to fold.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vCalAddress, vText
from icalendar.parser import Parameters
from icalendar.parser.string import _foldline

from events.services import event_cancel
from notifications import services
from notifications.calendar import (
    ORGANIZER_CN,
    CalendarItem,
    _address_line,
    _param_value,
    build_vevent,
    invitation_ical,
    vevent_bytes,
)
from notifications.messages import invitation
from notifications.models import Delivery
from notifications.sources import registration_item
from tests.events.factories import make_event
from tests.factories import make_user
from tests.notifications.factories import at, ics_parts, random_calendar_item, registered

CPH = ZoneInfo("Europe/Copenhagen")
DAY = date(2026, 12, 10)

ADDRESSES = [
    "birte@example.org",
    "søren.ærø+strik@eksempel.dk",
    "ÆØÅ.æøå@bibliotek.dk",
    '"Birte, Hansen"@example.org',
    "a;b:c,d@example.org",
    "back\\slash^caret@example.org",
    "x" * 60 + "@" + "ø" * 20 + ".dk",
    "🎉" * 30 + "@example.org",
    "o’brien@example.org",
    "tab\there@example.org",
]

ORGANIZERS = [
    "noreply@modested.dk",
    "Mødested <noreply@modested.dk>",
    '"Mødested, Bibliotekerne" <noreply+invitation@modested.dk>',
    "ikke-svar@bibliotekerne.dk",
]

PARAM_VALUES = [
    "",
    "Mødested",
    "Birte Hansen",
    "Hansen, Birte",
    "a;b",
    "mailto:x@y",
    'Sagde "hej"',
    "O'Brien",
    "O’Brien",
    "^caret^^",
    "Linje\nLinje\r\nLinje\rslut",
    "Æbleskiver på Østerbro",
    "tab\there",
    "🎉" * 10,
]


def test_each_invitation_vevent_is_byte_for_byte_what_icalendar_writes() -> None:
    rng = random.Random(162)
    for n in range(600):
        item = random_calendar_item(rng, n)
        organizer = rng.choice(["", *ADDRESSES])
        attendee = rng.choice(["", *ADDRESSES])
        assert vevent_bytes(item, organizer=organizer, attendee=attendee) == (
            build_vevent(item, organizer=organizer, attendee=attendee).to_ical()
        ), (item, organizer, attendee)


def test_without_addresses_the_vevent_is_the_feeds() -> None:
    rng = random.Random(1)
    for n in range(50):
        item = random_calendar_item(rng, n)
        assert vevent_bytes(item, organizer="", attendee="") == vevent_bytes(item)


@pytest.mark.parametrize("organizer", ORGANIZERS)
def test_each_invitation_is_byte_for_byte_the_calendars(settings: Any, organizer: str) -> None:
    """The whole .ics, REQUEST and CANCEL (the cached head and the fast VEVENT together)."""
    settings.DEFAULT_FROM_EMAIL = organizer
    rng = random.Random(organizer)
    methods = set()
    for n in range(150):
        item = random_calendar_item(rng, n)
        attendee = rng.choice(ADDRESSES)
        body, method = invitation(item, attendee=attendee)
        assert (body, method) == invitation_ical(item, attendee=attendee), (item, attendee)
        methods.add(method)
        [event] = Calendar.from_ical(body).walk("VEVENT")
        assert str(event["ATTENDEE"]) == f"mailto:{attendee}"
        assert event["ORGANIZER"].params["CN"] == ORGANIZER_CN
    assert methods == {"REQUEST", "CANCEL"}


def test_parameter_values_are_quoted_and_escaped_as_icalendar_does() -> None:
    rng = random.Random(6868)
    alphabet = [*"abæøÅ ,;:'\"^\\\t\n\r", "’", "🎉", "\r\n"]
    values = PARAM_VALUES + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20))) for _ in range(2000)
    ]
    for name in ("CN", "ROLE", "PARTSTAT", "RSVP", "X-NAME"):
        for value in values:
            expected = Parameters({name: vText(value)}).to_ical().decode()
            assert f"{name}={_param_value(name, value)}" == expected, (name, value)


def test_address_lines_with_any_parameters_are_icalendars() -> None:
    """``_address_line`` against a vCalAddress with the same parameters, as a VEVENT writes
    it (sorted, folded), for CN values with commas, quotes and Danish letters."""
    rng = random.Random(5545)
    for _ in range(500):
        address = rng.choice(ADDRESSES)
        params = {
            key: rng.choice(PARAM_VALUES)
            for key in rng.sample(["CN", "ROLE", "PARTSTAT", "RSVP"], rng.randint(0, 4))
        }
        value = vCalAddress(f"mailto:{address}")
        for key, param in params.items():
            value.params[key] = vText(param)
        expected = value.params.to_ical() if params else b""
        line = b"ATTENDEE" + (b";" + expected if params else b"") + b":" + value.to_ical()
        assert (
            _address_line("ATTENDEE", params.items(), address)
            == (_foldline(line.decode()) + "\r\n").encode()
        ), (address, params)


@pytest.mark.parametrize("address", ["a@b.dk\r\nX-EVIL:1", "a@b.dk\nATTENDEE:x", "a@b\r.dk"])
def test_an_address_with_a_line_break_is_refused_as_icalendar_refuses_it(address: str) -> None:
    item = CalendarItem(
        uid="u@modested.dk", sequence=0, summary="", start=at(DAY, 10), end=at(DAY, 12)
    )
    with pytest.raises(ValueError):
        build_vevent(item, attendee=address)
    with pytest.raises(ValueError):
        vevent_bytes(item, attendee=address)


@pytest.mark.django_db
def test_sent_invitations_request_then_cancel_are_the_calendars(mail_expected, staff) -> None:
    event = make_event(
        branch=staff.branches.get(),
        start=at(DAY, 19),
        title='Strik, hækl; kaffe — "Ålborg"-stil med en titel lang nok til at blive foldet',
    )
    person = make_user(email="søren.ærø+strik@eksempel.dk", name='Søren "Strik" Ærø, jr.')
    registered(event, person)
    services.dispatch_due()
    [(method, body)] = ics_parts(mail_expected[0])
    registration = event.registrations.get()
    assert method == "REQUEST"
    assert body == invitation_ical(registration_item(registration), attendee=person.email)[0]

    mail_expected.clear()
    event_cancel(actor=staff, event=event, reason="Sygdom; og, komma")
    services.dispatch_due()
    [(method, body)] = ics_parts(mail_expected[0])
    registration.refresh_from_db()
    assert method == "CANCEL"
    assert body == invitation_ical(registration_item(registration), attendee=person.email)[0]
    assert Delivery.objects.filter(recipient=person).count() == 2
