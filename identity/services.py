"""Writes of the identity app: logging in with a platform, making and linking accounts.

None of them keeps the platform's tokens: the views use a token for the one user-info call
of a login and drop it; only the platform's identifier for the person is stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import selectors as core_selectors
from core.contracts import AccountMail, AuditAction
from core.exceptions import Conflict, ErrorCode, RuleViolation
from core.locking import lock_one
from core.models import Branch, Language, Role, User
from core.services import account_email_send, audit_log, user_set_role
from identity import selectors
from identity.models import LibrarySignup, Platform, PlatformLink
from identity.selectors import LibraryIdentity


def _touch(user: User, platform: str, subject: str, *, municipality: str | None) -> None:
    now = timezone.now()
    PlatformLink.objects.filter(platform=platform, subject=subject).update(last_login_at=now)
    fields = ["last_login"]
    user.last_login = now
    if municipality is not None and municipality != user.municipality:
        user.municipality = municipality
        fields.append("municipality")
    user.save(update_fields=fields)


@transaction.atomic(durable=True)
def library_login(*, identity: LibraryIdentity) -> User | None:
    """The account linked to this library login, its municipality renewed; None if the
    person has none yet (the page then asks for what is missing)."""
    user = selectors.platform_user(platform=Platform.LIBRARY, subject=identity.subject)
    if user is None:
        return None
    _touch(user, Platform.LIBRARY, identity.subject, municipality=identity.municipality)
    return user


def _site_url(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def library_signups_purge(*, now: datetime | None = None) -> int:
    """Delete first library logins whose link has expired (they hold an address and the
    platform's identifier). Runs at each request and confirmation, and daily."""
    oldest = (now or timezone.now()) - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    deleted, _counts = LibrarySignup.objects.filter(created_at__lte=oldest).delete()
    return deleted


def _refuse_linked(identity: LibraryIdentity) -> None:
    if selectors.platform_user(platform=Platform.LIBRARY, subject=identity.subject) is not None:
        raise Conflict(
            _("This library login already has an account. Please log in again."),
            code=ErrorCode.PLATFORM_ALREADY_LINKED,
        )


@transaction.atomic(durable=True)
def library_signup_start(
    *,
    identity: LibraryIdentity,
    email: str,
    name: str = "",
    language: str = "da",
    next_url: str = "",
) -> str:
    """A citizen's first library login gave an e-mail address: send it a link. Returns the
    normalised address; the same for a new and a taken one (the page says the same).

    A new address gets a link that makes the account (``library_signup_confirm``); nothing
    is stored on an account, and nothing else is sent to the address, before it is followed.
    An address that has an account gets an e-mail saying someone tried to use it, with the
    way to link the library login to that account. An earlier link of the same library
    login stops working (a mistyped address is simply typed again).
    """
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise RuleViolation(_("Please enter your e-mail address."), field="email")
    _refuse_linked(identity)
    language = language if language in Language.values else Language.DANISH
    library_signups_purge()
    LibrarySignup.objects.filter(subject=identity.subject).delete()
    existing = core_selectors.user_get_by_email(email=email)
    if existing is not None:
        audit_log(
            actor=None,
            action=AuditAction.USER_SIGNUP_REPEATED,
            target=existing,
            data={"platform": Platform.LIBRARY},
        )
        account_email_send(
            kind=AccountMail.SIGNUP_TAKEN,
            to=existing.email,
            template="identity/email/library_signup_taken",
            language=existing.language or language,
            context={
                "name": existing.name,
                "login_url": _site_url("login"),
                "reset_url": _site_url("password_reset"),
            },
        )
        return email
    token = secrets.token_urlsafe(32)
    LibrarySignup.objects.create(
        email=email,
        name=(name or "").strip()[:150],
        language=language,
        subject=identity.subject,
        municipality=identity.municipality,
        next_url=(next_url or "")[:500],
        token_hash=core_selectors.secret_hash(token),
    )
    account_email_send(
        kind=AccountMail.SIGNUP_CONFIRM,
        to=email,
        template="identity/email/library_signup_confirm",
        language=language,
        context={
            "name": (name or "").strip(),
            "url": _site_url("identity:library-signup-confirm", token),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    return email


@dataclass(frozen=True)
class ConfirmedLibrarySignup:
    user: User
    identity: LibraryIdentity
    next_url: str


def _link_invalid() -> RuleViolation:
    return RuleViolation(
        _("This link has been used or has expired. Please log in with your library login again."),
        code=ErrorCode.SIGNUP_LINK_INVALID,
    )


@transaction.atomic(durable=True)
def library_signup_confirm(*, token: str) -> ConfirmedLibrarySignup:
    """Follow the link of a first library login: the address is confirmed, so the account
    is made with it (no password: the library login is the way in) and linked to the
    library login; every other waiting request for the address or the login is dropped.
    A refused link stays refused until it expires (the refusal rolls everything back)."""
    library_signups_purge()
    pending = selectors.library_signup_for_token(token=token)
    if pending is None:
        raise _link_invalid()
    identity = LibraryIdentity(subject=pending.subject, municipality=pending.municipality)
    waiting = LibrarySignup.objects.filter(
        Q(email__iexact=pending.email) | Q(subject=pending.subject)
    )
    if core_selectors.user_get_by_email(email=pending.email) is not None:
        raise RuleViolation(
            _(
                "This e-mail address already has an account. Log in with it, then link your "
                "library login on “My page”."
            ),
            code=ErrorCode.EMAIL_TAKEN,
        )
    _refuse_linked(identity)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=pending.email,
                password=None,  # no password: the library login is the way in
                name=pending.name,
                language=pending.language,
                municipality=pending.municipality,
                role=Role.CITIZEN,
            )
            PlatformLink.objects.create(
                user=user, platform=Platform.LIBRARY, subject=pending.subject
            )
    except IntegrityError as error:  # the same address or login at the same moment
        raise Conflict(
            _("This library login or e-mail address already has an account. Please log in."),
            code=ErrorCode.PLATFORM_ALREADY_LINKED,
        ) from error
    next_url = pending.next_url
    waiting.delete()
    audit_log(
        actor=user,
        action=AuditAction.USER_PLATFORM_REGISTERED,
        target=user,
        data={"platform": Platform.LIBRARY, "municipality": pending.municipality},
    )
    return ConfirmedLibrarySignup(user=user, identity=identity, next_url=next_url)


@transaction.atomic(durable=True)
def library_link_add(*, actor: User, identity: LibraryIdentity) -> PlatformLink:
    """Link the library login to the account of the person logged in (from "my page")."""
    owner = selectors.platform_user(platform=Platform.LIBRARY, subject=identity.subject)
    if owner is not None and owner.pk != actor.pk:
        raise Conflict(
            _("This library login belongs to another account in Mødested."),
            code=ErrorCode.PLATFORM_ALREADY_LINKED,
        )
    link, created = PlatformLink.objects.update_or_create(
        user=actor, platform=Platform.LIBRARY, defaults={"subject": identity.subject}
    )
    _touch(actor, Platform.LIBRARY, identity.subject, municipality=identity.municipality)
    if created:
        audit_log(
            actor=actor,
            action=AuditAction.USER_PLATFORM_LINKED,
            target=actor,
            data={"platform": Platform.LIBRARY},
        )
    return link


ONLY_WAY_TO_LOG_IN = _(
    "Your account has no password, so the library login is the only way to log in to it, "
    "and it cannot be removed. If you no longer want to use Mødested, you can delete your "
    "account instead."
)


@transaction.atomic(durable=True)
def library_link_remove(*, actor: User) -> None:
    """Unlink the library login from the account of the person logged in (from "my page").
    Refused while it is their only way to log in (no password, no other sign-on)."""
    user = lock_one(User, actor.pk)
    link = PlatformLink.objects.filter(user=user, platform=Platform.LIBRARY).first()
    if link is None:
        raise RuleViolation(
            _("No library login is linked to your account."), code=ErrorCode.NOT_FOUND
        )
    if not selectors.has_other_way_in(user=user):
        raise RuleViolation(ONLY_WAY_TO_LOG_IN, code=ErrorCode.ONLY_WAY_TO_LOG_IN)
    link.delete()
    audit_log(
        actor=user,
        action=AuditAction.USER_PLATFORM_UNLINKED,
        target=user,
        data={"platform": Platform.LIBRARY},
    )


def _staff_account(subject: str, email: str, name: str) -> User:
    user = selectors.platform_user(platform=Platform.STAFF_SSO, subject=subject)
    if user is not None:
        return user
    # The municipality's own provider vouches for its staff's addresses.
    user = core_selectors.user_get_by_email(email=email) if email else None
    if user is None:
        if not email:
            raise RuleViolation(
                _("The sign-on did not say your e-mail address. Please ask IT."),
                code=ErrorCode.NO_STAFF_GROUP,
            )
        user = User.objects.create_user(email=email, password=None, name=name[:150])
    PlatformLink.objects.update_or_create(
        user=user, platform=Platform.STAFF_SSO, defaults={"subject": subject}
    )
    audit_log(
        actor=None,
        action=AuditAction.USER_PLATFORM_LINKED,
        target=user,
        data={"platform": Platform.STAFF_SSO},
    )
    return user


@transaction.atomic(durable=True)
def staff_sso_login(*, subject: str, email: str, name: str, groups: Iterable[str]) -> User | None:
    """A staff member signed on with the municipality's provider: their role and branches
    follow the groups mapped in ``STAFF_SSO_GROUPS``, renewed at every login. Without a
    mapped group: None, and an account linked before loses its staff role and branches."""
    grant = selectors.staff_grant_for(groups=list(groups))
    if grant is None:
        linked = selectors.platform_user(platform=Platform.STAFF_SSO, subject=subject)
        if linked is not None and linked.role in (Role.STAFF, Role.ADMINISTRATOR):
            user_set_role(actor=None, user=linked, role=Role.CITIZEN, branches=[])
        return None
    user = _staff_account(subject, (email or "").strip().lower(), (name or "").strip())
    branches = list(Branch.objects.filter(slug__in=grant.branch_slugs))
    user_set_role(actor=None, user=user, role=grant.role, branches=branches)
    _touch(user, Platform.STAFF_SSO, subject, municipality=None)
    return user
