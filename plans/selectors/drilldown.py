"""Drill-down: the events, initiatives and volunteer hours behind a number on the dashboard."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TypedDict

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import Branch, Track
from events.models import Event, Registration
from plans.models import QUARTERS, Initiative
from plans.selectors.counting import (
    _cancelled_q,
    _counted_registration_q,
    _held_q,
    _planned_q,
)
from plans.selectors.periods import quarter_bounds, year_bounds
from plans.selectors.plans import initiative_list
from volunteers.models import Activity, ShiftSignup

# The numbers one can drill into, and which events are behind each.
METRICS = (
    "events_held",
    "events_planned",
    "events_cancelled",
    "registrations",
    "attendance",
    "initiatives",
    "volunteer_hours",
    "partners",
)


class ActivityHours(TypedDict):
    """One activity behind a volunteer-hours number."""

    shift__activity_id: int
    name: str
    branch: str
    hours: Decimal
    shifts: int


def _quarter_window(year: int, quarters: tuple[int, ...] | None, *, field: str) -> Q | None:
    """A filter on ``field`` for the given quarters of ``year``; None for the whole year."""
    if not quarters or set(quarters) == set(QUARTERS):
        return None
    window = Q()
    for q in quarters:
        q_start, q_end = quarter_bounds(year, q)
        window |= Q(**{f"{field}__gte": q_start, f"{field}__lt": q_end})
    return window


def _events_of_metric(qs: QuerySet[Event], metric: str, now: datetime) -> QuerySet[Event] | None:
    """The events counted by ``metric``; None for a metric that has no events behind it."""
    if metric in {"events_held", "attendance"}:
        return qs.filter(_held_q(now))
    if metric == "events_planned":
        return qs.filter(_planned_q(now))
    if metric == "events_cancelled":
        return qs.filter(_cancelled_q())
    if metric in {"registrations", "partners"}:
        qs = qs.filter(_held_q(now) | _planned_q(now))
        if metric == "partners":
            qs = qs.filter(partners__isnull=False).distinct()
        return qs
    return None


def _with_seats(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Events with their counted and checked-in seats, in time order."""
    registered = (
        Registration.objects.filter(_counted_registration_q(), event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(total=Sum("seats"))
        .values("total")
    )
    checked_in = (
        Registration.objects.filter(event=OuterRef("pk"), checked_in_at__isnull=False)
        .order_by()
        .values("event")
        .annotate(total=Sum("seats"))
        .values("total")
    )
    return (
        qs.select_related("branch")
        .prefetch_related("partners")
        .annotate(
            registered_seats=Coalesce(Subquery(registered), Value(0)),
            checked_in_seats=Coalesce(Subquery(checked_in), Value(0)),
        )
        .order_by("start", "pk")
    )


def events_behind(
    *,
    year: int,
    metric: str = "events_held",
    track: Track | None = None,
    branch: Branch | None = None,
    quarter: int | None = None,
    quarters: tuple[int, ...] | None = None,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """The events behind a number on the dashboard, with their registration numbers."""
    now = now or timezone.now()
    start, end = year_bounds(year)
    qs = Event.objects.filter(start__gte=start, start__lt=end)
    if quarter is not None:
        quarters = (quarter,)
    window = _quarter_window(year, quarters, field="start")
    if window is not None:
        qs = qs.filter(window)
    if track is not None:
        qs = qs.filter(tracks=track)
    if branch is not None:
        qs = qs.filter(branch=branch)
    counted = _events_of_metric(qs, metric, now)
    if counted is None:
        return Event.objects.none()
    return _with_seats(counted)


def initiatives_behind(
    *,
    year: int,
    track: Track | None = None,
    branch: Branch | None = None,
    quarter: int | None = None,
    quarters: tuple[int, ...] | None = None,
) -> list[Initiative]:
    """The initiatives behind a number: of the year's plan, on the track, at the branch."""
    items = list(
        initiative_list(
            year=year, track=track.slug if track else None, branch=branch.slug if branch else None
        )
    )
    wanted = {quarter} if quarter is not None else set(quarters or QUARTERS)
    return [i for i in items if wanted & set(i.quarter_list)]


def volunteer_hours_behind(
    *,
    year: int,
    track: Track | None = None,
    branch: Branch | None = None,
    quarter: int | None = None,
    quarters: tuple[int, ...] | None = None,
) -> list[ActivityHours]:
    """The activities behind a volunteer-hours number, with their attended hours."""
    start, end = year_bounds(year)
    qs = ShiftSignup.objects.filter(
        attended=True, hours__isnull=False, shift__start__gte=start, shift__start__lt=end
    )
    if quarter is not None:
        quarters = (quarter,)
    window = _quarter_window(year, quarters, field="shift__start")
    if window is not None:
        qs = qs.filter(window)
    if track is not None:
        activity_ids = Activity.objects.filter(tracks=track).values("pk")
        qs = qs.filter(shift__activity__in=activity_ids)
    if branch is not None:
        qs = qs.filter(shift__activity__branch=branch)
    return list(
        qs.order_by()
        .values(
            "shift__activity_id",
            name=F("shift__activity__name"),
            branch=F("shift__activity__branch__name"),
        )
        .annotate(hours=Sum("hours"), shifts=Count("shift", distinct=True))
        .order_by("branch", "name")
    )
