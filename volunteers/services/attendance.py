"""Attendance and hours: the volunteer's own report, the coordinator's record, corrections."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import ErrorCode, RuleViolation
from core.models import User
from core.services import audit_log
from volunteers.models import HoursCorrection, ShiftSignup, SignupStatus
from volunteers.services._common import (
    _SIGNUP_NOT_FOUND,
    _require_activity_staff,
    shift_duration_hours,
)

MAX_HOURS = Decimal("999.99")


def _clean_hours(hours: Decimal | None, field: str = "hours") -> Decimal | None:
    if hours is None:
        return None
    hours = Decimal(hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if hours < 0 or hours > MAX_HOURS:
        raise RuleViolation(_("Enter hours between 0 and 999."), field=field)
    return hours


@transaction.atomic(durable=True)
def attendance_report(
    *, actor: User, signup: ShiftSignup, hours: Decimal | None = None
) -> ShiftSignup:
    """The volunteer's own report that they came (and for how long); a coordinator confirms."""
    locking.lock_one(ShiftSignup, signup.pk)
    signup = ShiftSignup.objects.select_related("shift").get(pk=signup.pk)
    if signup.volunteer_id != actor.pk:
        raise _SIGNUP_NOT_FOUND.error()
    if signup.status != SignupStatus.SIGNED_UP or signup.shift_cancelled:
        raise RuleViolation(
            _("You were not signed up for this shift."), code=ErrorCode.NOT_SIGNED_UP
        )
    if signup.shift.start > timezone.now():
        raise RuleViolation(
            _("You can report a shift once it has started."), code=ErrorCode.TOO_EARLY
        )
    signup.reported_hours = _clean_hours(hours) or shift_duration_hours(signup.shift)
    signup.reported_at = timezone.now()
    signup.save(update_fields=["reported_hours", "reported_at"])
    audit_log(
        actor=actor,
        action=AuditAction.SHIFT_ATTENDANCE_REPORTED,
        target=signup,
        data={"hours": str(signup.reported_hours)},
    )
    return signup


@transaction.atomic(durable=True)
def attendance_record(
    *, actor: User, signup: ShiftSignup, attended: bool, hours: Decimal | None = None
) -> ShiftSignup:
    """The coordinator records whether the volunteer came. Hours default to the volunteer's
    own report, else the shift's length; no hours when they did not come."""
    locking.lock_one(ShiftSignup, signup.pk)
    signup = ShiftSignup.objects.select_related("shift__activity__branch").get(pk=signup.pk)
    _require_activity_staff(actor, signup.shift.activity)
    if signup.status != SignupStatus.SIGNED_UP:
        raise RuleViolation(_("This volunteer withdrew from the shift."), code=ErrorCode.WITHDRAWN)
    if signup.shift.start > timezone.now():
        raise RuleViolation(
            _("Attendance can be recorded once the shift has started."), code=ErrorCode.TOO_EARLY
        )
    new_hours = (
        (_clean_hours(hours) or signup.reported_hours or shift_duration_hours(signup.shift))
        if attended
        else None
    )
    old = {"attended": signup.attended, "hours": str(signup.hours)}
    signup.attended = attended
    signup.hours = new_hours
    signup.attendance_recorded_by = actor
    signup.attendance_recorded_at = timezone.now()
    signup.save(
        update_fields=["attended", "hours", "attendance_recorded_by", "attendance_recorded_at"]
    )
    audit_log(
        actor=actor,
        action=AuditAction.SHIFT_ATTENDANCE_RECORDED,
        target=signup,
        data={"old": old, "new": {"attended": attended, "hours": str(new_hours)}},
    )
    return signup


@transaction.atomic(durable=True)
def hours_correct(*, actor: User, signup: ShiftSignup, hours: Decimal, note: str) -> ShiftSignup:
    """Staff correct the hours of an attended shift; the note says why. ``hours`` stays the
    effective number and each correction is kept."""
    locking.lock_one(ShiftSignup, signup.pk)
    signup = ShiftSignup.objects.select_related("shift__activity__branch").get(pk=signup.pk)
    _require_activity_staff(actor, signup.shift.activity)
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_("Write a note saying why the hours are corrected."), field="note")
    if signup.attended is not True:
        raise RuleViolation(
            _("Record the volunteer as attended before correcting the hours."),
            code=ErrorCode.NOT_ATTENDED,
        )
    new_hours = _clean_hours(hours)
    if new_hours is None:
        raise RuleViolation(_("Enter the corrected hours."), field="hours")
    if new_hours == signup.hours:
        return signup
    HoursCorrection.objects.create(
        signup=signup, old_hours=signup.hours, new_hours=new_hours, note=note, corrected_by=actor
    )
    old = signup.hours
    signup.hours = new_hours
    signup.save(update_fields=["hours"])
    audit_log(
        actor=actor,
        action=AuditAction.SHIFT_HOURS_CORRECTED,
        target=signup,
        data={"old": str(old), "new": str(new_hours), "note": note},
    )
    return signup
