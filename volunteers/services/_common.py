"""What the volunteers' services share: the constraint names, the small date and hours
helpers, the permission questions and the rules a volunteer must meet to take a shift."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, NotFound, PermissionDenied, RuleViolation
from core.models import Branch, User
from core.selectors import can_manage_branch
from core.timeutils import local_today, local_tz
from volunteers.models import (
    Activity,
    CertificateStatus,
    ProfileStatus,
    Shift,
    VolunteerProfile,
)

OVERLAP_CONSTRAINT = "signup_no_overlapping_shifts"
UNIQUE_SIGNUP_CONSTRAINT = "signup_one_live_per_volunteer_and_shift"


@dataclass(frozen=True)
class _Gone:
    """The 404 for something that does not exist or is someone else's."""

    message: str | Promise
    code: ErrorCode

    def error(self) -> NotFound:
        return NotFound(self.message, code=self.code)


_PROFILE_NOT_FOUND = _Gone(
    _("The volunteer does not exist, or is not at one of your branches."),
    ErrorCode.VOLUNTEER_NOT_FOUND,
)
_SIGNUP_NOT_FOUND = _Gone(
    _("The sign-up does not exist, or it is not yours."), ErrorCode.SIGNUP_NOT_FOUND
)
_PROPOSAL_NOT_FOUND = _Gone(
    _("The proposal does not exist, or it is not yours."), ErrorCode.PROPOSAL_NOT_FOUND
)


# --- Dates and hours -----------------------------------------------------------------------


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


# --- Who may do what -----------------------------------------------------------------------


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
            code=ErrorCode.NOT_A_VOLUNTEER,
        )
    return profile


# --- What a volunteer must meet ------------------------------------------------------------


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
        return RuleViolation(message, code=ErrorCode.CERTIFICATE_MISSING)
    if profile.certificate_valid_until < day:
        return RuleViolation(
            _(
                "This shift is with children under 15 and needs a valid child certificate "
                "(børneattest). Yours is valid until %(until)s, before the shift on %(day)s; "
                "ask your coordinator to renew it."
            ),
            code=ErrorCode.CERTIFICATE_EXPIRED,
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
            code=ErrorCode.VOLUNTEER_PAUSED,
        )
    return None
