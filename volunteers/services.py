"""Writes of the volunteers app: profiles, the child-certificate rule, shifts, hours, proposals.

Guarantees (held under row locks, with a PostgreSQL backstop where one exists):

* a shift never has more live sign-ups than it needs: ``shift_signup`` locks the Shift row and
  counts the rows;
* one volunteer never holds two overlapping shifts: ``shift_signup`` locks the volunteer's
  profile row first (so two sign-ups of one person are serialised), and on PostgreSQL an
  exclusion constraint over the sign-up's copied start/end refuses an overlap even for code
  that skips this module;
* a shift of an activity with children under 15 refuses a volunteer whose child certificate
  is not clear and still valid on the shift's (local) date;
* a paused volunteer cannot sign up.

Lock order, everywhere: volunteer profile, then shift, then sign-up.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core import locking
from core.db import is_conflict_error
from core.exceptions import Conflict, NotFound, PermissionDenied, RuleViolation
from core.models import Audience, AuditLog, Branch, Role, Track, User
from core.recurrence import Occurrence, expand, kept
from core.selectors import can_manage_branch
from core.services import audit_log, user_set_role
from core.signals import state_changed
from core.timeutils import day_bounds, local_today, local_tz
from events import services as event_services
from events.models import EventState
from events.selectors import event_get_for_host, registration_get_for
from events.services import registration_check_in
from rooms.models import BookingKind
from rooms.services import room_occupancy_move, room_occupy, room_release
from volunteers.models import (
    Activity,
    CertificateStatus,
    HoursCorrection,
    ProfileStatus,
    ProposalStatus,
    SessionProposal,
    Shift,
    ShiftSeries,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)

OVERLAP_CONSTRAINT = "signup_no_overlapping_shifts"
UNIQUE_SIGNUP_CONSTRAINT = "signup_one_live_per_volunteer_and_shift"
MAX_HOURS = Decimal("999.99")
RETENTION_DAYS = 30


class _Gone:
    def __init__(self, message: Any, code: str) -> None:
        self.message, self.code = message, code


_PROFILE_NOT_FOUND = _Gone(
    _("The volunteer does not exist, or is not at one of your branches."), "volunteer_not_found"
)
_SIGNUP_NOT_FOUND = _Gone(_("The sign-up does not exist, or it is not yours."), "signup_not_found")
_PROPOSAL_NOT_FOUND = _Gone(
    _("The proposal does not exist, or it is not yours."), "proposal_not_found"
)


# --- Helpers -----------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """``day`` plus whole years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def shift_local_date(shift: Shift) -> date:
    return timezone.localtime(shift.start, local_tz()).date()


