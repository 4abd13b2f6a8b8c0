"""Factories of the notifications tests (they build on the domain apps' own factories)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.models import User
from core.timeutils import make_local
from events.models import Event, Registration
from notifications.calendar import CalendarItem, ItemStatus
from tests.factories import make_user


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """An aware local (Copenhagen) datetime."""
    return make_local(day, time(hh, mm))


def registered(event: Event, user: User | None = None, **kwargs: Any) -> Registration:
    """A registration made through the events service (which sends registration.confirmed)."""
    from events.services import registration_create

    return registration_create(actor=user or make_user(), event=event, **kwargs)


def ics_parts(message: Any) -> list[tuple[str, bytes]]:
    """(method, body) of every text/calendar attachment of a sent e-mail."""
    return [
        (part.get_param("method"), part.get_payload(decode=True))
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    ]


TRICKY = [
    "",
    "Strik, hækl; kaffe",
    "Æbleskiver og gløgg på Østerbro — Ålborg-stil",
    "Back\\slash \\\\ og \\, allerede escaped\\; \\n ikke en linje",
    "Et bogstaveligt \\N og \\N igen",
    "Linje 1\nLinje 2\r\nLinje 3\rLinje 4\n\nTom linje over",
    "🎉" * 40,
    "ø" * 37 + "🎉ab" + "æ" * 50,
    "x" * 73 + "\\,y" * 30,
    "y" * 72 + "^^" + "^" * 80,
    "Kom og vær med. " * 60,
    'Tabulator\there; kolon: og "citat"',
    "a" * 74,
    "a" * 75,
    "\u0131\u0307 Ǆ ß ﬃ \U0001f468\u200d\U0001f469\u200d\U0001f467 ﷽",
]


def random_calendar_item(rng: random.Random, n: int) -> CalendarItem:
    """A calendar item of tricky text and times (both sides of the DST changes), for the tests
    that hold the direct VEVENT writer to icalendar's output."""
    start = datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    begins = start + timedelta(minutes=rng.randint(0, 400_000), microseconds=rng.randint(0, 9))
    return CalendarItem(
        uid=rng.choice(
            [
                f"event-{n}@modested.dk",
                f"registration-{n}@modested.dk",
                f"booking-{n},x;y@modested.dk",
            ]
        ),
        sequence=rng.randint(0, 12),
        summary=rng.choice(TRICKY),
        start=begins,
        end=begins + timedelta(minutes=rng.randint(15, 600)),
        status=rng.choice([ItemStatus.CONFIRMED, ItemStatus.TENTATIVE, ItemStatus.CANCELLED]),
        location=rng.choice(TRICKY),
        description=rng.choice(TRICKY),
        url=rng.choice(["", f"https://modested.dk/arrangementer/{n}/?a=1&b=æ"]),
        last_modified=rng.choice(
            [
                None,
                begins.astimezone(ZoneInfo("Europe/Copenhagen"))
                - timedelta(days=3, microseconds=123_456),
            ]
        ),
        categories=rng.choice([[], ["Hygge"], ["Børn, unge", "Læs; skriv", "\\"]]),
        transparent=rng.random() < 0.3,
    )
