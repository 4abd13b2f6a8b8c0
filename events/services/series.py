"""Event series: create one from a recurrence rule, change what its occurrences share, expand
its rule again, cancel its future occurrences.

A series is the template; each kept date of its rule is an ``Event`` row with its own state.
Recurrence is expanded in local wall time (``core.recurrence``), so a weekly 10:00 event
stays at 10:00 across daylight saving.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import RuleViolation
from core.models import Audience, Branch, Partner, Track, User
from core.recurrence import Occurrence, expand, kept
from core.services import audit_log
from core.timeutils import local_tz, make_local
from events.models import Event, EventSeries, EventState, PlaceKind
from events.services._common import (
    M2M_FIELDS,
    SHARED_FIELDS,
    SeriesChanges,
    SharedFields,
    _new_event,
    _plain,
    _require_branch,
    _set_m2m,
)
from events.services.images import image_prepared
from events.services.occurrences import _apply_changes, _event_cancel
from events.services.places import _occupy
from events.services.questions import _questions_set
from events.services.roomfit import RoomFit
from events.services.validation import (
    ClosedOverride,
    _check_data,
    _check_publishable,
    _check_times,
    _closed_days,
    _closed_override_reason,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

SERIES_EDITABLE = (
    set(SHARED_FIELDS)
    | set(M2M_FIELDS)
    | {
        "start_time",
        "duration",
        "state",
        "rrule",
        "include_closed",
    }
)


class Tags(TypedDict):
    """The tags a series gives each new occurrence."""

    tracks: list[Track]
    audiences: list[Audience]
    partners: list[Partner]


# --- Create ---------------------------------------------------------------------


@transaction.atomic(durable=True)
def series_create(
    *,
    actor: User | None,
    rrule: str,
    start: datetime,
    end: datetime,
    title: str,
    branch: Branch,
    state: str = EventState.DRAFT,
    include_closed: bool = False,
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    partners: Iterable[Partner] = (),
    skip_days: Iterable[date] = (),
    closed_override_reason: str = "",
    questions: Iterable[str] = (),
    **fields: Unpack[SharedFields],
) -> EventSeries:
    """A series from ``rrule`` and its first occurrence; one Event row per kept date.

    Rooms are occupied for every occurrence; a clash anywhere refuses the whole
    series (409 naming the clash), so nothing is half-written. ``skip_days`` (local
    dates) are left out, e.g. the dates the preview showed the room taken. Days the
    branch is closed are left out too, unless ``include_closed`` (staff hold the series
    although the library is closed): then ``closed_override_reason`` is required if a
    kept date falls on one.
    """
    return series_build(
        actor=actor,
        rrule=rrule,
        start=start,
        end=end,
        title=title,
        branch=branch,
        state=state,
        include_closed=include_closed,
        tracks=tracks,
        audiences=audiences,
        partners=partners,
        skip_days=skip_days,
        closed_override_reason=closed_override_reason,
        questions=questions,
        **fields,
    )


@transaction.atomic
def series_build(
    *,
    actor: User | None,
    rrule: str,
    start: datetime,
    end: datetime,
    title: str,
    branch: Branch,
    state: str,
    include_closed: bool,
    tracks: Iterable[Track],
    audiences: Iterable[Audience],
    partners: Iterable[Partner],
    skip_days: Iterable[date] = (),
    closed_override: bool = False,
    closed_override_reason: str = "",
    questions: Iterable[str] = (),
    **fields: Unpack[SharedFields],
) -> EventSeries:
    """Composable ``series_create`` (runs in the caller's transaction; volunteers' approval uses it).

    A one-off event is ``rrule=""``: on a day its branch is closed it is refused (409
    ``branch_closed``) unless ``closed_override`` with a reason (``include_closed`` is
    for the dates of a rule).
    """
    _require_branch(actor, branch)
    data = _series_data(title=title, branch=branch, fields=fields)
    _check_times(start, end)
    tags = Tags(tracks=list(tracks), audiences=list(audiences), partners=list(partners))
    _check_new_state(state, tags["tracks"])
    if rrule:
        times = _kept_times(
            rrule=rrule,
            start=start,
            end=end,
            branch=branch,
            include_closed=include_closed,
            skip_days=skip_days,
        )
    else:
        times = [(start, end)]
    override = ClosedOverride(
        held=include_closed if rrule else closed_override, reason=closed_override_reason
    )
    held = _held_reasons(branch, times, override=override, checked_by_rule=bool(rrule))
    series = _series_row(
        title=title,
        branch=branch,
        rrule=rrule,
        start=start,
        end=end,
        include_closed=include_closed,
        data={**data, "closed_override_reason": next((r for r in held if r), "")},
    )
    _set_m2m(series, tags)
    _questions_set(series, questions)
    for (occ_start, occ_end), reason in zip(times, held, strict=True):
        _add_occurrence(actor, series, occ_start, occ_end, state, tags, reason)
    audit_log(
        actor=actor,
        action=AuditAction.EVENT_SERIES_CREATED,
        target=series,
        data={
            "rrule": series.rrule,
            "occurrences": len(times),
            "state": state,
            **_held_audit(times, held),
        },
    )
    return series


# The name the volunteers app used first; keep it working.
_series_create = series_build


def _series_data(*, title: str, branch: Branch, fields: SharedFields) -> dict[str, Any]:
    """The series' shared fields, checked; a room given without a kind of place is a room."""
    unknown = set(fields) - set(SHARED_FIELDS)
    if unknown:
        raise RuleViolation(_("Unknown field: %(field)s."), field=sorted(unknown)[0])
    data: dict[str, Any] = {"title": title, "branch": branch, **fields}
    data.setdefault("place_kind", PlaceKind.ROOM if data.get("room") else PlaceKind.BRANCH)
    _check_data(data)
    if data.get("image"):  # resized and stripped of its metadata once, on upload
        data["image"] = image_prepared(data["image"])
    return data