def shift_duration_hours(shift: Shift) -> Decimal:
    # In UTC: arithmetic between two datetimes of one zone is wall-clock arithmetic in Python.
    elapsed = shift.end.astimezone(UTC) - shift.start.astimezone(UTC)
    seconds = Decimal(elapsed.total_seconds())
    return (seconds / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_day(day: date) -> str:
    """``torsdag 26.11.`` as on the rest of the site; with the year (``26.11.2027``) when the
    day is not in the current year."""
    return date_format(day, "l j.n." if day.year == local_today().year else "l j.n.Y")


def _fmt_local(value: datetime) -> str:
    """``torsdag 26.11. 10.00`` in local time (the site's day and time formats)."""
    local = timezone.localtime(value, local_tz())
    return f"{format_day(local.date())} {date_format(local, 'H.i')}"


def can_manage_activity(*, user: User | None, activity: Activity) -> bool:
    """Staff of the activity's branch, administrators, and the activity's coordinator."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return False
    return activity.coordinator_id == user.pk or can_manage_branch(
        user=user, branch=activity.branch_id
    )


def can_manage_volunteer(*, user: User | None, profile: VolunteerProfile) -> bool:
    """Administrators, and staff of a branch the volunteer helps at."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return False
    if user.is_administrator:
        return True
    mine = set(user.branches.values_list("pk", flat=True))
    return bool(mine & set(profile.branches.values_list("pk", flat=True)))


def _require_activity_staff(actor: User, activity: Activity) -> None:
    if not can_manage_activity(user=actor, activity=activity):
        raise PermissionDenied(
            _("Only staff of %(branch)s may manage this activity's shifts."),
            branch=activity.branch.name,
        )


def _require_branch_staff(actor: User, branch: Branch) -> None:
    if not can_manage_branch(user=actor, branch=branch):
        raise PermissionDenied(_("Only staff of %(branch)s may do this."), branch=branch.name)


def _profile_of(user: User | None) -> VolunteerProfile:
    profile = (
        VolunteerProfile.objects.filter(user=user).first()
        if user is not None and user.is_authenticated and user.is_active
        else None
    )
    if profile is None:
        raise PermissionDenied(
            _("Only volunteers can do this. Ask a coordinator at your library to sign you up."),
            code="not_a_volunteer",
        )
    return profile


def certificate_problem(*, profile: VolunteerProfile, day: date) -> RuleViolation | None:
    """Why ``profile`` may not work with children under 15 on ``day``, or None if it may."""
    if profile.certificate_status != CertificateStatus.CLEAR or not profile.certificate_valid_until:
        if profile.certificate_status == CertificateStatus.REQUESTED:
            message = _(
                "This shift is with children under 15 and needs a clear child certificate "
                "(børneattest). Yours has been requested but not yet checked; a coordinator "
                "will record it when it arrives."
            )
        else:
            message = _(
                "This shift is with children under 15 and needs a clear child certificate "
                "(børneattest). You have none on file yet; ask your coordinator to request one."
            )
        return RuleViolation(message, code="certificate_missing")
    if profile.certificate_valid_until < day:
        return RuleViolation(
            _(
                "This shift is with children under 15 and needs a valid child certificate "
                "(børneattest). Yours is valid until %(until)s, before the shift on %(day)s; "
                "ask your coordinator to renew it."
            ),
            code="certificate_expired",
            until=format_day(profile.certificate_valid_until),
            day=format_day(day),
        )
    return None


def _paused_problem(profile: VolunteerProfile) -> RuleViolation | None:
    if profile.status == ProfileStatus.PAUSED:
        return RuleViolation(
            _(
                "Your volunteering is paused, so you cannot sign up for shifts. Ask your "
                "coordinator to make you active again."
            ),
            code="volunteer_paused",
        )
    return None


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
        return Conflict(_("You already have another shift at this time."), code="shift_overlap")
    return Conflict(
        _(
            "You already have another shift at this time: %(activity)s, %(start)s. "
            "Withdraw from it first, or choose another shift."
        ),
        code="shift_overlap",
        activity=other.shift.activity.name,
        start=_fmt_local(other.shift.start),
        extra={"overlapping_shift": other.shift_id},
    )


def _taken(shift: Shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status=SignupStatus.SIGNED_UP).count()


# --- Profiles and the child certificate ---------------------------------------------------


@transaction.atomic(durable=True)
def volunteer_enrol(
    *,
    actor: User,
    user: User,
    branches: Iterable[Branch],
    agreement_signed_on: date | None = None,
    skills: str = "",
    languages: str = "",
    availability_notes: str = "",
) -> VolunteerProfile:
    """Give an existing account the volunteer role, at ``branches`` (the actor's own)."""
    branches = list(branches)
    if not branches:
        raise RuleViolation(
            _("Choose at least one branch the volunteer will help at."), field="branches"
        )
    for branch in branches:
        _require_branch_staff(actor, branch)
    if VolunteerProfile.objects.filter(user=user).exists():
        raise Conflict(
            _("%(name)s is already a volunteer."), code="already_volunteer", name=user.name
        )
    if agreement_signed_on and agreement_signed_on > local_today():
        raise RuleViolation(
            _("The agreement cannot be signed in the future."), field="agreement_signed_on"
        )
    if user.role == Role.CITIZEN:
        user_set_role(actor=actor, user=user, role=Role.VOLUNTEER)
    profile = VolunteerProfile.objects.create(
        user=user,
        agreement_signed_on=agreement_signed_on,
        skills=skills,
        languages=languages,
        availability_notes=availability_notes,
    )
    profile.branches.set(branches)
    audit_log(
        actor=actor,
        action="volunteer.enrolled",
        target=profile,
        data={"user": user.pk, "branches": sorted(b.slug for b in branches)},
    )
    return profile


PROFILE_FIELDS = {"skills", "languages", "availability_notes", "agreement_signed_on"}


@transaction.atomic(durable=True)
def volunteer_update(
    *, actor: User, profile: VolunteerProfile, data: dict[str, Any]
) -> VolunteerProfile:
    """Change a profile's details; the volunteer may change their own skills, languages and
    availability, staff also the agreement date and branches."""
    own = actor.pk == profile.user_id
    staff = can_manage_volunteer(user=actor, profile=profile)
    if not own and not staff:
        raise NotFound(_PROFILE_NOT_FOUND.message, code=_PROFILE_NOT_FOUND.code)
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    allowed = set(PROFILE_FIELDS) | ({"branches"} if staff else set())
    if not staff:
        allowed.discard("agreement_signed_on")
    unknown = set(data) - allowed
    if unknown:
        raise PermissionDenied(
            _("You may not change %(fields)s."), fields=", ".join(sorted(unknown))
        )
    changes: dict[str, Any] = {}
    for field in sorted(set(data) & PROFILE_FIELDS):
        old = getattr(profile, field)
        if old != data[field]:
            setattr(profile, field, data[field])
            changes[field] = [str(old), str(data[field])]
    if changes:
        profile.save()
    if "branches" in data:
        new = list(data["branches"])
        for branch in new:
            if not actor.is_administrator and branch.pk not in set(
                profile.branches.values_list("pk", flat=True)
            ):
                _require_branch_staff(actor, branch)
        old_slugs = sorted(profile.branches.values_list("slug", flat=True))
        profile.branches.set(new)
        new_slugs = sorted(b.slug for b in new)
        if old_slugs != new_slugs:
            changes["branches"] = [old_slugs, new_slugs]
    if changes:
        audit_log(actor=actor, action="volunteer.updated", target=profile, data=changes)
    return profile


@transaction.atomic(durable=True)
def volunteer_set_status(
    *, actor: User, profile: VolunteerProfile, status: str
) -> VolunteerProfile:
    """Pause a volunteer or make them active again (the volunteer may pause themselves)."""
    if status not in ProfileStatus.values:
        raise RuleViolation(_("Unknown status: %(status)s."), field="status", status=status)
    own = actor.pk == profile.user_id
    if not can_manage_volunteer(user=actor, profile=profile) and not (
        own and status == ProfileStatus.PAUSED
    ):
        raise PermissionDenied()
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    if profile.status == status:
        return profile
    old = profile.status
    profile.status = status
    profile.save(update_fields=["status", "updated_at"])
    audit_log(
        actor=actor,
        action="volunteer.status_changed",
        target=profile,
        data={"old": old, "new": status},
    )
    return profile


@transaction.atomic(durable=True)
def certificate_record(
    *,
    actor: User,
    profile: VolunteerProfile,
    status: str,
    checked_on: date | None = None,
    renewal_years: int | None = None,
) -> VolunteerProfile:
    """Record the child-certificate status (only the status and dates, never the certificate).

    ``clear`` needs the date it was checked; the certificate is then valid until that date
    plus the renewal interval (default 2 years) and refused the day after.
    """
    if not can_manage_volunteer(user=actor, profile=profile):
        raise NotFound(_PROFILE_NOT_FOUND.message, code=_PROFILE_NOT_FOUND.code)
    if status not in CertificateStatus.values:
        raise RuleViolation(
            _("The status must be none, requested or clear."), field="status", code="invalid_status"
        )
    if status == CertificateStatus.CLEAR and checked_on is None:
        raise RuleViolation(
            _("Enter the date the clear certificate was checked."), field="checked_on"
        )
    if checked_on is not None and checked_on > local_today():
        raise RuleViolation(
            _("The date it was checked cannot be in the future."), field="checked_on"
        )
    if renewal_years is not None and not 1 <= renewal_years <= 10:
        raise RuleViolation(
            _("The renewal interval must be between 1 and 10 years."), field="renewal_years"
        )
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    old = {
        "status": profile.certificate_status,
        "checked_on": str(profile.certificate_checked_on or ""),
        "renewal_years": profile.certificate_renewal_years,
    }
    profile.certificate_status = status
    if renewal_years is not None:
        profile.certificate_renewal_years = renewal_years
    if checked_on is not None:
        profile.certificate_checked_on = checked_on
        profile.certificate_checked_by = actor
    if status == CertificateStatus.CLEAR:
        profile.certificate_valid_until = add_years(
            profile.certificate_checked_on, profile.certificate_renewal_years
        )
    else:
        profile.certificate_valid_until = None
    profile.save()
    new = {
        "status": profile.certificate_status,
        "checked_on": str(profile.certificate_checked_on or ""),
        "renewal_years": profile.certificate_renewal_years,
    }
    if old != new:
        audit_log(
            actor=actor,
            action="volunteer.certificate_recorded",
            target=profile,
            data={"old": old, "new": new},
        )
    return profile


# --- Activities -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def activity_create(
    *,
    actor: User,
    branch: Branch,
    name: str,
    description: str = "",
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    coordinator: User | None = None,
    children_under_15: bool = False,
    withdraw_deadline_hours: int = 24,
) -> Activity:
    _require_branch_staff(actor, branch)
    name = name.strip()
    if not name:
        raise RuleViolation(_("Give the activity a name."), field="name")
    if coordinator is not None and not coordinator.is_library_staff:
        raise RuleViolation(_("The coordinator must be a member of staff."), field="coordinator")
    activity = Activity.objects.create(
        branch=branch,
        name=name,
        description=description,
        coordinator=coordinator or actor,
        children_under_15=children_under_15,
        withdraw_deadline_hours=withdraw_deadline_hours,
    )
    activity.tracks.set(list(tracks))
    activity.audiences.set(list(audiences))
    audit_log(
        actor=actor,
        action="activity.created",
        target=activity,
        data={"name": name, "branch": branch.slug, "children_under_15": children_under_15},
    )
    return activity


