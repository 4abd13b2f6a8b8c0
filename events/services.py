"""Writes of the events app: series, occurrences, registrations, waiting list, check-in.

Guarantees (see docs and tests/events):
- confirmed seats never exceed capacity: every write that changes seats locks
  the Event row first (``core.locking.lock_one``) and counts confirmed seats
  from the rows (no counter);
- waiting-list positions are unique per event (partial unique constraint) and
  given in arrival order; promotion walks the list in order under the same lock,
  so each freed seat is given once;
- one live registration per person and event (partial unique constraint);
- an event held in a room occupies it through ``rooms.services``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.db import is_conflict_error
from core.exceptions import Conflict, NotFound, PermissionDenied, RuleViolation
from core.models import Audience, AuditLog, BookmobileStop, Branch, BranchKind, Partner, Track, User
from core.recurrence import expand, kept
from core.selectors import can_manage_branch
from core.services import audit_log
from core.signals import state_changed
from core.timeutils import local_tz, make_local
from events.models import (
    DEFAULT_MAX_SEATS,
    LIVE_REGISTRATION_STATUSES,
    Event,
    EventSeries,
    EventState,
    PlaceKind,
    Registration,
    RegistrationStatus,
)
from rooms import services as room_services
from rooms.models import EquipmentKind

RETENTION_DAYS = 30

# Fields a series shares with its occurrences (copied to future occurrences not edited one by one).
SHARED_FIELDS = [
    "title",
    "description",
    "branch",
    "room",
    "place_kind",
    "stop",
    "address",
    "online_url",
    "image",
    "image_alt",
    "capacity",
    "registration_required",
    "max_seats_per_registration",
    "price_dkk",
    "licence_equipment_kind",
    "host",
]
M2M_FIELDS = ["tracks", "audiences", "partners"]
# A change of these is "time or place": people registered hear about it.
TIME_PLACE_FIELDS = {
    "start",
    "end",
    "branch",
    "room",
    "place_kind",
    "stop",
    "address",
    "online_url",
}


@dataclass
class EventData:
    """What staff give for an event or a series (validated by ``_check_data``)."""

    title: str
    branch: Branch
    description: str = ""
    room: Any = None
    place_kind: str = PlaceKind.BRANCH
    stop: BookmobileStop | None = None
    address: str = ""
    online_url: str = ""
    image: Any = None
    image_alt: str = ""
    capacity: int | None = None
    registration_required: bool = True
    max_seats_per_registration: int = DEFAULT_MAX_SEATS
    price_dkk: Decimal = Decimal("0")
    licence_equipment_kind: str = ""
    host: User | None = None


# --- Permissions ----------------------------------------------------------------


def _require_branch(actor: User | None, branch: Branch) -> None:
    if not can_manage_branch(user=actor, branch=branch):
        raise PermissionDenied(
            _("Only staff of %(branch)s may change its events."), branch=branch.name
        )


def _require_host_or_staff(actor: User | None, event: Event) -> None:
    if actor is not None and event.host_id is not None and event.host_id == actor.pk:
        return
    _require_branch(actor, event.branch)


# --- Rooms (through the rooms app's services) -------------------------------------------


def _occupy(event: Event, actor: User | None) -> None:
    if event.room_id is None or event.place_kind != PlaceKind.ROOM:
        return
    event.room_booking = room_services.room_occupy(
        room=event.room, start=event.start, end=event.end, title=event.title, actor=actor
    )
    event.save(update_fields=["room_booking"])


def _release(event: Event, actor: User | None) -> None:
    if event.room_booking_id is None:
        return
    booking = event.room_booking
    event.room_booking = None
    event.save(update_fields=["room_booking"])
    room_services.room_release(booking=booking, actor=actor)


def _sync_room(event: Event, actor: User | None, *, room_changed: bool) -> None:
    """After a change of time or place: move, release or take the room booking."""
    wants_room = event.place_kind == PlaceKind.ROOM and event.room_id is not None
    if event.state == EventState.CANCELLED:
        _release(event, actor)
        return
    if event.room_booking_id is not None and (room_changed or not wants_room):
        _release(event, actor)
    if not wants_room:
        return
    if event.room_booking_id is None:
        _occupy(event, actor)
    else:
        booking = event.room_booking
        if booking.start != event.start or booking.end != event.end:
            event.room_booking = room_services.room_occupancy_move(
                booking=booking, start=event.start, end=event.end, actor=actor
            )
            event.save(update_fields=["room_booking"])


# --- Validation -------------------------------------------------------------------


def _check_data(data: dict[str, Any]) -> None:
    """Rules a person understands, each with a message saying what to do."""
    title = (data.get("title") or "").strip()
    if "title" in data and not title:
        raise RuleViolation(_("Please give the event a title."), field="title")
    branch = data.get("branch")
    place = data.get("place_kind")
    room = data.get("room")
    if place == PlaceKind.ROOM:
        if room is None:
            raise RuleViolation(_("Please choose the room."), field="room")
        if branch is not None and room.branch_id != branch.pk:
            raise RuleViolation(
                _("The room %(room)s is not at %(branch)s."),
                field="room",
                room=room.name,
                branch=branch.name,
            )
    elif place is not None and room is not None:
        raise RuleViolation(
            _("A room is only given when the place is a room of the branch."), field="room"
        )
    if place == PlaceKind.BOOKMOBILE_STOP:
        stop = data.get("stop")
        if stop is None:
            raise RuleViolation(_("Please choose the bookmobile stop."), field="stop")
        if branch is not None and (
            branch.kind != BranchKind.BOOKMOBILE or stop.branch_id != branch.pk
        ):
            raise RuleViolation(
                _("A bookmobile stop belongs to the bookmobile: choose the bookmobile as branch."),
                field="stop",
            )
    if place == PlaceKind.ADDRESS and not (data.get("address") or "").strip():
        raise RuleViolation(_("Please give the address."), field="address")
    if place == PlaceKind.ONLINE and not data.get("online_url"):
        raise RuleViolation(_("Please give the online link."), field="online_url")
    if data.get("capacity") is not None and data["capacity"] < 1:
        raise RuleViolation(
            _("The capacity must be at least 1, or empty for no limit."), field="capacity"
        )
    if (
        data.get("max_seats_per_registration") is not None
        and data["max_seats_per_registration"] < 1
    ):
        raise RuleViolation(
            _("At least 1 seat per registration."), field="max_seats_per_registration"
        )
    host = data.get("host")
    if host is not None and not (host.is_library_staff or host.is_volunteer):
        raise RuleViolation(
            _("The host must be a staff member or a volunteer."), field="host", code="bad_host"
        )
    kind = data.get("licence_equipment_kind")
    if kind and kind not in EquipmentKind.values:
        raise RuleViolation(
            _("Unknown kind of machine: %(kind)s."), field="licence_equipment_kind", kind=kind
        )
    if data.get("price_dkk") is not None and Decimal(data["price_dkk"]) < 0:
        raise RuleViolation(_("The price cannot be negative."), field="price_dkk")


def _check_times(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise RuleViolation(_("Times must include the time zone offset."), field="start")
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    if end - start > timedelta(days=14):
        raise RuleViolation(_("An event can last at most 14 days."), field="end")


def _check_publishable(tracks: Iterable[Track]) -> None:
    if not list(tracks):
        raise RuleViolation(
            _("Tag the event with at least one of the plan's tracks before publishing it."),
            field="tracks",
            code="track_required",
        )


def _set_m2m(obj: Any, values: dict[str, Any]) -> None:
    for name in M2M_FIELDS:
        if name in values and values[name] is not None:
            getattr(obj, name).set(values[name])


def _new_event(series: EventSeries, start: datetime, end: datetime, state: str) -> Event:
    fields = {name: getattr(series, name) for name in SHARED_FIELDS}
    return Event.objects.create(
        series=series, start=start, end=end, original_start=start, state=state, **fields
    )


# --- Series and events ----------------------------------------------------------


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
    **fields: Any,
) -> EventSeries:
    """A series from ``rrule`` and its first occurrence; one Event row per kept date.

    Rooms are occupied for every occurrence; a clash anywhere refuses the whole
    series (409 naming the clash), so nothing is half-written. ``skip_days`` (local
    dates) are left out, e.g. the dates the preview showed the room taken.
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
    **fields: Any,
) -> EventSeries:
    """Composable ``series_create`` (runs in the caller's transaction; volunteers' approval uses it).

    A one-off event is ``rrule=""`` with ``include_closed=True``.
    """
    _require_branch(actor, branch)
    unknown = set(fields) - set(SHARED_FIELDS)
    if unknown:
        raise RuleViolation(_("Unknown field: %(field)s."), field=sorted(unknown)[0])
    data = {"title": title, "branch": branch, **fields}
    data.setdefault("place_kind", PlaceKind.ROOM if data.get("room") else PlaceKind.BRANCH)
    _check_data(data)
    _check_times(start, end)
    tracks, audiences, partners = list(tracks), list(audiences), list(partners)
    if state not in (EventState.DRAFT, EventState.PUBLISHED):
        raise RuleViolation(_("A new event is a draft or published."), field="state")
    if state == EventState.PUBLISHED:
        _check_publishable(tracks)
    tz = local_tz()
    if rrule:
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
        times = [(o.start, o.end) for o in occurrences]
    else:
        times = [(start, end)]
    local_start = start.astimezone(tz)
    series = EventSeries.objects.create(
        title=title.strip(),
        branch=branch,
        rrule=rrule.strip(),
        first_start_local=local_start,
        duration=end.astimezone(tz).replace(tzinfo=None) - local_start.replace(tzinfo=None),
        tzname=str(tz.key),
        include_closed=include_closed,
        **{k: v for k, v in data.items() if k not in ("title", "branch")},
    )
    _set_m2m(series, {"tracks": tracks, "audiences": audiences, "partners": partners})
    for occ_start, occ_end in times:
        event = _new_event(series, occ_start, occ_end, state)
        _set_m2m(event, {"tracks": tracks, "audiences": audiences, "partners": partners})
        _occupy(event, actor)
    audit_log(
        actor=actor,
        action="event_series.created",
        target=series,
        data={"rrule": series.rrule, "occurrences": len(times), "state": state},
    )
    return series


