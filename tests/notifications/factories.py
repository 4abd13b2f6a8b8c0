"""Factories of the notifications tests (they build on the domain apps' own factories)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from core.models import User
from core.timeutils import make_local
from events.models import Event, Registration
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