# --- Shifts ---------------------------------------------------------------------------------


def _check_shift_times(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise RuleViolation(_("Give times with their UTC offset."), field="start")
    if end <= start:
        raise RuleViolation(_("The shift must end after it starts."), field="end")
    if end - start > timedelta(hours=16):
        raise RuleViolation(_("A shift can last at most 16 hours."), field="end")


def _check_room(room: Any, activity_branch_id: int) -> None:
    if room is not None and room.branch_id != activity_branch_id:
        raise RuleViolation(
            _("The room %(room)s is not at the activity's branch."), field="room", room=room.name
        )


def _occupy_room(*, shift: Shift, actor: User) -> None:
    """Hold the shift's room through the rooms service (which raises BookingConflict)."""
    if shift.room_id is None:
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
    if shift.room_booking_id is None:
        return
    room_release(booking=shift.room_booking, actor=actor)
    shift.room_booking = None


@transaction.atomic
def _shift_add(
    *,
    actor: User,
    activity: Activity,
    start: datetime,
    end: datetime,
    needed: int,
    room: Any = None,
    note: str = "",
    series: ShiftSeries | None = None,
) -> Shift:
    _check_shift_times(start, end)
    if needed < 1:
        raise RuleViolation(_("A shift needs at least one volunteer."), field="needed")
    _check_room(room, activity.branch_id)
    shift = Shift.objects.create(
        activity=activity, start=start, end=end, needed=needed, room=room, note=note, series=series
    )
    if room is not None:
        _occupy_room(shift=shift, actor=actor)
        shift.save(update_fields=["room_booking"])
    audit_log(
        actor=actor,
        action="shift.created",
        target=shift,
        data={
            "activity": activity.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "needed": needed,
            "room": getattr(room, "pk", None),
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
    room: Any = None,
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
    room: Any = None,
) -> ShiftSeries:
    """A recurring shift: the rule is expanded in local wall time (the events' recurrence
    engine), holidays and the branch's closures are skipped, and each occurrence is a Shift."""
    _require_activity_staff(actor, activity)
    _check_shift_times(start, end)
    _check_room(room, activity.branch_id)
    if needed < 1:
        raise RuleViolation(_("A shift needs at least one volunteer."), field="needed")
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
        action="shift_series.created",
        target=series,
        data={"rrule": rrule, "shifts": len(occurrences)},
    )
    return series


_UNSET: Any = object()


@transaction.atomic(durable=True)
def shift_update(
    *,
    actor: User,
    shift: Shift,
    start: datetime | None = None,
    end: datetime | None = None,
    needed: int | None = None,
    room: Any = _UNSET,
    note: str | None = None,
) -> Shift:
    """Move a shift, change how many it needs, its room or note. Volunteers who are signed up
    keep their place; a move that would give one of them two shifts at once is refused."""
    _require_activity_staff(actor, shift.activity)
    locking.lock_one(Shift, shift.pk)
    shift = Shift.objects.select_related("activity__branch", "room", "room_booking").get(
        pk=shift.pk
    )
    if shift.cancelled_at is not None:
        raise RuleViolation(_("This shift is cancelled and cannot be changed."), code="cancelled")
    new_start = start or shift.start
    new_end = end or shift.end
    _check_shift_times(new_start, new_end)
    new_room = shift.room if room is _UNSET else room
    _check_room(new_room, shift.activity.branch_id)
    changes: dict[str, Any] = {}
    if needed is not None and needed != shift.needed:
        if needed < 1:
            raise RuleViolation(_("A shift needs at least one volunteer."), field="needed")
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
        changes["needed"] = [shift.needed, needed]
        shift.needed = needed
    moved = new_start != shift.start or new_end != shift.end
    room_changed = getattr(new_room, "pk", None) != shift.room_id
    if moved:
        live = ShiftSignup.objects.filter(
            shift=shift, status=SignupStatus.SIGNED_UP
        ).select_related("volunteer")
        for signup in live:
            if signup.volunteer_id is None:
                continue
            other = _overlapping_signup(
                volunteer_id=signup.volunteer_id,
                start=new_start,
                end=new_end,
                exclude_shift=shift.pk,
            )
            if other is not None:
                raise Conflict(
                    _(
                        "%(name)s, who is signed up, has another shift at the new time "
                        "(%(activity)s, %(start)s)."
                    ),
                    code="shift_overlap",
                    name=signup.volunteer.name,
                    activity=other.shift.activity.name,
                    start=_fmt_local(other.shift.start),
                )
        changes["start"] = [shift.start.isoformat(), new_start.isoformat()]
        changes["end"] = [shift.end.isoformat(), new_end.isoformat()]
        shift.start, shift.end = new_start, new_end
    if moved or room_changed:
        if shift.room_booking_id is not None and new_room is not None and not room_changed:
            shift.room_booking = room_occupancy_move(
                booking=shift.room_booking, start=new_start, end=new_end, actor=actor
            )
        elif room_changed:
            _release_room(shift=shift, actor=actor)
            shift.room = new_room
            _occupy_room(shift=shift, actor=actor)
            changes["room"] = [None, getattr(new_room, "pk", None)]
    if note is not None and note != shift.note:
        changes["note"] = [shift.note, note]
        shift.note = note
    if not changes:
        return shift
    if moved or room_changed:
        shift.sequence += 1
    shift.save()
    if moved:
        try:
            with transaction.atomic():
                ShiftSignup.objects.filter(shift=shift).update(
                    shift_start=shift.start, shift_end=shift.end
                )
        except IntegrityError as error:
            if is_conflict_error(error, {OVERLAP_CONSTRAINT}):
                raise Conflict(
                    _("A volunteer who is signed up has another shift at the new time."),
                    code="shift_overlap",
                ) from error
            raise
    audit_log(actor=actor, action="shift.changed", target=shift, data=changes)
    if moved or room_changed:
        state_changed.send(
            sender=Shift, kind="shift.changed", instance=shift, actor=actor, data=changes
        )
    return shift


@transaction.atomic(durable=True)
def shift_cancel(*, actor: User, shift: Shift, reason: str = "") -> Shift:
    """Cancel a shift: its room is released and its volunteers hear about it."""
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
    audit_log(actor=actor, action="shift.cancelled", target=shift, data={"reason": reason})
    state_changed.send(
        sender=Shift, kind="shift.cancelled", instance=shift, actor=actor, data={"reason": reason}
    )
    return shift


# --- Sign-ups -------------------------------------------------------------------------------


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
    # 1. The volunteer's row: two sign-ups of one person are serialised here.
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    # 2. The shift's row: sign-ups of many people for one shift are serialised here.
    try:
        locking.lock_one(Shift, shift.pk)
        shift = Shift.objects.select_related("activity__branch").get(pk=shift.pk)
    except Shift.DoesNotExist as error:
        raise NotFound() from error
    if shift.cancelled_at is not None:
        raise RuleViolation(_("This shift has been cancelled."), code="shift_cancelled")
    if shift.start <= timezone.now():
        raise RuleViolation(_("This shift has already started."), code="shift_started")
    problem = _paused_problem(profile)
    if problem is None and shift.activity.children_under_15:
        problem = certificate_problem(profile=profile, day=shift_local_date(shift))
    if problem is not None:
        raise problem
    if ShiftSignup.objects.filter(
        shift=shift, volunteer=person, status=SignupStatus.SIGNED_UP
    ).exists():
        raise Conflict(_("You are already signed up for this shift."), code="already_signed_up")
    taken = _taken(shift)
    if taken >= shift.needed:
        raise Conflict(
            _("This shift is full: all %(needed)s places are taken."),
            code="shift_full",
            needed=shift.needed,
        )
    locking.pause(locking.Pause.SIGNUP_AFTER_CAPACITY_COUNT)
    other = _overlapping_signup(volunteer_id=person.pk, start=shift.start, end=shift.end)
    if other is not None:
        raise _overlap_error(other)
    locking.pause(locking.Pause.SIGNUP_AFTER_OVERLAP_CHECK)
    try:
        with transaction.atomic():
            signup = ShiftSignup.objects.create(
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
                _("You are already signed up for this shift."), code="already_signed_up"
            ) from error
        raise
    audit_log(
        actor=actor,
        action="shift.signed_up",
        target=signup,
        data={"shift": shift.pk, "volunteer": person.pk},
    )
    return signup


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
        raise NotFound(_SIGNUP_NOT_FOUND.message, code=_SIGNUP_NOT_FOUND.code)
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
                code="withdraw_deadline_passed",
                deadline=_fmt_local(deadline),
            )
    signup.status = SignupStatus.WITHDRAWN
    signup.withdrawn_at = timezone.now()
    signup.save(update_fields=["status", "withdrawn_at"])
    audit_log(actor=actor, action="shift.withdrawn", target=signup, data={"shift": shift.pk})
    return signup


