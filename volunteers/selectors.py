"""Reads of the volunteers app. Querysets carry the joins their callers need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotFound, RuleViolation
from core.models import Audience, Branch, Track, User
from core.selectors import branches_managed_by, can_manage_branch, user_get_by_email
from core.timeutils import day_bounds, local_today, local_tz
from events.models import Event
from events.selectors import event_get_for_host, event_registrations, with_seats
from rooms.models import Room
from volunteers.models import (
    Activity,
    CertificateStatus,
    HoursCorrection,
    ProfileStatus,
    ProposalStatus,
    SessionProposal,
    Shift,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)

LIVE = Q(status=SignupStatus.SIGNED_UP)


# --- Profiles ---------------------------------------------------------------------------------


def volunteer_profile_for(*, user: User | None) -> VolunteerProfile | None:
    """The profile of ``user`` if they are a volunteer (else None)."""
    if user is None or not user.is_authenticated:
        return None
    return (
        VolunteerProfile.objects.select_related("user", "certificate_checked_by")
        .prefetch_related("branches")
        .filter(user=user)
        .first()
    )


def is_volunteer(*, user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and VolunteerProfile.objects.filter(user=user).exists()
    )


def volunteer_list_for(*, actor: User) -> QuerySet[VolunteerProfile]:
    """The volunteers ``actor`` (staff) may manage: those at their branches."""
    qs = VolunteerProfile.objects.select_related("user").prefetch_related("branches")
    if actor.is_administrator:
        return qs
    if not actor.is_library_staff:
        return qs.none()
    return qs.filter(branches__in=branches_managed_by(user=actor)).distinct()


def volunteer_get_for(*, actor: User, pk: int) -> VolunteerProfile:
    try:
        return volunteer_list_for(actor=actor).get(pk=pk)
    except VolunteerProfile.DoesNotExist as error:
        raise NotFound(
            _("The volunteer does not exist, or is not at one of your branches."),
            code="volunteer_not_found",
        ) from error


def certificates_expiring(*, within_days: int = 60) -> QuerySet[VolunteerProfile]:
    """Profiles of active (not paused) volunteers on child activities (a regular activity with children
    under 15, or a live sign-up for a coming shift of one) whose child certificate is missing
    (not clear) or is valid only until a day within ``within_days`` of today (or already past).

    Each has ``certificate_valid_until`` (None when missing); ``user`` and ``branches`` are
    loaded, and ``child_activities`` (to_attr) lists the child activities with their
    coordinators, so a mail can go to the volunteer and the coordinator.
    """
    today = local_today()
    horizon = today + timedelta(days=within_days)
    now = timezone.now()
    upcoming_child_signup = ShiftSignup.objects.filter(
        volunteer=OuterRef("user"),
        status=SignupStatus.SIGNED_UP,
        shift_cancelled=False,
        shift__activity__children_under_15=True,
        shift__end__gte=now,
    )
    on_child_activity = Q(activities__children_under_15=True) | Q(Exists(upcoming_child_signup))
    missing_or_expiring = (
        ~Q(certificate_status=CertificateStatus.CLEAR)
        | Q(certificate_valid_until__isnull=True)
        | Q(certificate_valid_until__lte=horizon)
    )
    ids = (
        VolunteerProfile.objects.filter(user__is_active=True, status=ProfileStatus.ACTIVE)
        .filter(on_child_activity)
        .filter(missing_or_expiring)
        .values("pk")
    )
    return (
        VolunteerProfile.objects.filter(pk__in=ids)
        .select_related("user", "certificate_checked_by")
        .prefetch_related(
            "branches",
            Prefetch(
                "activities",
                queryset=Activity.objects.filter(children_under_15=True).select_related(
                    "coordinator", "branch"
                ),
                to_attr="child_activities",
            ),
        )
        .order_by("certificate_valid_until", "user__name")
    )


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


# --- Shifts -----------------------------------------------------------------------------------


def shift_list(
    *,
    branch: str | Branch | None = None,
    activity: int | None = None,
    start_after: datetime | None = None,
    start_before: datetime | None = None,
    open_only: bool = False,
    include_cancelled: bool = False,
) -> QuerySet[Shift]:
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


def shift_get(*, pk: int) -> Shift:
    try:
        return shift_list(include_cancelled=True).get(pk=pk)
    except Shift.DoesNotExist as error:
        raise NotFound(_("The shift does not exist."), code="shift_not_found") from error


def open_shifts_for(*, volunteer: User, profile: VolunteerProfile, limit: int = 20) -> list[Shift]:
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


def unfilled_shifts(*, actor: User, days: int = 14) -> QuerySet[Shift]:
    """Coming shifts in the next ``days`` days at the actor's branches that still need people."""
    now = timezone.now()
    return (
        shift_list(start_after=now, start_before=now + timedelta(days=days))
        .filter(activity__branch__in=branches_managed_by(user=actor))
        .filter(taken__lt=F("needed"))
        .annotate(missing=F("needed") - F("taken"))
        .order_by("activity__branch__position", "start")
    )


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
    return NotFound(_("The sign-up does not exist, or it is not yours."), code="signup_not_found")


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
    key: Any
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
            HoursRow(key=r.key, label=f"Q{r.key}", quarter=r.key, hours=r.hours, shifts=r.shifts)
            for r in out
        ]
    return out


# --- Session proposals ------------------------------------------------------------------------