def _held_reasons(
    branch: Branch,
    times: list[tuple[datetime, datetime]],
    *,
    override: ClosedOverride,
    checked_by_rule: bool,
) -> list[str]:
    """For each date, the reason it is held although the library is closed ("" when open).

    A date on a closed day is refused unless staff hold it anyway and say why. A rule that
    leaves closed days out (``checked_by_rule`` without the tick) has already asked."""
    if checked_by_rule and not override.held:
        return [""] * len(times)
    closed = _closed_days(branch, times)
    return [
        _closed_override_reason(branch=branch, start=s, end=e, override=override, closed=closed)
        for s, e in times
    ]


def _held_audit(times: list[tuple[datetime, datetime]], held: list[str]) -> dict[str, Any]:
    """What the audit row says of the dates held although the library is closed."""
    days = [s.isoformat() for (s, _e), reason in zip(times, held, strict=True) if reason]
    if not days:
        return {}
    return {"held_when_closed": days, "closed_override_reason": next(r for r in held if r)}


def _check_new_state(state: str, tracks: list[Track]) -> None:
    if state not in (EventState.DRAFT, EventState.PUBLISHED):
        raise RuleViolation(_("A new event is a draft or published."), field="state")
    if state == EventState.PUBLISHED:
        _check_publishable(tracks)


def _kept_times(
    *,
    rrule: str,
    start: datetime,
    end: datetime,
    branch: Branch,
    include_closed: bool,
    skip_days: Iterable[date],
) -> list[tuple[datetime, datetime]]:
    """The start and end of every date the rule keeps (closing days and ``skip_days`` out)."""
    occurrences = kept(
        expand(
            rrule=rrule,
            first_start=start,
            first_end=end,
            branch=branch,
            include_closed=include_closed,
        )
    )
    if not occurrences:
        raise RuleViolation(
            _("Every date of this series falls on a closing day. Choose other dates."),
            field="rrule",
        )
    skip = set(skip_days)
    if skip:
        occurrences = [o for o in occurrences if o.day not in skip]
        if not occurrences:
            raise RuleViolation(
                _("Every date of this series is left out. Choose other dates."),
                field="rrule",
            )
    return [(o.start, o.end) for o in occurrences]


def _series_row(
    *,
    title: str,
    branch: Branch,
    rrule: str,
    start: datetime,
    end: datetime,
    include_closed: bool,
    data: Mapping[str, Any],
) -> EventSeries:
    """INSERT the series: its rule with the first start in local wall time and its zone."""
    tz = local_tz()
    local_start = start.astimezone(tz)
    return EventSeries.objects.create(
        title=title.strip(),
        branch=branch,
        rrule=rrule.strip(),
        first_start_local=local_start,
        duration=end.astimezone(tz).replace(tzinfo=None) - local_start.replace(tzinfo=None),
        tzname=str(tz.key),
        include_closed=include_closed,
        **{k: v for k, v in data.items() if k not in ("title", "branch")},
    )


def _add_occurrence(
    actor: User | None,
    series: EventSeries,
    start: datetime,
    end: datetime,
    state: str,
    tags: Tags,
    closed_override_reason: str = "",
) -> Event:
    """One new occurrence of ``series``, tagged as the series, holding its room."""
    event = _new_event(series, start, end, state, closed_override_reason)
    _set_m2m(event, tags)
    _occupy(event, actor)
    return event


