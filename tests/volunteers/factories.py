"""Plain factory functions for the volunteers app (other apps' tests may import them)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.models import Branch, Role, User
from core.timeutils import local_today, make_local
from tests.factories import make_branch, make_user
from volunteers.models import (
    Activity,
    CertificateStatus,
    Shift,
    ShiftSignup,
    SignupStatus,
    VolunteerProfile,
)
from volunteers.services import add_years

_seq = itertools.count(1)


def make_volunteer(
    *,
    branches: list[Branch] | None = None,
    certificate: str = CertificateStatus.NONE,
    checked_on: date | None = None,
    renewal_years: int = 2,
    status: str = "active",
    **user_fields: Any,
) -> User:
    """A user with the volunteer role and a profile (certificate stored as the services do)."""
    user_fields.setdefault("password", None)  # no slow hashing in tests
    user = make_user(role=Role.VOLUNTEER, **user_fields)
    if certificate == CertificateStatus.CLEAR and checked_on is None:
        checked_on = local_today() - timedelta(days=30)
    profile = VolunteerProfile.objects.create(
        user=user,
        status=status,
        certificate_status=certificate,
        certificate_checked_on=checked_on,
        certificate_renewal_years=renewal_years,
        certificate_valid_until=(
            add_years(checked_on, renewal_years)
            if certificate == CertificateStatus.CLEAR and checked_on
            else None
        ),
    )
    if branches:
        profile.branches.set(branches)
    return user


def make_activity(*, branch: Branch | None = None, **overrides: Any) -> Activity:
    n = next(_seq)
    data: dict[str, Any] = {"name": f"Aktivitet {n}", "children_under_15": False}
    data.update(overrides)
    tracks = data.pop("tracks", [])
    activity = Activity.objects.create(branch=branch or make_branch(), **data)
    if tracks:
        activity.tracks.set(tracks)
    return activity


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return make_local(day, time(hour, minute))


def make_shift(
    *,
    activity: Activity | None = None,
    start: datetime | None = None,
    hours: float = 2,
    needed: int = 1,
    **overrides: Any,
) -> Shift:
    if start is None:
        start = at(local_today() + timedelta(days=7), 15)
    return Shift.objects.create(
        activity=activity or make_activity(),
        start=start,
        end=(start.astimezone(UTC) + timedelta(hours=hours)).astimezone(start.tzinfo),
        needed=needed,
        **overrides,
    )


def make_signup(
    *, shift: Shift, volunteer: User, attended: bool | None = None, hours: Any = None
) -> ShiftSignup:
    """A live sign-up written directly (for setting up history; live code uses the service)."""
    return ShiftSignup.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=SignupStatus.SIGNED_UP,
        shift_start=shift.start,
        shift_end=shift.end,
        attended=attended,
        hours=Decimal(str(hours)) if hours is not None else None,
        created_at=timezone.now(),
    )