def proposal_list_for(*, actor: User) -> QuerySet[SessionProposal]:
    """Volunteers see their own; staff see those of their branches (administrators all)."""
    qs = SessionProposal.objects.select_related(
        "branch", "room", "volunteer", "event", "event_series"
    ).prefetch_related("tracks", "audiences")
    if actor.is_library_staff:
        if actor.is_administrator:
            return qs
        return qs.filter(branch__in=branches_managed_by(user=actor))
    return qs.filter(volunteer=actor)


def proposal_get_for(*, actor: User, pk: int) -> SessionProposal:
    proposal = proposal_list_for(actor=actor).filter(pk=pk).first()
    if proposal is None and actor.is_library_staff:
        proposal = SessionProposal.objects.filter(pk=pk, volunteer=actor).first()
    if proposal is None:
        raise NotFound(
            _("The proposal does not exist, or it is not yours."), code="proposal_not_found"
        )
    return proposal


def proposal_queue(*, actor: User) -> QuerySet[SessionProposal]:
    return (
        proposal_list_for(actor=actor).filter(status=ProposalStatus.PENDING).order_by("created_at")
    )


# --- Lookups for the interfaces ----------------------------------------------------------------


def branches_by_slug(*, slugs: list[str]) -> list[Branch]:
    """The branches named by ``slugs``; NotFound (404) naming the first unknown one."""
    found = {b.slug: b for b in Branch.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise RuleViolation(_("Unknown branch: %(slug)s."), field="branch", slug=slug)
    return [found[s] for s in dict.fromkeys(slugs)]


def tracks_by_slug(*, slugs: list[str]) -> list[Track]:
    found = {t.slug: t for t in Track.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise RuleViolation(_("Unknown track: %(slug)s."), field="tracks", slug=slug)
    return [found[s] for s in dict.fromkeys(slugs)]


def audiences_by_slug(*, slugs: list[str]) -> list[Audience]:
    found = {a.slug: a for a in Audience.objects.filter(slug__in=slugs)}
    for slug in slugs:
        if slug not in found:
            raise RuleViolation(_("Unknown audience: %(slug)s."), field="audiences", slug=slug)
    return [found[s] for s in dict.fromkeys(slugs)]


def room_get(*, pk: int) -> Room:
    room = Room.objects.select_related("branch").filter(pk=pk).first()
    if room is None:
        raise RuleViolation(_("Unknown room: %(pk)s."), field="room", pk=pk)
    return room


def rooms_at(*, branch: Branch | int) -> QuerySet[Room]:
    return Room.objects.filter(branch=branch).order_by("name")


def rooms_in(*, branches: QuerySet[Branch]) -> QuerySet[Room]:
    return (
        Room.objects.filter(branch__in=branches)
        .select_related("branch")
        .order_by("branch__position", "name")
    )


def activity_get(*, pk: int) -> Activity:
    activity = Activity.objects.select_related("branch", "coordinator").filter(pk=pk).first()
    if activity is None:
        raise RuleViolation(_("Unknown activity: %(pk)s."), field="activity", pk=pk)
    return activity


def user_by_email(*, email: str) -> User:
    user = user_get_by_email(email=email)
    if user is None:
        raise RuleViolation(
            _("No account has the e-mail address %(email)s. Ask the person to create one first."),
            field="email",
            email=email,
        )
    return user


def user_get(*, pk: int) -> User:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise RuleViolation(_("Unknown person: %(pk)s."), field="volunteer", pk=pk)
    return user


# --- Sessions hosted by a volunteer (events app's selectors) ---------------------------------


def hosted_sessions(*, host: User, upcoming_only: bool = True) -> QuerySet[Any]:
    """Events the person hosts (approved proposals), with their confirmed seats."""
    qs = Event.objects.filter(host=host).select_related("branch", "room")
    if upcoming_only:
        qs = qs.filter(end__gte=timezone.now() - timedelta(hours=12))
    return with_seats(qs).order_by("start", "pk")


def hosted_event_registrations(*, actor: User, pk: int) -> tuple[Any, QuerySet[Any]]:
    """The event and its registrations, for its host (or its branch's staff); NotFound for
    anyone else, including other volunteers and hosts."""
    event = event_get_for_host(actor=actor, pk=pk)
    return event, event_registrations(event=event)


# --- The person's own data (export) -------------------------------------------------------------


def proposals_by(*, volunteer: User) -> QuerySet[SessionProposal]:
    """Every proposal the person made (staff's lists of their branches' proposals aside)."""
    return (
        SessionProposal.objects.filter(volunteer=volunteer)
        .select_related("branch", "room")
        .prefetch_related("tracks", "audiences")
        .order_by("created_at", "pk")
    )


def hours_corrections_of(*, volunteer: User) -> QuerySet[HoursCorrection]:
    return (
        HoursCorrection.objects.filter(signup__volunteer=volunteer)
        .select_related("signup__shift__activity")
        .order_by("created_at", "pk")
    )


def volunteers_for_staff_page(*, actor: User) -> QuerySet[VolunteerProfile]:
    """The volunteers ``actor`` manages, by name, with their branches and last shift start."""
    last_shift = (
        ShiftSignup.objects.filter(
            volunteer=OuterRef("user"), status=SignupStatus.SIGNED_UP, shift_cancelled=False
        )
        .order_by("-shift__start")
        .values("shift__start")[:1]
    )
    return (
        volunteer_list_for(actor=actor)
        .annotate(last_shift=Subquery(last_shift))
        .order_by("user__name", "pk")
    )
