"""Writes of the rooms app: bookings, the library's own use of rooms, the makerspace.

Every writer that can create an overlap locks the room (or machine) row first with
``core.locking.lock_one`` and checks inside the same transaction, so on PostgreSQL the
losers of a race wait, then see the winner and get a clear 409 instead of a deadlock.
The exclusion constraints are the backstop; an ``IntegrityError`` from them becomes the
same 409.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import is_conflict_error
from core.exceptions import BookingConflict, Conflict, PermissionDenied, RuleViolation
from core.locking import Pause, lock_many, lock_one, lock_rows, pause
from core.models import Partner, User
from core.selectors import can_manage_branch, closure_reason
from core.services import audit_log
from core.signals import state_changed
from core.timeutils import local_today, make_local
from rooms import selectors
from rooms.models import (
    LIVE_BOOKING_STATUSES,
    BookableBy,
    Booking,
    BookingKind,
    BookingStatus,
    Equipment,
    EquipmentBooking,
    EquipmentBookingStatus,
    EquipmentKind,
    Licence,
    LicenceSource,
    Room,
)

ROOM_CONSTRAINTS = {"booking_no_overlap"}
EQUIPMENT_CONSTRAINTS = {"equipment_booking_no_overlap"}
RETENTION_DAYS = 30
OWN_EVENT_REASON = _("the library needs the room for its own event")


# --- Small helpers ---------------------------------------------------------------------


def _utc(value: datetime) -> datetime:
    if timezone.is_naive(value):
        raise RuleViolation(_("Times must include their time zone."))
    return value.astimezone(UTC)


def _local(value: datetime) -> datetime:
    return selectors.to_local(value)


def format_when(start: datetime, end: datetime) -> str:
    """``03.12.2026 10:00–11:00`` in local time."""
    s, e = _local(start), _local(end)
    if s.date() == e.date() or (e.time() == time.min and e.date() == s.date() + timedelta(days=1)):
        return f"{s:%d.%m.%Y} {s:%H:%M}–{e:%H:%M}"
    return f"{s:%d.%m.%Y %H:%M}–{e:%d.%m.%Y %H:%M}"


def _blocked(room: Room, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The period a booking holds the room: its time plus the buffer after it."""
    return start, end + timedelta(minutes=room.buffer_minutes)


def _overlapping(
    room: Room, blocked_start: datetime, blocked_end: datetime, exclude: list[int] | None = None
) -> list[Booking]:
    qs = selectors.live_bookings_between(room=room, start=blocked_start, end=blocked_end)
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    return list(qs)


def _describe(booking: Booking) -> str:
    when = format_when(booking.start, booking.end)
    if booking.kind == BookingKind.EVENT:
        what = _("the library's event “%(title)s”") % {"title": booking.purpose}
    elif booking.kind == BookingKind.SHIFT:
        what = _("the library's volunteer shift “%(title)s”") % {"title": booking.purpose}
    elif booking.status == BookingStatus.PENDING:
        what = _("a request awaiting approval")
    else:
        what = _("another booking")
    return _("%(what)s, %(when)s") % {"what": what, "when": when}


def _clash(room: Room, clashes: list[Booking], start: datetime, end: datetime) -> BookingConflict:
    described = "; ".join(_describe(b) for b in clashes[:3])
    buffer_note = (
        _(" (the room keeps %(minutes)s minutes free between bookings)")
        % {"minutes": room.buffer_minutes}
        if room.buffer_minutes
        else ""
    )
    return BookingConflict(
        _("%(room)s is taken at that time: %(clash)s%(buffer)s. Please choose another time."),
        room=room.name,
        clash=described,
        buffer=buffer_note,
        extra={
            "conflicts": [
                {"start": _local(b.start).isoformat(), "end": _local(b.end).isoformat()}
                for b in clashes
            ],
        },
    )


def _signal(model: type, kind: str, instance: Any, actor: User | None, **data: Any) -> None:
    state_changed.send(sender=model, kind=kind, instance=instance, actor=actor, data=data)


def _save_or_conflict(
    obj: Any, constraints: set[str], conflict: BookingConflict, **kw: Any
) -> None:
    """Save inside a savepoint; an overlap found by the database becomes the same 409."""
    try:
        with transaction.atomic():
            obj.save(**kw)
    except (IntegrityError, OperationalError) as error:
        if is_conflict_error(error, constraints) or is_conflict_error(error):
            raise conflict from error
        raise


def _reject_pending(bookings: list[Booking], *, reason: str, actor: User | None) -> None:
    now = timezone.now()
    for pending in bookings:
        pending.status = BookingStatus.REJECTED
        pending.rejection_reason = str(reason)
        pending.decided_at = now
        pending.decided_by = actor if actor is not None and actor.pk else None
        pending.sequence += 1
        pending.save(
            update_fields=[
                "status",
                "rejection_reason",
                "decided_at",
                "decided_by",
                "sequence",
                "updated_at",
            ]
        )
        audit_log(
            actor=actor,
            action="booking.rejected",
            target=pending,
            data={"reason": str(reason), "old": "pending", "new": "rejected"},
        )
        _signal(Booking, "booking.rejected", pending, actor, reason=str(reason))


# --- The library's own use of a room (called by events and volunteers) -----------------------


