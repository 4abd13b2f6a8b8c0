"""Reads about the work: activities, shifts, sign-ups and hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, NotFound, RuleViolation
from core.models import Branch, User
from core.selectors import branches_managed_by, can_manage_branch
from core.timeutils import day_bounds, local_today, local_tz
from volunteers.models import (
    Activity,
    CertificateStatus,
    HoursCorrection,
    ProfileStatus,
    Shift,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

LIVE = Q(status=SignupStatus.SIGNED_UP)


class _Taken(TypedDict):
    """``shift_list``'s annotation: the shift's live sign-ups."""

    taken: int


# --- Activities -------------------------------------------------------------------------------


def activity_list(*, branch: Branch | str | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.select_related("branch", "coordinator").prefetch_related(
        "tracks", "audiences"
    )
    if isinstance(branch, str):
        qs = qs.filter(branch__slug=branch)
    elif branch is not None:
        qs = qs.filter(branch=branch)
    return qs.order_by("branch__position", "name")


def activity_get(*, pk: int) -> Activity:
    activity = Activity.objects.select_related("branch", "coordinator").filter(pk=pk).first()
    if activity is None:
        raise RuleViolation(_("Unknown activity: %(pk)s."), field="activity", pk=pk)
    return activity


# --- Shifts -----------------------------------------------------------------------------------


def shift_list(
    *,
    branch: str | Branch | None = None,
    activity: int | None = None,
    start_after: datetime | None = None,
    start_before: datetime | None = None,
    open_only: bool = False,
    include_cancelled: bool = False,
) -> QuerySet[WithAnnotations[Shift, _Taken]]:
    """Shifts with ``taken`` (live sign-ups) annotated, activity, branch and room joined.
    ``open_only``: not cancelled, not started, with a free place."""
    qs = Shift.objects.select_related("activity__branch", "room").annotate(
        taken=Count("signups", filter=Q(signups__status=SignupStatus.SIGNED_UP))
    )
    if isinstance(branch, str):
        qs = qs.filter(activity__branch__slug=branch)
    elif branch is not None:
        qs = qs.filter(activity__branch=branch)
    if activity is not None:
        qs = qs.filter(activity_id=activity)
    if start_after is not None:
        qs = qs.filter(start__gte=start_after)
    if start_before is not None:
        qs = qs.filter(start__lt=start_before)
    if not include_cancelled or open_only:
        qs = qs.filter(cancelled_at__isnull=True)
    if open_only:
        qs = qs.filter(start__gt=timezone.now(), taken__lt=F("needed"))
    return qs.order_by("start", "pk")


def shift_get(*, pk: int) -> WithAnnotations[Shift, _Taken]:
    try:
        return shift_list(include_cancelled=True).get(pk=pk)
    except Shift.DoesNotExist as error:
        raise NotFound(_("The shift does not exist."), code=ErrorCode.SHIFT_NOT_FOUND) from error


def open_shifts_for(
    *, volunteer: User, profile: VolunteerProfile, limit: int = 20
) -> list[WithAnnotations[Shift, _Taken]]:
    """Coming shifts with a free place at the volunteer's branches that they could take now:
    not already theirs, not overlapping one of theirs, and (on child activities) within
    their certificate's validity. Not paused."""
    if profile.status == ProfileStatus.PAUSED:
        return []
    branch_ids = [b.pk for b in profile.branches.all()]
    mine = ShiftSignup.objects.filter(volunteer=volunteer, status=SignupStatus.SIGNED_UP)
    overlapping = mine.filter(
        shift_cancelled=False, shift_start__lt=OuterRef("end"), shift_end__gt=OuterRef("start")
    )
    qs = (
        shift_list(open_only=True)
        .exclude(Exists(overlapping))
        .exclude(pk__in=mine.values("shift_id"))
    )
    if branch_ids:
        qs = qs.filter(activity__branch_id__in=branch_ids)
    if profile.certificate_status == CertificateStatus.CLEAR and profile.certificate_valid_until:
        _start, valid_end = day_bounds(profile.certificate_valid_until)
        qs = qs.filter(Q(activity__children_under_15=False) | Q(start__lt=valid_end))
    else:
        qs = qs.filter(activity__children_under_15=False)
    return list(qs[:limit])


def unfilled_shifts(*, actor: User, days: int = 14) -> QuerySet[WithAnnotations[Shift, _Taken]]:
    """Coming shifts in the next ``days`` days at the actor's branches that still need people
    (each with ``missing``, the places still free)."""
    now = timezone.now()
    return (
        shift_list(start_after=now, start_before=now + timedelta(days=days))
        .filter(activity__branch__in=branches_managed_by(user=actor))
        .filter(taken__lt=F("needed"))
        .annotate(missing=F("needed") - F("taken"))
        .order_by("activity__branch__position", "start")
    )


def staff_count_unfilled(user: User) -> int:
    """The staff start page's count (``core.mypage``): ``unfilled_shifts`` in the next 14
    days at ``user``'s branches. One query."""
    return unfilled_shifts(actor=user, days=14).count()


# --- Sign-ups ---------------------------------------------------------------------------------


def signup_list_for(*, volunteer: User) -> QuerySet[ShiftSignup]:
    """One's own sign-ups, newest shift first, with the shift, activity, branch and room."""
    return (
        ShiftSignup.objects.filter(volunteer=volunteer)
        .select_related("shift__activity__branch", "shift__room")
        .order_by("-shift__start", "-pk")
    )


