"""The workloads of ``make bench`` against the running stack, each next to its floor.

Every function lays out its own data in the benchmark database (directly, in bulk: the data is
not what is measured), measures over HTTP against gunicorn, and returns rows for the table.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import data, load
from benchmarks.stack import Stack

FLOOR_PATH = "/api/tracks/"


@dataclass
class Row:
    workload: str
    measured: str
    floor: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None  # the goal
    guarantee: str = ""  # what was checked afterwards
    held: bool = True  # the guarantee; False makes `make bench` exit non-zero


def _ratio_row(
    workload: str,
    measured: float,
    floor: float,
    *,
    unit: str,
    goal: str,
    ok: Callable[[float], bool],
) -> Row:
    ratio = measured / floor if floor else float("inf")
    return Row(workload, f"{measured:,.1f} {unit}", f"{floor:,.1f} {unit}", ratio, goal, ok(ratio))


# --- Registrations for the last seats ---------------------------------------------------------


def _published_event(branch: Any, *, capacity: int, start: Any, title: str) -> Any:
    from events.models import Event, EventSeries, EventState

    series = EventSeries.objects.create(title=title, branch=branch)
    return Event.objects.create(
        series=series,
        branch=branch,
        title=title,
        start=start,
        end=start + timedelta(hours=2),
        original_start=start,
        state=EventState.PUBLISHED,
        capacity=capacity,
        registration_required=True,
    )


def _tokens(people: list[Any]) -> list[str]:
    from core import services as core_services

    return [core_services.api_token_create(user=p, name="bench") for p in people]


def _seats_and_waitlist(event: Any, *, people: int) -> tuple[bool, str]:
    from events.models import Registration, RegistrationStatus

    regs = Registration.objects.filter(event=event)
    confirmed = regs.filter(status=RegistrationStatus.CONFIRMED).aggregate(n=Sum("seats"))["n"] or 0
    positions = sorted(
        regs.filter(status=RegistrationStatus.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    ok = (
        confirmed == min(event.capacity, people)
        and positions == list(range(1, len(positions) + 1))
        and confirmed + len(positions) == people
    )
    return ok, f"{confirmed}/{event.capacity} seats, waiting 1..{len(positions)}"


def registrations(
    stack: Stack, *, events: int = 10, seats: int = 40, people: int = 60
) -> list[Row]:
    """``events`` events of ``seats`` seats; for each, ``people`` signed-in people register at
    once over HTTP (one burst per event). Floor: ``GET /api/tracks/`` in bursts of the same
    shape (``people`` at once, one request each), one right before each registration burst,
    so both are measured in the same moments of a machine whose speed wanders."""
    branch = data.branch_open_every_day()
    start = (timezone.now() + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    targets = [
        _published_event(
            branch, capacity=seats, start=start + timedelta(days=i), title=f"Foredrag {i}"
        )
        for i in range(events)
    ]
    everyone = data.people(people * events)
    tokens = _tokens(everyone)
    data.analyze()
    floor_burst = [load.Request("GET", FLOOR_PATH)] * people
    load.run(stack.base_url, floor_burst * 2, concurrency=people)  # warm up
    floor = load.Load(0.0, [], [], [])
    latencies: list[float] = []
    statuses: list[int] = []
    wall = 0.0
    for n, event in enumerate(targets):
        mine = tokens[n * people : (n + 1) * people]
        reqs = [
            load.Request(
                "POST",
                f"/api/events/{event.pk}/registrations/",
                {"seats": 1},
                {"Authorization": f"Token {t}"},
            )
            for t in mine
        ]
        floor.add(load.run(stack.base_url, floor_burst, concurrency=people))
        burst = load.run(stack.base_url, reqs, concurrency=people)
        wall += burst.wall
        latencies += burst.latencies
        statuses += burst.statuses
    checks = [_seats_and_waitlist(e, people=people) for e in targets]
    held = all(ok for ok, _ in checks) and not any(s >= 500 or s == 0 for s in statuses)
    per_second = len(latencies) / wall
    row = _ratio_row(
        f"registrations: {events}×{seats} seats, {people} at once each",
        per_second,
        floor.per_second,
        unit="req/s",
        goal="≥ 0.5 (stretch 0.8)",
        ok=lambda r: r >= 0.5,
    )
    row.measured += f", p95 {load.percentile(latencies, 95) * 1000:,.0f} ms"
    wrong = sum(1 for s in statuses if s not in (201,))
    row.guarantee = (
        f"{checks[0][1]} (each event); non-201: {wrong}; 5xx: "
        f"{sum(1 for s in statuses if s >= 500 or s == 0)}"
    )
    row.held = held
    return [row]


# --- The event list at ~10,000 events, and the public feed ----------------------------------


def bulk_events(n: int, *, branches: int = 2) -> list[Any]:
    """``n`` published events over the coming years in ``branches`` branches, with tracks,
    audiences and three registrations each."""
    from core.models import Audience, Track
    from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus

    places = [data.branch_open_every_day() for _ in range(branches)]
    tracks = list(Track.objects.all())
    audiences = list(Audience.objects.all())
    rng = random.Random(2026)  # noqa: S311 (not for security)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    series = EventSeries.objects.bulk_create(
        (EventSeries(title=f"Arrangement {i}", branch=places[i % branches]) for i in range(n)),
        batch_size=2000,
    )
    rows = []
    for i, s in enumerate(series):
        start = now + timedelta(hours=7 + i * 3)
        rows.append(
            Event(
                series=s,
                branch=s.branch,
                title=s.title,
                description="Kom og vær med. " * 20,
                start=start,
                end=start + timedelta(hours=2),
                original_start=start,
                state=EventState.PUBLISHED,
                capacity=rng.choice([None, 10, 20, 40]),
                registration_required=True,
            )
        )
    Event.objects.bulk_create(rows, batch_size=2000)
    created = list(Event.objects.filter(series__in=series).order_by("pk"))
    Event.tracks.through.objects.bulk_create(
        (
            Event.tracks.through(event_id=e.pk, track_id=t.pk)
            for e in created
            for t in rng.sample(tracks, k=min(2, len(tracks)))
        ),
        batch_size=5000,
    )
    Event.audiences.through.objects.bulk_create(
        (
            Event.audiences.through(event_id=e.pk, audience_id=rng.choice(audiences).pk)
            for e in created
        ),
        batch_size=5000,
    )
    who = data.people(20)
    Registration.objects.bulk_create(
        (
            Registration(event=e, user=p, seats=1, status=RegistrationStatus.CONFIRMED)
            for e in created
            for p in rng.sample(who, k=3)
        ),
        batch_size=5000,
    )
    data.analyze()
    return places


def list_paths(events: int) -> list[tuple[str, str]]:
    """The event list's first page, a track filter and a page halfway down."""
    from core.models import Track

    track = Track.objects.order_by("position").values_list("slug", flat=True).first()
    deep = max(1, events // 50 // 2)
    return [
        ("/api/events/", "first page"),
        (f"/api/events/?track={track}", "track filter"),
        (f"/api/events/?page={deep}", f"page {deep}"),
    ]


def event_list(
    stack: Stack, *, events: int = 10_000, requests: int = 200
) -> tuple[list[Row], list[Any]]:
    """Each path's p95 at one client next to the floor's, the two measured in alternating
    rounds of ``ROUND`` requests: whatever else the machine does meanwhile (a checkpoint after
    the bulk load, another process) falls on both alike."""
    places = bulk_events(events)
    floor_reqs = [load.Request("GET", FLOOR_PATH)] * ROUND
    load.run(stack.base_url, floor_reqs, concurrency=1)  # warm up
    rows = []
    for path, label in list_paths(events):
        reqs = [load.Request("GET", path)] * ROUND
        load.run(stack.base_url, reqs[:10], concurrency=1)
        measured, floor = load.Load(0.0, [], [], []), load.Load(0.0, [], [], [])
        for _round in range(max(1, requests // ROUND)):
            floor.add(load.run(stack.base_url, floor_reqs, concurrency=1))
            measured.add(load.run(stack.base_url, reqs, concurrency=1))
        queries = _queries(path)
        row = _ratio_row(
            f"GET /api/events/ {label} ({events:,} events), p95",
            measured.p95_ms(),
            floor.p95_ms(),
            unit="ms",
            goal="≤ 2.0",
            ok=lambda r: r <= 2.0,
        )
        row.guarantee = f"{queries} queries; 5xx: {measured.server_errors()}"
        row.held = measured.server_errors() == 0 and set(measured.statuses) == {200}
        rows.append(row)
    return rows, places


# Requests per round when a workload and its floor alternate.
ROUND = 20


def _queries(path: str, *, user: Any = None) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
    return len(captured)


def _icalendar_floor(branch: Any) -> float:
    """The same VEVENTs built and serialised with ``icalendar`` alone, from rows in memory."""
    import icalendar

    from events.models import Event

    rows = list(
        Event.objects.filter(branch=branch).values(
            "pk", "title", "start", "end", "description", "sequence", "updated_at"
        )
    )
    started = time.perf_counter()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Mødested//bench//DA")
    cal.add("version", "2.0")
    for r in rows:
        ev = icalendar.Event()
        ev.add("uid", f"event-{r['pk']}@modested.dk")
        ev.add("dtstamp", r["updated_at"])
        ev.add("sequence", r["sequence"])
        ev.add("summary", r["title"])
        ev.add("dtstart", r["start"])
        ev.add("dtend", r["end"])
        ev.add("status", "CONFIRMED")
        ev.add("location", f"{branch.name}, {branch.town}")
        ev.add("description", r["description"])
        ev.add("url", f"http://127.0.0.1/arrangementer/{r['pk']}/")
        ev.add("last-modified", r["updated_at"])
        cal.add_component(ev)
    cal.to_ical()
    return time.perf_counter() - started


def public_feed(stack: Stack, *, branch: Any) -> list[Row]:
    from events.models import Event

    path = f"/feeds/events.ics?branch={branch.slug}"
    occurrences = Event.objects.filter(branch=branch).count()
    floor = min(_icalendar_floor(branch) for _ in range(3))
    status, headers, body, first = load.get(stack.base_url, path)
    validators = {}
    if "ETag" in headers:
        validators["If-None-Match"] = headers["ETag"]
    if "Last-Modified" in headers:
        validators["If-Modified-Since"] = headers["Last-Modified"]
    repeat_status, _, _, repeat = load.get(stack.base_url, path, validators)
    row = _ratio_row(
        f"public feed, {occurrences:,} occurrences, first request",
        first * 1000,
        floor * 1000,
        unit="ms",
        goal="≤ 1.5",
        ok=lambda r: r <= 1.5,
    )
    row.guarantee = f"{status}, {body.count(b'BEGIN:VEVENT'):,} VEVENTs; repeat {repeat_status} in {repeat * 1000:.0f} ms"
    row.held = status == 200 and repeat_status == 304 and body.count(b"BEGIN:VEVENT") == occurrences
    return [row]
