"""Coverage of a year: the numbers of every track × branch × quarter, in ten queries.

The story: scope -> initiatives -> events counted -> registrations -> volunteer hours ->
partners and audiences -> targets and gaps. Each step is one GROUP BY query (or two)
that adds its numbers to the cells; none depends on the number of events.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, RuleViolation
from core.models import Branch
from core.selectors import branch_list, track_list
from core.timeutils import local_tz
from events.models import Event, Registration
from plans.models import QUARTERS, Initiative, InitiativeStatus, Plan, TrackTarget
from plans.selectors.cells import Cell, Coverage, Key, Target, TargetKey
from plans.selectors.counting import (
    _cancelled_q,
    _counted_registration_q,
    _held_q,
    _planned_q,
)
from plans.selectors.gaps import find_gaps
from plans.selectors.periods import year_bounds
from volunteers.models import ShiftSignup


def coverage(
    *,
    year: int,
    quarter: int | None = None,
    quarters: tuple[int, ...] | None = None,
    branch: Branch | str | None = None,
    now: datetime | None = None,
) -> Coverage:
    """Coverage of ``year`` (optionally one quarter, or some quarters, and one branch).

    Twelve queries whatever the amount of data: tracks, branches, plan, targets,
    initiatives (with their tracks, branches and partners), events by track × branch ×
    quarter, registrations likewise, volunteer hours likewise, event partners, event
    audiences, and the participants per audience (drop-in counts, checked-in seats). The whole year is loaded so that yearly targets can be judged; the scope
    only narrows what ``total()`` adds up and which gaps are named.
    """
    now = now or timezone.now()
    tracks = list(track_list())  # query 1
    branches = list(branch_list())  # query 2
    scope_branch = _scope_branch(branch, branches)
    if quarter is not None:
        scope_quarters: tuple[int, ...] = (quarter,)
    else:
        scope_quarters = tuple(quarters) if quarters else QUARTERS
    plan = Plan.objects.filter(year=year).first()  # query 3
    targets = _targets(year)  # query 4
    result = Coverage(
        year=year,
        quarter=quarter,
        quarters=scope_quarters,
        branch=scope_branch,
        plan=plan,
        tracks=tracks,
        branches=branches,
        cells=_cells(year=year, plan=plan, now=now),  # queries 5 to 12
        targets=targets,
        now=now,
    )
    result.gaps = find_gaps(result)
    return result


def _scope_branch(branch: Branch | str | None, branches: list[Branch]) -> Branch | None:
    """The branch a person asked for by slug (among the loaded ones), or the one given."""
    if not isinstance(branch, str):
        return branch
    found = next((b for b in branches if b.slug == branch), None)
    if found is None:
        raise RuleViolation(
            _("There is no branch called “%(branch)s”."),
            field="branch",
            code=ErrorCode.UNKNOWN_BRANCH,
            branch=branch,
        )
    return found


def _targets(year: int) -> dict[TargetKey, Target]:
    """The targets of the year's plan, per track overall and per track at a branch."""
    targets: dict[TargetKey, Target] = {}
    for row in TrackTarget.objects.filter(plan__year=year).values(
        "track_id", "branch_id", "min_initiatives", "min_events", "min_attendance"
    ):
        targets[(row["track_id"], row["branch_id"])] = Target(**row)
    return targets


def _cells(*, year: int, plan: Plan | None, now: datetime) -> dict[Key, Cell]:
    """Every number of the year, by track × branch × quarter."""
    cells: dict[Key, Cell] = {}
    start, end = year_bounds(year)
    if plan is not None:
        _count_initiatives(cells, plan)  # query 5
    _count_events(cells, start=start, end=end, now=now)  # query 6
    _count_registrations(cells, start=start, end=end, now=now)  # query 7
    _count_volunteer_hours(cells, start=start, end=end)  # query 8
    _collect_partners_and_audiences(cells, start=start, end=end, now=now)  # queries 9 and 10
    _count_audience_participants(cells, start=start, end=end, now=now)  # queries 11 and 12
    return cells


def _at(cells: dict[Key, Cell], track_id: int, branch_id: int, quarter: int) -> Cell:
    """The cell of one track at one branch in one quarter, created empty on first use."""
    key = (track_id, branch_id, quarter)
    if key not in cells:
        cells[key] = Cell()
    return cells[key]


def _count_initiatives(cells: dict[Key, Cell], plan: Plan) -> None:
    """Initiatives × tracks × branches × partners (a handful of rows per initiative).

    An initiative without quarters runs all year; a dropped one keeps its status but
    brings no partners.
    """
    rows = (
        Initiative.objects.filter(plan=plan)
        .order_by()
        .values_list("id", "status", "quarters", "tracks", "branches", "partners__name")
    )
    for pk, status, raw_quarters, track_id, branch_id, partner in rows:
        if track_id is None or branch_id is None:
            continue
        runs = sorted({int(q) for q in (raw_quarters or []) if int(q) in QUARTERS}) or QUARTERS
        for q in runs:
            cell = _at(cells, track_id, branch_id, q)
            cell.initiatives.setdefault(status, set()).add(pk)
            if partner and status != InitiativeStatus.DROPPED:
                cell.partners.add(partner)


