"""Writes of a branch's settings: opening hours by kind from a date, closures and the
bookmobile's timetable. Staff act on their own branches, administrators on all
(``core.selectors.can_manage_branch``); a closure of every branch is for administrators.

What a change touches (bookings, events, shifts) is read beforehand through
``core.selectors_branch``; these services save the change and leave those in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.closure_apply import ApplyResult, EventMove, closure_apply_handlers
from core.contracts import AuditAction
from core.exceptions import ErrorCode, PermissionDenied, RuleViolation
from core.locking import lock_one
from core.models import BookmobileStop, Branch, BranchKind, Closure, HoursKind, OpeningHours, User
from core.selectors import can_manage_branch, hours_in_force
from core.services import audit_log
from core.timeutils import local_today

# One weekday's intervals of one kind: [(opens, closes), ...]; a missing weekday is closed.
Week = dict[int, list[tuple[time, time]]]


def _check_manages(actor: User, branch: Branch | None) -> None:
    if branch is None:
        if not actor.is_administrator:
            raise PermissionDenied(_("Only administrators can close every branch at once."))
        return
    if not can_manage_branch(user=actor, branch=branch):
        raise PermissionDenied()


def _week_of(rows: list[OpeningHours]) -> Week:
    week: Week = {}
    for h in sorted(rows, key=lambda h: (h.weekday, h.opens)):
        week.setdefault(h.weekday, []).append((h.opens, h.closes))
    return week


def _week_data(week: Week) -> dict[str, list[str]]:
    return {
        str(wd): [f"{o:%H:%M}-{c:%H:%M}" for o, c in intervals]
        for wd, intervals in sorted(week.items())
    }


def validate_week(week: Week) -> Week:
    """Each interval ends after it starts and the intervals of a day do not overlap."""
    clean: Week = {}
    for wd, intervals in sorted(week.items()):
        ordered = sorted(intervals)
        for n, (opens, closes) in enumerate(ordered):
            if closes <= opens:
                raise RuleViolation(
                    _("The closing time must be after the opening time."),
                    code=ErrorCode.END_BEFORE_START,
                    field=f"d{wd}_closes{n + 1}",
                )
            if n and opens < ordered[n - 1][1]:
                raise RuleViolation(
                    _("The two intervals of a day must not overlap."),
                    field=f"d{wd}_opens{n + 1}",
                )
        if ordered:
            clean[wd] = ordered
    return clean


@transaction.atomic(durable=True)
def opening_hours_set(
    *, actor: User, branch: Branch, kind: HoursKind, valid_from: date, week: Week
) -> bool:
    """Set the week of ``kind`` hours of ``branch`` in force from ``valid_from`` (until a
    later change of the same kind). Returns False when nothing changes."""
    _check_manages(actor, branch)
    kind = HoursKind(kind)
    if valid_from < local_today():
        raise RuleViolation(
            _("Changes to the opening hours apply from today or a later date."),
            code=ErrorCode.INVALID_DATE,
            field="valid_from",
        )
    week = validate_week(week)
    if not week:
        # A kind without rows from ``valid_from`` would fall back to the older week.
        raise RuleViolation(
            _("Give at least one day's hours; to close the branch, add a closure."),
            field="valid_from",
        )
    lock_one(Branch, branch.pk)  # writers of one branch's hours wait here
    rows = list(OpeningHours.objects.filter(branch=branch, kind=kind))
    old = _week_of([h for h in hours_in_force(hours=rows, on=valid_from) if h.kind == kind])
    if old == week:
        return False
    OpeningHours.objects.filter(branch=branch, kind=kind, valid_from=valid_from).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(branch=branch, kind=kind, weekday=wd, opens=o, closes=c, valid_from=valid_from)
        for wd, intervals in week.items()
        for o, c in intervals
    )
    audit_log(
        actor=actor,
        action=AuditAction.OPENING_HOURS_CHANGED,
        target=branch,
        data={
            "kind": kind.value,
            "valid_from": valid_from.isoformat(),
            "old": _week_data(old),
            "new": _week_data(week),
        },
    )
    return True


def validate_closure(
    *, starts_on: date, ends_on: date, from_time: time | None, until_time: time | None
) -> None:
    if ends_on < starts_on:
        raise RuleViolation(
            _("The last day must not be before the first day."),
            code=ErrorCode.END_BEFORE_START,
            field="ends_on",
        )
    if (
        ends_on == starts_on
        and from_time is not None
        and until_time is not None
        and until_time <= from_time
    ):
        raise RuleViolation(
            _("The library must reopen after it closes."),
            code=ErrorCode.END_BEFORE_START,
            field="until_time",
        )


@transaction.atomic(durable=True)
def closure_add(
    *,
    actor: User,
    branch: Branch | None,
    starts_on: date,
    ends_on: date,
    reason: str,
    from_time: time | None = None,
    until_time: time | None = None,
) -> Closure:
    """Close ``branch`` (every branch when None: administrators only) for whole days, or
    from ``from_time`` on the first day until ``until_time`` on the last."""
    _check_manages(actor, branch)
    validate_closure(
        starts_on=starts_on, ends_on=ends_on, from_time=from_time, until_time=until_time
    )
    reason = reason.strip()
    if not reason:
        raise RuleViolation(_("Please give the reason for the closure."), field="reason")
    if branch is not None:
        lock_one(Branch, branch.pk)
    closure = Closure.objects.create(
        branch=branch,
        starts_on=starts_on,
        ends_on=ends_on,
        from_time=from_time,
        until_time=until_time,
        reason=reason,
    )
    audit_log(
        actor=actor,
        action=AuditAction.CLOSURE_ADDED,
        target=closure,
        data=_closure_data(closure),
    )
    return closure


def _closure_data(closure: Closure) -> dict[str, str | int | None]:
    return {
        "branch": closure.branch_id,
        "starts_on": closure.starts_on.isoformat(),
        "ends_on": closure.ends_on.isoformat(),
        "from_time": f"{closure.from_time:%H:%M}" if closure.from_time else None,
        "until_time": f"{closure.until_time:%H:%M}" if closure.until_time else None,
        "reason": closure.reason,
    }


@transaction.atomic(durable=True)
def closure_remove(*, actor: User, closure: Closure) -> None:
    _check_manages(actor, closure.branch)
    data = _closure_data(closure)
    audit_log(actor=actor, action=AuditAction.CLOSURE_REMOVED, target=closure, data=data)
    closure.delete()


def closure_fields(*, start: datetime, end: datetime) -> dict[str, date | time | None]:
    """The days and hours of a ``Closure`` covering [start, end) in local wall time."""
    if end <= start:
        raise RuleViolation(
            _("The library must reopen after it closes."),
            code=ErrorCode.END_BEFORE_START,
            field="end",
        )
    first, last = timezone.localtime(start), timezone.localtime(end)
    reopens_at_midnight = last.time() == time.min
    return {
        "starts_on": first.date(),
        "from_time": None if first.time() == time.min else first.time().replace(microsecond=0),
        "ends_on": (last - timedelta(days=1)).date() if reopens_at_midnight else last.date(),
        "until_time": None if reopens_at_midnight else last.time().replace(microsecond=0),
    }


@dataclass
class ClosureApplied:
    closure: Closure
    created: bool
    result: ApplyResult = field(default_factory=ApplyResult)


@transaction.atomic(durable=True)
def closure_create_and_apply(
    *,
    actor: User,
    branch: Branch,
    start: datetime,
    end: datetime,
    reason: str,
    moves: Sequence[EventMove] = (),
) -> ClosureApplied:
    """Close ``branch`` in [start, end) and, in the same transaction, cancel what the
    closure touches (the events in ``moves`` are moved instead), each through its app's
    services so the people concerned are told once. The same closure again finds the
    existing row and changes nothing more (what it touched is cancelled already)."""
    _check_manages(actor, branch)
    reason = reason.strip()
    if not reason:
        raise RuleViolation(_("Please give the reason for the closure."), field="reason")
    fields = closure_fields(start=start, end=end)
    lock_one(Branch, branch.pk)  # two senders of the same closure: the second waits here
    closure = Closure.objects.filter(branch=branch, **fields).order_by("pk").first()
    created = closure is None
    if closure is None:
        closure = Closure.objects.create(branch=branch, reason=reason[:200], **fields)
        audit_log(
            actor=actor,
            action=AuditAction.CLOSURE_ADDED,
            target=closure,
            data=_closure_data(closure),
        )
    result = closure_apply_handlers(
        actor=actor, branch=branch, start=start, end=end, reason=closure.reason, moves=moves
    )
    if result.moved or any(result.cancelled.values()):
        audit_log(
            actor=actor,
            action=AuditAction.CLOSURE_APPLIED,
            target=closure,
            data={"cancelled": result.cancelled, "moved": result.moved},
        )
    return ClosureApplied(closure=closure, created=created, result=result)


# --- The bookmobile's stops -----------------------------------------------------------


def _stop_data(stop: BookmobileStop) -> dict[str, str | int | None]:
    return {
        "name": stop.name,
        "place": stop.place,
        "weekday": stop.weekday,
        "arrives": f"{stop.arrives:%H:%M}",
        "departs": f"{stop.departs:%H:%M}",
        "valid_from": stop.valid_from.isoformat(),
        "valid_until": stop.valid_until.isoformat() if stop.valid_until else None,
    }


def _check_stop(branch: Branch, fields: dict[str, object]) -> None:
    if branch.kind != BranchKind.BOOKMOBILE:
        raise RuleViolation(_("Only a bookmobile has stops."))
    arrives, departs = fields["arrives"], fields["departs"]
    assert isinstance(arrives, time) and isinstance(departs, time)  # noqa: S101 (typed form)
    if departs <= arrives:
        raise RuleViolation(
            _("The bookmobile must leave after it arrives."),
            code=ErrorCode.END_BEFORE_START,
            field="departs",
        )
    valid_from, valid_until = fields["valid_from"], fields.get("valid_until")
    if isinstance(valid_until, date) and isinstance(valid_from, date) and valid_until < valid_from:
        raise RuleViolation(
            _("The last day must not be before the first day."),
            code=ErrorCode.END_BEFORE_START,
            field="valid_until",
        )
    if not str(fields.get("name") or "").strip():
        raise RuleViolation(_("Please name the stop."), field="name")


STOP_FIELDS = ("name", "place", "weekday", "arrives", "departs", "valid_from", "valid_until")


@transaction.atomic(durable=True)
def bookmobile_stop_create(*, actor: User, branch: Branch, **fields: object) -> BookmobileStop:
    """Add a weekly stop (``STOP_FIELDS``) to the bookmobile's timetable."""
    _check_manages(actor, branch)
    fields = {k: v for k, v in fields.items() if k in STOP_FIELDS}
    _check_stop(branch, fields)
    stop = BookmobileStop.objects.create(branch=branch, **fields)
    audit_log(
        actor=actor, action=AuditAction.BOOKMOBILE_STOP_ADDED, target=stop, data=_stop_data(stop)
    )
    return stop


@transaction.atomic(durable=True)
def bookmobile_stop_update(
    *, actor: User, stop: BookmobileStop, **fields: object
) -> BookmobileStop:
    _check_manages(actor, stop.branch)
    stop = lock_one(BookmobileStop, stop.pk)
    old = _stop_data(stop)
    merged = {k: fields.get(k, getattr(stop, k)) for k in STOP_FIELDS}
    _check_stop(stop.branch, merged)
    for key, value in merged.items():
        setattr(stop, key, value)
    new = _stop_data(stop)
    if new == old:
        return stop
    stop.save()
    audit_log(
        actor=actor,
        action=AuditAction.BOOKMOBILE_STOP_CHANGED,
        target=stop,
        data={"old": old, "new": new},
    )
    return stop


@transaction.atomic(durable=True)
def bookmobile_stop_delete(*, actor: User, stop: BookmobileStop) -> None:
    _check_manages(actor, stop.branch)
    audit_log(
        actor=actor,
        action=AuditAction.BOOKMOBILE_STOP_REMOVED,
        target=stop,
        data=_stop_data(stop),
    )
    stop.delete()
