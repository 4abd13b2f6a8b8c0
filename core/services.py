"""Writes of the core app: accounts, roles and the audit log."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core import selectors
from core.contracts import AccountMail, AuditAction
from core.db import insert_quietly
from core.exceptions import ErrorCode, PermissionDenied, RuleViolation
from core.models import ApiToken, AuditLog, Branch, Language, Role, SignupRequest, User
from core.signals import send_account_mail

logger = logging.getLogger(__name__)


def audit_log(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Record a state change; call it inside the service's transaction.

    ``action`` is an ``AuditAction``; any other string raises ``ValueError`` (nothing written).
    """
    entry = _audit_row(actor=actor, action=action, target=target, data=data)
    entry.save(force_insert=True)
    return entry


def audit_append(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model,
    data: dict[str, Any] | None = None,
) -> None:
    """``audit_log`` for a hot write path: the row is written and nothing is read back (no
    id), so inside ``core.db.batched_inserts`` it goes with the write's other rows instead of
    a round trip of its own."""
    insert_quietly([_audit_row(actor=actor, action=action, target=target, data=data)])


def _audit_row(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model,
    data: dict[str, Any] | None,
) -> AuditLog:
    return AuditLog(
        actor=actor if actor is not None and actor.pk else None,
        action=AuditAction(action),
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )


# The PostgreSQL trigger on core_auditlog (core/migrations/0003) refuses UPDATE and DELETE
# unless the transaction carries this mark.
AUDIT_RETENTION_SETTING = "modested.audit_retention"