# --- Update ---------------------------------------------------------------------


@transaction.atomic(durable=True)
def series_update(
    *, actor: User | None, series: EventSeries, **changes: Unpack[SeriesChanges]
) -> EventSeries:
    """Change what the occurrences share; future occurrences not edited one by one follow.

    ``start_time`` (a local ``time``) and ``duration`` move the future occurrences
    on their own dates, in local wall time. ``state`` publishes or unpublishes them.
    A new ``rrule`` (or ``include_closed``) is expanded again from the series' first
    local start: future occurrences no longer in the rule are cancelled (those
    registered are told), new dates are added. Past, cancelled and individually
    edited occurrences stay as they are.
    """
    series = EventSeries.objects.select_related("branch").get(pk=series.pk)
    _require_branch(actor, series.branch)
    unknown = set(changes) - SERIES_EDITABLE
    if unknown:
        raise RuleViolation(_("Unknown field: %(field)s."), field=sorted(unknown)[0])
    if "branch" in changes and changes["branch"] != series.branch:
        _require_branch(actor, changes["branch"])
    start_time = changes.pop("start_time", None)
    duration = changes.pop("duration", None)
    state = changes.pop("state", None)
    new_rrule = changes.pop("rrule", None)
    new_include_closed = changes.pop("include_closed", None)
    new_reason = (changes.pop("closed_override_reason", None) or "").strip()[:300]
    fit = changes.pop("room_fit", None)
    if state not in (None, EventState.DRAFT, EventState.PUBLISHED):
        raise RuleViolation(_("To cancel the series, cancel its events."), field="state")
    if duration is not None and duration <= timedelta(0):
        raise RuleViolation(_("The end must be after the start."), field="end")

    old = _update_series_row(series, changes, start_time=start_time, duration=duration)
    if new_reason and new_reason != series.closed_override_reason:
        old["closed_override_reason"] = series.closed_override_reason
        series.closed_override_reason = new_reason
        series.save(update_fields=["closed_override_reason", "updated_at"])
    override = ClosedOverride(
        held=series.include_closed if new_include_closed is None else new_include_closed,
        reason=series.closed_override_reason,
    )
    now = timezone.now()
    changed = _update_future_occurrences(
        actor,
        series,
        changes,
        start_time=start_time,
        duration=duration,
        state=state,
        now=now,
        override=override,
        fit=fit,
    )
    if new_rrule is not None or new_include_closed is not None:
        if new_rrule is not None:
            old["rrule"] = series.rrule
            series.rrule = new_rrule.strip()
        if new_include_closed is not None:
            old["include_closed"] = series.include_closed
            series.include_closed = new_include_closed
        series.save(update_fields=["rrule", "include_closed", "updated_at"])
        changed += _reexpand(actor=actor, series=series, now=now, override=override)
    audit_log(
        actor=actor,
        action=AuditAction.EVENT_SERIES_CHANGED,
        target=series,
        data={"old": old, "occurrences_changed": changed},
    )
    return series


def _update_series_row(
    series: EventSeries,
    changes: Mapping[str, Any],
    *,
    start_time: time | None,
    duration: timedelta | None,
) -> dict[str, Any]:
    """Change and save the series itself; returns the old values for the audit row."""
    old: dict[str, Any] = {}
    for name, value in changes.items():
        if name in M2M_FIELDS:
            old[name] = sorted(o.pk for o in getattr(series, name).all())
        else:
            old[name] = _plain(getattr(series, name))
            setattr(series, name, value)
    merged = {name: getattr(series, name) for name in SHARED_FIELDS}
    _check_data(merged)
    if start_time is not None and series.first_start_local is not None:
        first = series.first_start_local.astimezone(local_tz())
        series.first_start_local = first.replace(hour=start_time.hour, minute=start_time.minute)
    if duration is not None:
        series.duration = duration
    series.save()
    _set_m2m(series, changes)
    return old


