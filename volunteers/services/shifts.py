"""Shifts: one-off and recurring, moving, changing and cancelling them, and the room each one
holds through the rooms app.

Lock order, everywhere: volunteer profile, then shift, then sign-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Final, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction, MessageKind
from core.db import is_conflict_error
from core.exceptions import Conflict, ErrorCode, RuleViolation
from core.models import User
from core.recurrence import expand, kept
from core.services import audit_log
from core.signals import state_changed
from rooms.models import BookingKind, Room
from rooms.services import room_occupancy_move, room_occupy, room_release
from volunteers.models import Activity, Shift, ShiftSeries, ShiftSignup, SignupStatus
from volunteers.services._common import (
    OVERLAP_CONSTRAINT,
    _fmt_local,
    _require_activity_staff,
)
from volunteers.services.signups import _overlapping_signup, _taken

# The audit row's record of a change: field -> [old, new].
Changes = dict[str, list[Any]]


class _Unset(Enum):
    """``shift_update(room=...)`` left out (None means "no room")."""

    UNSET = "unset"


_UNSET: Final = _Unset.UNSET


# --- The rules of a shift and its room -----------------------------------------------------


def _check_shift_times(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise RuleViolation(_("Give times with their UTC offset."), field="start")
    if end <= start:
        raise RuleViolation(_("The shift must end after it starts."), field="end")
    if end - start > timedelta(hours=16):
        raise RuleViolation(_("A shift can last at most 16 hours."), field="end")


def _check_needed(needed: int) -> None:
    if needed < 1:
        raise RuleViolation(_("A shift needs at least one volunteer."), field="needed")


def _check_room(room: Room | None, activity_branch_id: int) -> None:
    if room is not None and room.branch_id != activity_branch_id:
        raise RuleViolation(
            _("The room %(room)s is not at the activity's branch."), field="room", room=room.name
        )


def _occupy_room(*, shift: Shift, actor: User) -> None:
    """Hold the shift's room through the rooms service (which raises BookingConflict)."""
    if shift.room is None:
        return
    label = str(_("volunteer shift"))
    shift.room_booking = room_occupy(
        room=shift.room,
        start=shift.start,
        end=shift.end,
        title=f"{shift.activity.name} ({label})",
        actor=actor,
        kind=BookingKind.SHIFT,
    )


def _release_room(*, shift: Shift, actor: User) -> None:
    if shift.room_booking is None:
        return
    room_release(booking=shift.room_booking, actor=actor)
    shift.room_booking = None


# --- Creating shifts -----------------------------------------------------------------------


@transaction.atomic
def _shift_add(
    *,
    actor: User,
    activity: Activity,
    start: datetime,
    end: datetime,
    needed: int,
    room: Room | None = None,
    note: str = "",
    series: ShiftSeries | None = None,
) -> Shift:
    _check_shift_times(start, end)
    _check_needed(needed)
    _check_room(room, activity.branch_id)
    shift = Shift.objects.create(
        activity=activity, start=start, end=end, needed=needed, room=room, note=note, series=series
    )
    if room is not None:
        _occupy_room(shift=shift, actor=actor)
        shift.save(update_fields=["room_booking"])
    audit_log(
        actor=actor,
        action=AuditAction.SHIFT_CREATED,
        target=shift,
        data={
            "activity": activity.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "needed": needed,
            "room": room.pk if room is not None else None,
        },
    )
    return shift


@transaction.atomic(durable=True)
def shift_create(
    *,
    actor: User,
    activity: Activity,
    start: datetime,
    end: datetime,
    needed: int = 1,
    room: Room | None = None,
    note: str = "",
) -> Shift:
    """A one-off shift; its room (if any) is occupied through the rooms service."""
    _require_activity_staff(actor, activity)
    return _shift_add(
        actor=actor, activity=activity, start=start, end=end, needed=needed, room=room, note=note
    )


