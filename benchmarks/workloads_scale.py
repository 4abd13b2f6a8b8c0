"""The workloads at scale: the reminder drain through a real worker to the SMTP sink, the plan's
coverage and committee report over a year of 50,000 events, and a web worker's memory."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
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
    from notifications.tasks import send_waiting

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
        send_waiting.delay()
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


Given = dict[str, "str | tuple[str, list[Any]]"]


def _row_sql(model: Any, given: Given) -> tuple[list[str], list[str], list[Any]]:
    """The columns, SQL expressions and parameters of a row of ``model`` laid out in SQL:
    ``given`` (column: an SQL expression, or one with its parameters) and, for every other
    column, what Django would fill into a new instance (its defaults live in Python, not in
    the database: "" for a blank text field, ``now()`` for ``auto_now``), or NULL where the
    column allows it. A NOT NULL column with none of these is an error, so a field added
    later cannot be left out silently."""
    columns, expressions, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in given:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.column in given:
            sql, values = (
                (given[f.column], []) if isinstance(given[f.column], str) else given[f.column]
            )
            expressions.append(sql)
            params.extend(values)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            expressions.append("now()")
        elif f.get_default() is not None:  # as Django fills in an unsaved instance
            expressions.append("%s")
            params.append(f.get_db_prep_save(f.get_default(), connection))
        elif f.null:
            expressions.append("NULL")
        else:
            raise ValueError(f"{model.__name__}.{f.name}: no value for a NOT NULL column")
    return columns, expressions, params


def _insert_select(model: Any, given: Given, rest: str, params: list[Any]) -> None:
    """``INSERT INTO <model's table> SELECT <given and defaults> <rest>``."""
    columns, expressions, defaults = _row_sql(model, given)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(expressions)} {rest}",
            [*defaults, *params],
        )


def bulk_year(*, year: int, events: int, registrations_each: int, branches: list[Any]) -> None:
    """``events`` published events in ``year``, spread evenly over the year (wall clock, from
    1 January 10:00) across ``branches``, with one track and one audience each, and
    ``registrations_each`` confirmed registrations each from a pool of people, about 80 %
    checked in at the event's start.

    Laid out set-based on PostgreSQL (INSERT … SELECT over ``generate_series``): a year of
    50,000 events and 500,000 registrations takes seconds, where building the model objects
    in Python took many minutes."""
    from core.models import Audience, Track
    from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus

    if connection.vendor != "postgresql":
        raise RuntimeError("bulk_year lays out its data in PostgreSQL's SQL")
    pool = [p.pk for p in data.people(registrations_each * 4, prefix=f"year{year}")]
    tracks = list(Track.objects.order_by("pk").values_list("pk", flat=True))
    audiences = list(Audience.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(year % 100) / 100])  # the same year each run
        # One row per event: its number, ids taken from the tables' own sequences, its branch,
        # track and audience, where its people begin in the pool, and its start.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_year ON COMMIT DROP AS
            SELECT g.i,
                   nextval(pg_get_serial_sequence('events_eventseries', 'id')) AS series_id,
                   nextval(pg_get_serial_sequence('events_event', 'id')) AS event_id,
                   (%(branches)s::bigint[])[1 + g.i %% cardinality(%(branches)s::bigint[])]
                       AS branch_id,
                   (%(tracks)s::bigint[])[1 + floor(random() * %(n_tracks)s)::int] AS track_id,
                   (%(audiences)s::bigint[])[1 + floor(random() * %(n_audiences)s)::int]
                       AS audience_id,
                   floor(random() * %(n_pool)s)::int AS pool_offset,
                   (%(first)s::timestamp
                       + (g.i::bigint * %(minutes)s / %(events)s) * interval '1 minute')
                       AT TIME ZONE %(tz)s AS start
            FROM generate_series(0, %(events)s - 1) AS g(i)
            """,
            {
                "branches": [b.pk for b in branches],
                "tracks": tracks,
                "n_tracks": len(tracks),
                "audiences": audiences,
                "n_audiences": len(audiences),
                "n_pool": len(pool),
                "first": f"{year}-01-01 10:00",
                "minutes": 365 * 24 * 60,
                "events": events,
                "tz": settings.TIME_ZONE,
            },
        )
        title = f"'År {year} nr. ' || y.i"
        _insert_select(
            EventSeries,
            {"id": "y.series_id", "title": title, "branch_id": "y.branch_id"},
            "FROM bench_year y ORDER BY y.i",
            [],
        )
        _insert_select(
            Event,
            {
                "id": "y.event_id",
                "series_id": "y.series_id",
                "branch_id": "y.branch_id",
                "title": title,
                "start": "y.start",
                "end": "y.start + interval '2 hours'",
                "original_start": "y.start",
                "state": ("%s", [EventState.PUBLISHED.value]),
                "capacity": ("%s", [registrations_each * 2]),
                "registration_required": "true",
            },
            "FROM bench_year y ORDER BY y.i",
            [],
        )
        cursor.execute(
            "INSERT INTO events_event_tracks (event_id, track_id) "
            "SELECT event_id, track_id FROM bench_year ORDER BY i"
        )
        cursor.execute(
            "INSERT INTO events_event_audiences (event_id, audience_id) "
            "SELECT event_id, audience_id FROM bench_year ORDER BY i"
        )
        _insert_select(
            Registration,
            {
                "event_id": "y.event_id",
                "user_id": ("(%s::bigint[])[1 + (y.pool_offset + r.j) %% %s]", [pool, len(pool)]),
                "seats": "1",
                "status": ("%s", [RegistrationStatus.CONFIRMED.value]),
                "checked_in_at": "CASE WHEN random() < 0.8 THEN y.start END",
            },
            "FROM bench_year y CROSS JOIN generate_series(0, %s - 1) AS r(j) ORDER BY y.i, r.j",
            [registrations_each],
        )
        cursor.execute(
            "ANALYZE events_eventseries, events_event, events_event_tracks, "
            "events_event_audiences, events_registration"
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
    # Every web worker serves both pages once first (at the small size, so it is quick), as
    # the stack's warm-up does for the public pages: no figure carries a worker's first
    # request for them (URL reversing in the user's language, the report's templates).
    workers = 2 * (os.cpu_count() or 1) + 1
    warm = [load.Request("GET", path, headers={"Cookie": cookie}) for path in paths.values()]
    load.run(stack.base_url, warm * workers * 2, concurrency=workers * 2)
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