@contextmanager
def audit_retention() -> Iterator[None]:
    """Let the retention job change or delete audit rows inside this block.

    The audit log is append-only: on PostgreSQL a trigger refuses ``UPDATE`` and ``DELETE``
    on it, except (a) Django setting ``actor`` to NULL when a person is deleted and (b) a
    transaction marked by this helper (``SET LOCAL``), which only retention code that
    removes personal links from audit rows uses. Must run inside a transaction; the mark
    is lifted when the block ends, and with the transaction in any case.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_retention() must run inside a transaction.")
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {AUDIT_RETENTION_SETTING} = 'on'")
    yield
    # On an error the transaction is rolled back, and the mark with it.
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL {AUDIT_RETENTION_SETTING} = 'off'")


# --- Signing up: the answer never says whether an address has an account -------------


def _send_after_commit(
    *, kind: AccountMail, to: str, template: str, context: dict[str, Any], language: str
) -> None:
    """Render an account e-mail in the person's language and put it in the outbox, in the
    caller's transaction: it leaves once the data is saved, and is retried while the mail
    server is down (``core.signals.send_account_mail``). The page answers the same either way.
    """
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    send_account_mail(kind=kind, to=to, subject=subject, body=body)


def account_email_send(
    *, kind: AccountMail, to: str, template: str, context: dict[str, Any], language: str
) -> None:
    """An account e-mail of another app (the identity app's sign-up links and notices), sent
    as sign-up's are: rendered in ``language``, through the outbox once the data is saved."""
    _send_after_commit(kind=kind, to=to, template=template, context=context, language=language)


def _site_url(name: str, *args: object) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def expired_credentials_purge(*, now: datetime | None = None) -> int:
    """Delete sign-ups whose link has expired (they hold a name and an address) and expired
    API tokens. Runs at each sign-up and login, and daily with the inactive accounts."""
    now = now or timezone.now()
    oldest = now - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    signups, _counts = SignupRequest.objects.filter(created_at__lte=oldest).delete()
    tokens, _counts = ApiToken.objects.filter(expires_at__lte=now).delete()
    return signups + tokens


@transaction.atomic(durable=True)
def user_register(
    *, email: str, password: str, name: str, language: str = "da", next_url: str = ""
) -> str:
    """Start a sign-up. Returns the normalised address; the same for a new and a taken one.

    A new address gets a link that creates the account and logs the person in
    (``signup_confirm``). An address that has an account gets an e-mail saying someone
    tried to make an account with it, with links to log in and to reset the password.
    Refuses missing fields and a weak password, whatever the address.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    name = name.strip()
    if not email:
        raise RuleViolation(_("Please enter your e-mail address."), field="email")
    if not name:
        raise RuleViolation(_("Please enter your name."), field="name")
    try:
        validate_password(password, user=User(email=email, name=name))
    except ValidationError as error:
        raise RuleViolation(
            " ".join(error.messages), field="password", code=ErrorCode.WEAK_PASSWORD
        ) from error
    if language not in Language.values:
        language = Language.DANISH
    # Hashed in both cases, so the answer takes as long for a taken address as for a new one.
    hashed = make_password(password)
    existing = selectors.user_get_by_email(email=email)
    if existing is not None:
        audit_log(actor=None, action=AuditAction.USER_SIGNUP_REPEATED, target=existing)
        _send_after_commit(
            kind=AccountMail.SIGNUP_TAKEN,
            to=existing.email,
            template="core/email/signup_taken",
            language=existing.language or language,
            context={
                "name": existing.name,
                "login_url": _site_url("login"),
                "reset_url": _site_url("password_reset"),
            },
        )
        return email
    expired_credentials_purge()
    token = secrets.token_urlsafe(32)
    SignupRequest.objects.create(
        email=email,
        name=name,
        language=language,
        password=hashed,
        next_url=next_url[:500],
        token_hash=selectors.secret_hash(token),
    )
    _send_after_commit(
        kind=AccountMail.SIGNUP_CONFIRM,
        to=email,
        template="core/email/signup_confirm",
        language=language,
        context={
            "name": name,
            "url": _site_url("signup-confirm", token),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    return email


@dataclass(frozen=True)
class ConfirmedSignup:
    user: User
    next_url: str


@transaction.atomic(durable=True)
def signup_confirm(*, token: str) -> ConfirmedSignup:
    """Follow a sign-up link: the account is made (active, with the password chosen at
    sign-up), every other waiting sign-up for the address is dropped, and the page logs
    the person in."""
    pending = selectors.signup_request_for_token(token=token)
    if pending is None:
        raise RuleViolation(
            _("This link has been used or has expired. Please sign up again."),
            code=ErrorCode.SIGNUP_LINK_INVALID,
        )
    waiting = SignupRequest.objects.filter(email__iexact=pending.email)
    if selectors.user_get_by_email(email=pending.email) is not None:
        waiting.delete()
        raise RuleViolation(
            _(
                "This e-mail address already has an account. Log in, or reset the password "
                "if you have forgotten it."
            ),
            code=ErrorCode.EMAIL_TAKEN,
        )
    try:
        with transaction.atomic():
            user = User.objects.create(
                email=pending.email,
                name=pending.name,
                language=pending.language,
                password=pending.password,
                role=Role.CITIZEN,
            )
    except IntegrityError as error:  # the same address confirmed at the same moment
        raise RuleViolation(
            _("This e-mail address already has an account."), code=ErrorCode.EMAIL_TAKEN
        ) from error
    next_url = pending.next_url
    waiting.delete()
    audit_log(actor=user, action=AuditAction.USER_REGISTERED, target=user)
    return ConfirmedSignup(user=user, next_url=next_url)


# --- API tokens -------------------------------------------------------------------------

# A token is renewed (last used, expiry) at most this often, to spare the database a write
# on every request.
API_TOKEN_RENEW_SECONDS = 3600
# A person's tokens beyond this many: the least recently used are removed.
API_TOKENS_PER_PERSON = 20


def _api_token_expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.MODESTED_API_TOKEN_DAYS)


@transaction.atomic(durable=True)
def api_token_create(*, user: User, name: str = "API", now: datetime | None = None) -> str:
    """A fresh token for ``user`` (at each login). Returns the key: it is shown only now,
    and only its hash is kept.

    Getting it counts as using it (``last_used_at``, the person's activity), so its first
    uses within the hour write nothing (``api_token_touch``)."""
    now = now or timezone.now()
    expired_credentials_purge(now=now)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or "API",
        key_hash=selectors.secret_hash(key),
        prefix=key[:6],
        created_at=now,
        last_used_at=now,
        expires_at=_api_token_expiry(now),
    )
    user.last_activity = now
    User.objects.filter(pk=user.pk).update(last_activity=now)
    surplus = list(
        ApiToken.objects.filter(user=user)
        .order_by(Coalesce("last_used_at", "created_at").desc(), "-id")
        .values_list("pk", flat=True)[API_TOKENS_PER_PERSON:]
    )
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).delete()
    audit_log(
        actor=user, action=AuditAction.API_TOKEN_CREATED, target=token, data={"name": token.name}
    )
    return key


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """A token was used: renew its expiry (and the person's activity), at most hourly."""
    now = now or timezone.now()
    last = token.last_used_at
    if last is not None and (now - last).total_seconds() < API_TOKEN_RENEW_SECONDS:
        return
    token.last_used_at = now
    token.expires_at = _api_token_expiry(now)
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=token.last_used_at, expires_at=token.expires_at
    )
    User.objects.filter(pk=token.user_id).update(last_activity=now)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """The key stops working at once (logout through the API, or "my page")."""
    audit_log(
        actor=actor, action=AuditAction.API_TOKEN_REVOKED, target=token, data={"name": token.name}
    )
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def user_password_changed(*, user: User) -> int:
    """A new password was saved (reset, change, admin): every API token of the person ends.

    Called by ``User.save``; sessions end by themselves (Django's session hash).
    """
    revoked, _counts = ApiToken.objects.filter(user=user).delete()
    audit_log(
        actor=None,
        action=AuditAction.USER_PASSWORD_CHANGED,
        target=user,
        data={"api_tokens_revoked": revoked},
    )
    return revoked


@transaction.atomic
def user_set_role(
    *, actor: User | None, user: User, role: str, branches: list[Branch] | None = None
) -> User:
    """Give ``user`` a role; staff are scoped to ``branches``.

    Only an administrator (or the system, ``actor=None``) gives or takes the staff and
    administrator roles or sets branches; staff may make a citizen a volunteer. Only
    administrators have ``is_staff`` (the admin site) and ``is_superuser``.
    """
    if role not in Role.values:
        raise RuleViolation(_("Unknown role: %(role)s."), role=role)
    elevated = {Role.STAFF, Role.ADMINISTRATOR}
    if (
        actor is not None
        and not actor.is_administrator
        and (role in elevated or user.role in elevated or branches is not None)
    ):
        raise PermissionDenied(_("Only an administrator can give or change staff roles."))
    old = {"role": user.role, "branches": sorted(user.branches.values_list("slug", flat=True))}
    user.role = role
    user.is_staff = role == Role.ADMINISTRATOR
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    if branches is not None:
        user.branches.set(branches)
    new = {"role": role, "branches": sorted(user.branches.values_list("slug", flat=True))}
    if old != new:
        audit_log(
            actor=actor,
            action=AuditAction.USER_ROLE_CHANGED,
            target=user,
            data={"old": old, "new": new},
        )
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in {"da", "en"} or user.language == language:
        return user
    user.language = language
    user.save(update_fields=["language"])
    return user


# Accounts nobody has used for three years are deleted (the libraries' privacy rules).
INACTIVE_ACCOUNT_DAYS = 3 * 365


@transaction.atomic(durable=True)
def accounts_delete_inactive(*, now: datetime | None = None) -> int:
    """Delete citizens' accounts unused for three years.

    Their registrations and bookings stay, without the link to the person, so the plan's
    numbers do not change. Staff, administrators and volunteers are kept: their accounts
    end when their work for the library does.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=INACTIVE_ACCOUNT_DAYS)
    # Logging in (a page session or a new API token) sets last_login.
    last_seen = Coalesce("last_activity", "last_login", "date_joined")
    stale = (
        User.objects.filter(role=Role.CITIZEN, is_superuser=False)
        .annotate(last_seen=last_seen)
        .filter(last_seen__lt=cutoff)
    )
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    User.objects.filter(pk__in=ids).delete()
    AuditLog.objects.create(
        actor=None,
        action=AuditAction.USER_DELETED_INACTIVE,
        target_type="core.user",
        target_id="*",
        data={"count": len(ids)},
    )
    return len(ids)
