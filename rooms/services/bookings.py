"""People's room bookings: the request, and staff's and the booker's decisions on it.

``booking_request`` reads as its steps: check the request (``rules``), plan the dates, lock
the room, sort the dates into free and lost (``rules`` for hours, ``conflicts`` for what is
in the way), write the bookings, then tell (audit rows and messages). Approve, reject,
cancel and no-show follow, each locking the room before it re-reads what it changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction, MessageKind
from core.exceptions import (
    BookingConflict,
    Conflict,
    DomainError,
    ErrorCode,
    PermissionDenied,
    RuleViolation,
)
from core.locking import Pause, lock_one, lock_rows, pause
from core.models import Partner, User
from core.overrides import Override, override_for, override_log
from core.selectors import can_manage_branch
from core.services import audit_log
from core.timeutils import date_and_clock, local_tz
from rooms import selectors
from rooms.models import LIVE_BOOKING_STATUSES, Booking, BookingKind, BookingStatus, Room
from rooms.services._common import ROOM_CONSTRAINTS, _local, _save_or_conflict, _signal, _utc
from rooms.services.checkin import check_not_paused, no_show_consequences, release_unclaimed
from rooms.services.conflicts import _blocked, _clash, _clashes, _describe
from rooms.services.rules import (
    SkippedDate,
    _check_limits,
    _check_request,
    _check_shape,
    _hours_problem,
    _plan_dates,
)


@dataclass
class BookingOutcome:
    bookings: list[Booking] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)
    override: Override | None = None

    @property
    def first(self) -> Booking:
        return self.bookings[0]


# --- A person's request ------------------------------------------------------------------


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
    on_behalf_of: str | User | None = None,
    override_reason: str = "",
) -> BookingOutcome:
    """Book a room once, or weekly/fortnightly until a date.

    Rules broken → ``RuleViolation`` (400). Taken → ``BookingConflict`` (409) naming the
    clash (the API and pages add free times nearby). For a series, each date is checked; if some
    dates are taken or closed, nothing is booked and the 409 lists them (``conflicts``)
    and the free ones (``free``), unless ``take_free`` asks to book just the free dates.

    ``on_behalf_of`` (an e-mail): staff of the branch book for that person, under the person's
    rules; a rule broken is refused as for the person unless ``override_reason`` is given,
    then bent, logged and kept on the booking (``outcome.override``).
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to book a room."))
    start, end = _utc(start), _utc(end)
    override = None
    if on_behalf_of:
        override = override_for(
            actor=actor, branch=room.branch_id, on_behalf_of=on_behalf_of, reason=override_reason
        )
    booker = override.person if override is not None else actor
    is_staff = override is None and can_manage_branch(user=actor, branch=room.branch_id)
    purpose = _check_request(
        room, booker, is_staff=is_staff, partner=partner, purpose=purpose, attendees=attendees
    )
    occurrences = _check_when(room, start, end, every_weeks, until, is_staff, override, booker)

    room = lock_one(Room, room.pk)  # every writer of this room waits here: no deadlocks
    if room.check_in_required:  # a booking nobody checked in to is free at once
        release_unclaimed(rooms=[room.pk])
    wanted, skipped = _sort_dates(room, booker, occurrences, series=bool(every_weeks), o=override)
    pause(Pause.BOOKING_AFTER_OVERLAP_CHECK)
    if (every_weeks and skipped and not take_free) or not wanted:
        raise _dates_lost(wanted, skipped, total=len(occurrences))
    if not is_staff:
        with _bendable(override):  # each rule on its own: bending one skips no other
            check_not_paused(booker)
        with _bendable(override):
            _check_limits(room, booker, wanted)
    needs_approval = (
        not is_staff and override is None and (room.requires_approval or bool(every_weeks))
    )
    bookings = _write_bookings(
        room,
        booker,
        wanted,
        purpose=purpose,
        attendees=attendees,
        partner=partner,
        needs_approval=needs_approval,
        series=bool(every_weeks),
        decided_by=actor,
        override=override,
    )
    _tell_requested(room, actor, bookings, needs_approval=needs_approval)
    for booking in bookings:
        override_log(override, target=booking, data={"room": room.pk})
    return BookingOutcome(bookings=bookings, skipped=skipped, override=override)


@contextmanager
def _bendable(override: Override | None) -> Iterator[None]:
    """A citizen's rule: bent by staff with a reason on the citizen's behalf, else enforced."""
    if override is None:
        yield
        return
    with override.check():
        yield


