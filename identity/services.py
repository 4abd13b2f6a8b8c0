"""Writes of the identity app: logging in with a platform, making and linking accounts.

None of them keeps the platform's tokens: the views use a token for the one user-info call
of a login and drop it; only the platform's identifier for the person is stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import selectors as core_selectors
from core.contracts import AuditAction
from core.exceptions import Conflict, ErrorCode, RuleViolation
from core.models import Branch, Language, Role, User
from core.services import audit_log, user_set_role
from identity import selectors
from identity.models import Platform, PlatformLink
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


@transaction.atomic(durable=True)
def library_account_create(
    *, identity: LibraryIdentity, email: str, name: str = "", language: str = "da"
) -> User:
    """A citizen's first library login: the account is made from the platform's attributes
    and what the person typed (an e-mail address for confirmations, the language). It has
    no password; an address that already has an account is refused (link it from "my page"
    after logging in with the e-mail instead)."""
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise RuleViolation(_("Please enter your e-mail address."), field="email")
    if core_selectors.user_get_by_email(email=email) is not None:
        raise RuleViolation(
            _(
                "This e-mail address already has an account. Log in with it, then link your "
                "library login on “My page”."
            ),
            field="email",
            code=ErrorCode.EMAIL_TAKEN,
        )
    if selectors.platform_user(platform=Platform.LIBRARY, subject=identity.subject) is not None:
        raise Conflict(
            _("This library login already has an account. Please log in again."),
            code=ErrorCode.PLATFORM_ALREADY_LINKED,
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=None,  # no password: the library login is the way in
                name=(name or "").strip()[:150],
                language=language if language in Language.values else Language.DANISH,
                municipality=identity.municipality,
                role=Role.CITIZEN,
            )
            PlatformLink.objects.create(
                user=user, platform=Platform.LIBRARY, subject=identity.subject
            )
    except IntegrityError as error:  # the same address or login at the same moment
        raise Conflict(
            _("This library login or e-mail address already has an account. Please log in."),
            code=ErrorCode.PLATFORM_ALREADY_LINKED,
        ) from error
    _touch(user, Platform.LIBRARY, identity.subject, municipality=None)
    audit_log(
        actor=user,
        action=AuditAction.USER_PLATFORM_REGISTERED,
        target=user,
        data={"platform": Platform.LIBRARY, "municipality": identity.municipality},
    )
    return user


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
