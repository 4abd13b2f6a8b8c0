"""Registrations for one event (``events.services.registration_create``) and the event-list
API (``GET /api/events/``) with 1,000 events."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import data
from benchmarks.harness import Result, run_threads, timed
from core.models import Audience, Track
from events import services
from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus


def _event(branch: Any, *, capacity: int, start: Any = None, title: str = "Foredrag") -> Event:
    start = start or (timezone.now() + timedelta(days=7)).replace(microsecond=0)
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


def _register(person: Any, event: Event) -> Callable[[], Any]:
    return lambda: services.registration_create(actor=person, event=event)


def _check(event: Event, *, people: int) -> str:
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
    return (
        f"{confirmed}/{event.capacity} seats, {len(positions)} waiting 1..{len(positions)}: "
        f"{'ok' if ok else 'WRONG'}"
    )


def run_registrations(*, n: int, threads: int) -> list[Result]:
    """``n`` people register for one event with ``n // 2`` seats: half get a seat, half wait."""
    branch = data.branch_open_every_day()
    results = []

    event = _event(branch, capacity=n // 2)
    latencies = [timed(_register(p, event))[0] for p in data.people(n)]
    results.append(
        Result(
            "registrations, sequential (1 event)",
            n,
            sum(latencies),
            latencies,
            check=_check(event, people=n),
        )
    )

    event = _event(branch, capacity=n // 2)
    jobs = [_register(p, event) for p in data.people(n)]
    wall, latencies, values, errors = run_threads(jobs, threads=threads)
    check = _check(event, people=n) + (f", {len(errors)} errors" if errors else "")
    results.append(
        Result(
            f"registrations, {threads} threads (1 event)", len(values), wall, latencies, check=check
        )
    )
    return results


def _thousand_events(n: int) -> None:
    """``n`` published events over the next year in 4 branches, with tracks, audiences and a
    few registrations each (laid out directly: this is the data, not what is measured)."""
    branches = [data.branch_open_every_day() for _ in range(4)]
    tracks = list(Track.objects.all())
    audiences = list(Audience.objects.all())
    rng = random.Random(2026)  # noqa: S311 (not for security)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    series = EventSeries.objects.bulk_create(
        EventSeries(title=f"Arrangement {i}", branch=branches[i % 4]) for i in range(n)
    )
    events = []
    for i, s in enumerate(series):
        start = now + timedelta(hours=7 + i * 8)  # spread over the coming months
        events.append(
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
    events = Event.objects.bulk_create(events)
    events = list(Event.objects.filter(series__in=series).order_by("pk"))
    Event.tracks.through.objects.bulk_create(
        Event.tracks.through(event_id=e.pk, track_id=t.pk)
        for e in events
        for t in rng.sample(tracks, k=min(2, len(tracks)))
    )
    Event.audiences.through.objects.bulk_create(
        Event.audiences.through(event_id=e.pk, audience_id=a.pk)
        for e in events
        for a in rng.sample(audiences, k=min(1, len(audiences)))
    )
    who = data.people(20)
    Registration.objects.bulk_create(
        Registration(event=e, user=p, seats=1, status=RegistrationStatus.CONFIRMED)
        for e in events
        for p in rng.sample(who, k=3)
    )


def run_event_list(*, events: int, requests: int) -> list[Result]:
    _thousand_events(events)
    track = Track.objects.order_by("position").values_list("slug", flat=True).first()
    client = Client()
    middle = max(1, events // 50 // 2)
    cases = [
        ("/api/events/", "first page (50)"),
        ("/api/events/?page_size=200", "page of 200"),
        (f"/api/events/?page={middle}", f"page {middle}"),
        (f"/api/events/?track={track}", f"track={track}"),
        ("/api/events/?q=Arrangement%2099", "search q="),
    ]
    results = []
    for url, label in cases:
        client.get(url)  # warm up (first request loads URLconf, serializers...)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        query_count = len(queries)  # now: the next request clears the connection's query log
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.content[:300]!r}")
        total = response.json()["count"]
        latencies = [timed(lambda u=url: client.get(u))[0] for _ in range(requests)]
        results.append(
            Result(
                f"GET /api/events/ {label}",
                requests,
                sum(latencies),
                latencies,
                queries=query_count,
                check=f"{len(response.json()['results'])} of {total} events",
            )
        )
    return results
