"""Retention (docs/privacy.md): sign-ups lose their volunteer when nobody needs the link any
more, idle profiles are removed, and an account's deletion releases the person."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.contracts import AuditAction
from core.models import AuditLog, User
from core.timeutils import day_bounds, local_tz
from volunteers.models import SessionProposal, ShiftSignup, SignupStatus, VolunteerProfile
from volunteers.services.profiles import (
    _profile_remove,
    _withdraw_coming_signups,
    _withdraw_open_proposals,
)

RETENTION_DAYS = 30
# A profile without a shift (and unchanged) for this long is removed (docs/privacy.md).
PROFILE_IDLE_DAYS = 365


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
            action=AuditAction.SHIFT_SIGNUPS_ANONYMISED,
            target_type="volunteers.shiftsignup",
            target_id="*",
            data={"count": count, "ended_before": cutoff.isoformat()},
        )
    return count


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
        AuditLog.objects.create(
            action=AuditAction.VOLUNTEER_PROFILES_REMOVED_IDLE,
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