# The name the volunteers app used first; keep it working.
_series_create = series_build


@transaction.atomic(durable=True)
def event_create(
    *,
    actor: User | None,
    start: datetime,
    end: datetime,
    title: str,
    branch: Branch,
    state: str = EventState.DRAFT,
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    partners: Iterable[Partner] = (),
    **fields: Any,
) -> Event:
    """A one-off event: a series of one."""
    series = series_build(
        actor=actor,
        rrule="",
        start=start,
        end=end,
        title=title,
        branch=branch,
        state=state,
        include_closed=True,
        tracks=tracks,
        audiences=audiences,
        partners=partners,
        **fields,
    )
    return series.events.get()


def _apply_changes(
    *, actor: User | None, event: Event, changes: dict[str, Any], mark_edited: bool
) -> bool:
    """Apply field changes to a locked event; returns True when something changed."""
    old: dict[str, Any] = {}
    for name, value in changes.items():
        if name in M2M_FIELDS:
            current = {o.pk for o in getattr(event, name).all()}
            if value is not None and current != {o.pk for o in value}:
                old[name] = sorted(current)
        elif getattr(event, name) != value:
            old[name] = getattr(event, name)
    if not old:
        return False
    for name, value in changes.items():
        if name not in M2M_FIELDS:
            setattr(event, name, value)
    merged = {name: getattr(event, name) for name in SHARED_FIELDS}
    merged["title"] = event.title
    _check_data(merged)
    _check_times(event.start, event.end)
    if event.state == EventState.PUBLISHED:
        tracks = changes.get("tracks")
        _check_publishable(tracks if tracks is not None else event.tracks.all())
    if event.capacity is not None and "capacity" in old:
        confirmed = _confirmed_seats(event)
        if event.capacity < confirmed:
            raise RuleViolation(
                _("%(confirmed)s seats are already confirmed: the capacity cannot be lower."),
                field="capacity",
                confirmed=confirmed,
            )
    if mark_edited and event.series.events.count() > 1:
        event.edited = True
    time_or_place = bool(TIME_PLACE_FIELDS & set(old))
    event.sequence += 1
    event.save()
    _set_m2m(event, changes)
    if time_or_place or "state" in old:
        _sync_room(event, actor, room_changed="room" in old or "place_kind" in old)
    audit_log(
        actor=actor,
        action="event.changed",
        target=event,
        data={
            "old": {k: _plain(v) for k, v in old.items()},
            "new": {k: _plain(getattr(event, k)) for k in old if k not in M2M_FIELDS},
        },
    )
    if time_or_place and event.state == EventState.PUBLISHED:
        state_changed.send(
            sender=Event,
            kind="event.changed",
            instance=event,
            actor=actor,
            data={"fields": sorted(TIME_PLACE_FIELDS & set(old))},
        )
    if "capacity" in old or "registration_required" in old:
        _promote(event=event, actor=actor)
    return True


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "url"):  # files
        return value.name or ""
    return value