@transaction.atomic(durable=True)
def shift_series_create(
    *,
    actor: User,
    activity: Activity,
    start: datetime,
    end: datetime,
    rrule: str,
    needed: int = 1,
    room: Room | None = None,
) -> ShiftSeries:
    """A recurring shift: the rule is expanded in local wall time (the events' recurrence
    engine), holidays and the branch's closures are skipped, and each occurrence is a Shift."""
    _require_activity_staff(actor, activity)
    _check_shift_times(start, end)
    _check_room(room, activity.branch_id)
    _check_needed(needed)
    occurrences = [
        (o.start, o.end)
        for o in kept(expand(rrule=rrule, first_start=start, first_end=end, branch=activity.branch))
    ]
    if not occurrences:
        raise RuleViolation(
            _("The rule gives no dates (they may all be holidays or closures)."), field="rrule"
        )
    series = ShiftSeries.objects.create(
        activity=activity,
        rrule=rrule,
        first_start=start,
        first_end=end,
        needed=needed,
        room=room,
        created_by=actor,
    )
    for occ_start, occ_end in occurrences:
        _shift_add(
            actor=actor,
            activity=activity,
            start=occ_start,
            end=occ_end,
            needed=needed,
            room=room,
            series=series,
        )
    audit_log(
        actor=actor,
        action=AuditAction.SHIFT_SERIES_CREATED,
        target=series,
        data={"rrule": rrule, "shifts": len(occurrences)},
    )
    return series


# --- Changing a shift ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def shift_update(
    *,
    actor: User,
    shift: Shift,
    start: datetime | None = None,
    end: datetime | None = None,
    needed: int | None = None,
    room: Room | None | Literal[_Unset.UNSET] = _UNSET,
    note: str | None = None,
) -> Shift:
    """Move a shift, change how many it needs, its room or note. Volunteers who are signed up
    keep their place; a move that would give one of them two shifts at once is refused."""
    _require_activity_staff(actor, shift.activity)
    shift = _lock_live_shift(shift)
    new_start, new_end = start or shift.start, end or shift.end
    _check_shift_times(new_start, new_end)
    new_room = shift.room if room is _UNSET else room
    _check_room(new_room, shift.activity.branch_id)
    changes: Changes = {}
    if needed is not None and needed != shift.needed:
        changes.update(_set_needed(shift, needed))
    moved = new_start != shift.start or new_end != shift.end
    room_changed = (new_room.pk if new_room is not None else None) != shift.room_id
    if moved:
        _check_volunteers_free(shift=shift, start=new_start, end=new_end)
        changes["start"] = [shift.start.isoformat(), new_start.isoformat()]
        changes["end"] = [shift.end.isoformat(), new_end.isoformat()]
        shift.start, shift.end = new_start, new_end
    if moved or room_changed:
        changes.update(
            _follow_with_room(shift=shift, room=new_room, room_changed=room_changed, actor=actor)
        )
    if note is not None and note != shift.note:
        changes["note"] = [shift.note, note]
        shift.note = note
    if not changes:
        return shift
    _save_changed_shift(shift, moved=moved, room_changed=room_changed)
    audit_log(actor=actor, action=AuditAction.SHIFT_CHANGED, target=shift, data=changes)
    if moved or room_changed:
        state_changed.send(
            sender=Shift, kind=MessageKind.SHIFT_CHANGED, instance=shift, actor=actor, data=changes
        )
    return shift


def _lock_live_shift(shift: Shift) -> Shift:
    """Lock the shift and read it again with what a change needs; a cancelled one stays."""
    locking.lock_one(Shift, shift.pk)
    shift = Shift.objects.select_related("activity__branch", "room", "room_booking").get(
        pk=shift.pk
    )
    if shift.cancelled_at is not None:
        raise RuleViolation(
            _("This shift is cancelled and cannot be changed."), code=ErrorCode.CANCELLED
        )
    return shift


