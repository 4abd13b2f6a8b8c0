"""Signing up for a shift and withdrawing: the capacity and overlap checks under the locks.

* a shift never has more live sign-ups than it needs: ``shift_signup`` locks the Shift row
  and counts the rows;
* one volunteer never holds two overlapping shifts: ``shift_signup`` locks the volunteer's
  profile row first (so two sign-ups of one person are serialised), and on PostgreSQL an
  exclusion constraint over the sign-up's copied start/end refuses an overlap even for code
  that skips this module;
* a shift of an activity with children under 15 refuses a volunteer whose child certificate
  is not clear and still valid on the shift's (local) date;
* a paused volunteer cannot sign up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.db import is_conflict_error
from core.exceptions import Conflict, ErrorCode, NotFound, RuleViolation
from core.models import User
from core.services import audit_log
from volunteers.models import Activity, Shift, ShiftSignup, SignupStatus, VolunteerProfile
from volunteers.services._common import (
    _SIGNUP_NOT_FOUND,
    OVERLAP_CONSTRAINT,
    UNIQUE_SIGNUP_CONSTRAINT,
    _fmt_local,
    _paused_problem,
    _profile_of,
    _require_activity_staff,
    can_manage_activity,
    certificate_problem,
    shift_local_date,
)

# --- The checks (shift moves use them too) -------------------------------------------------


def _overlapping_signup(
    *, volunteer_id: int, start: datetime, end: datetime, exclude_shift: int | None = None
) -> ShiftSignup | None:
    qs = ShiftSignup.objects.filter(
        volunteer_id=volunteer_id,
        status=SignupStatus.SIGNED_UP,
        shift_cancelled=False,
        shift_start__lt=end,
        shift_end__gt=start,
    ).select_related("shift__activity")
    if exclude_shift is not None:
        qs = qs.exclude(shift_id=exclude_shift)
    return qs.first()


def _overlap_error(other: ShiftSignup | None) -> Conflict:
    if other is None:
        return Conflict(
            _("You already have another shift at this time."), code=ErrorCode.SHIFT_OVERLAP
        )
    return Conflict(
        _(
            "You already have another shift at this time: %(activity)s, %(start)s. "
            "Withdraw from it first, or choose another shift."
        ),
        code=ErrorCode.SHIFT_OVERLAP,
        activity=other.shift.activity.name,
        start=_fmt_local(other.shift.start),
        extra={"overlapping_shift": other.shift_id},
    )


def _taken(shift: Shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status=SignupStatus.SIGNED_UP).count()


# --- Signing up ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def shift_signup(*, actor: User, shift: Shift, volunteer: User | None = None) -> ShiftSignup:
    """Sign ``volunteer`` (default: the actor) up for ``shift``.

    Refuses (400) a paused volunteer and, on a shift with children under 15, a certificate that
    is not clear and valid on the shift's date; refuses (409) a full shift and a shift that
    overlaps another of the volunteer's shifts.
    """
    person = volunteer or actor
    profile = _profile_of(person)
    if person.pk != actor.pk:
        activity = Activity.objects.select_related("branch").get(pk=shift.activity_id)
        _require_activity_staff(actor, activity)
    profile, shift = _lock_profile_and_shift(profile, shift)
    _check_may_work(profile=profile, shift=shift)
    _check_free_place(shift=shift, person=person)
    signup = _signup_insert(shift=shift, person=person)
    audit_log(
        actor=actor,
        action=AuditAction.SHIFT_SIGNED_UP,
        target=signup,
        data={"shift": shift.pk, "volunteer": person.pk},
    )
    return signup


def _lock_profile_and_shift(
    profile: VolunteerProfile, shift: Shift
) -> tuple[VolunteerProfile, Shift]:
    # 1. The volunteer's row: two sign-ups of one person are serialised here.
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    # 2. The shift's row: sign-ups of many people for one shift are serialised here.
    try:
        locking.lock_one(Shift, shift.pk)
        shift = Shift.objects.select_related("activity__branch").get(pk=shift.pk)
    except Shift.DoesNotExist as error:
        raise NotFound() from error
    return profile, shift


def _check_may_work(*, profile: VolunteerProfile, shift: Shift) -> None:
    """The shift is still to come, and the volunteer may work it: not paused, and on a shift
    with children a certificate valid on its date."""
    if shift.cancelled_at is not None:
        raise RuleViolation(_("This shift has been cancelled."), code=ErrorCode.SHIFT_CANCELLED)
    if shift.start <= timezone.now():
        raise RuleViolation(_("This shift has already started."), code=ErrorCode.SHIFT_STARTED)
    problem = _paused_problem(profile)
    if problem is None and shift.activity.children_under_15:
        problem = certificate_problem(profile=profile, day=shift_local_date(shift))
    if problem is not None:
        raise problem


def _check_free_place(*, shift: Shift, person: User) -> None:
    """Under the locks: not on the shift already, a place free, no other shift at the time."""
    if ShiftSignup.objects.filter(
        shift=shift, volunteer=person, status=SignupStatus.SIGNED_UP
    ).exists():
        raise Conflict(
            _("You are already signed up for this shift."), code=ErrorCode.ALREADY_SIGNED_UP
        )
    taken = _taken(shift)
    if taken >= shift.needed:
        raise Conflict(
            _("This shift is full: all %(needed)s places are taken."),
            code=ErrorCode.SHIFT_FULL,
            needed=shift.needed,
        )
    locking.pause(locking.Pause.SIGNUP_AFTER_CAPACITY_COUNT)
    other = _overlapping_signup(volunteer_id=person.pk, start=shift.start, end=shift.end)
    if other is not None:
        raise _overlap_error(other)
    locking.pause(locking.Pause.SIGNUP_AFTER_OVERLAP_CHECK)


def _signup_insert(*, shift: Shift, person: User) -> ShiftSignup:
    """Write the sign-up; the database's constraints (overlap on PostgreSQL, one live sign-up
    per shift) become the same 409 as the checks."""
    try:
        with transaction.atomic():
            return ShiftSignup.objects.create(
                shift=shift,
                volunteer=person,
                status=SignupStatus.SIGNED_UP,
                shift_start=shift.start,
                shift_end=shift.end,
            )
    except IntegrityError as error:
        if is_conflict_error(error, {OVERLAP_CONSTRAINT}):
            raise _overlap_error(
                _overlapping_signup(volunteer_id=person.pk, start=shift.start, end=shift.end)
            ) from error
        if is_conflict_error(error, {UNIQUE_SIGNUP_CONSTRAINT}):
            raise Conflict(
                _("You are already signed up for this shift."), code=ErrorCode.ALREADY_SIGNED_UP
            ) from error
        raise


# --- Withdrawing ---------------------------------------------------------------------------


def withdraw_deadline(shift: Shift) -> datetime:
    return shift.start - timedelta(hours=shift.activity.withdraw_deadline_hours)


@transaction.atomic(durable=True)
def shift_withdraw(*, actor: User, signup: ShiftSignup) -> ShiftSignup:
    """Withdraw from a shift, until the activity's deadline (default 24 hours before).
    Staff may take a volunteer off a shift at any time."""
    locking.lock_one(ShiftSignup, signup.pk)
    signup = ShiftSignup.objects.select_related("shift__activity__branch").get(pk=signup.pk)
    shift = signup.shift
    staff = can_manage_activity(user=actor, activity=shift.activity)
    if signup.volunteer_id != actor.pk and not staff:
        raise _SIGNUP_NOT_FOUND.error()
    if signup.status == SignupStatus.WITHDRAWN:
        return signup
    if not staff:
        deadline = withdraw_deadline(shift)
        if timezone.now() > deadline:
            raise RuleViolation(
                _(
                    "The deadline to withdraw was %(deadline)s. Please call or write to the "
                    "coordinator instead."
                ),
                code=ErrorCode.WITHDRAW_DEADLINE_PASSED,
                deadline=_fmt_local(deadline),
            )
    signup.status = SignupStatus.WITHDRAWN
    signup.withdrawn_at = timezone.now()
    signup.save(update_fields=["status", "withdrawn_at"])
    audit_log(
        actor=actor, action=AuditAction.SHIFT_WITHDRAWN, target=signup, data={"shift": shift.pk}
    )
    return signup