@transaction.atomic
def room_occupy(
    *,
    room: Room,
    start: datetime,
    end: datetime,
    title: str,
    actor: User | None,
    kind: str = BookingKind.EVENT,
) -> Booking:
    """The library's own use of a room (event or volunteer shift): a confirmed Booking.

    Rejects overlapping pending requests (sending ``booking.rejected``); raises
    ``BookingConflict`` naming the clash if a confirmed booking or another occupation
    overlaps, counting the room's buffer. Does not check opening hours. Composable: runs
    inside the caller's transaction.
    """
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    if kind not in {BookingKind.EVENT, BookingKind.SHIFT}:
        raise RuleViolation(_("Unknown kind of room use: %(kind)s."), kind=kind)
    room = lock_one(Room, room.pk)
    blocked_start, blocked_end = _blocked(room, start, end)
    overlapping = _overlapping(
        room, blocked_start - timedelta(minutes=room.buffer_minutes), blocked_end
    )
    # an existing booking's own blocked period may end after its buffer: check exactly
    overlapping = [
        b for b in overlapping if b.blocked_start < blocked_end and blocked_start < b.blocked_end
    ]
    confirmed = [b for b in overlapping if b.status == BookingStatus.CONFIRMED]
    if confirmed:
        raise _clash(room, confirmed, start, end)
    _reject_pending(overlapping, reason=str(OWN_EVENT_REASON), actor=actor)
    booking = Booking(
        room=room,
        booker=None,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        status=BookingStatus.CONFIRMED,
        kind=kind,
        purpose=title[:200],
        attendees=1,
    )
    _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], start, end))
    audit_log(
        actor=actor,
        action="booking.occupied",
        target=booking,
        data={"room": room.pk, "start": start.isoformat(), "end": end.isoformat(), "kind": kind},
    )
    return booking