def _set_needed(shift: Shift, needed: int) -> Changes:
    """Change how many the shift needs, never below those already signed up."""
    _check_needed(needed)
    taken = _taken(shift)
    if needed < taken:
        raise RuleViolation(
            _(
                "%(taken)s volunteers are already signed up; withdraw some before lowering "
                "the number needed to %(needed)s."
            ),
            field="needed",
            taken=taken,
            needed=needed,
        )
    old, shift.needed = shift.needed, needed
    return {"needed": [old, needed]}


def _check_volunteers_free(*, shift: Shift, start: datetime, end: datetime) -> None:
    """Refuse a move that would give a signed-up volunteer two shifts at once (409)."""
    live = ShiftSignup.objects.filter(shift=shift, status=SignupStatus.SIGNED_UP).select_related(
        "volunteer"
    )
    for signup in live:
        if signup.volunteer is None:
            continue
        other = _overlapping_signup(
            volunteer_id=signup.volunteer.pk, start=start, end=end, exclude_shift=shift.pk
        )
        if other is not None:
            raise Conflict(
                _(
                    "%(name)s, who is signed up, has another shift at the new time "
                    "(%(activity)s, %(start)s)."
                ),
                code=ErrorCode.SHIFT_OVERLAP,
                name=signup.volunteer.name,
                activity=other.shift.activity.name,
                start=_fmt_local(other.shift.start),
            )


def _follow_with_room(
    *, shift: Shift, room: Room | None, room_changed: bool, actor: User
) -> Changes:
    """After a move or a change of room (``shift`` already at its new time): move the room's
    occupation with the shift, or release the old room and occupy the new one."""
    if shift.room_booking is not None and room is not None and not room_changed:
        shift.room_booking = room_occupancy_move(
            booking=shift.room_booking, start=shift.start, end=shift.end, actor=actor
        )
        return {}
    if not room_changed:
        return {}
    _release_room(shift=shift, actor=actor)
    shift.room = room
    _occupy_room(shift=shift, actor=actor)
    return {"room": [None, room.pk if room is not None else None]}


def _save_changed_shift(shift: Shift, *, moved: bool, room_changed: bool) -> None:
    """Save the shift (a new time or place raises its sequence, for the calendars) and copy a
    new time onto its sign-ups, where PostgreSQL's overlap constraint checks it once more."""
    if moved or room_changed:
        shift.sequence += 1
    shift.save()
    if not moved:
        return
    try:
        with transaction.atomic():
            ShiftSignup.objects.filter(shift=shift).update(
                shift_start=shift.start, shift_end=shift.end
            )
    except IntegrityError as error:
        if is_conflict_error(error, {OVERLAP_CONSTRAINT}):
            raise Conflict(
                _("A volunteer who is signed up has another shift at the new time."),
                code=ErrorCode.SHIFT_OVERLAP,
            ) from error
        raise


# --- Cancelling a shift --------------------------------------------------------------------


@transaction.atomic(durable=True)
def shift_cancel(*, actor: User, shift: Shift, reason: str = "") -> Shift:
    """Cancel a shift: its room is released and its volunteers hear about it."""
    return _shift_cancel(actor=actor, shift=shift, reason=reason)


@transaction.atomic
def _shift_cancel(*, actor: User, shift: Shift, reason: str = "") -> Shift:
    """``shift_cancel``, composable (a closure cancels several in its transaction)."""
    _require_activity_staff(actor, shift.activity)
    locking.lock_one(Shift, shift.pk)
    shift = Shift.objects.select_related("activity", "room_booking").get(pk=shift.pk)
    if shift.cancelled_at is not None:
        return shift
    shift.cancelled_at = timezone.now()
    shift.sequence += 1
    _release_room(shift=shift, actor=actor)
    shift.save()
    ShiftSignup.objects.filter(shift=shift).update(shift_cancelled=True)
    audit_log(
        actor=actor, action=AuditAction.SHIFT_CANCELLED, target=shift, data={"reason": reason}
    )
    state_changed.send(
        sender=Shift,
        kind=MessageKind.SHIFT_CANCELLED,
        instance=shift,
        actor=actor,
        data={"reason": reason},
    )
    return shift
