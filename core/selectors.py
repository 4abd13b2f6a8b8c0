"""Reads of the core app: branches, hours, closures, people's scope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.exceptions import NotFound
from core.holidays import closed_days
from core.models import (
    ApiToken,
    Audience,
    BookmobileStop,
    Branch,
    BranchKind,
    Closure,
    HoursKind,
    OpeningHours,
    Partner,
    SignupRequest,
    Track,
    User,
)
from core.timeutils import local_today, local_tz

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _BranchPrefetched(TypedDict):
    upcoming_closures: list[Closure]


# A branch from ``branch_list_with_hours``: its upcoming closures prefetched as a list.
BranchWithHours: TypeAlias = "WithAnnotations[Branch, _BranchPrefetched]"


@dataclass(frozen=True)
class OpenInterval:
    start: datetime
    end: datetime
    kind: str


# --- People and their scope -----------------------------------------------------


def can_manage_branch(*, user: User | None, branch: Branch | int) -> bool:
    """Staff manage their own branches; administrators manage every branch."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return False
    if user.is_administrator:
        return True
    branch_id = branch if isinstance(branch, int) else branch.pk
    return user.branches.filter(pk=branch_id).exists()


def user_get_by_email(*, email: str) -> User | None:
    """The account with this e-mail address, in any case and without surrounding spaces (the
    login's rule, ``UserManager.get_by_natural_key``); None when no one has it."""
    email = (email or "").strip()
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


def branches_managed_by(*, user: User | None) -> QuerySet[Branch]:
    """The branches ``user`` may act for: all for administrators, none for citizens."""
    if user is None or not user.is_authenticated or not user.is_library_staff:
        return Branch.objects.none()
    if user.is_administrator:
        return Branch.objects.all()
    return Branch.objects.filter(staff=user)


# --- Branches -------------------------------------------------------------------


def branch_list() -> QuerySet[Branch]:
    return Branch.objects.order_by("position", "name")


def branch_list_with_hours(*, today: date | None = None) -> QuerySet[BranchWithHours]:
    """Branches with their opening hours, upcoming closures and stops prefetched."""
    today = today or local_today()
    return branch_list().prefetch_related(
        Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(ends_on__gte=today).order_by("starts_on"),
            to_attr="upcoming_closures",
        ),
        Prefetch("stops", queryset=stop_list(on=today)),
    )


def branch_get(*, slug: str) -> BranchWithHours:
    return branch_list_with_hours().get(slug=slug)


def closures_for_all(*, today: date | None = None) -> QuerySet[Closure]:
    today = today or local_today()
    return Closure.objects.filter(branch__isnull=True, ends_on__gte=today).order_by("starts_on")


def stop_list(*, on: date | None = None) -> QuerySet[BookmobileStop]:
    on = on or local_today()
    return (
        BookmobileStop.objects.filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("weekday", "arrives")
    )


def closure_reasons(*, branch: Branch, start: date, end: date) -> dict[date, str]:
    """``{day: reason}`` for every day in [start, end] on which ``branch`` is closed.

    Holidays and calendar closing days come from ``core.holidays``; the rest from
    ``Closure`` rows of the branch or of all branches. One query.
    """
    reasons: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in closed_days(year).items():
            if start <= day <= end:
                reasons[day] = str(name)
    closures = Closure.objects.filter(
        Q(branch=branch) | Q(branch__isnull=True), starts_on__lte=end, ends_on__gte=start
    )
    for closure in closures:
        day = max(closure.starts_on, start)
        while day <= min(closure.ends_on, end):
            reasons.setdefault(day, closure.reason)
            day += timedelta(days=1)
    return reasons


def closure_reason(*, branch: Branch, day: date) -> str | None:
    return closure_reasons(branch=branch, start=day, end=day).get(day)


def opening_intervals(
    *, branch: Branch, day: date, kinds: set[str] | None = None
) -> list[OpenInterval]:
    """The aware intervals ``branch`` is open on ``day`` (none when closed), by kind."""
    if closure_reason(branch=branch, day=day) is not None:
        return []
    tz = local_tz()
    hours = [h for h in branch.opening_hours.all() if h.weekday == day.weekday()]
    intervals = []
    for h in sorted(hours, key=lambda h: h.opens):
        if kinds is not None and h.kind not in kinds:
            continue
        start = datetime.combine(day, h.opens).replace(tzinfo=tz)
        end = (
            datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=tz)
            if h.closes == time.max
            else datetime.combine(day, h.closes).replace(tzinfo=tz)
        )
        intervals.append(OpenInterval(start=start, end=end, kind=h.kind))
    return intervals


def hours_today(*, branch: Branch, today: date | None = None) -> list[OpeningHours]:
    """Today's opening hours of a branch whose hours were prefetched; [] when closed."""
    today = today or local_today()
    return [h for h in branch.opening_hours.all() if h.weekday == today.weekday()]


def track_list() -> QuerySet[Track]:
    return Track.objects.order_by("position")


def audience_list() -> QuerySet[Audience]:
    return Audience.objects.order_by("position")


def partner_list() -> QuerySet[Partner]:
    return Partner.objects.order_by("name")


__all__ = [
    "BranchKind",
    "HoursKind",
    "OpenInterval",
    "audience_list",
    "branch_get",
    "branch_list",
    "branch_list_with_hours",
    "branches_managed_by",
    "can_manage_branch",
    "closure_reason",
    "closure_reasons",
    "hours_today",
    "opening_intervals",
    "partner_list",
    "stop_list",
    "track_list",
    "user_get_by_email",
]


# --- API tokens and sign-ups waiting for confirmation ------------------------------------


def secret_hash(secret: str) -> str:
    """How API keys and sign-up links are stored: their SHA-256, never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_for_key(*, key: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this key, with its person; None for an unknown or expired key."""
    now = now or timezone.now()
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=secret_hash(key), expires_at__gt=now)
        .first()
    )


def api_tokens_active_for(*, user: User, now: datetime | None = None) -> QuerySet[ApiToken]:
    now = now or timezone.now()
    return ApiToken.objects.filter(user=user, expires_at__gt=now).order_by("-created_at", "-id")


def api_token_get_for(*, actor: User | None, pk: int) -> ApiToken:
    """One of the actor's own tokens; anyone else's (or none) is a 404."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    try:
        return ApiToken.objects.get(pk=pk, user=actor)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error


def signup_request_for_token(*, token: str, now: datetime | None = None) -> SignupRequest | None:
    """The sign-up a confirmation link belongs to, while the link is still valid."""
    now = now or timezone.now()
    oldest = now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return SignupRequest.objects.filter(
        token_hash=secret_hash(token), created_at__gt=oldest
    ).first()
