"""Reads about the people: volunteers' profiles and child certificates, their session
proposals and the sessions they host, and the lookups the interfaces need."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, NotFound, RuleViolation
from core.models import Audience, Branch, Track, User
from core.selectors import branches_managed_by, user_get_by_email
from core.timeutils import local_today
from events.models import Event, Registration
from events.selectors import event_get_for_host, event_registrations, with_seats
from rooms.models import Room
from volunteers.models import (
    Activity,
    CertificateStatus,
    ProfileStatus,
    ProposalStatus,
    SessionProposal,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)

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
            code=ErrorCode.VOLUNTEER_NOT_FOUND,
        ) from error


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


def staff_count_certificates(user: User) -> int:
    """The staff start page's count (``core.mypage``): volunteers at ``user``'s branches whose
    child certificate is missing or runs out within 60 days, as the certificates page lists
    them. One query."""
    mine = volunteer_list_for(actor=user).values("pk")
    return certificates_expiring(within_days=60).filter(pk__in=mine).count()


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
            _("The proposal does not exist, or it is not yours."), code=ErrorCode.PROPOSAL_NOT_FOUND
        )
    return proposal


def proposal_queue(*, actor: User) -> QuerySet[SessionProposal]:
    return (
        proposal_list_for(actor=actor).filter(status=ProposalStatus.PENDING).order_by("created_at")
    )


def staff_count_proposals(user: User) -> int:
    """The staff start page's count (``core.mypage``): proposals waiting for a decision at
    ``user``'s branches. One query."""
    if not user.is_library_staff:
        return 0
    return proposal_queue(actor=user).count()


def proposals_by(*, volunteer: User) -> QuerySet[SessionProposal]:
    """Every proposal the person made (staff's lists of their branches' proposals aside)."""
    return (
        SessionProposal.objects.filter(volunteer=volunteer)
        .select_related("branch", "room")
        .prefetch_related("tracks", "audiences")
        .order_by("created_at", "pk")
    )


# --- Sessions hosted by a volunteer (events app's selectors) ---------------------------------


def hosted_sessions(*, host: User, upcoming_only: bool = True) -> QuerySet[Event]:
    """Events the person hosts (approved proposals), with their confirmed seats."""
    qs = Event.objects.filter(host=host).select_related("branch", "room")
    if upcoming_only:
        qs = qs.filter(end__gte=timezone.now() - timedelta(hours=12))
    return with_seats(qs).order_by("start", "pk")


def hosted_event_registrations(*, actor: User, pk: int) -> tuple[Event, QuerySet[Registration]]:
    """The event and its registrations, for its host (or its branch's staff); NotFound for
    anyone else, including other volunteers and hosts."""
    event = event_get_for_host(actor=actor, pk=pk)
    return event, event_registrations(event=event)


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
