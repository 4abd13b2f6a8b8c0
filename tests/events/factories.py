"""Plain factories for events (other apps' tests may import them)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from core.models import Branch, Role, Track, User
from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus
from tests.factories import make_branch, make_user

_seq = itertools.count(1)


def make_event(
    *,
    branch: Branch | None = None,
    start: datetime | None = None,
    duration: timedelta = timedelta(hours=2),
    tracks: list[str] | None = ("hygge",),  # type: ignore[assignment]
    state: str = EventState.PUBLISHED,
    **overrides: Any,
) -> Event:
    """A published event (a series of one) a week from now, tagged with a track."""
    n = next(_seq)
    branch = branch or make_branch()
    start = start or (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    series = EventSeries.objects.create(
        title=overrides.get("title", f"Arrangement {n}"), branch=branch
    )
    data: dict[str, Any] = {
        "title": f"Arrangement {n}",
        "capacity": 10,
        "registration_required": True,
    }
    data.update(overrides)
    event = Event.objects.create(
        series=series,
        branch=branch,
        start=start,
        end=start + duration,
        original_start=start,
        state=state,
        **data,
    )
    if tracks:
        event.tracks.set(Track.objects.filter(slug__in=tracks))
    return event


def make_registration(
    *, event: Event, user: User | None = None, seats: int = 1, **overrides: Any
) -> Registration:
    """A confirmed registration, written directly (tests of the service use the service)."""
    data: dict[str, Any] = {"status": RegistrationStatus.CONFIRMED}
    data.update(overrides)
    return Registration.objects.create(event=event, user=user or make_person(), seats=seats, **data)


def make_staff(branch: Branch, **overrides: Any) -> User:
    overrides.setdefault("password", None)
    return make_user(role=Role.STAFF, branches=[branch], **overrides)


def make_person(**overrides: Any) -> User:
    """A person without a usable password (no slow hashing in tests that never log in)."""
    overrides.setdefault("password", None)
    return make_user(**overrides)