# --- Attendance and hours -------------------------------------------------------------------


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
        raise NotFound(_SIGNUP_NOT_FOUND.message, code=_SIGNUP_NOT_FOUND.code)
    if signup.status != SignupStatus.SIGNED_UP or signup.shift_cancelled:
        raise RuleViolation(_("You were not signed up for this shift."), code="not_signed_up")
    if signup.shift.start > timezone.now():
        raise RuleViolation(_("You can report a shift once it has started."), code="too_early")
    signup.reported_hours = _clean_hours(hours) or shift_duration_hours(signup.shift)
    signup.reported_at = timezone.now()
    signup.save(update_fields=["reported_hours", "reported_at"])
    audit_log(
        actor=actor,
        action="shift.attendance_reported",
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
        raise RuleViolation(_("This volunteer withdrew from the shift."), code="withdrawn")
    if signup.shift.start > timezone.now():
        raise RuleViolation(
            _("Attendance can be recorded once the shift has started."), code="too_early"
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
        action="shift.attendance_recorded",
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
            code="not_attended",
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
        action="shift.hours_corrected",
        target=signup,
        data={"old": str(old), "new": str(new_hours), "note": note},
    )
    return signup


# --- Session proposals ---------------------------------------------------------------------


def proposal_occurrences(
    *, start: datetime, end: datetime, rrule: str, branch: Branch
) -> list[Occurrence]:
    """Every date a proposal's rule gives, skipped ones (holidays, closures) included with
    their reason: the preview the volunteer sees. Raises RuleViolation for a bad rule."""
    if not rrule.strip():
        return [Occurrence(start=start, end=end, day=timezone.localtime(start, local_tz()).date())]
    return expand(rrule=rrule, first_start=start, first_end=end, branch=branch, limit=120)


def proposal_dates(
    *, start: datetime, end: datetime, rrule: str, branch: Branch
) -> list[tuple[datetime, datetime]]:
    """The dates a proposal would really give (the events' recurrence engine)."""
    occurrences = proposal_occurrences(start=start, end=end, rrule=rrule, branch=branch)
    return [(o.start, o.end) for o in kept(occurrences)]


def _check_proposal(
    *, branch: Branch, room: Any, start: datetime, end: datetime, rrule: str, capacity: int | None
) -> list[tuple[datetime, datetime]]:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise RuleViolation(_("Give times with their UTC offset."), field="start")
    if end <= start:
        raise RuleViolation(_("The session must end after it starts."), field="end")
    if start <= timezone.now():
        raise RuleViolation(_("Choose a time in the future."), field="start")
    if room is not None and room.branch_id != branch.pk:
        raise RuleViolation(
            _("The room %(room)s is not at %(branch)s."),
            field="room",
            room=room.name,
            branch=branch.name,
        )
    if capacity is not None and capacity < 1:
        raise RuleViolation(_("The capacity must be at least 1."), field="capacity")
    if room is not None and capacity is not None and capacity > room.capacity:
        raise RuleViolation(
            _("%(room)s holds at most %(max)s people."),
            field="capacity",
            room=room.name,
            max=room.capacity,
        )
    dates = proposal_dates(start=start, end=end, rrule=rrule, branch=branch)
    if not dates:
        raise RuleViolation(
            _("The repeat rule gives no dates (they may all be holidays or closures)."),
            field="rrule",
        )
    if len(dates) > 60:
        raise RuleViolation(_("A series can have at most 60 sessions."), field="rrule")
    return dates


@transaction.atomic(durable=True)
def proposal_submit(
    *,
    actor: User,
    title: str,
    branch: Branch,
    start: datetime,
    end: datetime,
    description: str = "",
    room: Any = None,
    rrule: str = "",
    tracks: Iterable[Track] = (),
    audiences: Iterable[Audience] = (),
    capacity: int | None = None,
    children_under_15: bool = False,
) -> SessionProposal:
    """A volunteer proposes a session; staff of ``branch`` decide."""
    profile = _profile_of(actor)
    problem = _paused_problem(profile)
    if problem is not None:
        raise problem
    title = title.strip()
    if not title:
        raise RuleViolation(_("Give the session a title."), field="title")
    tracks = list(tracks)
    if not tracks:
        raise RuleViolation(
            _("Choose at least one of the plan's tracks the session belongs to."), field="tracks"
        )
    _check_proposal(branch=branch, room=room, start=start, end=end, rrule=rrule, capacity=capacity)
    proposal = SessionProposal.objects.create(
        volunteer=actor,
        title=title,
        description=description,
        branch=branch,
        room=room,
        start=start,
        end=end,
        rrule=rrule.strip(),
        capacity=capacity,
        children_under_15=children_under_15,
    )
    proposal.tracks.set(list(tracks))
    proposal.audiences.set(list(audiences))
    audit_log(
        actor=actor,
        action="proposal.submitted",
        target=proposal,
        data={"title": title, "branch": branch.slug},
    )
    return proposal


PROPOSAL_FIELDS = {
    "title",
    "description",
    "branch",
    "room",
    "start",
    "end",
    "rrule",
    "capacity",
    "children_under_15",
}


@transaction.atomic(durable=True)
def proposal_update(
    *, actor: User, proposal: SessionProposal, data: dict[str, Any]
) -> SessionProposal:
    """The volunteer changes their proposal while it waits, or as asked; it waits again."""
    proposal = locking.lock_one(SessionProposal, proposal.pk)
    if proposal.volunteer_id != actor.pk:
        raise NotFound(_PROPOSAL_NOT_FOUND.message, code=_PROPOSAL_NOT_FOUND.code)
    if proposal.status not in {ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED}:
        raise RuleViolation(
            _("This proposal has been decided and can no longer be changed."), code="decided"
        )
    if "tracks" in data and not list(data["tracks"]):
        raise RuleViolation(
            _("Choose at least one of the plan's tracks the session belongs to."), field="tracks"
        )
    for field in PROPOSAL_FIELDS & set(data):
        setattr(proposal, field, data[field])
    _check_proposal(
        branch=proposal.branch,
        room=proposal.room,
        start=proposal.start,
        end=proposal.end,
        rrule=proposal.rrule,
        capacity=proposal.capacity,
    )
    old_status = proposal.status
    proposal.status = ProposalStatus.PENDING
    proposal.save()
    if "tracks" in data:
        proposal.tracks.set(list(data["tracks"]))
    if "audiences" in data:
        proposal.audiences.set(list(data["audiences"]))
    audit_log(
        actor=actor,
        action="proposal.updated",
        target=proposal,
        data={"fields": sorted(set(data)), "old_status": old_status},
    )
    return proposal


@transaction.atomic(durable=True)
def proposal_withdraw(*, actor: User, proposal: SessionProposal) -> SessionProposal:
    proposal = locking.lock_one(SessionProposal, proposal.pk)
    if proposal.volunteer_id != actor.pk:
        raise NotFound(_PROPOSAL_NOT_FOUND.message, code=_PROPOSAL_NOT_FOUND.code)
    if proposal.status == ProposalStatus.WITHDRAWN:
        return proposal
    if proposal.status not in {ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED}:
        raise RuleViolation(_("This proposal has already been decided."), code="decided")
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="proposal.withdrawn", target=proposal)
    return proposal


