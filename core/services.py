"""Writes of the core app: accounts, roles and the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import PermissionDenied, RuleViolation
from core.models import AuditLog, Branch, Role, User


def audit_log(
    *, actor: User | None, action: str, target: models.Model, data: dict[str, Any] | None = None
) -> AuditLog:
    """Record a state change; call it inside the service's transaction."""
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
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


@transaction.atomic
def user_register(*, email: str, password: str, name: str, language: str = "da") -> User:
    """Make a citizen account. Refuses a taken e-mail address or a weak password."""
    email = User.objects.normalize_email(email.strip()).lower()
    name = name.strip()
    if not email:
        raise RuleViolation(_("Please enter your e-mail address."), field="email")
    if not name:
        raise RuleViolation(_("Please enter your name."), field="name")
    if User.objects.filter(email__iexact=email).exists():
        raise RuleViolation(
            _("An account with this e-mail address already exists. Log in or reset your password."),
            field="email",
            code="email_taken",
        )
    candidate = User(email=email, name=name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise RuleViolation(
            " ".join(error.messages), field="password", code="weak_password"
        ) from error
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, name=name, language=language
            )
    except IntegrityError as error:  # the same address registered at the same moment
        raise RuleViolation(
            _("An account with this e-mail address already exists."),
            field="email",
            code="email_taken",
        ) from error
    audit_log(actor=user, action="user.registered", target=user)
    return user


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
            actor=actor, action="user.role_changed", target=user, data={"old": old, "new": new}
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
        action="user.deleted_inactive",
        target_type="core.user",
        target_id="*",
        data={"count": len(ids)},
    )
    return len(ids)
