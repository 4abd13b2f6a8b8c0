"""Reads of the identity app: whose login is this, and what the staff groups grant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from core.models import Role, User
from core.selectors import secret_hash
from identity import clients
from identity.models import LibrarySignup, Platform, PlatformLink

_ROLE_RANK = {Role.CITIZEN: 0, Role.VOLUNTEER: 1, Role.STAFF: 2, Role.ADMINISTRATOR: 3}


@dataclass(frozen=True)
class LibraryIdentity:
    """What Adgangsplatformen's user-info says about the person: kept in the session only
    until the account is found or made."""

    subject: str
    municipality: str


@dataclass(frozen=True)
class StaffGrant:
    role: str
    branch_slugs: tuple[str, ...]


def library_identity_from(userinfo: Mapping[str, Any]) -> LibraryIdentity | None:
    """Read ``uniqueId`` and ``municipality`` from the user-info answer (the platform puts
    them under ``attributes``; a flat answer is read too). None without a ``uniqueId``."""
    attributes = userinfo.get("attributes")
    source: Mapping[str, Any] = attributes if isinstance(attributes, Mapping) else userinfo
    subject = str(source.get("uniqueId") or "").strip()
    if not subject or len(subject) > 255:
        return None
    municipality = str(source.get("municipality") or "").strip()
    if not (municipality.isdigit() and len(municipality) <= 4):
        municipality = ""
    return LibraryIdentity(subject=subject, municipality=municipality)


def platform_user(*, platform: str, subject: str) -> User | None:
    """The active account this platform's person is linked to, if any."""
    link = (
        PlatformLink.objects.select_related("user")
        .filter(platform=platform, subject=subject, user__is_active=True)
        .first()
    )
    return link.user if link is not None else None


def platform_links_of(*, user: User) -> QuerySet[PlatformLink]:
    return PlatformLink.objects.filter(user=user).order_by("platform")


def export_platform_links(user: User) -> dict[str, Any]:
    """For the person's data export: which platform logins are linked, and when used."""
    return {
        "platform_logins": [
            {
                "platform": link.platform,
                "identifier": link.subject,
                "linked": link.created_at,
                "last_login": link.last_login_at,
            }
            for link in platform_links_of(user=user)
        ]
    }


def has_library_login(*, user: User) -> bool:
    return PlatformLink.objects.filter(user=user, platform=Platform.LIBRARY).exists()


def library_signup_for_token(*, token: str, now: datetime | None = None) -> LibrarySignup | None:
    """The first library login a confirmation link belongs to, while the link is valid."""
    oldest = (now or timezone.now()) - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return LibrarySignup.objects.filter(
        token_hash=secret_hash(token), created_at__gt=oldest
    ).first()


def has_other_way_in(*, user: User) -> bool:
    """Can the person log in without the library login: with a password, or with another
    sign-on that is switched on?"""
    if user.has_usable_password():
        return True
    return (
        clients.staff_sso_enabled()
        and PlatformLink.objects.filter(user=user, platform=Platform.STAFF_SSO).exists()
    )


def staff_group_map() -> dict[str, StaffGrant]:
    """``STAFF_SSO["groups"]``: ``"group=staff:viby+hasle,admins=administrator"``."""
    grants: dict[str, StaffGrant] = {}
    for item in str(settings.STAFF_SSO.get("groups") or "").split(","):
        group, _sep, grant = item.strip().partition("=")
        role, _sep, slugs = grant.strip().partition(":")
        if not group.strip() or role.strip() not in (Role.STAFF, Role.ADMINISTRATOR):
            continue
        branch_slugs = tuple(s.strip() for s in slugs.split("+") if s.strip())
        grants[group.strip()] = StaffGrant(role=role.strip(), branch_slugs=branch_slugs)
    return grants


def staff_grant_for(*, groups: Iterable[str]) -> StaffGrant | None:
    """The role and branches a person's groups give: the highest role, all their branches.
    None when no group is mapped."""
    mapping = staff_group_map()
    found = [mapping[g] for g in groups if g in mapping]
    if not found:
        return None
    role = max((grant.role for grant in found), key=lambda r: _ROLE_RANK[Role(r)])
    slugs = sorted({slug for grant in found for slug in grant.branch_slugs})
    return StaffGrant(role=role, branch_slugs=tuple(slugs))