EVENT_EDITABLE = set(SHARED_FIELDS) | set(M2M_FIELDS) | {"start", "end", "state"}


@transaction.atomic(durable=True)
def event_update(*, actor: User | None, event: Event, **changes: Any) -> Event:
    """Change one occurrence (time, place, capacity, tracks, state draft/published...).

    The occurrence is marked ``edited`` so later edits of its series leave it
    alone. A change of time or place bumps ``sequence`` and tells those registered
    (``event.changed``); a higher capacity promotes from the waiting list.
    Cancelling goes through :func:`event_cancel`.
    """
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    unknown = set(changes) - EVENT_EDITABLE
    if unknown:
        raise RuleViolation(_("Unknown field: %(field)s."), field=sorted(unknown)[0])
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event is cancelled and can no longer be changed."))
    if changes.get("state") not in (None, EventState.DRAFT, EventState.PUBLISHED):
        raise RuleViolation(_("To cancel the event, use “Cancel event”."), field="state")
    if "branch" in changes and changes["branch"] is not None and changes["branch"] != event.branch:
        _require_branch(actor, changes["branch"])
    _apply_changes(actor=actor, event=event, changes=changes, mark_edited=True)
    return event


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


@transaction.atomic(durable=True)
def series_update(*, actor: User | None, series: EventSeries, **changes: Any) -> EventSeries:
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
    tz = local_tz()
    start_time = changes.pop("start_time", None)
    duration = changes.pop("duration", None)
    state = changes.pop("state", None)
    new_rrule = changes.pop("rrule", None)
    new_include_closed = changes.pop("include_closed", None)
    if state not in (None, EventState.DRAFT, EventState.PUBLISHED):
        raise RuleViolation(_("To cancel the series, cancel its events."), field="state")
    if duration is not None and duration <= timedelta(0):
        raise RuleViolation(_("The end must be after the start."), field="end")

    old = {}
    for name, value in changes.items():
        if name in M2M_FIELDS:
            old[name] = sorted(o.pk for o in getattr(series, name).all())
        else:
            old[name] = _plain(getattr(series, name))
            setattr(series, name, value)
    merged = {name: getattr(series, name) for name in SHARED_FIELDS}
    _check_data(merged)
    if start_time is not None and series.first_start_local is not None:
        first = series.first_start_local.astimezone(tz)
        series.first_start_local = first.replace(hour=start_time.hour, minute=start_time.minute)
    if duration is not None:
        series.duration = duration
    series.save()
    _set_m2m(series, changes)

    now = timezone.now()
    future = series.events.filter(start__gt=now, edited=False).exclude(state=EventState.CANCELLED)
    changed = 0
    for event in sorted(locking.lock_rows(future), key=lambda e: e.start):  # locked in key order
        event_changes = dict(changes)
        if start_time is not None or duration is not None:
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
            event_changes["start"] = new_start
            event_changes["end"] = new_end
        if state is not None:
            event_changes["state"] = state
        if _apply_changes(actor=actor, event=event, changes=event_changes, mark_edited=False):
            changed += 1
    if new_rrule is not None or new_include_closed is not None:
        if new_rrule is not None:
            old["rrule"] = series.rrule
            series.rrule = new_rrule.strip()
        if new_include_closed is not None:
            old["include_closed"] = series.include_closed
            series.include_closed = new_include_closed
        series.save(update_fields=["rrule", "include_closed", "updated_at"])
        changed += _reexpand(actor=actor, series=series, now=now)
    audit_log(
        actor=actor,
        action="event_series.changed",
        target=series,
        data={"old": old, "occurrences_changed": changed},
    )
    return series