def _count_events(cells: dict[Key, Cell], *, start: datetime, end: datetime, now: datetime) -> None:
    """Events held, planned and cancelled, and drop-in attendance (one row per event and track)."""
    held = _held_q(now)
    rows = (
        Event.objects.filter(start__gte=start, start__lt=end)
        .order_by()
        .values(
            "branch_id", track_id=F("tracks"), quarter=ExtractQuarter("start", tzinfo=local_tz())
        )
        .annotate(
            held=Count("pk", filter=held),
            planned=Count("pk", filter=_planned_q(now)),
            cancelled=Count("pk", filter=_cancelled_q()),
            dropin=Sum("attendance_count", filter=held),
        )
    )
    for row in rows:
        if row["track_id"] is None:
            continue
        cell = _at(cells, row["track_id"], row["branch_id"], row["quarter"])
        cell.events_held += row["held"]
        cell.events_planned += row["planned"]
        cell.events_cancelled += row["cancelled"]
        cell.attendance += row["dropin"] or 0


def _count_registrations(
    cells: dict[Key, Cell], *, start: datetime, end: datetime, now: datetime
) -> None:
    """Registered seats on held and planned events, and checked-in seats on held ones."""
    live_event = _held_q(now, "event__") | _planned_q(now, "event__")
    rows = (
        Registration.objects.filter(event__start__gte=start, event__start__lt=end)
        .order_by()
        .values(
            branch_id=F("event__branch_id"),
            track_id=F("event__tracks"),
            quarter=ExtractQuarter("event__start", tzinfo=local_tz()),
        )
        .annotate(
            registered=Sum("seats", filter=_counted_registration_q() & live_event),
            checked_in=Sum(
                "seats", filter=Q(checked_in_at__isnull=False) & _held_q(now, "event__")
            ),
        )
    )
    for row in rows:
        if row["track_id"] is None:
            continue
        cell = _at(cells, row["track_id"], row["branch_id"], row["quarter"])
        cell.registrations += row["registered"] or 0
        cell.attendance += row["checked_in"] or 0


def _count_volunteer_hours(cells: dict[Key, Cell], *, start: datetime, end: datetime) -> None:
    """Attended volunteer hours by the shift's activity track × branch and its quarter."""
    rows = (
        ShiftSignup.objects.filter(
            attended=True, shift__start__gte=start, shift__start__lt=end, hours__isnull=False
        )
        .order_by()
        .values(
            branch_id=F("shift__activity__branch_id"),
            track_id=F("shift__activity__tracks"),
            quarter=ExtractQuarter("shift__start", tzinfo=local_tz()),
        )
        .annotate(total=Sum("hours"))
    )
    for row in rows:
        if row["track_id"] is None:
            continue
        cell = _at(cells, row["track_id"], row["branch_id"], row["quarter"])
        cell.volunteer_hours += Decimal(row["total"] or 0)


def _collect_partners_and_audiences(
    cells: dict[Key, Cell], *, start: datetime, end: datetime, now: datetime
) -> None:
    """The partners and the audiences of held and planned events (two queries)."""
    live = (
        Event.objects.filter(start__gte=start, start__lt=end)
        .filter(_held_q(now) | _planned_q(now))
        .order_by()
    )
    quarter = ExtractQuarter("start", tzinfo=local_tz())
    for track_id, branch_id, q, name in (
        live.filter(partners__isnull=False)
        .values_list("tracks", "branch_id", quarter, "partners__name")
        .distinct()
    ):
        if track_id is not None and name:
            _at(cells, track_id, branch_id, q).partners.add(name)
    for track_id, branch_id, q, slug in (
        live.filter(audiences__isnull=False)
        .values_list("tracks", "branch_id", quarter, "audiences__slug")
        .distinct()
    ):
        if track_id is not None and slug:
            _at(cells, track_id, branch_id, q).audiences.add(slug)


def _count_audience_participants(
    cells: dict[Key, Cell], *, start: datetime, end: datetime, now: datetime
) -> None:
    """Participants per audience: the drop-in count and the checked-in seats of held events,
    by the events' audiences (the same definition as ``attendance``)."""
    quarter = ExtractQuarter("start", tzinfo=local_tz())
    dropins = (
        Event.objects.filter(_held_q(now), start__gte=start, start__lt=end)
        .filter(audiences__isnull=False, attendance_count__gt=0)
        .order_by()
        .values("branch_id", track_id=F("tracks"), q=quarter, slug=F("audiences__slug"))
        .annotate(n=Sum("attendance_count"))
    )
    checked_in = (
        Registration.objects.filter(
            _held_q(now, "event__"),
            event__start__gte=start,
            event__start__lt=end,
            event__audiences__isnull=False,
            checked_in_at__isnull=False,
        )
        .order_by()
        .values(
            branch_id=F("event__branch_id"),
            track_id=F("event__tracks"),
            q=ExtractQuarter("event__start", tzinfo=local_tz()),
            slug=F("event__audiences__slug"),
        )
        .annotate(n=Sum("seats"))
    )
    for row in [*dropins, *checked_in]:
        if row["track_id"] is None or not row["n"]:
            continue
        counts = _at(cells, row["track_id"], row["branch_id"], row["q"]).audience_participants
        counts[row["slug"]] = counts.get(row["slug"], 0) + row["n"]
