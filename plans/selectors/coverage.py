"""Coverage of a year: the numbers of every track × branch × quarter, in seven queries.

The story: scope -> initiatives -> events with their registrations, partners and audiences
-> volunteer hours -> targets and gaps. Each step is one GROUP BY statement that adds its
numbers to the cells; none depends on the number of events. The events step reads a year's
registrations (500,000 in the benchmark) once, summed per event, and joins those sums to the
events; it is the one statement whose time grows with the year (see docs/benchmarks.md).
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, Subquery, Sum, Value, When
from django.db.models.functions import ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ErrorCode, RuleViolation
from core.models import Audience, Branch, Partner
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
from plans.selectors.periods import quarter_bounds, year_bounds
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

    Seven queries whatever the amount of data: tracks, branches, plan, targets,
    initiatives (with their tracks, branches and partners), one statement for the events by
    track × branch × quarter with their registered and checked-in seats, partners, audiences
    and participants per audience, and the volunteer hours likewise (on PostgreSQL the
    events statement runs in its own transaction: BEGIN, set_config and COMMIT, three more).
    The whole year is loaded so that yearly targets can be judged; the scope only narrows
    what ``total()`` adds up and which gaps are named.
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
        cells=_cells(year=year, plan=plan, now=now),  # queries 5 to 7
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
    _count_events_and_registrations(cells, year=year, now=now)  # query 6
    _count_volunteer_hours(cells, start=start, end=end)  # query 7
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


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _event_rows(*, year: int, now: datetime) -> tuple[str, tuple[Any, ...]]:
    """The year's events, one row per event and track: branch, track, quarter (by the local quarter bounds, the
    same as the quarter of the local start), held / planned / cancelled as 0 or 1, drop-in."""
    start, end = year_bounds(year)
    bounds = [quarter_bounds(year, q)[0] for q in (2, 3, 4)]
    rows = (
        Event.objects.filter(start__gte=start, start__lt=end, tracks__isnull=False)
        .order_by()
        .values("id", "branch_id", "attendance_count", track_id=F("tracks"))
        .annotate(
            q=Case(
                When(start__lt=bounds[0], then=Value(1)),
                When(start__lt=bounds[1], then=Value(2)),
                When(start__lt=bounds[2], then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            ),
            held=_flag(_held_q(now)),
            planned=_flag(_planned_q(now)),
            cancelled=_flag(_cancelled_q()),
        )
    )
    return rows.query.sql_with_params()


def _registration_rows(start: datetime, end: datetime) -> tuple[str, tuple[Any, ...]]:
    """The registrations of the year's events, summed once per event: the seats that count
    as registered and the checked-in seats.

    Only the range of event ids from the year's first to its last event is read (one range
    of the covering index on the registrations' event, read in event order and summed as it
    goes); the join to the year's events that follows drops the sums of any other event in
    that range. Events are created before they happen, so a year's ids lie close together.
    """
    year_events = Event.objects.filter(start__gte=start, start__lt=end).values("id")
    rows = (
        Registration.objects.filter(
            event_id__gte=Subquery(year_events.order_by("id")[:1]),
            event_id__lte=Subquery(year_events.order_by("-id")[:1]),
        )
        .order_by()
        .values("event_id")
        .annotate(
            registered=Sum("seats", filter=_counted_registration_q()),
            checked_in=Sum("seats", filter=Q(checked_in_at__isnull=False)),
        )
    )
    return rows.query.sql_with_params()


def _count_events_and_registrations(cells: dict[Key, Cell], *, year: int, now: datetime) -> None:
    """Events held, planned and cancelled, drop-in attendance, registered and checked-in
    seats, the partners and audiences of held and planned events, and the participants per
    audience, by track × branch × quarter: one query.

    The registrations are read once and summed per event (``rg``), then joined to the year's
    events (``ev``) and their tracks, audiences and partners; a year of 500,000
    registrations is one pass over them instead of one per number.
    """
    ev_sql, ev_params = _event_rows(year=year, now=now)
    rg_sql, rg_params = _registration_rows(*year_bounds(year))
    table = connection.ops.quote_name
    audiences = table(Event.audiences.through._meta.db_table)
    partners = table(Event.partners.through._meta.db_table)
    audience = table(Audience._meta.db_table)
    partner = table(Partner._meta.db_table)
    # ``er``: one row per event with its numbers, registrations summed once per event.
    # Only the querysets' own SQL (with its parameters) and quoted table names go into it.
    sql = f"""
        WITH er AS (
            SELECT ev.id, ev.branch_id, ev.track_id, ev.q, ev.held, ev.planned, ev.cancelled,
                   CASE WHEN ev.held = 1 THEN COALESCE(ev.attendance_count, 0) ELSE 0 END
                       AS dropin,
                   CASE WHEN ev.held = 1 OR ev.planned = 1 THEN COALESCE(rg.registered, 0)
                       ELSE 0 END AS registered,
                   CASE WHEN ev.held = 1 THEN COALESCE(rg.checked_in, 0) ELSE 0 END
                       AS checked_in
            FROM ({ev_sql}) ev LEFT OUTER JOIN ({rg_sql}) rg ON rg.event_id = ev.id
        )
        SELECT 'cell', er.branch_id, er.track_id, er.q, NULL,
               SUM(er.held), SUM(er.planned), SUM(er.cancelled),
               SUM(er.dropin), SUM(er.registered), SUM(er.checked_in)
        FROM er
        GROUP BY er.branch_id, er.track_id, er.q
        UNION ALL
        SELECT 'audience', er.branch_id, er.track_id, er.q, a.slug,
               SUM(er.held + er.planned), 0, 0, SUM(er.dropin), 0, SUM(er.checked_in)
        FROM er
        INNER JOIN {audiences} ea ON ea.event_id = er.id
        INNER JOIN {audience} a ON a.id = ea.audience_id
        GROUP BY er.branch_id, er.track_id, er.q, a.slug
        UNION ALL
        SELECT 'partner', er.branch_id, er.track_id, er.q, p.name,
               SUM(er.held + er.planned), 0, 0, 0, 0, 0
        FROM er
        INNER JOIN {partners} ep ON ep.event_id = er.id
        INNER JOIN {partner} p ON p.id = ep.partner_id
        GROUP BY er.branch_id, er.track_id, er.q, p.name
    """  # noqa: S608
    postgres = connection.vendor == "postgresql"
    with transaction.atomic() if postgres else nullcontext(), connection.cursor() as cursor:
        if postgres:
            # For this statement only (SET LOCAL): no JIT compilation, which costs more than
            # the whole query at this size, and room to hash the 50,000 events in memory.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)"
            )
        cursor.execute(sql, [*ev_params, *rg_params])
        rows = cursor.fetchall()
    for kind, branch_id, track_id, q, name, *sums in rows:
        # (sums of sums come back as numeric on PostgreSQL: whole numbers all the same)
        live, planned, cancelled, dropin, registered, checked_in = (int(n or 0) for n in sums)
        cell = _at(cells, track_id, branch_id, q)
        if kind == "cell":
            cell.events_held += live
            cell.events_planned += planned
            cell.events_cancelled += cancelled
            cell.registrations += registered
            cell.attendance += dropin + checked_in
        elif kind == "audience":
            if live and name:
                cell.audiences.add(name)
            if dropin + checked_in:
                counts = cell.audience_participants
                counts[name] = counts.get(name, 0) + dropin + checked_in
        elif live and name:
            cell.partners.add(name)


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