def _reexpand(*, actor: User | None, series: EventSeries, now: datetime) -> int:
    """Make the future occurrences match the series' rule again; returns how many changed."""
    tz = local_tz()
    if series.first_start_local is None or series.duration is None or not series.rrule:
        raise RuleViolation(
            _("This series has no first date to repeat from; create a new series instead."),
            field="rrule",
        )
    first_start = series.first_start_local.astimezone(tz)
    wanted = {
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
    existing: dict[Any, Event] = {}
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
    tracks, audiences, partners = (
        list(series.tracks.all()),
        list(series.audiences.all()),
        list(series.partners.all()),
    )
    template = series.events.exclude(state=EventState.CANCELLED).order_by("-start").first()
    state = template.state if template is not None else EventState.DRAFT
    for day, occ in sorted(wanted.items()):
        if day in existing:
            continue
        event = _new_event(series, occ.start, occ.end, state)
        _set_m2m(event, {"tracks": tracks, "audiences": audiences, "partners": partners})
        _occupy(event, actor)
        changed += 1
    return changed


@transaction.atomic(durable=True)
def event_cancel(*, actor: User | None, event: Event, reason: str = "") -> Event:
    """Cancel one occurrence: its registrations are cancelled, its room released.

    Sends ``event.cancelled`` (the registered people hear it from that one signal;
    their registrations get status cancelled with the event's reason).
    """
    return _event_cancel(actor=actor, event=event, reason=reason)


@transaction.atomic
def _event_cancel(*, actor: User | None, event: Event, reason: str) -> Event:
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    if event.state == EventState.CANCELLED:
        return event
    now = timezone.now()
    event.state = EventState.CANCELLED
    event.cancelled_at = now
    event.cancel_reason = reason.strip()[:300]
    event.sequence += 1
    event.save()
    regs = list(event.registrations.filter(status__in=LIVE_REGISTRATION_STATUSES))
    for reg in regs:
        reg.status = RegistrationStatus.CANCELLED
        reg.waitlist_position = None
        reg.cancelled_at = now
        reg.cancel_reason = str(_("The event was cancelled."))
        reg.sequence += 1
    Registration.objects.bulk_update(
        regs, ["status", "waitlist_position", "cancelled_at", "cancel_reason", "sequence"]
    )
    _release(event, actor)
    audit_log(
        actor=actor,
        action="event.cancelled",
        target=event,
        data={"reason": event.cancel_reason, "registrations_cancelled": len(regs)},
    )
    state_changed.send(
        sender=Event,
        kind="event.cancelled",
        instance=event,
        actor=actor,
        data={"reason": event.cancel_reason, "registrations": [r.pk for r in regs]},
    )
    return event


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


@transaction.atomic(durable=True)
def event_record_attendance(*, actor: User | None, event: Event, count: int) -> Event:
    """Staff (or the host) record how many came to a drop-in event, after it started."""
    event = locking.lock_one(Event, event.pk)
    _require_host_or_staff(actor, event)
    if count < 0:
        raise RuleViolation(_("The number of people cannot be negative."), field="attendance_count")
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event was cancelled."), field="attendance_count")
    if event.start > timezone.now():
        raise RuleViolation(
            _("Attendance can be recorded once the event has started."), field="attendance_count"
        )
    if event.attendance_count == count:
        return event
    old = event.attendance_count
    event.attendance_count = count
    event.save(update_fields=["attendance_count", "updated_at"])
    audit_log(
        actor=actor,
        action="event.attendance_recorded",
        target=event,
        data={"old": old, "new": count},
    )
    return event


# --- Registrations ------------------------------------------------------------------


def _confirmed_seats(event: Event) -> int:
    return (
        event.registrations.filter(status=RegistrationStatus.CONFIRMED).aggregate(n=Sum("seats"))[
            "n"
        ]
        or 0
    )


def _free_seats(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - _confirmed_seats(event), 0)


def _send(reg: Registration, kind: str, actor: User | None) -> None:
    state_changed.send(sender=Registration, kind=kind, instance=reg, actor=actor, data={})


def _renumber_waitlist(event: Event) -> None:
    """Close the gaps: positions 1..n in arrival order (ascending, so never two alike)."""
    waiting = list(
        event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "waitlist_position"
        )
    )
    for index, reg in enumerate(waiting, start=1):
        if reg.waitlist_position != index:
            Registration.objects.filter(pk=reg.pk).update(waitlist_position=index)
            reg.waitlist_position = index


