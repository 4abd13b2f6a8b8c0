"""Plain factory functions for the core models. Apps add their own in tests/<app>/factories.py."""

from __future__ import annotations

import itertools
from datetime import time
from typing import Any

from core.models import (
    Branch,
    BranchKind,
    HoursKind,
    OpeningHours,
    Partner,
    PartnerKind,
    Role,
    Track,
    User,
)

PASSWORD = "a-long-test-password-42"
_seq = itertools.count(1)


def make_user(
    *, role: str = Role.CITIZEN, branches: list[Branch] | None = None, **overrides: Any
) -> User:
    n = next(_seq)
    data = {"email": f"person{n}@example.org", "name": f"Person {n}", "language": "da"}
    data.update(overrides)
    password = data.pop("password", PASSWORD)
    user = User.objects.create_user(password=password, role=role, **data)
    if role in {Role.STAFF, Role.ADMINISTRATOR}:
        user.is_staff = role == Role.ADMINISTRATOR  # the admin site: administrators only
        user.is_superuser = role == Role.ADMINISTRATOR
        user.save(update_fields=["is_staff", "is_superuser"])
    if branches:
        user.branches.set(branches)
    return user


def make_branch(
    *,
    hours: list[tuple[int, time, time, str]] | None = None,
    open_all_week: tuple[time, time] | None = (time(8), time(22)),
    **overrides: Any,
) -> Branch:
    """A branch, by default staffed every day 08-22 so bookings are not refused for hours."""
    n = next(_seq)
    data = {
        "name": f"Bibliotek {n}",
        "slug": f"bibliotek-{n}",
        "kind": BranchKind.LOCAL,
        "town": "Roskilde",
    }
    data.update(overrides)
    branch = Branch.objects.create(**data)
    rows = hours
    if rows is None and open_all_week:
        rows = [(wd, open_all_week[0], open_all_week[1], HoursKind.STAFFED) for wd in range(7)]
    OpeningHours.objects.bulk_create(
        OpeningHours(branch=branch, weekday=wd, opens=o, closes=c, kind=k)
        for wd, o, c, k in rows or []
    )
    return branch


def make_partner(**overrides: Any) -> Partner:
    n = next(_seq)
    data = {"name": f"Forening {n}", "kind": PartnerKind.VOLUNTARY_SOCIAL}
    data.update(overrides)
    return Partner.objects.create(**data)


def track(slug: str) -> Track:
    return Track.objects.get(slug=slug)