def _lock_undecided(actor: User, proposal: SessionProposal) -> SessionProposal:
    locking.lock_one(SessionProposal, proposal.pk)
    proposal = SessionProposal.objects.select_related("branch", "room", "volunteer").get(
        pk=proposal.pk
    )
    if not can_manage_branch(user=actor, branch=proposal.branch_id):
        raise NotFound(_PROPOSAL_NOT_FOUND.message, code=_PROPOSAL_NOT_FOUND.code)
    if proposal.status != ProposalStatus.PENDING:
        raise RuleViolation(
            _("Only a proposal that awaits a decision can be decided (this one is %(status)s)."),
            code="not_pending",
            status=proposal.get_status_display(),
        )
    return proposal


@transaction.atomic(durable=True)
def proposal_approve(*, actor: User, proposal: SessionProposal) -> SessionProposal:
    """Staff of the branch approve: the proposal becomes a published event (or series) with
    its room occupied and the volunteer as host."""
    proposal = _lock_undecided(actor, proposal)
    host = proposal.volunteer
    if host is None:
        raise RuleViolation(_("The volunteer's account no longer exists."), code="no_host")
    if proposal.start <= timezone.now():
        raise RuleViolation(
            _("The proposed time has passed. Ask the volunteer for a new time instead."),
            code="proposal_in_the_past",
        )
    dates = proposal_dates(
        start=proposal.start, end=proposal.end, rrule=proposal.rrule, branch=proposal.branch
    )
    if proposal.children_under_15:
        profile = VolunteerProfile.objects.filter(user=host).first()
        last_day = timezone.localtime(dates[-1][0], local_tz()).date() if dates else None
        problem = (
            certificate_problem(profile=profile, day=last_day)
            if profile is not None and last_day is not None
            else RuleViolation(_("The host is not a volunteer."), code="not_a_volunteer")
        )
        if problem is not None:
            raise RuleViolation(
                _(
                    "The session is with children under 15, and the host's child certificate "
                    "is not clear and valid until its last date (%(day)s). Record the "
                    "certificate first."
                ),
                code=problem.code,
                day=format_day(last_day) if last_day else "",
            )
    # The events app's composable series writer (its event_create/series_create are durable
    # entry points and cannot run inside this transaction).
    series = event_services.series_build(
        actor=actor,
        rrule=proposal.rrule,
        start=proposal.start,
        end=proposal.end,
        title=proposal.title,
        branch=proposal.branch,
        state=EventState.PUBLISHED,
        include_closed=not proposal.rrule,
        tracks=list(proposal.tracks.all()),
        audiences=list(proposal.audiences.all()),
        partners=[],
        description=proposal.description,
        room=proposal.room,
        capacity=proposal.capacity,
        host=host,
    )
    if proposal.rrule:
        proposal.event_series = series
        proposal.event = None
    else:
        proposal.event = series.events.get()
        proposal.event_series = series
    proposal.status = ProposalStatus.APPROVED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    audit_log(
        actor=actor,
        action="proposal.approved",
        target=proposal,
        data={
            "event": proposal.event_id,
            "series": proposal.event_series_id,
        },
    )
    state_changed.send(
        sender=SessionProposal, kind="proposal.approved", instance=proposal, actor=actor, data={}
    )
    return proposal