def _update_future_occurrences(
    actor: User | None,
    series: EventSeries,
    changes: Mapping[str, Any],
    *,
    start_time: time | None,
    duration: timedelta | None,
    state: str | None,
    now: datetime,
    override: ClosedOverride,
    fit: RoomFit | None = None,
) -> int:
    """Carry the changes over to the future occurrences not edited one by one (locked in key
    order); returns how many changed. A date moved onto a day the (new) branch is closed is
    refused unless the series is held although the library is closed."""
    future = series.events.filter(start__gt=now, edited=False).exclude(state=EventState.CANCELLED)
    events = sorted(locking.lock_rows(future), key=lambda e: e.start)  # locked in key order
    closed = None
    if events and (start_time is not None or duration is not None or "branch" in changes):
        # Every day the dates could take: an event lasts at most 14 days.
        span = (events[0].start, max(e.end for e in events) + timedelta(days=15))
        closed = _closed_days(series.branch, [span])
    changed = 0
    for event in events:
        event_changes = dict(changes)
        if start_time is not None or duration is not None:
            event_changes["start"], event_changes["end"] = _moved_times(
                event, start_time=start_time, duration=duration
            )
        if state is not None:
            event_changes["state"] = state
        if _apply_changes(
            actor=actor,
            event=event,
            changes=event_changes,
            mark_edited=False,
            override=override,
            closed=closed,
            fit=fit,
        ):
            changed += 1
    return changed


def _moved_times(
    event: Event, *, start_time: time | None, duration: timedelta | None
) -> tuple[datetime, datetime]:
    """The occurrence's new start and end on its own date, in local wall time."""
    tz = local_tz()
    wall = event.start.astimezone(tz).replace(tzinfo=None)
    if start_time is not None:
        wall = wall.replace(hour=start_time.hour, minute=start_time.minute, second=0)
    length = (
        duration
        if duration is not None
        else (
            event.end.astimezone(tz).replace(tzinfo=None)
            - event.start.astimezone(tz).replace(tzinfo=None)
        )
    )
    new_start = make_local(wall.date(), wall.time(), field="start")
    end_wall = wall + length
    try:
        new_end = make_local(end_wall.date(), end_wall.time(), field="end")
    except RuleViolation:
        new_end = new_start + length
    return new_start, new_end


# --- Expand again -----------------------------------------------------------------


def _reexpand(
    *, actor: User | None, series: EventSeries, now: datetime, override: ClosedOverride
) -> int:
    """Make the future occurrences match the series' rule again; returns how many changed."""
    wanted = _wanted_dates(series, now=now)
    existing, changed = _cancel_dropped_dates(actor, series, wanted, now=now)
    tags = Tags(
        tracks=list(series.tracks.all()),
        audiences=list(series.audiences.all()),
        partners=list(series.partners.all()),
    )
    template = series.events.exclude(state=EventState.CANCELLED).order_by("-start").first()
    state = template.state if template is not None else EventState.DRAFT
    added = [(occ.start, occ.end) for day, occ in sorted(wanted.items()) if day not in existing]
    held = _held_reasons(series.branch, added, override=override, checked_by_rule=True)
    for (start, end), reason in zip(added, held, strict=True):
        _add_occurrence(actor, series, start, end, state, tags, reason)
        changed += 1
    return changed


def _wanted_dates(series: EventSeries, *, now: datetime) -> dict[date, Occurrence]:
    """The future dates the series' rule keeps, by local day."""
    if series.first_start_local is None or series.duration is None or not series.rrule:
        raise RuleViolation(
            _("This series has no first date to repeat from; create a new series instead."),
            field="rrule",
        )
    first_start = series.first_start_local.astimezone(local_tz())
    return {
        o.day: o
        for o in kept(
            expand(
                rrule=series.rrule,
                first_start=first_start,
                first_end=first_start + series.duration,
                branch=series.branch,
                include_closed=series.include_closed,
            )
        )
        if o.start > now
    }


def _cancel_dropped_dates(
    actor: User | None, series: EventSeries, wanted: Mapping[date, Occurrence], *, now: datetime
) -> tuple[dict[date, Event], int]:
    """Cancel the future occurrences whose date left the rule (not those edited one by one).

    Returns the occurrences by the local day the rule gave them, and how many were cancelled.
    """
    tz = local_tz()
    existing: dict[date, Event] = {}
    changed = 0
    for event in series.events.order_by("start"):
        day = (event.original_start or event.start).astimezone(tz).date()
        existing.setdefault(day, event)
        gone = day not in wanted
        if gone and event.start > now and not event.edited and event.state != EventState.CANCELLED:
            _event_cancel(
                actor=actor, event=event, reason=str(_("The date was taken out of the series."))
            )
            changed += 1
    return existing, changed


# --- Cancel -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def series_cancel(*, actor: User | None, series: EventSeries, reason: str = "") -> int:
    """Cancel every future occurrence of a series; returns how many."""
    _require_branch(actor, series.branch)
    count = 0
    future = series.events.filter(start__gt=timezone.now()).exclude(state=EventState.CANCELLED)
    for event in sorted(locking.lock_rows(future), key=lambda e: e.start):  # locked in key order
        _event_cancel(actor=actor, event=event, reason=reason)
        count += 1
    return count