def _check_when(
    room: Room,
    start: datetime,
    end: datetime,
    every_weeks: int | None,
    until: date | None,
    is_staff: bool,
    override: Override | None,
    booker: User,
) -> list[tuple[datetime, datetime] | SkippedDate]:
    """The shape of the booking and its dates (for ``booker``, the resident rules included);
    on someone's behalf, the staff's rules first (never bent), then the citizen's (bendable
    with a reason)."""
    if override is not None:
        _check_shape(room, start, end, is_staff=True, booker=booker)
        with override.check():
            _check_shape(room, start, end, is_staff=False, booker=booker)
        occurrences = _plan_dates(
            room, start, end, every_weeks=every_weeks, until=until, is_staff=True, booker=booker
        )
        with override.check():
            _plan_dates(
                room,
                start,
                end,
                every_weeks=every_weeks,
                until=until,
                is_staff=False,
                booker=booker,
            )
        return occurrences
    _check_shape(room, start, end, is_staff=is_staff, booker=booker)
    return _plan_dates(
        room, start, end, every_weeks=every_weeks, until=until, is_staff=is_staff, booker=booker
    )


def _sort_dates(
    room: Room,
    actor: User,
    occurrences: list[tuple[datetime, datetime] | SkippedDate],
    *,
    series: bool,
    o: Override | None = None,
) -> tuple[list[tuple[datetime, datetime]], list[SkippedDate]]:
    """Split the dates into those that can be booked and those that cannot, and why.

    Runs under the room's lock. A single date outside the hours or taken is refused at once
    (``outside_hours``, or the 409 naming the clash); a series collects them instead.
    """
    wanted: list[tuple[datetime, datetime]] = []
    skipped: list[SkippedDate] = []
    for occurrence in occurrences:
        if isinstance(occurrence, SkippedDate):
            skipped.append(occurrence)
            continue
        s, e = occurrence
        problem = _hours_problem(room, s, e, actor)
        if problem is not None and o is not None and o.reason:
            o.bend(RuleViolation(problem, field="start", code=ErrorCode.OUTSIDE_HOURS))
            problem = None
        if problem is not None:
            if not series:
                raise RuleViolation(problem, field="start", code=ErrorCode.OUTSIDE_HOURS)
            skipped.append(SkippedDate(s, e, problem, conflict=False))
            continue
        blocked_start, blocked_end = _blocked(room, s, e)
        clashes = _clashes(room, blocked_start, blocked_end, look_back=timedelta(days=1))
        if clashes:
            if not series:
                raise _clash(room, clashes, s, e)
            reason = "; ".join(_describe(b) for b in clashes[:2])
            skipped.append(SkippedDate(s, e, str(_("taken: %(clash)s") % {"clash": reason}), True))
            continue
        wanted.append((s, e))
    return wanted, skipped