def _promote(*, event: Event, actor: User | None) -> list[Registration]:
    """Give freed seats to the waiting list in order, as many as fit (event row locked).

    Strictly first come, first served: a party that does not fit yet keeps its
    place and is not passed by smaller parties behind it.
    """
    if event.state != EventState.PUBLISHED or event.start <= timezone.now():
        return []
    waiting = list(
        event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "waitlist_position"
        )
    )
    if not waiting:
        return []
    free = _free_seats(event) if event.registration_required else None
    locking.pause(locking.Pause.PROMOTION_AFTER_SEAT_COUNT)
    promoted = []
    for reg in waiting:
        if free is not None and reg.seats > free:
            break
        reg.status = RegistrationStatus.CONFIRMED
        reg.waitlist_position = None
        reg.sequence += 1
        reg.save(update_fields=["status", "waitlist_position", "sequence"])
        if free is not None:
            free -= reg.seats
        promoted.append(reg)
        audit_log(actor=actor, action="registration.promoted", target=reg, data={"event": event.pk})
        _send(reg, "registration.promoted", actor)
    if promoted:
        _renumber_waitlist(event)
    return promoted


@transaction.atomic
def waitlist_promote(*, event: Event, actor: User | None = None) -> list[Registration]:
    """Promote from the waiting list as many as now fit (composable; locks the event)."""
    event = locking.lock_one(Event, event.pk)
    return _promote(event=event, actor=actor)


