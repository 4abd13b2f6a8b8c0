"""Plain factory functions for the plan's tests (and the events/volunteers rows they read)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.models import Audience, Branch, Partner, Role, Track, User
from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus
from plans.models import Initiative, InitiativeStatus, Plan, TrackTarget
from volunteers.models import Activity, Shift, ShiftSignup

_seq = itertools.count(1)


def make_plan(*, year: int = 2027, **overrides: Any) -> Plan:
    return Plan.objects.create(year=year, **overrides)


def make_target(
    *, plan: Plan, track: Track, branch: Branch | None = None, **overrides: Any
) -> TrackTarget:
    return TrackTarget.objects.create(plan=plan, track=track, branch=branch, **overrides)


def make_initiative(
    *,
    plan: Plan,
    tracks: list[Track],
    branches: list[Branch],
    quarters: list[int] | None = None,
    partners: list[Partner] | None = None,
    status: str = InitiativeStatus.PLANNED,
    **overrides: Any,
) -> Initiative:
    n = next(_seq)
    data = {"title": f"Indsats {n}", "quarters": quarters if quarters is not None else [1]}
    data.update(overrides)
    initiative = Initiative.objects.create(plan=plan, status=status, **data)
    initiative.tracks.set(tracks)
    initiative.branches.set(branches)
    if partners:
        initiative.partners.set(partners)
    return initiative


def make_event(
    *,
    branch: Branch,
    start: datetime,
    tracks: list[Track] = (),  # type: ignore[assignment]
    state: str = EventState.PUBLISHED,
    hours: float = 2,
    partners: list[Partner] | None = None,
    audiences: list[Audience] | None = None,
    **overrides: Any,
) -> Event:
    n = next(_seq)
    title = overrides.pop("title", f"Arrangement {n}")
    series = EventSeries.objects.create(title=title, branch=branch)
    event = Event.objects.create(
        series=series,
        title=title,
        branch=branch,
        start=start,
        end=start + timedelta(hours=hours),
        state=state,
        **overrides,
    )
    event.tracks.set(list(tracks))
    if partners:
        event.partners.set(partners)
    if audiences:
        event.audiences.set(audiences)
    return event


def make_registration(
    *,
    event: Event,
    user: User | None = None,
    seats: int = 1,
    status: str = RegistrationStatus.CONFIRMED,
    checked_in: bool = False,
    waitlist_position: int | None = None,
) -> Registration:
    return Registration.objects.create(
        event=event,
        user=user,
        seats=seats,
        status=status,
        waitlist_position=waitlist_position,
        checked_in_at=event.start if checked_in else None,
    )


def make_activity(*, branch: Branch, tracks: list[Track], **overrides: Any) -> Activity:
    n = next(_seq)
    activity = Activity.objects.create(
        branch=branch, name=overrides.pop("name", f"Aktivitet {n}"), **overrides
    )
    activity.tracks.set(tracks)
    return activity


def make_shift_signup(
    *,
    activity: Activity,
    start: datetime,
    volunteer: User | None = None,
    attended: bool | None = True,
    hours: str | Decimal | None = "2.5",
) -> ShiftSignup:
    shift = Shift.objects.create(activity=activity, start=start, end=start + timedelta(hours=3))
    return ShiftSignup.objects.create(
        shift=shift,
        volunteer=volunteer,
        attended=attended,
        hours=Decimal(hours) if hours is not None else None,
    )


def make_person(
    *, role: str = Role.CITIZEN, branches: list[Branch] | None = None, **overrides: Any
) -> User:
    """A person without a password (no slow hashing); tests log them in with force_login."""
    n = next(_seq)
    data = {"email": f"plans-person{n}@example.org", "name": f"Person {n}", "language": "da"}
    data.update(overrides)
    user = User(role=role, **data)
    user.is_staff = role == Role.ADMINISTRATOR
    user.is_superuser = role == Role.ADMINISTRATOR
    user.set_unusable_password()
    user.save()
    if branches:
        user.branches.set(branches)
    return user
