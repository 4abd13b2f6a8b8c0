"""Reads for the branch settings pages: the gates, the hours in force and planned, the
closures, and what a closure or an hours change would touch (``core.closure_impact``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.closure_impact import ImpactGroup, ImpactItem, closure_impact
from core.exceptions import NotFound
from core.models import BookmobileStop, Branch, Closure, HoursKind, OpeningHours, User
from core.selectors import branches_managed_by, closure_period, hours_in_force
from core.timeutils import local_today, local_tz

Week = dict[int, list[tuple[time, time]]]


def managed_branch_get(*, actor: User | None, slug: str) -> Branch:
    """A branch ``actor`` manages; any other (or none) is a 404."""
    branch = branches_managed_by(user=actor).filter(slug=slug).first()
    if branch is None:
        raise NotFound()
    return branch


def branch_closures(*, branch: Branch, today: date | None = None) -> QuerySet[Closure]:
    """The closures of ``branch`` and of every branch that are not over."""
    today = today or local_today()
    return (
        Closure.objects.select_related("branch")
        .filter(Q(branch=branch) | Q(branch__isnull=True), ends_on__gte=today)
        .order_by("starts_on", "pk")
    )


def closure_get_for(*, branch: Branch, pk: int) -> Closure:
    """A closure of ``branch`` (or of every branch) reached through its page; else 404."""
    closure = (
        Closure.objects.select_related("branch")
        .filter(Q(branch=branch) | Q(branch__isnull=True), pk=pk)
        .first()
    )
    if closure is None:
        raise NotFound()
    return closure


def stop_list_of(*, branch: Branch) -> QuerySet[BookmobileStop]:
    """Every stop of the bookmobile, past and planned, by weekday."""
    return BookmobileStop.objects.filter(branch=branch).order_by("weekday", "arrives", "valid_from")


def stop_get_for(*, branch: Branch, pk: int) -> BookmobileStop:
    stop = BookmobileStop.objects.select_related("branch").filter(branch=branch, pk=pk).first()
    if stop is None:
        raise NotFound()
    return stop


@dataclass(frozen=True)
class HoursVersion:
    kind: str
    label: str
    valid_from: date
    in_force: bool
    rows: list[OpeningHours]


def hours_versions(*, branch: Branch, today: date | None = None) -> list[HoursVersion]:
    """For each kind, the week in force today and the changes planned after it. One query."""
    today = today or local_today()
    rows = list(OpeningHours.objects.filter(branch=branch).order_by("weekday", "opens"))
    current = {(h.kind, h.valid_from) for h in hours_in_force(hours=rows, on=today)}
    versions = []
    for kind in HoursKind:
        starts = sorted({h.valid_from for h in rows if h.kind == kind})
        for valid_from in starts:
            in_force = (kind.value, valid_from) in current
            if valid_from <= today and not in_force:
                continue
            versions.append(
                HoursVersion(
                    kind=kind.value,
                    label=str(kind.label),
                    valid_from=valid_from,
                    in_force=in_force,
                    rows=[h for h in rows if h.kind == kind and h.valid_from == valid_from],
                )
            )
    return versions


def week_in_force(*, branch: Branch, kind: str, on: date) -> Week:
    """The intervals by weekday of ``kind`` in force on ``on`` (to fill the form)."""
    rows = OpeningHours.objects.filter(branch=branch, kind=kind)
    week: Week = {}
    for h in hours_in_force(hours=rows, on=on):
        week.setdefault(h.weekday, []).append((h.opens, h.closes))
    return week


# --- What a change touches --------------------------------------------------------------


def closure_preview(
    *,
    branch: Branch | None,
    starts_on: date,
    ends_on: date,
    from_time: time | None = None,
    until_time: time | None = None,
) -> list[tuple[Branch, list[ImpactGroup]]]:
    """For each branch the closure would close (every branch when None), what it touches."""
    probe = Closure(
        branch=branch,
        starts_on=starts_on,
        ends_on=ends_on,
        from_time=from_time,
        until_time=until_time,
    )
    start, end = closure_period(probe)
    branches = [branch] if branch is not None else list(Branch.objects.order_by("position"))
    result = []
    now = timezone.now()
    for each in branches:
        groups = closure_impact(branch=each, start=start, end=end)
        for group in groups:
            for item in group.items:
                # Already over: applying the closure leaves it alone (core.closure_apply).
                item["ended"] = item["end"] <= now
        if groups:
            result.append((each, groups))
    return result


def _day_intervals(
    intervals: list[tuple[time, time]], day: date
) -> list[tuple[datetime, datetime]]:
    tz = local_tz()
    return [
        (datetime.combine(day, o).replace(tzinfo=tz), datetime.combine(day, c).replace(tzinfo=tz))
        for o, c in intervals
    ]


def _overlaps(item: ImpactItem, periods: list[tuple[datetime, datetime]]) -> bool:
    return any(item["start"] < e and s < item["end"] for s, e in periods)


def _covered(item: ImpactItem, periods: list[tuple[datetime, datetime]]) -> bool:
    return any(s <= item["start"] and item["end"] <= e for s, e in periods)


def hours_change_preview(
    *, branch: Branch, kind: str, valid_from: date, week: Week
) -> list[ImpactGroup]:
    """What lies in hours of ``kind`` that are open now and would no longer be from
    ``valid_from`` (until the next planned change of that kind, at most a year)."""
    rows = list(OpeningHours.objects.filter(branch=branch, kind=kind))
    later = sorted(h.valid_from for h in rows if h.valid_from > valid_from)
    last = later[0] - timedelta(days=1) if later else valid_from + timedelta(days=365)
    tz = local_tz()
    start = datetime.combine(valid_from, time.min).replace(tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min).replace(tzinfo=tz)
    old_rows = [h for h in rows if h.valid_from <= valid_from]

    def lost(item: ImpactItem) -> bool:
        day = item["start"].astimezone(tz).date()
        old = [
            (h.opens, h.closes)
            for h in hours_in_force(hours=old_rows, on=day)
            if h.weekday == day.weekday()
        ]
        old_periods = _day_intervals(old, day)
        new_periods = _day_intervals(week.get(day.weekday(), []), day)
        return _overlaps(item, old_periods) and not _covered(item, new_periods)

    return closure_impact(branch=branch, start=start, end=end, keep=lost)
