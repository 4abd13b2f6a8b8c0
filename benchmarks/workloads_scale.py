"""The workloads at scale: the reminder drain through a real worker to the SMTP sink, the plan's
coverage and committee report over a year of 50,000 events, and a web worker's memory."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from datetime import time as clock
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks import data, load
from benchmarks.stack import Stack
from benchmarks.workloads import Row

# --- The reminder drain -----------------------------------------------------------------


def reminder_drain(stack: Stack, *, reminders: int = 20_000, timeout: float = 600) -> list[Row]:
    """``reminders`` due reminders (one per registration for events starting in 100 minutes),
    queued by one scan, then drained by a worker with 2 processes to the SMTP sink."""
    from benchmarks.workloads import _published_event
    from events.models import Registration, RegistrationStatus
    from notifications import services as notifications
    from notifications.models import Delivery
    from notifications.tasks import dispatch_due

    laying_out = time.perf_counter()
    branch = data.branch_open_every_day()
    per_event = 200
    soon = (timezone.now() + timedelta(minutes=100)).replace(microsecond=0)
    events = [
        _published_event(branch, capacity=per_event, start=soon, title=f"Påmindelse {i}")
        for i in range(max(1, reminders // per_event))
    ]
    people = data.people(per_event, prefix="remind")
    yesterday = timezone.now() - timedelta(days=1)
    Registration.objects.bulk_create(
        (
            Registration(
                event=e, user=p, seats=1, status=RegistrationStatus.CONFIRMED, created_at=yesterday
            )
            for e in events
            for p in people
        ),
        batch_size=5000,
    )
    laid_out = time.perf_counter() - laying_out
    before = stack.mail.received()
    scanning = time.perf_counter()
    queued = notifications.reminders_queue_due(now=timezone.now())
    scanned = time.perf_counter() - scanning
    expected = Delivery.objects.filter(kind__startswith="reminder", status="pending").count()
    stack.start_worker(concurrency=2)
    started = time.perf_counter()
    for _ in range(4):  # as several writes' kicks would
        dispatch_due.delay()
    deadline = started + timeout
    while time.perf_counter() < deadline and stack.mail.received() - before < expected:
        time.sleep(0.2)
    seconds = (stack.mail.last_at or time.perf_counter()) - started
    time.sleep(2)  # a late duplicate would arrive now
    duplicates = stack.mail.duplicates()
    lost = max(0, expected - (stack.mail.received() - before - duplicates))
    row = Row(
        f"reminder drain: {expected:,} due, worker with 2 processes → SMTP sink",
        f"{seconds:,.1f} s",
        goal="≤ 60 s, 0 duplicates, 0 lost",
        met=seconds <= 60 and duplicates == 0 and lost == 0,
        guarantee=(
            f"queued {queued:,}; duplicates {duplicates}; lost {lost} "
            f"(laid out in {laid_out:.1f} s, queued in {scanned:.1f} s)"
        ),
        held=duplicates == 0 and lost == 0,
    )
    return [row]


# --- Coverage and the committee report over a year -------------------------------------------


def bulk_year(*, year: int, events: int, registrations_each: int, branches: list[Any]) -> None:
    """``events`` held events in ``year`` with tracks, audiences and ``registrations_each``
    registrations each, most of them checked in (laid out in bulk)."""
    from core.models import Audience, Track
    from core.timeutils import make_local
    from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus

    tracks = list(Track.objects.all())
    audiences = list(Audience.objects.all())
    rng = random.Random(year)  # noqa: S311 (not for security)
    who = data.people(registrations_each * 4, prefix=f"year{year}")
    first = make_local(date(year, 1, 1), clock(10))
    minutes = 365 * 24 * 60
    for offset in range(0, events, 5000):
        count = min(5000, events - offset)
        series = EventSeries.objects.bulk_create(
            EventSeries(title=f"År {year} nr. {offset + i}", branch=branches[i % len(branches)])
            for i in range(count)
        )
        rows = []
        for i, s in enumerate(series):
            start = first + timedelta(minutes=(offset + i) * minutes // events)
            rows.append(
                Event(
                    series=s,
                    branch=s.branch,
                    title=s.title,
                    start=start,
                    end=start + timedelta(hours=2),
                    original_start=start,
                    state=EventState.PUBLISHED,
                    capacity=registrations_each * 2,
                    registration_required=True,
                )
            )
        Event.objects.bulk_create(rows)
        created = list(Event.objects.filter(series__in=series).only("pk", "start"))
        Event.tracks.through.objects.bulk_create(
            Event.tracks.through(event_id=e.pk, track_id=rng.choice(tracks).pk) for e in created
        )
        Event.audiences.through.objects.bulk_create(
            Event.audiences.through(event_id=e.pk, audience_id=rng.choice(audiences).pk)
            for e in created
        )
        Registration.objects.bulk_create(
            (
                Registration(
                    event_id=e.pk,
                    user=p,
                    seats=1,
                    status=RegistrationStatus.CONFIRMED,
                    checked_in_at=e.start if rng.random() < 0.8 else None,
                )
                for e in created
                for p in rng.sample(who, k=registrations_each)
            ),
            batch_size=10_000,
        )


def _timed_get(stack: Stack, path: str, *, cookie: str = "", n: int = 5) -> tuple[float, int]:
    headers = {"Cookie": cookie} if cookie else {}
    timings = []
    status = 0
    for _ in range(n):
        status, _h, _b, elapsed = load.get(stack.base_url, path, headers)
        timings.append(elapsed)
    return sorted(timings)[len(timings) // 2], status


def _count_queries(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    return len(captured)


def plan_at_scale(stack: Stack, *, events: int = 50_000, registrations_each: int = 10) -> list[Row]:
    """The coverage API and the committee report for one year, at a tenth of the size and at
    full size: the time at full size, and the number of queries at both."""
    from core.models import Branch, Role

    year = timezone.localdate().year + 2  # a year no other workload writes into
    staff = data.staff_member(Branch.objects.order_by("pk").first())
    staff.role = Role.ADMINISTRATOR
    staff.save(update_fields=["role"])
    client = Client()
    client.force_login(staff)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    branches = list(Branch.objects.order_by("pk")[:6])
    paths = {
        "/api/coverage/": f"/api/coverage/?year={year}",
        "committee report (HTML)": f"/plan/rapport/{year}/year/",
    }
    small = events // 10
    bulk_year(year=year, events=small, registrations_each=registrations_each, branches=branches)
    small_queries = {label: _count_queries(client, path) for label, path in paths.items()}
    bulk_year(
        year=year, events=events - small, registrations_each=registrations_each, branches=branches
    )
    rows = []
    for label, path in paths.items():
        queries = _count_queries(client, path)
        median, status = _timed_get(stack, path, cookie=cookie)
        rows.append(
            Row(
                f"{label}, a year of {events:,} events / {events * registrations_each:,} registrations",
                f"{median * 1000:,.0f} ms",
                goal="≤ 300 ms, same queries at 1/10 size",
                met=median <= 0.3 and queries == small_queries[label],
                guarantee=f"{status}; queries {small_queries[label]} at {small:,} events, {queries} at {events:,}",
                held=status == 200,
            )
        )
    return rows


# --- A web worker's memory ---------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def web_memory(stack: Stack, *, requests: int = 10_000, event_id: int | None = None) -> list[Row]:
    paths = ["/api/tracks/", "/api/events/", "/", "/arrangementer/"]
    if event_id:
        paths += [f"/api/events/{event_id}/", f"/arrangementer/{event_id}/"]
    mix = [load.Request("GET", paths[i % len(paths)]) for i in range(requests)]
    warm = requests // 10
    load.run(stack.base_url, mix[:warm], concurrency=8)
    pids = stack.web_worker_pids()
    after_warm = {pid: _rss_mb(pid) for pid in pids}
    result = load.run(stack.base_url, mix[warm:], concurrency=8)
    after = {pid: _rss_mb(pid) for pid in pids}
    growth = max((after[p] - after_warm[p] for p in pids), default=0.0)
    return [
        Row(
            f"web worker memory after {requests:,} requests ({len(pids)} workers)",
            f"{max(after.values(), default=0):,.0f} MB (max)",
            f"{max(after_warm.values(), default=0):,.0f} MB after warm-up",
            goal="flat after warm-up (≤ 5 MB growth)",
            met=growth <= 5,
            guarantee=f"largest growth {growth:+.1f} MB; 5xx: {result.server_errors()}",
            held=result.server_errors() == 0,
        )
    ]