@transaction.atomic
def room_occupancy_move(
    *, booking: Booking, start: datetime, end: datetime, actor: User | None
) -> Booking:
    """Move the library's occupation to a new time in the same room (same rules as occupy)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    room = lock_one(Room, booking.room_id)
    booking = Booking.objects.get(pk=booking.pk)
    if booking.kind == BookingKind.BOOKING:
        raise RuleViolation(_("Only the library's own use of a room can be moved this way."))
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict(_("This use of the room has been released and cannot be moved."))
    if booking.start == start and booking.end == end:
        return booking
    blocked_start, blocked_end = _blocked(room, start, end)
    overlapping = [
        b
        for b in _overlapping(
            room, blocked_start - timedelta(hours=24), blocked_end, exclude=[booking.pk]
        )
        if b.blocked_start < blocked_end and blocked_start < b.blocked_end
    ]
    confirmed = [b for b in overlapping if b.status == BookingStatus.CONFIRMED]
    if confirmed:
        raise _clash(room, confirmed, start, end)
    _reject_pending(overlapping, reason=str(OWN_EVENT_REASON), actor=actor)
    old = {"start": booking.start.isoformat(), "end": booking.end.isoformat()}
    booking.start, booking.end = start, end
    booking.blocked_start, booking.blocked_end = blocked_start, blocked_end
    booking.sequence += 1
    _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], start, end))
    audit_log(
        actor=actor,
        action="booking.moved",
        target=booking,
        data={"old": old, "new": {"start": start.isoformat(), "end": end.isoformat()}},
    )
    return booking


@transaction.atomic
def room_release(*, booking: Booking, actor: User | None) -> None:
    """Give back a room the library occupied (cancels the occupation). Idempotent."""
    lock_one(Room, booking.room_id)
    fresh = Booking.objects.get(pk=booking.pk)
    if fresh.status == BookingStatus.CANCELLED:
        return
    fresh.status = BookingStatus.CANCELLED
    fresh.cancelled_at = timezone.now()
    fresh.sequence += 1
    fresh.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    audit_log(actor=actor, action="booking.released", target=fresh, data={"old": "confirmed"})
    booking.status, booking.cancelled_at, booking.sequence = (
        fresh.status,
        fresh.cancelled_at,
        fresh.sequence,
    )


# --- People's bookings ---------------------------------------------------------------


@dataclass
class SkippedDate:
    start: datetime
    end: datetime
    reason: str
    conflict: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": _local(self.start).date().isoformat(),
            "start": _local(self.start).isoformat(),
            "end": _local(self.end).isoformat(),
            "reason": self.reason,
        }


@dataclass
class BookingOutcome:
    bookings: list[Booking] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)

    @property
    def first(self) -> Booking:
        return self.bookings[0]


def _hours_problem(room: Room, start: datetime, end: datetime, booker: User) -> str | None:
    """Why [start, end) is outside the times ``room`` may be used, or None."""
    local_start, local_end = _local(start), _local(end)
    day = local_start.date()
    reason = closure_reason(branch=room.branch, day=day)
    if reason is not None:
        return str(
            _("The library is closed on %(date)s (%(reason)s).")
            % {"date": f"{day:%d.%m.%Y}", "reason": reason}
        )
    allowed = selectors.open_intervals(
        branch=room.branch, day=day, self_service_allowed=room.self_service_allowed
    )
    if any(s <= start and end <= e for s, e in allowed):
        if room.self_service_allowed and booker.birth_date is not None:
            staffed = selectors.open_intervals(
                branch=room.branch, day=day, self_service_allowed=False
            )
            in_staffed = any(s <= start and end <= e for s, e in staffed)
            if not in_staffed and selectors.age_on(birth_date=booker.birth_date, day=day) < 18:
                return str(
                    _(
                        "Bookings in self-service hours need an adult (18+) booker. Please choose staffed hours."
                    )
                )
        return None
    hours = ", ".join(f"{_local(s):%H:%M}–{_local(e):%H:%M}" for s, e in allowed) or str(
        _("not at all")
    )
    if not room.self_service_allowed:
        wider = selectors.open_intervals(branch=room.branch, day=day, self_service_allowed=True)
        if any(s <= start and end <= e for s, e in wider):
            return str(
                _("This room may only be used in staffed hours; on %(date)s that is %(hours)s.")
                % {"date": f"{day:%d.%m.%Y}", "hours": hours}
            )
    if local_end.date() != day and not (local_end.time() == time.min):
        return str(_("A booking must start and end on the same day."))
    return str(
        _("That is outside the hours the room can be used; on %(date)s they are %(hours)s.")
        % {"date": f"{day:%d.%m.%Y}", "hours": hours}
    )


def _check_shape(room: Room, start: datetime, end: datetime, *, is_staff: bool) -> None:
    """Duration, time steps, not in the past, not too far ahead."""
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    minutes = (end - start) / timedelta(minutes=1)
    if minutes < room.min_duration_minutes:
        raise RuleViolation(
            _("A booking of this room lasts at least %(minutes)s minutes."),
            field="end",
            minutes=room.min_duration_minutes,
        )
    if minutes > room.max_duration_minutes and not is_staff:
        raise RuleViolation(
            _("A booking of this room lasts at most %(minutes)s minutes."),
            field="end",
            minutes=room.max_duration_minutes,
        )
    for name, moment in (("start", start), ("end", end)):
        local = _local(moment)
        if (
            (local.hour * 60 + local.minute) % room.slot_minutes
            or local.second
            or local.microsecond
        ):
            raise RuleViolation(
                _(
                    "Bookings of this room start and end on whole %(minutes)s-minute steps counted from the hour."
                ),
                field=name,
                minutes=room.slot_minutes,
            )
    if start <= timezone.now():
        raise RuleViolation(
            _("The start has already passed. Please choose a later time."), field="start"
        )
    if not is_staff and _local(start).date() > local_today() + timedelta(days=room.max_days_ahead):
        raise RuleViolation(
            _("This room can be booked at most %(days)s days ahead."),
            field="start",
            days=room.max_days_ahead,
        )


def _occurrences(
    start: datetime, end: datetime, every_weeks: int | None, until: date | None
) -> list[tuple[datetime, datetime] | SkippedDate]:
    """The occurrences of a one-off or weekly/fortnightly series, in local wall time."""
    if not every_weeks:
        return [(start, end)]
    local_start, local_end = _local(start), _local(end)
    span_days = (local_end.date() - local_start.date()).days
    result: list[tuple[datetime, datetime] | SkippedDate] = []
    day = local_start.date()
    while until is not None and day <= until:
        try:
            s = make_local(day, local_start.time().replace(tzinfo=None), field="start")
            e = make_local(
                day + timedelta(days=span_days), local_end.time().replace(tzinfo=None), field="end"
            )
            result.append((_utc(s), _utc(e)))
        except RuleViolation as error:
            naive = datetime.combine(day, local_start.time().replace(tzinfo=None))
            approx = naive.replace(tzinfo=UTC)
            result.append(
                SkippedDate(
                    start=approx, end=approx + (end - start), reason=error.message, conflict=False
                )
            )
        day += timedelta(weeks=every_weeks)
    return result


def _check_limits(room: Room, booker: User, new: list[tuple[datetime, datetime]]) -> None:
    """Per-person limits per day, per ISO week and simultaneous future bookings (a series is one)."""
    if not (room.max_per_day or room.max_per_week or room.max_future):
        return
    now = timezone.now()
    earliest = min(s for s, _e in new) - timedelta(days=7)
    existing = list(
        Booking.objects.filter(
            room=room,
            booker=booker,
            kind=BookingKind.BOOKING,
            status__in=LIVE_BOOKING_STATUSES,
            end__gt=min(now, earliest),
        ).values_list("pk", "series_id", "start")
    )
    if room.max_per_day:
        per_day: dict[date, int] = {}
        for *_ids, s in existing:
            per_day[_local(s).date()] = per_day.get(_local(s).date(), 0) + 1
        for s, _e in new:
            d = _local(s).date()
            per_day[d] = per_day.get(d, 0) + 1
            if per_day[d] > room.max_per_day:
                raise RuleViolation(
                    _(
                        "You can book this room at most %(n)s time(s) a day (%(date)s is full for you)."
                    ),
                    code="limit_per_day",
                    n=room.max_per_day,
                    date=f"{d:%d.%m.%Y}",
                )
    if room.max_per_week:
        per_week: dict[tuple[int, int], int] = {}
        for *_ids, s in existing:
            key = _local(s).isocalendar()[:2]
            per_week[key] = per_week.get(key, 0) + 1
        for s, _e in new:
            key = _local(s).isocalendar()[:2]
            per_week[key] = per_week.get(key, 0) + 1
            if per_week[key] > room.max_per_week:
                raise RuleViolation(
                    _(
                        "You can book this room at most %(n)s time(s) a week (week %(week)s is full for you)."
                    ),
                    code="limit_per_week",
                    n=room.max_per_week,
                    week=key[1],
                )
    if room.max_future:
        holdings = {series or f"b{pk}" for pk, series, s in existing if s > now}
        if len(holdings) + 1 > room.max_future:
            raise RuleViolation(
                _(
                    "You already have %(n)s upcoming booking(s) of this room, the most allowed. Cancel one or wait until it has passed."
                ),
                code="limit_future",
                n=len(holdings),
            )


@transaction.atomic(durable=True)
def booking_request(
    *,
    actor: User,
    room: Room,
    start: datetime,
    end: datetime,
    purpose: str,
    attendees: int,
    partner: Partner | None = None,
    every_weeks: int | None = None,
    until: date | None = None,
    take_free: bool = False,
) -> BookingOutcome:
    """Book a room once, or weekly/fortnightly until a date.

    Rules broken → ``RuleViolation`` (400). Taken → ``BookingConflict`` (409) naming the
    clash (the API and pages add free times nearby). For a series, each date is checked; if some
    dates are taken or closed, nothing is booked and the 409 lists them (``conflicts``)
    and the free ones (``free``), unless ``take_free`` asks to book just the free dates.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to book a room."))
    start, end = _utc(start), _utc(end)
    is_staff = can_manage_branch(user=actor, branch=room.branch_id)
    if not room.is_active:
        raise RuleViolation(_("This room cannot be booked at the moment."), field="room")
    if room.bookable_by == BookableBy.STAFF and not is_staff:
        raise PermissionDenied(_("Only library staff can book this room."))
    if partner is not None and not is_staff and not partner.members.filter(pk=actor.pk).exists():
        raise RuleViolation(
            _(
                "You can only book on behalf of an association you are registered with. Ask the library to add you."
            ),
            field="partner",
        )
    if room.bookable_by == BookableBy.ASSOCIATIONS and partner is None and not is_staff:
        raise RuleViolation(
            _("This room is lent to associations only. Choose the association you book for."),
            field="partner",
        )
    purpose = (purpose or "").strip()
    if not purpose:
        raise RuleViolation(_("Please tell us what the room is for."), field="purpose")
    if attendees is None or attendees < 1:
        raise RuleViolation(_("Please give the expected number of people."), field="attendees")
    if attendees > room.capacity:
        raise RuleViolation(
            _("%(room)s holds at most %(capacity)s people."),
            field="attendees",
            room=room.name,
            capacity=room.capacity,
        )
    _check_shape(room, start, end, is_staff=is_staff)
    if every_weeks:
        if every_weeks not in (1, 2):
            raise RuleViolation(
                _("A series repeats every week or every second week."), field="repeat"
            )
        if until is None or until <= _local(start).date():
            raise RuleViolation(
                _("Please give the last date of the series, after the first."), field="repeat"
            )
        if not is_staff and until > local_today() + timedelta(days=room.max_days_ahead):
            raise RuleViolation(
                _("This room can be booked at most %(days)s days ahead; end the series earlier."),
                field="repeat",
                days=room.max_days_ahead,
            )
    occurrences = _occurrences(start, end, every_weeks, until)
    if len(occurrences) > room.max_series_occurrences:
        raise RuleViolation(
            _("A series of this room has at most %(n)s dates."),
            field="repeat",
            n=room.max_series_occurrences,
        )

    room = lock_one(Room, room.pk)  # every writer of this room waits here: no deadlocks
    outcome = BookingOutcome()
    wanted: list[tuple[datetime, datetime]] = []
    for occurrence in occurrences:
        if isinstance(occurrence, SkippedDate):
            outcome.skipped.append(occurrence)
            continue
        s, e = occurrence
        problem = _hours_problem(room, s, e, actor)
        if problem is not None:
            if not every_weeks:
                raise RuleViolation(problem, field="start", code="outside_hours")
            outcome.skipped.append(SkippedDate(s, e, problem, conflict=False))
            continue
        blocked_start, blocked_end = _blocked(room, s, e)
        clashes = [
            b
            for b in _overlapping(room, blocked_start - timedelta(days=1), blocked_end)
            if b.blocked_start < blocked_end and blocked_start < b.blocked_end
        ]
        if clashes:
            if not every_weeks:
                raise _clash(room, clashes, s, e)
            reason = "; ".join(_describe(b) for b in clashes[:2])
            outcome.skipped.append(
                SkippedDate(s, e, str(_("taken: %(clash)s") % {"clash": reason}), True)
            )
            continue
        wanted.append((s, e))
    pause(Pause.BOOKING_AFTER_OVERLAP_CHECK)
    if (every_weeks and outcome.skipped and not take_free) or not wanted:
        error_class = (
            BookingConflict if any(sk.conflict for sk in outcome.skipped) else RuleViolation
        )
        raise error_class(
            _(
                "%(n)s of the %(total)s dates cannot be booked: %(dates)s. You can book the %(free)s free date(s) instead."
            ),
            code="series_conflict",
            n=len(outcome.skipped),
            total=len(occurrences),
            dates=", ".join(f"{_local(sk.start):%d.%m.%Y} ({sk.reason})" for sk in outcome.skipped),
            free=len(wanted),
            extra={
                "conflicts": [sk.as_dict() for sk in outcome.skipped],
                "free": [
                    {
                        "date": _local(s).date().isoformat(),
                        "start": _local(s).isoformat(),
                        "end": _local(e).isoformat(),
                    }
                    for s, e in wanted
                ],
            },
        )
    if not is_staff:
        _check_limits(room, actor, wanted)
    needs_approval = not is_staff and (room.requires_approval or bool(every_weeks))
    status = BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED
    tier, price = selectors.price_for(room=room, partner=partner)
    series_id = uuid.uuid4() if every_weeks and len(wanted) > 1 else None
    now = timezone.now()
    for s, e in wanted:
        blocked_start, blocked_end = _blocked(room, s, e)
        booking = Booking(
            room=room,
            booker=actor,
            start=s,
            end=e,
            blocked_start=blocked_start,
            blocked_end=blocked_end,
            status=status,
            kind=BookingKind.BOOKING,
            purpose=purpose[:200],
            attendees=attendees,
            partner=partner,
            series_id=series_id,
            price_tier=tier,
            price_dkk=price,
            decided_at=None if needs_approval else now,
            decided_by=None if needs_approval else actor,
        )
        _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], s, e))
        outcome.bookings.append(booking)
    for booking in outcome.bookings:
        audit_log(
            actor=actor,
            action=f"booking.{'requested' if needs_approval else 'confirmed'}",
            target=booking,
            data={
                "room": room.pk,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "status": status,
                "series_id": str(series_id) if series_id else None,
            },
        )
        _signal(
            Booking,
            "booking.requested" if needs_approval else "booking.confirmed",
            booking,
            actor,
            series_id=str(series_id) if series_id else None,
        )
    return outcome


