"""Reads of the core app: branches, hours, closures, people's scope."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.db import ModelColumns, prepared
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


def _wall(day: date, at: time) -> datetime:
    """Wall time ``at`` on ``day`` in the library's zone (as the hours are read: no refusal
    at the daylight-saving change, unlike ``core.timeutils.make_local`` for input)."""
    return datetime.combine(day, at).replace(tzinfo=local_tz())


def _whole_days(closure: Closure) -> tuple[date, date]:
    """The first and last day ``closure`` closes from morning to night (may be empty)."""
    first = closure.starts_on if closure.from_time is None else closure.starts_on + timedelta(1)
    last = closure.ends_on if closure.until_time is None else closure.ends_on - timedelta(1)
    return first, last


def closure_period(closure: Closure) -> tuple[datetime, datetime]:
    """The aware [start, end) a closure covers, in local wall time."""
    start = _wall(closure.starts_on, closure.from_time or time.min)
    end = (
        _wall(closure.ends_on, closure.until_time)
        if closure.until_time is not None
        else _wall(closure.ends_on + timedelta(days=1), time.min)
    )
    return start, end


def _closures_between(branch: Branch, start: date, end: date) -> QuerySet[Closure]:
    return Closure.objects.filter(
        Q(branch=branch) | Q(branch__isnull=True), starts_on__lte=end, ends_on__gte=start
    )


def closure_reasons(*, branch: Branch, start: date, end: date) -> dict[date, str]:
    """``{day: reason}`` for every day in [start, end] on which ``branch`` is closed all day.

    Holidays and calendar closing days come from ``core.holidays``; the rest from
    ``Closure`` rows of the branch or of all branches (a closure for some hours of a day
    leaves that day out: ``opening_intervals`` cuts those hours). One query.
    """
    return _reasons(list(_closures_between(branch, start, end)), start, end)


def _reasons(closures: list[Closure], start: date, end: date) -> dict[date, str]:
    reasons: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in closed_days(year).items():
            if start <= day <= end:
                reasons[day] = str(name)
    for closure in closures:
        first, last = _whole_days(closure)
        day = max(first, start)
        while day <= min(last, end):
            reasons.setdefault(day, closure.reason)
            day += timedelta(days=1)
    return reasons


def closure_reason(*, branch: Branch, day: date) -> str | None:
    return closure_reasons(branch=branch, start=day, end=day).get(day)


def hours_in_force(*, hours: Iterable[OpeningHours], on: date) -> list[OpeningHours]:
    """Of a branch's hours rows, the week of each kind in force on ``on``: for each kind, the
    rows with the latest ``valid_from`` not after ``on`` (every weekday, sorted)."""
    rows = list(hours)
    latest: dict[str, date] = {}
    for h in rows:
        if h.valid_from <= on and h.valid_from > latest.get(h.kind, date.min):
            latest[h.kind] = h.valid_from
    return sorted(
        (h for h in rows if latest.get(h.kind) == h.valid_from),
        key=lambda h: (h.weekday, h.opens, h.kind),
    )


def _hours_intervals(
    hours: Iterable[OpeningHours], day: date, kinds: set[str] | None
) -> list[OpenInterval]:
    intervals = []
    for h in hours_in_force(hours=hours, on=day):
        if h.weekday != day.weekday() or (kinds is not None and h.kind not in kinds):
            continue
        start = _wall(day, h.opens)
        end = (
            _wall(day + timedelta(days=1), time.min)
            if h.closes == time.max
            else _wall(day, h.closes)
        )
        intervals.append(OpenInterval(start=start, end=end, kind=h.kind))
    return sorted(intervals, key=lambda i: i.start)


def _cut(intervals: list[OpenInterval], start: datetime, end: datetime) -> list[OpenInterval]:
    """``intervals`` without the part in [start, end)."""
    result = []
    for i in intervals:
        if i.end <= start or i.start >= end:
            result.append(i)
            continue
        if i.start < start:
            result.append(OpenInterval(start=i.start, end=start, kind=i.kind))
        if end < i.end:
            result.append(OpenInterval(start=end, end=i.end, kind=i.kind))
    return result


def opening_intervals(
    *, branch: Branch, day: date, kinds: set[str] | None = None
) -> list[OpenInterval]:
    """The aware intervals ``branch`` is open on ``day`` (none when closed), by kind: the
    hours in force that day, less any closure of some of its hours. One query for the
    closures (and one for the hours unless they were prefetched)."""
    closures = list(_closures_between(branch, day, day))
    if day in _reasons(closures, day, day):
        return []
    intervals = _hours_intervals(branch.opening_hours.all(), day, kinds)
    for closure in closures:
        start, end = closure_period(closure)
        intervals = _cut(intervals, start, end)
    return intervals


def hours_today(*, branch: Branch, today: date | None = None) -> list[OpeningHours]:
    """Today's opening hours of a branch whose hours were prefetched; [] when closed."""
    today = today or local_today()
    return [
        h
        for h in hours_in_force(hours=branch.opening_hours.all(), on=today)
        if h.weekday == today.weekday()
    ]


def hours_week(*, branch: Branch, on: date | None = None) -> list[OpeningHours]:
    """The week of hours in force on ``on`` (today), every kind, by weekday."""
    return hours_in_force(hours=branch.opening_hours.all(), on=on or local_today())


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
    "closure_period",
    "closure_reason",
    "closure_reasons",
    "hours_in_force",
    "hours_today",
    "hours_week",
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


_TOKEN_COLUMNS = ModelColumns(ApiToken, "t")
_TOKEN_USER_COLUMNS = ModelColumns(User, "u")


def api_token_for_key(*, key: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this key, with its person; None for an unknown or expired key.

    Every API request asks this first, so the statement is written out once (``ModelColumns``)
    instead of built by the ORM each time (which cost more than the lookup itself)."""
    now = now or timezone.now()
    sql = (
        f"SELECT {_TOKEN_COLUMNS.sql()}, {_TOKEN_USER_COLUMNS.sql()} "  # noqa: S608 - names only
        f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
        "WHERE t.key_hash = %s AND t.expires_at > %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(*prepared("modested_api_token", sql, [secret_hash(key), now]))
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_TOKEN_COLUMNS.fields)
    token = _TOKEN_COLUMNS.instance(row[:split])
    token.user = _TOKEN_USER_COLUMNS.instance(row[split:])
    return token


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
