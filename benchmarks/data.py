"""Data the benchmarks lay out for themselves (in the throwaway database only)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password

from core.models import Branch, BranchKind, HoursKind, OpeningHours, Role, User
from core.selectors import closure_reasons
from core.timeutils import local_today, make_local

_seq = itertools.count(1)


def people(n: int, *, prefix: str = "bench") -> list[User]:
    """``n`` citizen accounts, without hashing a password for each (that alone takes seconds)."""
    unusable = make_password(None)
    batch = next(_seq)
    User.objects.bulk_create(
        User(
            email=f"{prefix}{batch}-{i}@example.org",
            name=f"Bench {batch}-{i}",
            password=unusable,
            role=Role.CITIZEN,
        )
        for i in range(n)
    )
    return list(User.objects.filter(email__startswith=f"{prefix}{batch}-").order_by("pk"))


def staff_member(branch: Branch) -> User:
    user = User.objects.create(
        email=f"staff{next(_seq)}@example.org",
        name="Bench Staff",
        password=make_password(None),
        role=Role.STAFF,
    )
    user.branches.set([branch])
    return user


def branch_open_every_day(*, opens: time = time(8), closes: time = time(22)) -> Branch:
    n = next(_seq)
    branch = Branch.objects.create(
        name=f"Benchmark Bibliotek {n}", slug=f"bench-{n}", kind=BranchKind.LOCAL, town="Roskilde"
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(branch=branch, weekday=wd, opens=opens, closes=closes, kind=HoursKind.STAFFED)
        for wd in range(7)
    )
    return branch


def hourly_slots(
    branch: Branch, n: int, *, first: time = time(8), last_start: time = time(21)
) -> list[tuple[datetime, datetime]]:
    """``n`` one-hour slots on the days ``branch`` is open, from tomorrow, in local time."""
    start_day = local_today() + timedelta(days=1)
    per_day = last_start.hour - first.hour + 1
    horizon = start_day + timedelta(days=n // per_day + 60)
    closed = closure_reasons(branch=branch, start=start_day, end=horizon)
    slots: list[tuple[datetime, datetime]] = []
    day: date = start_day
    while len(slots) < n:
        if day not in closed:
            for hour in range(first.hour, last_start.hour + 1):
                start = make_local(day, time(hour))
                slots.append((start, start + timedelta(hours=1)))
                if len(slots) == n:
                    break
        day += timedelta(days=1)
    return slots


def analyze() -> None:
    """What autovacuum does on a live server after a bulk load (it is off on some machines,
    and it would come too late for the next workload): ``VACUUM`` marks the new rows' pages
    all-visible, so counts and lists can be answered from an index alone, and ``ANALYZE``
    gathers the planner's statistics. (Since PostgreSQL 13 autovacuum vacuums after many
    INSERTs too, not only after UPDATEs and DELETEs.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