def _series_members(booking: Booking, *, statuses: list[str]) -> list[Booking]:
    if booking.series_id is None:
        return [booking]
    members = lock_rows(  # in key order, as every writer locks several rows
        Booking.objects.filter(
            series_id=booking.series_id, status__in=statuses, end__gt=timezone.now()
        )
    )
    return sorted(members, key=lambda b: b.start)


@transaction.atomic(durable=True)
def booking_approve(*, actor: User, booking: Booking, whole_series: bool = False) -> list[Booking]:
    """Staff confirm a pending request (or the whole series). Approving twice changes nothing."""
    if not can_manage_branch(user=actor, branch=booking.room.branch_id):
        raise PermissionDenied(_("Only staff of this branch can approve its bookings."))
    room = lock_one(Room, booking.room_id)
    fresh = Booking.objects.select_related("room__branch").get(pk=booking.pk)
    if fresh.status == BookingStatus.CONFIRMED and not whole_series:
        return [fresh]
    if fresh.status not in {BookingStatus.PENDING, BookingStatus.CONFIRMED}:
        raise Conflict(
            _("This request was already %(status)s and can no longer be approved."),
            code="already_decided",
            status=fresh.get_status_display().lower(),
        )
    targets = _series_members(fresh, statuses=[BookingStatus.PENDING]) if whole_series else [fresh]
    now = timezone.now()
    approved = []
    for target in targets:
        if target.status != BookingStatus.PENDING:
            continue
        clashes = [
            b
            for b in _overlapping(
                room,
                target.blocked_start - timedelta(days=1),
                target.blocked_end,
                exclude=[target.pk],
            )
            if b.blocked_start < target.blocked_end and target.blocked_start < b.blocked_end
        ]
        if clashes:
            raise _clash(room, clashes, target.start, target.end)
        target.status = BookingStatus.CONFIRMED
        target.decided_at = now
        target.decided_by = actor
        target.sequence += 1
        _save_or_conflict(
            target,
            ROOM_CONSTRAINTS,
            _clash(room, [], target.start, target.end),
            update_fields=["status", "decided_at", "decided_by", "sequence", "updated_at"],
        )
        audit_log(
            actor=actor,
            action="booking.confirmed",
            target=target,
            data={"old": "pending", "new": "confirmed"},
        )
        _signal(Booking, "booking.confirmed", target, actor)
        approved.append(target)
    return approved or [fresh]