@transaction.atomic(durable=True)
def proposal_reject(*, actor: User, proposal: SessionProposal, reason: str) -> SessionProposal:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the volunteer a reason."), field="reason")
    proposal = _lock_undecided(actor, proposal)
    proposal.status = ProposalStatus.REJECTED
    proposal.decision_note = reason
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    audit_log(actor=actor, action="proposal.rejected", target=proposal, data={"reason": reason})
    state_changed.send(
        sender=SessionProposal,
        kind="proposal.rejected",
        instance=proposal,
        actor=actor,
        data={"reason": reason},
    )
    return proposal


@transaction.atomic(durable=True)
def proposal_request_changes(
    *, actor: User, proposal: SessionProposal, note: str
) -> SessionProposal:
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_("Say which changes you would like."), field="note")
    proposal = _lock_undecided(actor, proposal)
    proposal.status = ProposalStatus.CHANGES_REQUESTED
    proposal.decision_note = note
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.save()
    audit_log(
        actor=actor, action="proposal.changes_requested", target=proposal, data={"note": note}
    )
    state_changed.send(
        sender=SessionProposal,
        kind="proposal.changes_requested",
        instance=proposal,
        actor=actor,
        data={"note": note},
    )
    return proposal


def session_check_in(*, actor: User, event_pk: int, registration_pk: int) -> Any:
    """The host of a session checks a registration in (the events app's gate and service:
    only the host of that event, or its branch's staff; anyone else gets a 404)."""
    event = event_get_for_host(actor=actor, pk=event_pk)
    registration = registration_get_for(actor=actor, pk=registration_pk)
    if registration.event_id != event.pk:
        raise NotFound()
    return registration_check_in(actor=actor, registration=registration)