@transaction.atomic(durable=True)
def registration_create(*, actor: User, event: Event, seats: int = 1) -> Registration:
    """Register ``actor`` for ``seats`` seats: confirmed while seats remain, else waiting list.

    Newcomers join the waiting list when anyone is already waiting, so freed seats
    go to the queue first.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to register."))
    try:
        event = locking.lock_one(Event, event.pk)
    except Event.DoesNotExist as error:
        raise NotFound(_("This event does not exist.")) from error
    now = timezone.now()
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event is cancelled."), code="event_cancelled")
    if event.state != EventState.PUBLISHED:
        raise NotFound(_("This event does not exist."))
    if not event.registration_required:
        raise RuleViolation(
            _("No registration is needed for this event: just come along."), code="drop_in"
        )
    if event.start <= now:
        raise RuleViolation(_("This event has already started."), code="event_started")
    if seats < 1:
        raise RuleViolation(_("Please register for at least 1 seat."), field="seats")
    if seats > event.max_seats_per_registration:
        raise RuleViolation(
            _("You can register for at most %(max)s seats."),
            field="seats",
            max=event.max_seats_per_registration,
        )
    if event.capacity is not None and seats > event.capacity:
        raise RuleViolation(
            _("The event has only %(capacity)s seats in all."),
            field="seats",
            capacity=event.capacity,
        )
    if event.registrations.filter(user=actor, status__in=LIVE_REGISTRATION_STATUSES).exists():
        raise Conflict(
            _("You are already registered for this event. You can see it on your page."),
            code="already_registered",
        )
    free = _free_seats(event)
    someone_waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).exists()
    if free is None or (seats <= free and not someone_waiting):
        status, position = RegistrationStatus.CONFIRMED, None
    else:
        status = RegistrationStatus.WAITLISTED
        last = event.registrations.filter(status=RegistrationStatus.WAITLISTED).aggregate(
            m=Max("waitlist_position")
        )["m"]
        position = (last or 0) + 1
    locking.pause(locking.Pause.REGISTRATION_AFTER_SEAT_COUNT)
    try:
        with transaction.atomic():
            reg = Registration.objects.create(
                event=event, user=actor, seats=seats, status=status, waitlist_position=position
            )
    except IntegrityError as error:
        if is_conflict_error(error):
            raise Conflict(
                _("Someone registered at the same moment. Please try again."),
                code="registration_conflict",
            ) from error
        raise
    audit_log(
        actor=actor,
        action=f"registration.{status}",
        target=reg,
        data={"event": event.pk, "seats": seats, "position": position},
    )
    _send(reg, f"registration.{status}", actor)
    return reg


@transaction.atomic(durable=True)
def registration_cancel(
    *, actor: User, registration: Registration, reason: str = ""
) -> Registration:
    """Cancel a registration (the person's own, or staff for their branch) until the start.

    Frees its seats and promotes from the waiting list as many as now fit.
    """
    return _registration_cancel(actor=actor, registration=registration, reason=reason)


@transaction.atomic
def _registration_cancel(*, actor: User, registration: Registration, reason: str) -> Registration:
    """``registration_cancel``, composable (for a caller that is already a transaction)."""
    event = locking.lock_one(Event, registration.event_id)
    reg = Registration.objects.get(pk=registration.pk)
    own = actor is not None and reg.user_id == actor.pk
    if not own and not can_manage_branch(user=actor, branch=event.branch_id):
        raise NotFound(_("Registration not found."))
    if reg.status == RegistrationStatus.CANCELLED:
        return reg
    if event.start <= timezone.now():
        raise RuleViolation(
            _("The event has started; the registration can no longer be cancelled."),
            code="event_started",
        )
    was = reg.status
    reg.status = RegistrationStatus.CANCELLED
    reg.waitlist_position = None
    reg.cancelled_at = timezone.now()
    reg.cancel_reason = reason.strip()[:300]
    reg.sequence += 1
    reg.save(
        update_fields=["status", "waitlist_position", "cancelled_at", "cancel_reason", "sequence"]
    )
    audit_log(
        actor=actor,
        action="registration.cancelled",
        target=reg,
        data={"event": event.pk, "was": was, "reason": reg.cancel_reason},
    )
    _send(reg, "registration.cancelled", actor)
    if was == RegistrationStatus.WAITLISTED:
        _renumber_waitlist(event)
    _promote(event=event, actor=actor)
    return reg


@transaction.atomic(durable=True)
def registration_check_in(*, actor: User, registration: Registration) -> Registration:
    """Staff of the branch (or the event's host) check a confirmed registration in.

    At a licence course (``licence_equipment_kind``) the person gets the licence
    through ``rooms.services.licence_grant``. Checking in twice changes nothing.
    """
    event = locking.lock_one(Event, registration.event_id)
    reg = Registration.objects.select_related("user").get(pk=registration.pk)
    if not (
        can_manage_branch(user=actor, branch=event.branch_id)
        or (actor is not None and event.host_id == actor.pk)
    ):
        raise NotFound(_("Registration not found."))
    if reg.status != RegistrationStatus.CONFIRMED:
        raise RuleViolation(
            _("Only confirmed registrations can be checked in (this one is %(status)s)."),
            status=reg.get_status_display(),
            code="not_confirmed",
        )
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event was cancelled."))
    now = timezone.now()
    if now < event.start - timedelta(hours=2) or now > event.end + timedelta(hours=12):
        raise RuleViolation(
            _("Check-in is open from two hours before the start until the day after."),
            code="check_in_closed",
        )
    if reg.checked_in_at is not None:
        return reg
    reg.checked_in_at = now
    reg.save(update_fields=["checked_in_at"])
    audit_log(actor=actor, action="registration.checked_in", target=reg, data={"event": event.pk})
    if event.licence_equipment_kind and reg.user_id is not None:
        room_services.licence_grant(
            person=reg.user,
            equipment_kind=event.licence_equipment_kind,
            actor=actor,
            source="course",
        )
    return reg


@transaction.atomic(durable=True)
def registrations_anonymise_old(*, now: datetime | None = None) -> int:
    """Retention: drop the person from registrations of events that ended > 30 days ago.

    Seats, status and check-ins stay, so counts and attendance stay right.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=RETENTION_DAYS)
    count = Registration.objects.filter(event__end__lt=cutoff, user__isnull=False).update(user=None)
    if count:
        AuditLog.objects.create(
            action="registrations.anonymised",
            target_type="events.registration",
            target_id="*",
            data={"count": count, "ended_before": cutoff.isoformat()},
        )
    return count


@transaction.atomic
def registrations_release_person(*, person: User) -> dict[str, int]:
    """Account deletion (composable): cancel the person's live registrations for events that
    have not started, as if they cancelled themselves (the waiting list moves and whoever
    gets the seat is told), then remove the person from all their registrations. Seats,
    status and check-ins stay, so the plan's numbers of past events do not change.
    """
    now = timezone.now()
    coming = list(
        Registration.objects.filter(
            user=person, status__in=LIVE_REGISTRATION_STATUSES, event__start__gt=now
        ).order_by("event_id", "pk")  # events are locked in a fixed order
    )
    for reg in coming:
        _registration_cancel(actor=person, registration=reg, reason="")
    unlinked = Registration.objects.filter(user=person).update(user=None)
    return {"registrations_cancelled": len(coming), "registrations_unlinked": unlinked}