def _dates_lost(
    wanted: list[tuple[datetime, datetime]], skipped: list[SkippedDate], *, total: int
) -> DomainError:
    """The refusal of a series with lost dates: a 409 if any is taken, else a 400.

    It lists the lost dates (``conflicts``) and the free ones (``free``), so the person can
    ask again with ``take_free``.
    """
    error_class = BookingConflict if any(sk.conflict for sk in skipped) else RuleViolation
    return error_class(
        _(
            "%(n)s of the %(total)s dates cannot be booked: %(dates)s. You can book the %(free)s free date(s) instead."
        ),
        code=ErrorCode.SERIES_CONFLICT,
        n=len(skipped),
        total=total,
        dates=", ".join(f"{_local(sk.start):%d.%m.%Y} ({sk.reason})" for sk in skipped),
        free=len(wanted),
        extra={
            "conflicts": [sk.as_dict() for sk in skipped],
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


def _write_bookings(
    room: Room,
    actor: User,
    wanted: list[tuple[datetime, datetime]],
    *,
    purpose: str,
    attendees: int,
    partner: Partner | None,
    needs_approval: bool,
    series: bool,
    decided_by: User | None = None,
    override: Override | None = None,
) -> list[Booking]:
    """Insert one booking per free date: pending if staff must approve, else confirmed.

    The dates of a series share one ``series_id``; each insert is backed by the exclusion
    constraint on PostgreSQL, whose ``IntegrityError`` becomes the same 409.
    """
    status = BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED
    tier, price = selectors.price_for(room=room, partner=partner, booker=actor)
    series_id = uuid.uuid4() if series and len(wanted) > 1 else None
    now = timezone.now()
    bookings: list[Booking] = []
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
            decided_by=None if needs_approval else (decided_by or actor),
            booked_by_staff=override.by if override is not None else None,
            override_rule=override.rule if override is not None else "",
            override_reason=override.reason if override is not None and override.used else "",
        )
        _save_or_conflict(booking, ROOM_CONSTRAINTS, _clash(room, [], s, e))
        bookings.append(booking)
    return bookings


def _tell_requested(
    room: Room, actor: User, bookings: list[Booking], *, needs_approval: bool
) -> None:
    """An audit row per date, and one message (``booking.requested`` or
    ``booking.confirmed``): a series is one request, so its message lists its dates."""
    kind = "booking.requested" if needs_approval else "booking.confirmed"
    for booking in bookings:
        series_id = booking.series_id
        audit_log(
            actor=actor,
            action=(
                AuditAction.BOOKING_REQUESTED if needs_approval else AuditAction.BOOKING_CONFIRMED
            ),
            target=booking,
            data={
                "room": room.pk,
                "start": booking.start.isoformat(),
                "end": booking.end.isoformat(),
                "status": booking.status,
                "series_id": str(series_id) if series_id else None,
            },
        )
    first = bookings[0]
    if first.series_id is None:
        for booking in bookings:
            _signal(Booking, kind, booking, actor, series_id=None)
        return
    _signal(Booking, kind, first, actor, **_series_data(bookings))


def _series_data(bookings: list[Booking]) -> dict[str, Any]:
    """What a message about a whole series carries: its id and its dates, in local time."""
    tz = local_tz()
    return {
        "series_id": str(bookings[0].series_id),
        "series_count": len(bookings),
        "series_dates": "\n".join(
            f"{b.start.astimezone(tz):%d.%m.%Y %H.%M}–{b.end.astimezone(tz):%H.%M}"
            for b in sorted(bookings, key=lambda b: b.start)
        ),
    }


# --- Staff's and the booker's decisions --------------------------------------------------


def _series_members(booking: Booking, *, statuses: list[BookingStatus]) -> list[Booking]:
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
            code=ErrorCode.ALREADY_DECIDED,
            status=fresh.get_status_display().lower(),
        )
    targets = _series_members(fresh, statuses=[BookingStatus.PENDING]) if whole_series else [fresh]
    now = timezone.now()
    approved = []
    for target in targets:
        if target.status != BookingStatus.PENDING:
            continue
        clashes = _clashes(
            room,
            target.blocked_start,
            target.blocked_end,
            look_back=timedelta(days=1),
            exclude=[target.pk],
        )
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
            action=AuditAction.BOOKING_CONFIRMED,
            target=target,
            data={"old": "pending", "new": "confirmed"},
        )
        if not whole_series or target.series_id is None:
            _signal(Booking, MessageKind.BOOKING_CONFIRMED, target, actor)
        approved.append(target)
    if whole_series and approved and approved[0].series_id is not None:
        # The series was one request; its approval is one message listing its dates.
        _signal(
            Booking, MessageKind.BOOKING_CONFIRMED, approved[0], actor, **_series_data(approved)
        )
    return approved or [fresh]


def _reject_pending(
    bookings: list[Booking], *, reason: str, actor: User | None, as_series: bool = False
) -> None:
    """Turn down pending requests with a reason the booker reads (staff's rejection, or the
    library's own use of the room)."""
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
            action=AuditAction.BOOKING_REJECTED,
            target=pending,
            data={"reason": str(reason), "old": "pending", "new": "rejected"},
        )
        if not as_series:
            _signal(Booking, MessageKind.BOOKING_REJECTED, pending, actor, reason=str(reason))
    if as_series and bookings:  # a series turned down as a whole: one message with its dates
        _signal(
            Booking,
            MessageKind.BOOKING_REJECTED,
            bookings[0],
            actor,
            reason=str(reason),
            **_series_data(bookings),
        )


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
            code=ErrorCode.ALREADY_DECIDED,
            status=fresh.get_status_display().lower(),
        )
    targets = _series_members(fresh, statuses=[BookingStatus.PENDING]) if whole_series else [fresh]
    _reject_pending(
        targets,
        reason=reason,
        actor=actor,
        as_series=whole_series and fresh.series_id is not None,
    )
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
                code=ErrorCode.CANCEL_DEADLINE_PASSED,
                deadline=date_and_clock(selectors.cancel_deadline_shown(booking=target)),
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
            action=AuditAction.BOOKING_CANCELLED,
            target=target,
            data={"old": old, "reason": reason},
        )
        _signal(Booking, MessageKind.BOOKING_CANCELLED, target, actor, reason=reason)
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
    audit_log(
        actor=actor, action=AuditAction.BOOKING_NO_SHOW, target=fresh, data={"no_show": no_show}
    )
    if no_show and fresh.booker_id:  # counts towards a pause like a released booking
        no_show_consequences(person_id=fresh.booker_id)
    return fresh