# --- Retention ------------------------------------------------------------------------------


def signup_link_kept_until(*, shift_start: datetime) -> datetime:
    """When an attended sign-up may lose its volunteer: the end of the first quarter after the
    shift's (local) year, so "my hours this year" and the hours-per-volunteer report of the
    year stay right through the year and the reporting after it."""
    year = timezone.localtime(shift_start, local_tz()).year
    return day_bounds(date(year + 1, 4, 1))[0]


@transaction.atomic(durable=True)
def signups_anonymise_old(*, now: datetime | None = None) -> int:
    """Retention: drop the volunteer from sign-ups of shifts that ended > 30 days ago.

    Status, attendance and hours stay, so the totals per activity, track, branch and quarter
    (and the plans' volunteer hours) do not change. Sign-ups that count towards someone's
    hours (``attended``, or attendance not recorded yet) keep the link until the end of the
    first quarter after the shift's year (``signup_link_kept_until``), so a volunteer's own
    yearly total and the hours per volunteer stay right; withdrawn, cancelled and not-attended
    ones are cleared after 30 days.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=RETENTION_DAYS)
    local_year = timezone.localtime(now, local_tz()).year
    # The newest year whose per-volunteer hours may go: last year once 1 April has come.
    done_year = local_year - 1 if now >= day_bounds(date(local_year, 4, 1))[0] else local_year - 2
    counted_before = day_bounds(date(done_year + 1, 1, 1))[0]
    not_counting = Q(status=SignupStatus.WITHDRAWN) | Q(shift_cancelled=True) | Q(attended=False)
    count = (
        ShiftSignup.objects.filter(shift__end__lt=cutoff, volunteer__isnull=False)
        .filter(not_counting | Q(shift__start__lt=counted_before))
        .update(volunteer=None)
    )
    if count:
        AuditLog.objects.create(
            action="shift_signups.anonymised",
            target_type="volunteers.shiftsignup",
            target_id="*",
            data={"count": count, "ended_before": cutoff.isoformat()},
        )
    return count


# --- Ending a volunteer profile ----------------------------------------------------------------

# A profile without a shift (and unchanged) for this long is removed (docs/privacy.md).
PROFILE_IDLE_DAYS = 365


def _withdraw_coming_signups(*, volunteer: User, actor: User | None, reason: str) -> int:
    """Take ``volunteer`` off every shift that has not started (whatever the withdraw deadline:
    they will not come). Attended and past sign-ups are left as they are, so hours stay."""
    coming = locking.lock_rows(
        ShiftSignup.objects.filter(
            volunteer=volunteer, status=SignupStatus.SIGNED_UP, shift__start__gt=timezone.now()
        ).order_by("pk")
    )
    count = 0
    for signup in coming:
        signup.status = SignupStatus.WITHDRAWN
        signup.withdrawn_at = timezone.now()
        signup.save(update_fields=["status", "withdrawn_at"])
        audit_log(
            actor=actor,
            action="shift.withdrawn",
            target=signup,
            data={"shift": signup.shift_id, "reason": reason},
        )
        count += 1
    return count


def _withdraw_open_proposals(*, volunteer: User, actor: User | None) -> int:
    open_ones = locking.lock_rows(
        SessionProposal.objects.filter(
            volunteer=volunteer,
            status__in=[ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED],
        ).order_by("pk")
    )
    count = 0
    for proposal in open_ones:
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="proposal.withdrawn", target=proposal)
        count += 1
    return count


@transaction.atomic
def _profile_remove(
    *, profile: VolunteerProfile, actor: User | None, reason: str
) -> dict[str, int]:
    """Remove a volunteer profile and every personal field on it (skills, languages,
    availability, agreement date, child-certificate status and dates, branches, activities).

    Coming shifts and open proposals are withdrawn; past sign-ups keep their hours and, for
    now, their link to the account (unlinked later by ``signups_anonymise_old``), so the
    year's hours and the plan's numbers do not change. A volunteer becomes a citizen again.
    """
    profile = locking.lock_one(VolunteerProfile, profile.pk)
    user = User.objects.get(pk=profile.user_id)
    withdrawn = _withdraw_coming_signups(volunteer=user, actor=actor, reason=reason)
    proposals = _withdraw_open_proposals(volunteer=user, actor=actor)
    audit_log(
        actor=actor,
        action="volunteer.profile_ended",
        target=profile,
        data={"reason": reason, "signups_withdrawn": withdrawn, "proposals_withdrawn": proposals},
    )
    profile.delete()
    if user.role == Role.VOLUNTEER:
        user_set_role(actor=actor, user=user, role=Role.CITIZEN)
    return {"shift_signups_cancelled": withdrawn, "proposals_withdrawn": proposals}


@transaction.atomic(durable=True)
def volunteer_profile_end(*, actor: User, profile: VolunteerProfile, reason: str = "") -> None:
    """Staff of the volunteer's branch (or an administrator) record that a volunteer stops:
    the profile and its personal fields are removed; the hours already given stay counted."""
    if not can_manage_volunteer(user=actor, profile=profile):
        raise NotFound(_PROFILE_NOT_FOUND.message, code=_PROFILE_NOT_FOUND.code)
    if not VolunteerProfile.objects.filter(pk=profile.pk).exists():
        return  # ended already
    _profile_remove(profile=profile, actor=actor, reason=(reason or "").strip()[:300])


@transaction.atomic(durable=True)
def volunteer_profiles_remove_idle(*, now: datetime | None = None) -> int:
    """Retention: remove the profiles of volunteers with no shift for 12 months (and no change
    to the profile in that time: a volunteer staff have just dealt with stays). A shift counts
    if the volunteer was on it (signed up, not withdrawn, the shift not cancelled), whether it
    lies in the last 12 months or is still to come."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=PROFILE_IDLE_DAYS)
    recent_shift = ShiftSignup.objects.filter(
        volunteer=OuterRef("user"),
        status=SignupStatus.SIGNED_UP,
        shift_cancelled=False,
        shift__start__gte=cutoff,
    )
    idle = (
        VolunteerProfile.objects.filter(created_at__lt=cutoff, updated_at__lt=cutoff)
        .exclude(Exists(recent_shift))
        .order_by("pk")
    )
    removed = 0
    for profile in idle:
        _profile_remove(profile=profile, actor=None, reason="no shift for 12 months")
        removed += 1
    if removed:
        from core.models import AuditLog  # noqa: PLC0415

        AuditLog.objects.create(
            action="volunteer_profiles.removed_idle",
            target_type="volunteers.volunteerprofile",
            target_id="*",
            data={"count": removed, "idle_since": cutoff.isoformat()},
        )
    return removed


@transaction.atomic
def volunteer_release_person(*, person: User) -> dict[str, int]:
    """Account deletion (composable): end the volunteer profile (if any), withdraw coming shifts
    and open proposals, then remove the person from all sign-ups and proposals. Hours stay, so
    the plan's numbers do not change."""
    counts = {"shift_signups_cancelled": 0, "proposals_withdrawn": 0}
    profile = VolunteerProfile.objects.filter(user=person).first()
    if profile is not None:
        counts = _profile_remove(profile=profile, actor=person, reason="account deleted")
    else:
        counts["shift_signups_cancelled"] = _withdraw_coming_signups(
            volunteer=person, actor=person, reason="account deleted"
        )
        counts["proposals_withdrawn"] = _withdraw_open_proposals(volunteer=person, actor=person)
    counts["shift_signups_unlinked"] = ShiftSignup.objects.filter(volunteer=person).update(
        volunteer=None
    )
    counts["proposals_unlinked"] = SessionProposal.objects.filter(volunteer=person).update(
        volunteer=None
    )
    return counts
