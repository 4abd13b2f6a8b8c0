"""Generated data for the coverage tests, with its own independent count.

``world`` lays several branches, events across the quarters of 2027 (and a few just
outside it), events with two tracks, cancelled, draft, future and drop-in events,
registrations of every status (some anonymised), volunteer shifts and initiatives,
and counts what the coverage should say by walking its own records in Python.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

from core.models import Audience, Branch, Partner, Role, Track
from core.timeutils import make_local
from events.models import Event, EventState, RegistrationStatus
from plans.models import InitiativeStatus, Plan
from tests.factories import make_branch, make_partner
from tests.plans.factories import (
    make_activity,
    make_event,
    make_initiative,
    make_person,
    make_plan,
    make_registration,
    make_shift_signup,
)

YEAR = 2027
# "Now" for the generated world: the middle of Q3 2027, so Q1-Q2 are past, Q4 is future.
NOW = make_local(date(2027, 8, 15), time(12, 0))
TRACK_SLUGS = ["fordybelse", "hygge", "digitale-forbindelser", "en-lokal-aktoer"]


def quarter_of(moment: datetime) -> int:
    return (moment.month - 1) // 3 + 1


@dataclass
class Expected:
    """Independent counts keyed (track slug, branch slug, quarter)."""

    held: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    planned: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    cancelled: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    registrations: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    attendance: dict[tuple[str, str, int], int] = field(default_factory=lambda: defaultdict(int))
    hours: dict[tuple[str, str, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    initiatives: dict[tuple[str, str, int], set[int]] = field(
        default_factory=lambda: defaultdict(set)
    )
    partners: dict[tuple[str, str, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    audiences: dict[tuple[str, str, int], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    # (track slug, branch slug, quarter, audience slug) -> participants of held events
    audience_participants: dict[tuple[str, str, int, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )


@dataclass
class World:
    plan: Plan
    branches: list[Branch]
    tracks: list[Track]
    events: list[Event]
    expected: Expected
    staff: Any


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return make_local(day, time(hour, minute))


def build_world(*, events_per_branch: int = 6, seed: int = 7) -> World:
    rng = random.Random(seed)
    tracks = [Track.objects.get(slug=s) for s in TRACK_SLUGS]
    branches = [
        make_branch(name=name, slug=slug)
        for name, slug in [
            ("Gadstrup Bibliotek", "gadstrup"),
            ("Jyllinge Bibliotek", "jyllinge"),
            ("Ågerup Bibliotek", "aagerup"),
        ]
    ]
    partners = [make_partner(name=f"Partner {i}") for i in range(3)]
    audiences = list(Audience.objects.order_by("position")[:3])
    plan = make_plan(year=YEAR, period="2027–2030")
    staff = make_person(role=Role.STAFF, branches=[branches[0]])
    citizens = [make_person() for _ in range(4)]
    exp = Expected()
    events: list[Event] = []

    def record_event(
        event: Event,
        ev_tracks: list[Track],
        regs: list[dict[str, Any]],
        ev_partners: list[Partner],
        ev_aud: list[Audience],
    ) -> None:
        local_start = event.start
        if local_start.year != YEAR:
            return
        q = quarter_of(local_start)
        held = event.state == EventState.PUBLISHED and event.end < NOW
        planned = event.state != EventState.CANCELLED and event.end >= NOW
        cancelled = event.state == EventState.CANCELLED
        for t in ev_tracks:
            key = (t.slug, event.branch.slug, q)
            exp.held[key] += held
            exp.planned[key] += planned
            exp.cancelled[key] += cancelled
            if held:
                exp.attendance[key] += event.attendance_count or 0
                came = (event.attendance_count or 0) + sum(
                    r["seats"] for r in regs if r["checked_in"]
                )
                for a in ev_aud:
                    if came:
                        exp.audience_participants[(*key, a.slug)] += came
            for r in regs:
                counted = r["status"] == RegistrationStatus.CONFIRMED or r["checked_in"]
                if counted and (held or planned):
                    exp.registrations[key] += r["seats"]
                if r["checked_in"] and held:
                    exp.attendance[key] += r["seats"]
            if held or planned:
                exp.partners[key] |= {p.name for p in ev_partners}
                exp.audiences[key] |= {a.slug for a in ev_aud}

    # Fixed edge cases: local-time quarter and year boundaries.
    edge_starts = [
        _local(date(2027, 1, 1), 0, 30),  # 2026-12-31 23:30 UTC, yet 2027 Q1 locally
        _local(date(2027, 3, 31), 23, 0),  # Q1 locally, 21:00 UTC
        _local(date(2026, 12, 31), 23, 30),  # 2026 locally: outside the year
        _local(date(2028, 1, 1), 10, 0),  # outside the year
    ]
    for start in edge_starts:
        branch = branches[0]
        ev_tracks = [tracks[1]]
        event = make_event(
            branch=branch, start=start, tracks=ev_tracks, hours=1, attendance_count=5
        )
        events.append(event)
        record_event(event, ev_tracks, [], [], [])

    for branch in branches:
        for _ in range(events_per_branch):
            day = date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
            start = _local(day, rng.choice([10, 14, 19]))
            state = rng.choices(
                [EventState.PUBLISHED, EventState.CANCELLED, EventState.DRAFT], [7, 2, 1]
            )[0]
            n_tracks = rng.choice([0, 1, 1, 2, 2])
            ev_tracks = rng.sample(tracks, n_tracks)
            ev_partners = rng.sample(partners, rng.choice([0, 1, 2]))
            ev_aud = rng.sample(audiences, rng.choice([0, 1, 2]))
            dropin = rng.choice([None, None, 0, 7, 12])
            event = make_event(
                branch=branch,
                start=start,
                tracks=ev_tracks,
                state=state,
                attendance_count=dropin,
                partners=ev_partners,
                audiences=ev_aud,
            )
            regs: list[dict[str, Any]] = []
            wait = 0
            for who in rng.sample(citizens, rng.randint(0, 4)):
                status = rng.choices(
                    [
                        RegistrationStatus.CONFIRMED,
                        RegistrationStatus.WAITLISTED,
                        RegistrationStatus.CANCELLED,
                    ],
                    [6, 2, 2],
                )[0]
                seats = rng.randint(1, 3)
                checked_in = status == RegistrationStatus.CONFIRMED and rng.random() < 0.6
                if status == RegistrationStatus.WAITLISTED:
                    wait += 1
                make_registration(
                    event=event,
                    user=None if rng.random() < 0.3 else who,  # some already anonymised
                    seats=seats,
                    status=status,
                    checked_in=checked_in,
                    waitlist_position=wait if status == RegistrationStatus.WAITLISTED else None,
                )
                regs.append({"status": status, "seats": seats, "checked_in": checked_in})
            events.append(event)
            record_event(event, ev_tracks, regs, ev_partners, ev_aud)

    # Volunteer hours: attended, not attended, unknown, and outside the year.
    for branch in branches:
        activity = make_activity(
            branch=branch, tracks=[tracks[2], tracks[3]] if branch is branches[0] else [tracks[2]]
        )
        for month, attended, hours in [
            (2, True, "2.5"),
            (5, True, "3"),
            (8, False, "2"),
            (11, None, None),
            (10, True, "1.25"),
        ]:
            start = _local(date(YEAR, month, 10), 15)
            make_shift_signup(activity=activity, start=start, attended=attended, hours=hours)
            if attended:
                for t in activity.tracks.all():
                    exp.hours[(t.slug, branch.slug, quarter_of(start))] += Decimal(hours)
        make_shift_signup(activity=activity, start=_local(date(YEAR - 1, 6, 1), 10), hours="9")

    # Initiatives: several quarters, statuses (a dropped one does not count), two tracks.
    specs = [
        ([tracks[0]], [branches[0]], [1, 2], InitiativeStatus.DONE, [partners[0]]),
        ([tracks[0], tracks[1]], [branches[0], branches[1]], [3], InitiativeStatus.IN_PROGRESS, []),
        ([tracks[1]], [branches[2]], [], InitiativeStatus.PLANNED, [partners[1]]),
        ([tracks[2]], [branches[1]], [4], InitiativeStatus.DROPPED, [partners[2]]),
        ([tracks[2]], [branches[0]], [2, 4], InitiativeStatus.PLANNED, []),
    ]
    for ini_tracks, ini_branches, quarters, status, ini_partners in specs:
        initiative = make_initiative(
            plan=plan,
            tracks=ini_tracks,
            branches=ini_branches,
            quarters=quarters,
            status=status,
            partners=ini_partners,
        )
        if status == InitiativeStatus.DROPPED:
            continue
        for t in ini_tracks:
            for b in ini_branches:
                for q in quarters or [1, 2, 3, 4]:
                    exp.initiatives[(t.slug, b.slug, q)].add(initiative.pk)
                    exp.partners[(t.slug, b.slug, q)] |= {p.name for p in ini_partners}
    return World(
        plan=plan, branches=branches, tracks=tracks, events=events, expected=exp, staff=staff
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()
