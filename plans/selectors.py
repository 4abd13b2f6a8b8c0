"""Reads of the plan: coverage per track × branch × quarter, gaps, drill-down.

Definitions (the same on the dashboard, in the API and in the status report):

- An event belongs to the year and quarter of its local start (Europe/Copenhagen).
  An event tagged with two tracks counts for both.
- **held**: published (not cancelled) and its end lies in the past;
  **planned**: not cancelled and its end lies in the future (drafts included);
  **cancelled**: state cancelled. A past draft is none of the three.
- **registrations**: the seats of confirmed (or checked-in) registrations on held and
  planned events. Waiting-list and cancelled registrations do not count.
- **attendance**: on held events, the seats of checked-in registrations plus the
  drop-in count (``Event.attendance_count``).
- **volunteer hours**: the sum of ``ShiftSignup.hours`` of sign-ups marked attended,
  by the shift's activity (its tracks and branch) and the shift's local start.
- **partners involved**: partners of held and planned events and of the initiatives;
  **audiences reached**: audiences of held and planned events.
- **initiatives**: initiatives of the year's plan that are not dropped, on the track,
  at the branch, running in the quarter (an initiative without quarters runs all year).

No number depends on who registered (``Registration.user``) – anonymised registrations
count the same – and nothing is copied: a moved or cancelled event is counted where and
as it is now. Everything is computed with a constant number of GROUP BY queries,
whatever the number of events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import NotFound, PermissionDenied, RuleViolation
from core.models import Branch, Track, User
from core.selectors import branch_list, branches_managed_by, track_list
from core.timeutils import local_today, local_tz
from events.models import Event, EventSeries, EventState, Registration, RegistrationStatus
from plans.models import (
    DEFAULT_MIN_INITIATIVES,
    QUARTERS,
    Initiative,
    InitiativeStatus,
    Plan,
    TrackTarget,
)
from volunteers.models import Activity, ShiftSignup

PERIODS = {"h1": (1, 2), "year": (1, 2, 3, 4)}

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


# --- Time -------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = local_tz()
    return (
        datetime.combine(date(year, 1, 1), time.min).replace(tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time.min).replace(tzinfo=tz),
    )


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    tz = local_tz()
    start = date(year, 3 * (quarter - 1) + 1, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return (
        datetime.combine(start, time.min).replace(tzinfo=tz),
        datetime.combine(end, time.min).replace(tzinfo=tz),
    )


def current_year() -> int:
    return local_today().year


def parse_scope(
    *, year: Any = None, quarter: Any = None, branch: Any = None
) -> tuple[int, int | None, str | None]:
    """Validate the year/quarter/branch a person asked for; a clear 400 otherwise."""
    if year in (None, ""):
        year_value = current_year()
    else:
        try:
            year_value = int(year)
        except (TypeError, ValueError):
            year_value = 0
        if not 2000 <= year_value <= 2100:
            raise RuleViolation(
                _("Please give the year as four digits, e.g. 2027."), field="year", code="bad_year"
            )
    quarter_value: int | None = None
    if quarter not in (None, ""):
        try:
            quarter_value = int(quarter)
        except (TypeError, ValueError):
            quarter_value = 0
        if quarter_value not in QUARTERS:
            raise RuleViolation(
                _("The quarter must be 1, 2, 3 or 4."), field="quarter", code="bad_quarter"
            )
    branch_value = str(branch) if branch not in (None, "") else None
    return year_value, quarter_value, branch_value


# --- Cells ------------------------------------------------------------------------


@dataclass
class Cell:
    """The numbers of one track at one branch in one quarter (or a sum of such cells)."""

    initiatives: dict[str, set[int]] = field(default_factory=dict)
    events_held: int = 0
    events_cancelled: int = 0
    events_planned: int = 0
    registrations: int = 0
    attendance: int = 0
    volunteer_hours: Decimal = Decimal("0")
    partners: set[str] = field(default_factory=set)
    audiences: set[str] = field(default_factory=set)

    def add(self, other: Cell) -> None:
        for status, ids in other.initiatives.items():
            self.initiatives.setdefault(status, set()).update(ids)
        self.events_held += other.events_held
        self.events_cancelled += other.events_cancelled
        self.events_planned += other.events_planned
        self.registrations += other.registrations
        self.attendance += other.attendance
        self.volunteer_hours += other.volunteer_hours
        self.partners |= other.partners
        self.audiences |= other.audiences

    @property
    def initiative_ids(self) -> set[int]:
        ids: set[int] = set()
        for status, members in self.initiatives.items():
            if status != InitiativeStatus.DROPPED:
                ids |= members
        return ids

    @property
    def initiative_count(self) -> int:
        """Initiatives that count toward the target (all but dropped ones)."""
        return len(self.initiative_ids)

    def initiatives_by_status(self) -> dict[str, int]:
        return {status: len(self.initiatives.get(status, ())) for status in InitiativeStatus.values}

    @property
    def events(self) -> int:
        """Held and planned events: what counts toward an events target."""
        return self.events_held + self.events_planned

    @property
    def partner_count(self) -> int:
        return len(self.partners)


@dataclass(frozen=True)
class Target:
    track_id: int
    branch_id: int | None
    min_initiatives: int = DEFAULT_MIN_INITIATIVES
    min_events: int | None = None
    min_attendance: int | None = None


@dataclass(frozen=True)
class Gap:
    track: Track
    branch: Branch | None
    quarter: int | None
    kind: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "track": self.track.slug,
            "branch": self.branch.slug if self.branch else None,
            "quarter": self.quarter,
            "message": self.message,
        }


Key = tuple[int, int, int]  # (track id, branch id, quarter)


@dataclass
class Coverage:
    """Coverage of one year, scoped to some quarters and perhaps one branch."""

    year: int
    quarter: int | None
    quarters: tuple[int, ...]
    branch: Branch | None
    plan: Plan | None
    tracks: list[Track]
    branches: list[Branch]
    cells: dict[Key, Cell]
    targets: dict[tuple[int, int | None], Target]
    now: datetime
    gaps: list[Gap] = field(default_factory=list)

    @property
    def scope_branches(self) -> list[Branch]:
        return [self.branch] if self.branch is not None else self.branches

    def total(
        self,
        *,
        track: Track | int | None = None,
        branch: Branch | int | None = None,
        quarter: int | None = None,
        whole_year: bool = False,
        all_branches: bool = False,
    ) -> Cell:
        """The sum of the cells that match; unset filters fall back to the coverage's scope."""
        track_id = track.pk if isinstance(track, Track) else track
        if branch is not None:
            branch_ids: set[int] | None = {branch.pk if isinstance(branch, Branch) else branch}
        elif self.branch is not None and not all_branches:
            branch_ids = {self.branch.pk}
        else:
            branch_ids = None
        if quarter is not None:
            quarters: Iterable[int] = (quarter,)
        elif whole_year:
            quarters = QUARTERS
        else:
            quarters = self.quarters
        quarter_set = set(quarters)
        result = Cell()
        for (t, b, q), cell in self.cells.items():
            if track_id is not None and t != track_id:
                continue
            if branch_ids is not None and b not in branch_ids:
                continue
            if q not in quarter_set:
                continue
            result.add(cell)
        return result

    def target(self, *, track: Track, branch: Branch | None = None) -> Target | None:
        """The target for a track overall (default 3 initiatives) or at one branch (or None)."""
        if branch is None:
            return self.targets.get((track.pk, None)) or Target(track_id=track.pk, branch_id=None)
        return self.targets.get((track.pk, branch.pk))

    def gaps_for(self, track: Track) -> list[Gap]:
        return [gap for gap in self.gaps if gap.track.pk == track.pk]

    def quarter_label(self) -> str:
        if self.quarter is not None:
            return quarter_name(self.quarter)
        if self.quarters == (1, 2):
            return _("first half")
        return _("whole year")