@transaction.atomic(durable=True)
def booking_reject(
    *, actor: User, booking: Booking, reason: str, whole_series: bool = False
) -> list[Booking]:
    """Staff turn down a pending request with a reason the booker will read."""
    if not can_manage_branch(user=actor, branch=booking.room.branch_id):
        raise PermissionDenied(_("Only staff of this branch can reject its bookings."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Please give the booker a reason."), field="reason")
    lock_one(Room, booking.room_id)
    fresh = Booking.objects.get(pk=booking.pk)
    if fresh.status == BookingStatus.REJECTED and not whole_series:
        return [fresh]
    if fresh.status != BookingStatus.PENDING:
        raise Conflict(
            _("This request was already %(status)s; cancel it instead if needed."),
            code="already_decided",
            status=fresh.get_status_display().lower(),
        )
    targets = _series_members(fresh, statuses=[BookingStatus.PENDING]) if whole_series else [fresh]
    _reject_pending(targets, reason=reason, actor=actor)
    return targets


@transaction.atomic(durable=True)
def booking_cancel(
    *, actor: User, booking: Booking, reason: str = "", whole_series: bool = False
) -> list[Booking]:
    """The booker cancels until the room's deadline; staff of the branch any time, with a reason."""
    return _booking_cancel(actor=actor, booking=booking, reason=reason, whole_series=whole_series)


@transaction.atomic
def _booking_cancel(
    *,
    actor: User,
    booking: Booking,
    reason: str = "",
    whole_series: bool = False,
    ignore_deadline: bool = False,
) -> list[Booking]:
    """``booking_cancel``, composable; ``ignore_deadline`` only for an account's deletion."""
    is_staff = can_manage_branch(user=actor, branch=booking.room.branch_id)
    if booking.booker_id != actor.pk and not is_staff:
        raise PermissionDenied()
    reason = (reason or "").strip()
    if is_staff and booking.booker_id != actor.pk and not reason:
        raise RuleViolation(_("Please give the booker a reason for cancelling."), field="reason")
    lock_one(Room, booking.room_id)
    fresh = Booking.objects.select_related("room").get(pk=booking.pk)
    if fresh.status == BookingStatus.CANCELLED and not whole_series:
        return [fresh]
    if fresh.status == BookingStatus.REJECTED:
        raise RuleViolation(_("This request was rejected; there is nothing to cancel."))
    targets = _series_members(fresh, statuses=LIVE_BOOKING_STATUSES) if whole_series else [fresh]
    now = timezone.now()
    done = []
    for target in targets:
        if target.status not in LIVE_BOOKING_STATUSES:
            continue
        if target.end <= now:
            raise RuleViolation(_("This booking has already taken place."))
        deadline = selectors.cancel_deadline(booking=target)
        if not is_staff and not ignore_deadline and now >= deadline:
            raise RuleViolation(
                _(
                    "Bookings can be cancelled until %(deadline)s. Please call or write to the library."
                ),
                code="cancel_deadline_passed",
                deadline=f"{selectors.cancel_deadline_shown(booking=target):%d.%m.%Y %H:%M}",
            )
        old = target.status
        target.status = BookingStatus.CANCELLED
        target.cancelled_at = now
        target.cancel_reason = reason[:300]
        target.sequence += 1
        target.save(
            update_fields=["status", "cancelled_at", "cancel_reason", "sequence", "updated_at"]
        )
        audit_log(
            actor=actor,
            action="booking.cancelled",
            target=target,
            data={"old": old, "reason": reason},
        )
        _signal(Booking, "booking.cancelled", target, actor, reason=reason)
        done.append(target)
    return done or [fresh]


@transaction.atomic(durable=True)
def booking_mark_no_show(*, actor: User, booking: Booking, no_show: bool = True) -> Booking:
    """Staff record that nobody came (or undo it)."""
    if not can_manage_branch(user=actor, branch=booking.room.branch_id):
        raise PermissionDenied()
    fresh = lock_one(Booking, booking.pk)
    if fresh.status != BookingStatus.CONFIRMED or fresh.kind != BookingKind.BOOKING:
        raise RuleViolation(_("Only confirmed bookings can be marked as no-shows."))
    if fresh.start > timezone.now():
        raise RuleViolation(_("The booking has not started yet."))
    if fresh.no_show == no_show:
        return fresh
    fresh.no_show = no_show
    fresh.save(update_fields=["no_show", "updated_at"])
    audit_log(actor=actor, action="booking.no_show", target=fresh, data={"no_show": no_show})
    return fresh


@transaction.atomic(durable=True)
def bookings_anonymise_old(*, now: datetime | None = None) -> int:
    """Retention: unlink people from bookings that ended more than 30 days ago.

    The rows stay (so statistics still add up); only the booker is cleared.
    """
    cutoff = (now or timezone.now()) - timedelta(days=RETENTION_DAYS)
    rooms = Booking.objects.filter(end__lt=cutoff, booker__isnull=False).update(booker=None)
    machines = EquipmentBooking.objects.filter(end__lt=cutoff, booker__isnull=False).update(
        booker=None
    )
    return rooms + machines


@transaction.atomic
def bookings_release_person(*, person: User) -> dict[str, int]:
    """Account deletion (composable): cancel the person's own room bookings and makerspace
    slots that have not started, as the booker would, whatever the booker's deadline (the
    person will not come, and a free room is better than a no-show). Then remove the person
    from all their bookings (the rows stay, so statistics still add up). The library's own
    holds that a staff member made for an event or a shift are not cancelled, only unlinked.
    """
    now = timezone.now()
    rooms = list(
        Booking.objects.filter(
            booker=person,
            kind=BookingKind.BOOKING,
            status__in=LIVE_BOOKING_STATUSES,
            start__gt=now,
        )
        .select_related("room")
        .order_by("room_id", "start", "pk")  # rooms are locked in a fixed order
    )
    for booking in rooms:
        _booking_cancel(actor=person, booking=booking, ignore_deadline=True)
    slots = list(
        EquipmentBooking.objects.filter(
            booker=person, status=EquipmentBookingStatus.CONFIRMED, start__gt=now
        ).order_by("equipment_id", "start", "pk")
    )
    for slot in slots:
        lock_one(Equipment, slot.equipment_id)
        fresh = EquipmentBooking.objects.get(pk=slot.pk)
        if fresh.status == EquipmentBookingStatus.CONFIRMED:
            _equipment_booking_set_cancelled(fresh, actor=person, reason="")
    unlinked = Booking.objects.filter(booker=person).update(booker=None)
    unlinked += EquipmentBooking.objects.filter(booker=person).update(booker=None)
    return {
        "room_bookings_cancelled": len(rooms),
        "machine_bookings_cancelled": len(slots),
        "bookings_unlinked": unlinked,
    }


# --- Makerspace ------------------------------------------------------------------------


@transaction.atomic
def licence_grant(
    *, person: User, equipment_kind: str, actor: User | None, source: str = LicenceSource.STAFF
) -> Licence:
    """Give ``person`` the licence (kørekort) for ``equipment_kind``. Idempotent."""
    if equipment_kind not in EquipmentKind.values:
        raise RuleViolation(
            _("Unknown kind of machine: %(kind)s."), field="equipment_kind", kind=equipment_kind
        )
    if source not in LicenceSource.values:
        raise RuleViolation(_("Unknown licence source: %(source)s."), source=source)
    existing = Licence.objects.filter(person=person, equipment_kind=equipment_kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                person=person,
                equipment_kind=equipment_kind,
                granted_by=actor if actor is not None and actor.pk else None,
                source=source,
            )
    except IntegrityError:  # granted at the same moment by someone else
        return Licence.objects.get(person=person, equipment_kind=equipment_kind)
    audit_log(
        actor=actor,
        action="licence.granted",
        target=licence,
        data={"person": person.pk, "kind": equipment_kind, "source": source},
    )
    return licence


@transaction.atomic(durable=True)
def licence_grant_by_staff(*, actor: User, person: User, equipment_kind: str) -> Licence:
    if not (actor and actor.is_authenticated and actor.is_library_staff):
        raise PermissionDenied(_("Only library staff can grant licences."))
    return licence_grant(person=person, equipment_kind=equipment_kind, actor=actor)


def _release_unclaimed(equipment: Equipment, now: datetime, start: datetime, end: datetime) -> None:
    stale = EquipmentBooking.objects.filter(
        equipment=equipment,
        status=EquipmentBookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        start__lte=now - timedelta(minutes=equipment.release_after_minutes),
        start__lt=end,
        end__gt=start,
    )
    for booking in stale:
        _equipment_booking_set_cancelled(
            booking,
            actor=None,
            reason=str(
                _("not checked in within %(m)s minutes") % {"m": equipment.release_after_minutes}
            ),
            no_show=True,
        )


def _equipment_booking_set_cancelled(
    booking: EquipmentBooking, *, actor: User | None, reason: str, no_show: bool = False
) -> None:
    booking.status = EquipmentBookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancel_reason = reason[:300]
    booking.no_show = no_show
    booking.sequence += 1
    booking.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancel_reason",
            "no_show",
            "sequence",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        action="equipment_booking.cancelled",
        target=booking,
        data={"reason": reason, "no_show": no_show},
    )
    _signal(EquipmentBooking, "equipment_booking.cancelled", booking, actor, reason=reason)


@transaction.atomic(durable=True)
def equipment_booking_create(
    *, actor: User, equipment: Equipment, start: datetime, end: datetime | None = None
) -> EquipmentBooking:
    """Book one or more consecutive slots of a machine."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to book a machine."))
    if not equipment.is_active:
        raise RuleViolation(_("This machine cannot be booked at the moment."), field="equipment")
    start = _utc(start)
    step = timedelta(minutes=equipment.slot_minutes)
    end = _utc(end) if end is not None else start + step
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    slots = (end - start) / step
    if slots != int(slots):
        raise RuleViolation(
            _("This machine is booked in slots of %(minutes)s minutes."),
            field="end",
            minutes=equipment.slot_minutes,
        )
    local = _local(start)
    if (local.hour * 60 + local.minute) % equipment.slot_minutes or local.second:
        raise RuleViolation(
            _(
                "Slots of this machine start on whole %(minutes)s-minute steps; pick a slot from the list."
            ),
            field="start",
            minutes=equipment.slot_minutes,
        )
    if equipment.licence_required and not selectors.has_licence(
        user=actor, equipment_kind=equipment.kind
    ):
        raise RuleViolation(
            _(
                "You need the licence (kørekort) for the %(kind)s first. Join a licence course or ask the staff."
            ),
            code="licence_required",
            kind=equipment.get_kind_display().lower(),
        )
    if equipment.min_age:
        if actor.birth_date is None:
            raise RuleViolation(
                _(
                    "This machine is for people aged %(age)s or over. Ask the staff to note your birth date."
                ),
                code="age_unknown",
                age=equipment.min_age,
            )
        if selectors.age_on(birth_date=actor.birth_date, day=local.date()) < equipment.min_age:
            raise RuleViolation(
                _("This machine is for people aged %(age)s or over."),
                code="too_young",
                age=equipment.min_age,
            )
    now = timezone.now()
    if start <= now - step:
        raise RuleViolation(_("That slot has already passed."), field="start")
    if local.date() > local_today() + timedelta(days=equipment.max_days_ahead):
        raise RuleViolation(
            _("This machine can be booked at most %(days)s days ahead."),
            field="start",
            days=equipment.max_days_ahead,
        )
    day = local.date()
    reason = closure_reason(branch=equipment.branch, day=day)
    if reason is not None:
        raise RuleViolation(
            _("The library is closed on %(date)s (%(reason)s)."),
            field="start",
            date=f"{day:%d.%m.%Y}",
            reason=reason,
        )
    allowed = selectors.open_intervals(
        branch=equipment.branch, day=day, self_service_allowed=equipment.self_service_allowed
    )
    if not any(s <= start and end <= e for s, e in allowed):
        raise RuleViolation(
            _("That slot is outside the hours the makerspace is open."), field="start"
        )

    equipment = lock_one(Equipment, equipment.pk)
    _release_unclaimed(equipment, now, start, end)
    mine = list(
        EquipmentBooking.objects.filter(
            equipment=equipment,
            booker=actor,
            status=EquipmentBookingStatus.CONFIRMED,
            start__gte=start - timedelta(days=8),
            start__lt=start + timedelta(days=8),
        ).values_list("start", "end")
    )
    n = int(slots)
    if equipment.max_slots_per_day:
        today_slots = sum((e - s) / step for s, e in mine if _local(s).date() == day)
        if today_slots + n > equipment.max_slots_per_day:
            raise RuleViolation(
                _("You can book at most %(n)s slot(s) a day on this machine."),
                code="limit_per_day",
                n=equipment.max_slots_per_day,
            )
    if equipment.max_slots_per_week:
        week = local.isocalendar()[:2]
        week_slots = sum((e - s) / step for s, e in mine if _local(s).isocalendar()[:2] == week)
        if week_slots + n > equipment.max_slots_per_week:
            raise RuleViolation(
                _("You can book at most %(n)s slot(s) a week on this machine."),
                code="limit_per_week",
                n=equipment.max_slots_per_week,
            )
    taken = list(
        EquipmentBooking.objects.filter(
            equipment=equipment,
            status=EquipmentBookingStatus.CONFIRMED,
            start__lt=end,
            end__gt=start,
        )
    )
    conflict = BookingConflict(
        _("%(machine)s is already booked %(when)s. Please pick a free slot."),
        machine=equipment.name,
        when=", ".join(format_when(b.start, b.end) for b in taken) or format_when(start, end),
    )
    if taken:
        raise conflict
    booking = EquipmentBooking(equipment=equipment, booker=actor, start=start, end=end)
    _save_or_conflict(booking, EQUIPMENT_CONSTRAINTS, conflict)
    audit_log(
        actor=actor,
        action="equipment_booking.confirmed",
        target=booking,
        data={"equipment": equipment.pk, "start": start.isoformat(), "end": end.isoformat()},
    )
    _signal(EquipmentBooking, "equipment_booking.confirmed", booking, actor)
    return booking


@transaction.atomic(durable=True)
def equipment_booking_cancel(
    *, actor: User, booking: EquipmentBooking, reason: str = ""
) -> EquipmentBooking:
    is_staff = can_manage_branch(user=actor, branch=booking.equipment.branch_id)
    if booking.booker_id != actor.pk and not is_staff:
        raise PermissionDenied()
    lock_one(Equipment, booking.equipment_id)
    fresh = EquipmentBooking.objects.select_related("equipment").get(pk=booking.pk)
    if fresh.status == EquipmentBookingStatus.CANCELLED:
        return fresh
    if fresh.end <= timezone.now():
        raise RuleViolation(_("This slot has already passed."))
    if not is_staff and fresh.start <= timezone.now():
        raise RuleViolation(_("The slot has started; ask the staff if you need to stop."))
    _equipment_booking_set_cancelled(fresh, actor=actor, reason=(reason or "").strip())
    return fresh


@transaction.atomic(durable=True)
def equipment_booking_check_in(*, actor: User, booking: EquipmentBooking) -> EquipmentBooking:
    """The maker (or staff) checks in; a slot not checked in within 15 minutes is freed."""
    is_staff = can_manage_branch(user=actor, branch=booking.equipment.branch_id)
    if booking.booker_id != actor.pk and not is_staff:
        raise PermissionDenied()
    fresh = lock_one(EquipmentBooking, booking.pk)
    if fresh.status != EquipmentBookingStatus.CONFIRMED:
        raise Conflict(_("This slot is no longer yours; it was cancelled or freed."))
    if fresh.checked_in_at is not None:
        return fresh
    now = timezone.now()
    if now < fresh.start - timedelta(minutes=15) or now >= fresh.end:
        raise RuleViolation(_("You can check in from 15 minutes before the slot until it ends."))
    fresh.checked_in_at = now
    fresh.save(update_fields=["checked_in_at", "updated_at"])
    audit_log(actor=actor, action="equipment_booking.checked_in", target=fresh)
    return fresh


@transaction.atomic(durable=True)
def equipment_release_unclaimed(*, now: datetime | None = None) -> int:
    """Free slots not checked in within the machine's release time (15 minutes by default)."""
    now = now or timezone.now()
    released = 0
    candidates = EquipmentBooking.objects.filter(
        status=EquipmentBookingStatus.CONFIRMED,
        checked_in_at__isnull=True,
        start__lte=now,
        end__gt=now,
    ).select_related("equipment")
    due = [
        b
        for b in candidates
        if b.start + timedelta(minutes=b.equipment.release_after_minutes) <= now
    ]
    lock_many(Equipment, [b.equipment_id for b in due])  # all machines at once, in key order
    for booking in due:
        fresh = EquipmentBooking.objects.get(pk=booking.pk)
        if fresh.status != EquipmentBookingStatus.CONFIRMED or fresh.checked_in_at is not None:
            continue
        _equipment_booking_set_cancelled(
            fresh,
            actor=None,
            reason=str(
                _("not checked in within %(m)s minutes")
                % {"m": booking.equipment.release_after_minutes}
            ),
            no_show=True,
        )
        released += 1
    return released