def signup_get_for(*, actor: User, pk: int) -> ShiftSignup:
    """One's own sign-up; someone else's is a 404. Staff of the activity reach it too."""
    signup = (
        ShiftSignup.objects.select_related("shift__activity__branch", "shift__room", "volunteer")
        .filter(pk=pk)
        .first()
    )
    if signup is None:
        raise _signup_not_found()
    if signup.volunteer_id == actor.pk:
        return signup
    activity = signup.shift.activity
    if actor.is_library_staff and (
        activity.coordinator_id == actor.pk
        or can_manage_branch(user=actor, branch=activity.branch_id)
    ):
        return signup
    raise _signup_not_found()


def _signup_not_found() -> NotFound:
    return NotFound(
        _("The sign-up does not exist, or it is not yours."), code=ErrorCode.SIGNUP_NOT_FOUND
    )


def next_shifts_for(*, volunteer: User, limit: int = 10) -> QuerySet[ShiftSignup]:
    return (
        signup_list_for(volunteer=volunteer)
        .filter(LIVE, shift__end__gte=timezone.now(), shift__cancelled_at__isnull=True)
        .order_by("shift__start")[:limit]
    )


def signups_to_report(*, volunteer: User, days: int = 30) -> QuerySet[ShiftSignup]:
    """Past shifts (last ``days`` days) the volunteer was signed up for, with no attendance
    recorded and no report of their own yet."""
    now = timezone.now()
    return (
        signup_list_for(volunteer=volunteer)
        .filter(
            LIVE,
            shift_cancelled=False,
            attended__isnull=True,
            reported_at__isnull=True,
            shift__start__lt=now,
            shift__start__gte=now - timedelta(days=days),
        )
        .order_by("shift__start")
    )


def shift_roster(*, shift: Shift) -> QuerySet[ShiftSignup]:
    return (
        ShiftSignup.objects.filter(shift=shift)
        .select_related("volunteer")
        .order_by("status", "created_at")
    )


# --- Hours ------------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_bounds(date(year, 1, 1))[0], day_bounds(date(year + 1, 1, 1))[0]


def hours_this_year(*, volunteer: User, year: int | None = None) -> Decimal:
    start, end = _year_bounds(year or local_today().year)
    total = ShiftSignup.objects.filter(
        volunteer=volunteer, attended=True, shift__start__gte=start, shift__start__lt=end
    ).aggregate(total=Coalesce(Sum("hours"), Decimal("0")))["total"]
    return Decimal(total).quantize(Decimal("0.01"))


HOURS_GROUPS = {
    "volunteer": ("volunteer_id", "volunteer__name"),
    "activity": ("shift__activity_id", "shift__activity__name"),
    "track": ("shift__activity__tracks__slug", "shift__activity__tracks__name_da"),
    "branch": ("shift__activity__branch__slug", "shift__activity__branch__name"),
    "quarter": ("quarter", "quarter"),
}


@dataclass(frozen=True)
class HoursRow:
    # The group's key: a volunteer's or activity's id, a track's or branch's slug, a quarter
    # (None for the hours of sign-ups that no longer name their volunteer).
    key: int | str | None
    label: str
    quarter: int | None
    hours: Decimal
    shifts: int


def hours_report(
    *,
    year: int,
    group_by: str = "volunteer",
    by_quarter: bool = False,
    branches: QuerySet[Branch] | list[Branch] | None = None,
) -> list[HoursRow]:
    """Attended hours in ``year`` grouped by volunteer, activity, track, branch or quarter
    (and, with ``by_quarter``, by quarter within each). Quarters follow the shift's local date.
    An activity with two tracks counts its hours under each track. One query."""
    if group_by not in HOURS_GROUPS:
        raise ValueError(group_by)
    start, end = _year_bounds(year)
    qs = ShiftSignup.objects.filter(
        attended=True, shift__start__gte=start, shift__start__lt=end, hours__isnull=False
    )
    if branches is not None:
        qs = qs.filter(shift__activity__branch__in=branches)
    qs = qs.annotate(
        quarter=ExtractQuarter("shift__start", tzinfo=local_tz()),
        year=ExtractYear("shift__start", tzinfo=local_tz()),
    )
    key, label = HOURS_GROUPS[group_by]
    if group_by == "track":
        qs = qs.filter(shift__activity__tracks__isnull=False)
    fields = [key, label] if key != label else [key]
    if by_quarter and group_by != "quarter":
        fields.append("quarter")
    rows = qs.values(*fields).annotate(total=Sum("hours"), shifts=Count("pk")).order_by(*fields)
    out = [
        HoursRow(
            key=row[key],
            label=str(row[label] if row[label] is not None else ""),
            quarter=row.get("quarter"),
            hours=Decimal(row["total"]).quantize(Decimal("0.01")),
            shifts=row["shifts"],
        )
        for row in rows
    ]
    if group_by == "quarter":
        out = [
            HoursRow(
                key=r.key, label=f"Q{r.key}", quarter=r.quarter, hours=r.hours, shifts=r.shifts
            )
            for r in out
        ]
    return out


def hours_corrections_of(*, volunteer: User) -> QuerySet[HoursCorrection]:
    return (
        HoursCorrection.objects.filter(signup__volunteer=volunteer)
        .select_related("signup__shift__activity")
        .order_by("created_at", "pk")
    )


def closure_impact_shifts(
    branch: Branch, start: datetime, end: datetime
) -> list[dict[str, object]]:
    """The shifts of ``branch`` not cancelled in [start, end), with how many are signed up
    (for ``core.closure_impact``). One query."""
    shifts = (
        Shift.objects.select_related("activity")
        .filter(activity__branch=branch, cancelled_at__isnull=True, start__lt=end, end__gt=start)
        .annotate(signed_up=Count("signups", filter=Q(signups__status=SignupStatus.SIGNED_UP)))
        .order_by("start", "pk")
    )
    return [
        {
            "id": s.pk,
            "kind": "shift",
            "title": s.activity.name,
            "start": s.start,
            "end": s.end,
            "people": s.signed_up,
        }
        for s in shifts
    ]