def quarter_name(quarter: int) -> str:
    return _("Q%(quarter)s") % {"quarter": quarter}


# --- The queries ------------------------------------------------------------------


def _held_q(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": EventState.PUBLISHED, f"{prefix}end__lt": now})


def _planned_q(now: datetime, prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}state": EventState.CANCELLED}) & Q(**{f"{prefix}end__gte": now})


def _cancelled_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": EventState.CANCELLED})


def _counted_registration_q() -> Q:
    return Q(status=RegistrationStatus.CONFIRMED) | Q(checked_in_at__isnull=False)


def coverage(
    *,
    year: int,
    quarter: int | None = None,
    quarters: tuple[int, ...] | None = None,
    branch: Branch | str | None = None,
    now: datetime | None = None,
) -> Coverage:
    """Coverage of ``year`` (optionally one quarter, or some quarters, and one branch).

    Ten queries whatever the amount of data: tracks, branches, plan, targets,
    initiatives (with their tracks, branches and partners), events by track × branch ×
    quarter, registrations likewise, volunteer hours likewise, event partners, event
    audiences. The whole year is loaded so that yearly targets can be judged; the scope
    only narrows what ``total()`` adds up and which gaps are named.
    """
    now = now or timezone.now()
    tz = local_tz()
    start, end = year_bounds(year)
    tracks = list(track_list())  # query 1
    branches = list(branch_list())  # query 2
    scope_branch: Branch | None
    if isinstance(branch, str):
        scope_branch = next((b for b in branches if b.slug == branch), None)
        if scope_branch is None:
            raise RuleViolation(
                _("There is no branch called “%(branch)s”."),
                field="branch",
                code="unknown_branch",
                branch=branch,
            )
    else:
        scope_branch = branch
    if quarter is not None:
        scope_quarters: tuple[int, ...] = (quarter,)
    else:
        scope_quarters = tuple(quarters) if quarters else QUARTERS

    plan = Plan.objects.filter(year=year).first()  # query 3
    targets: dict[tuple[int, int | None], Target] = {}
    for row in TrackTarget.objects.filter(plan__year=year).values(  # query 4
        "track_id", "branch_id", "min_initiatives", "min_events", "min_attendance"
    ):
        targets[(row["track_id"], row["branch_id"])] = Target(**row)

    cells: dict[Key, Cell] = {}

    def cell(track_id: int, branch_id: int, q: int) -> Cell:
        key = (track_id, branch_id, q)
        if key not in cells:
            cells[key] = Cell()
        return cells[key]

    # Query 5: initiatives × tracks × branches × partners (a handful of rows per initiative).
    if plan is not None:
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
                target_cell = cell(track_id, branch_id, q)
                target_cell.initiatives.setdefault(status, set()).add(pk)
                if partner and status != InitiativeStatus.DROPPED:
                    target_cell.partners.add(partner)

    in_year = Q(start__gte=start, start__lt=end)
    held, planned, cancelled = _held_q(now), _planned_q(now), _cancelled_q()

    # Query 6: events by track × branch × quarter (one row per event and track).
    event_rows = (
        Event.objects.filter(in_year)
        .order_by()
        .values("branch_id", track_id=F("tracks"), quarter=ExtractQuarter("start", tzinfo=tz))
        .annotate(
            held=Count("pk", filter=held),
            planned=Count("pk", filter=planned),
            cancelled=Count("pk", filter=cancelled),
            dropin=Sum("attendance_count", filter=held),
        )
    )
    for row in event_rows:
        if row["track_id"] is None:
            continue
        c = cell(row["track_id"], row["branch_id"], row["quarter"])
        c.events_held += row["held"]
        c.events_planned += row["planned"]
        c.events_cancelled += row["cancelled"]
        c.attendance += row["dropin"] or 0

    # Query 7: registrations (seats) by the event's track × branch × quarter.
    registration_rows = (
        Registration.objects.filter(event__start__gte=start, event__start__lt=end)
        .order_by()
        .values(
            branch_id=F("event__branch_id"),
            track_id=F("event__tracks"),
            quarter=ExtractQuarter("event__start", tzinfo=tz),
        )
        .annotate(
            registered=Sum(
                "seats",
                filter=_counted_registration_q()
                & (_held_q(now, "event__") | _planned_q(now, "event__")),
            ),
            checked_in=Sum(
                "seats", filter=Q(checked_in_at__isnull=False) & _held_q(now, "event__")
            ),
        )
    )
    for row in registration_rows:
        if row["track_id"] is None:
            continue
        c = cell(row["track_id"], row["branch_id"], row["quarter"])
        c.registrations += row["registered"] or 0
        c.attendance += row["checked_in"] or 0

    # Query 8: volunteer hours by the shift's activity track × branch and its quarter.
    hour_rows = (
        ShiftSignup.objects.filter(
            attended=True, shift__start__gte=start, shift__start__lt=end, hours__isnull=False
        )
        .order_by()
        .values(
            branch_id=F("shift__activity__branch_id"),
            track_id=F("shift__activity__tracks"),
            quarter=ExtractQuarter("shift__start", tzinfo=tz),
        )
        .annotate(total=Sum("hours"))
    )
    for row in hour_rows:
        if row["track_id"] is None:
            continue
        cell(row["track_id"], row["branch_id"], row["quarter"]).volunteer_hours += Decimal(
            row["total"] or 0
        )

    live = Event.objects.filter(in_year).filter(held | planned).order_by()
    quarter_expr = ExtractQuarter("start", tzinfo=tz)
    # Query 9: partners of held and planned events.
    for track_id, branch_id, q, name in (
        live.filter(partners__isnull=False)
        .values_list("tracks", "branch_id", quarter_expr, "partners__name")
        .distinct()
    ):
        if track_id is not None and name:
            cell(track_id, branch_id, q).partners.add(name)
    # Query 10: audiences of held and planned events.
    for track_id, branch_id, q, slug in (
        live.filter(audiences__isnull=False)
        .values_list("tracks", "branch_id", quarter_expr, "audiences__slug")
        .distinct()
    ):
        if track_id is not None and slug:
            cell(track_id, branch_id, q).audiences.add(slug)

    result = Coverage(
        year=year,
        quarter=quarter,
        quarters=scope_quarters,
        branch=scope_branch,
        plan=plan,
        tracks=tracks,
        branches=branches,
        cells=cells,
        targets=targets,
        now=now,
    )
    result.gaps = find_gaps(result)
    return result


# --- Gaps -------------------------------------------------------------------------


def find_gaps(cov: Coverage) -> list[Gap]:
    """Name every shortfall against the plan in a sentence staff can paste into a report.

    Targets are yearly and judged on the whole year (held and planned events count
    toward an events target, so a June status shows what is still missing). A quarter
    gap is named where the plan expects the track at a branch in that quarter (an
    initiative runs there then, or the branch has its own target on the track) and no
    event is held or planned.
    """
    gaps: list[Gap] = []
    year = cov.year
    branch_ids = {b.pk for b in cov.scope_branches}
    for track in cov.tracks:
        if cov.branch is None:
            overall = cov.target(track=track) or Target(track_id=track.pk, branch_id=None)
            year_cell = cov.total(track=track, whole_year=True, all_branches=True)
            gaps += _target_gaps(
                track=track, branch=None, target=overall, cell=year_cell, year=year
            )
        for branch in cov.branches:
            if branch.pk not in branch_ids:
                continue
            branch_target = cov.target(track=track, branch=branch)
            if branch_target is not None:
                year_cell = cov.total(track=track, branch=branch, whole_year=True)
                gaps += _target_gaps(
                    track=track, branch=branch, target=branch_target, cell=year_cell, year=year
                )
            for q in cov.quarters:
                quarter_cell = cov.cells.get((track.pk, branch.pk, q)) or Cell()
                expected = branch_target is not None or quarter_cell.initiative_count > 0
                if expected and quarter_cell.events == 0:
                    gaps.append(
                        Gap(
                            track=track,
                            branch=branch,
                            quarter=q,
                            kind="no_event",
                            message=_(
                                "%(branch)s: no event held or planned on %(track)s in Q%(quarter)s"
                            )
                            % {"branch": branch.name, "track": track.name, "quarter": q},
                        )
                    )
    return gaps


def _target_gaps(
    *, track: Track, branch: Branch | None, target: Target, cell: Cell, year: int
) -> list[Gap]:
    found: list[Gap] = []
    where = f"{branch.name} – {track.name}" if branch is not None else track.name
    # Each sentence says what it counts, so it matches the numbers beside it: an events
    # target counts held *and* planned events (the heatmap shows them apart).
    checks = [
        (
            "initiatives",
            target.min_initiatives,
            cell.initiative_count,
            _(
                "%(where)s: %(count)s of %(target)s initiatives in the plan for %(year)s "
                "(dropped ones not counted)"
            ),
        ),
        (
            "events",
            target.min_events,
            cell.events,
            _(
                "%(where)s: %(count)s of %(target)s events (held or planned) in %(year)s: "
                "%(held)s held, %(planned)s planned"
            ),
        ),
        (
            "attendance",
            target.min_attendance,
            cell.attendance,
            _("%(where)s: attendance %(count)s of %(target)s people at held events in %(year)s"),
        ),
    ]
    for kind, minimum, count, text in checks:
        if minimum and count < minimum:
            message = text % {
                "where": where,
                "count": count,
                "target": minimum,
                "year": year,
                "held": cell.events_held,
                "planned": cell.events_planned,
            }
            found.append(Gap(track=track, branch=branch, quarter=None, kind=kind, message=message))
    return found


# --- Plans and initiatives --------------------------------------------------------


def can_see_drafts(user: User | None) -> bool:
    """Draft plans (next year's, before the committee has seen it) are for library staff only."""
    return bool(user is not None and user.is_authenticated and user.is_library_staff)


def plan_list(*, include_drafts: bool = True) -> QuerySet[Plan]:
    qs = Plan.objects.all() if include_drafts else Plan.objects.filter(is_draft=False)
    return qs.order_by("-year").prefetch_related(
        Prefetch(
            "targets",
            queryset=TrackTarget.objects.select_related("track", "branch").order_by(
                "track__position", "branch__position"
            ),
        )
    )


def plan_for_year(*, year: int) -> Plan | None:
    return Plan.objects.filter(year=year).first()


def initiative_list(
    *,
    year: int | None = None,
    track: str | None = None,
    branch: str | None = None,
    status: str | None = None,
    include_drafts: bool = True,
) -> QuerySet[Initiative]:
    """Initiatives with everything a list shows, in a fixed number of queries.

    ``include_drafts=False`` leaves out the initiatives of draft plans (for anyone who is
    not library staff, see ``can_see_drafts``).
    """
    qs = Initiative.objects.select_related("plan", "responsible").prefetch_related(
        Prefetch("tracks", queryset=Track.objects.order_by("position")),
        Prefetch("branches", queryset=Branch.objects.order_by("position", "name")),
        "partners",
        Prefetch("events", queryset=Event.objects.only("id").order_by()),
        Prefetch("series", queryset=EventSeries.objects.only("id").order_by()),
    )
    if not include_drafts:
        qs = qs.filter(plan__is_draft=False)
    if year is not None:
        qs = qs.filter(plan__year=year)
    if track:
        qs = qs.filter(tracks__slug=track)
    if branch:
        qs = qs.filter(branches__slug=branch)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-plan__year", "title", "id")


def initiatives_by_track(
    initiatives: Iterable[Initiative], tracks: Iterable[Track]
) -> list[tuple[Track, list[Initiative]]]:
    """Group prefetched initiatives under each track (one initiative may sit on several)."""
    grouped: dict[int, list[Initiative]] = {t.pk: [] for t in tracks}
    for initiative in initiatives:
        for t in initiative.tracks.all():
            grouped.setdefault(t.pk, []).append(initiative)
    return [(t, grouped.get(t.pk, [])) for t in tracks]


def can_edit_initiative(*, user: User | None, initiative: Initiative) -> bool:
    """Staff edit initiatives of their own branches (any branch of it); administrators all."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return False
    if user.is_administrator:
        return True
    mine = set(branches_managed_by(user=user).values_list("pk", flat=True))
    return bool(mine & {b.pk for b in initiative.branches.all()})


def editable_initiative_ids(*, user: User | None, initiatives: Iterable[Initiative]) -> set[int]:
    """Which of the (prefetched) initiatives ``user`` may edit; one query."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return set()
    items = list(initiatives)
    if user.is_administrator:
        return {i.pk for i in items}
    mine = set(branches_managed_by(user=user).values_list("pk", flat=True))
    return {i.pk for i in items if mine & {b.pk for b in i.branches.all()}}


def initiative_get(*, pk: int, include_drafts: bool = True) -> Initiative:
    try:
        return initiative_list(include_drafts=include_drafts).get(pk=pk)
    except Initiative.DoesNotExist as error:
        raise NotFound(_("There is no such initiative.")) from error


def initiative_get_for_edit(*, actor: User | None, pk: int) -> Initiative:
    """Load an initiative for editing: 404 if missing, 403 if not one of the actor's branches."""
    initiative = initiative_get(pk=pk)
    if not can_edit_initiative(user=actor, initiative=initiative):
        raise PermissionDenied(
            _(
                "You can only change initiatives of your own branches. "
                "Ask a colleague at the branch to make the change."
            )
        )
    return initiative


# --- Drill-down -------------------------------------------------------------------


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
    if quarters and set(quarters) != set(QUARTERS):
        window = Q()
        for q in quarters:
            q_start, q_end = quarter_bounds(year, q)
            window |= Q(start__gte=q_start, start__lt=q_end)
        qs = qs.filter(window)
    if track is not None:
        qs = qs.filter(tracks=track)
    if branch is not None:
        qs = qs.filter(branch=branch)
    if metric in {"events_held", "attendance"}:
        qs = qs.filter(_held_q(now))
    elif metric == "events_planned":
        qs = qs.filter(_planned_q(now))
    elif metric == "events_cancelled":
        qs = qs.filter(_cancelled_q())
    elif metric in {"registrations", "partners"}:
        qs = qs.filter(_held_q(now) | _planned_q(now))
        if metric == "partners":
            qs = qs.filter(partners__isnull=False).distinct()
    else:
        return Event.objects.none()
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
) -> list[dict[str, Any]]:
    """The activities behind a volunteer-hours number, with their attended hours."""
    start, end = year_bounds(year)
    qs = ShiftSignup.objects.filter(
        attended=True, hours__isnull=False, shift__start__gte=start, shift__start__lt=end
    )
    if quarter is not None:
        quarters = (quarter,)
    if quarters and set(quarters) != set(QUARTERS):
        window = Q()
        for q in quarters:
            q_start, q_end = quarter_bounds(year, q)
            window |= Q(shift__start__gte=q_start, shift__start__lt=q_end)
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


def initiatives_responsible(*, user: User) -> QuerySet[Initiative]:
    """The initiatives ``user`` is named responsible for (for the person's own data export)."""
    return (
        Initiative.objects.filter(responsible=user)
        .select_related("plan")
        .order_by("plan__year", "title", "pk")
    )
