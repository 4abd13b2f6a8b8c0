"""The person's own data: export it (GDPR art. 15 and 20) and delete the account (art. 17).

Core cannot import the apps that build on it, so each app registers what it keeps about a
person in its ``AppConfig.ready()``, with functions living in that app::

    from core.privacy import register_personal_data
    register_personal_data("events", export=privacy.export, erase=privacy.erase, order=10)

``export(user) -> dict`` returns named sections of plain values (``{"registrations": [...]}``)
about this person only: never another person's name or address. ``erase(user) -> dict`` runs
inside the account deletion's transaction, before the account is deleted: it cancels what has
not happened yet through the app's own services (so waiting lists move and people are told,
as when the person cancels), removes the person's link from the rest (counts stay for the
plan's statistics), and returns counts (no personal data) for the receipt and the audit row;
a count of things cancelled is named ``<things>_cancelled`` (the receipt adds those up).
Erasers run in ``order``; notifications comes last, since the others' cancellations write
messages to the person that must be withdrawn with the account.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AccountMail, AuditAction
from core.exceptions import ErrorCode, PermissionDenied, RuleViolation
from core.models import ApiToken, AuditLog, Role, User
from core.signals import send_account_mail
from core.timeutils import local_tz

logger = logging.getLogger(__name__)

FORMAT = "modested-personal-data/1"

Export = Callable[[User], dict[str, Any]]
Erase = Callable[[User], dict[str, int]]


@dataclass(frozen=True)
class PersonalData:
    key: str
    export: Export
    erase: Erase | None
    order: int


_registry: dict[str, PersonalData] = {}


def register_personal_data(
    key: str, *, export: Export, erase: Erase | None = None, order: int = 50
) -> None:
    """Register what the app ``key`` keeps about a person (see the module's docstring)."""
    _registry[key] = PersonalData(key=key, export=export, erase=erase, order=order)


def registered() -> list[PersonalData]:
    return sorted(_registry.values(), key=lambda entry: (entry.order, entry.key))


# --- Export -------------------------------------------------------------------------------


class PersonalDataEncoder(DjangoJSONEncoder):
    """Times in the library's zone (as the pages show them), decimals as text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            o = timezone.localtime(o, local_tz())
        return super().default(o)


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything Mødested keeps about ``user``, section by section."""
    data: dict[str, Any] = {"format": FORMAT, "exported_at": timezone.now()}
    for entry in registered():
        for name, value in entry.export(user).items():
            if name in data:
                raise RuntimeError(f"Two apps export a section called {name!r}.")
            data[name] = value
    return data


def personal_data_json(*, user: User) -> str:
    """The export as the JSON file the person downloads (the page and the API give the same)."""
    return json.dumps(
        personal_data_export(user=user), cls=PersonalDataEncoder, ensure_ascii=False, indent=2
    )


def export_filename(*, user: User, today: date | None = None) -> str:
    today = today or timezone.localdate(timezone.now(), local_tz())
    return f"modested-mine-data-{today:%Y-%m-%d}.json"


# Core's own part: the account, association memberships, API tokens, the person's audit rows.


def _api_tokens(user: User) -> list[dict[str, Any]]:
    # The person's apps (name, prefix and times); never the key (only its hash is stored).
    return [
        {
            "name": token.name,
            "prefix": token.prefix,
            "created": token.created_at,
            "last_used": token.last_used_at,
            "expires": token.expires_at,
        }
        for token in ApiToken.objects.filter(user=user).order_by("created_at")
    ]


def export_account(user: User) -> dict[str, Any]:
    account = {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "role": user.role,
        "birth_date": user.birth_date,
        "municipality": user.municipality,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "last_activity": user.last_activity,
        "active": user.is_active,
        "staff_branches": [branch.name for branch in user.branches.order_by("name")],
    }
    memberships = [
        {"partner": partner.name, "kind": partner.kind}
        for partner in user.partners.order_by("name")
    ]
    own_account = {"target_type": "core.user", "target_id": str(user.pk)}
    audit = [
        {
            "when": row.created_at,
            "action": row.action,
            "object_type": row.target_type,
            "object_id": row.target_id,
            # Details may name other people; they are given only for changes to the account.
            "details": row.data
            if (row.target_type, row.target_id) == tuple(own_account.values())
            else None,
        }
        for row in AuditLog.objects.filter(actor=user).order_by("created_at", "pk")
    ]
    return {
        "account": account,
        "association_memberships": memberships,
        "api_tokens": _api_tokens(user),
        "audit_entries": audit,
    }


# --- Deleting one's own account --------------------------------------------------------------


@dataclass
class AccountDeletion:
    """What deleting the account did: counts only, for the receipt and the audit row."""

    counts: dict[str, int] = field(default_factory=dict)
    anonymised: bool = False


def _confirmed(user: User, confirmation: str) -> bool:
    if user.has_usable_password():
        return bool(confirmation) and user.check_password(confirmation)
    # An account without a password (made by staff) confirms with its e-mail address.
    return confirmation.strip().lower() == user.email.lower()


def is_last_administrator(*, user: User) -> bool:
    """True if ``user`` is an administrator and no other active administrator exists."""
    if not user.is_administrator:
        return False
    admins = User.objects.filter(is_active=True).filter(
        Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True)
    )
    return not admins.exclude(pk=user.pk).exists()


def _anonymise(user: User) -> None:
    """The account cannot be deleted (a protected link): make it an empty, locked shell."""
    user.email = f"deleted-{user.pk}@invalid"
    user.name = ""
    user.birth_date = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.role = Role.CITIZEN
    user.last_activity = None
    user.set_unusable_password()
    user.save()
    user.branches.clear()
    user.partners.clear()


@transaction.atomic(durable=True)
def account_delete(*, actor: User, confirmation: str) -> AccountDeletion:
    """The person deletes their own account, confirmed by their password.

    What has not happened yet is cancelled through the apps' services (waiting lists move,
    people are told); the past stays, without the person, so the plan's numbers do not
    change; then the account is deleted, an audit row without personal data is written and,
    after the commit, a receipt goes to the address the account had.
    """
    if actor is None or not actor.is_authenticated:
        raise RuleViolation(_("Please log in first."), code=ErrorCode.NOT_LOGGED_IN)
    if not _confirmed(actor, confirmation or ""):
        raise RuleViolation(
            _("The password is not right. Your account has not been deleted."),
            field="password",
            code=ErrorCode.WRONG_CONFIRMATION,
        )
    user = locking.lock_one(User, actor.pk)
    _refuse_last_administrator(user)
    return _erase_account(user, by=None, action=AuditAction.USER_DELETED_BY_SELF)


@transaction.atomic(durable=True)
def account_delete_by_administrator(*, actor: User, user: User) -> AccountDeletion:
    """An administrator deletes someone's account (a volunteer or staff member who has left,
    or a citizen who asked at the desk): the same steps as the person's own deletion, with the
    administrator named in the audit row, and the same receipt to the person."""
    if not actor.is_administrator:
        raise PermissionDenied(_("Only an administrator can delete other people's accounts."))
    user = locking.lock_one(User, user.pk)
    _refuse_last_administrator(user)
    return _erase_account(user, by=actor, action=AuditAction.USER_DELETED_BY_ADMINISTRATOR)


def _refuse_last_administrator(user: User) -> None:
    if not user.is_administrator:
        return
    # Lock every administrator's row, so two of the last two cannot both leave at once.
    locking.lock_rows(User.objects.filter(Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True)))
    if is_last_administrator(user=user):
        raise RuleViolation(
            _(
                "You are the last administrator. Make another person administrator "
                "before you delete your account."
            ),
            code=ErrorCode.LAST_ADMINISTRATOR,
        )


def _erase_account(user: User, *, by: User | None, action: AuditAction) -> AccountDeletion:
    """Cancel what is coming, unlink the past, delete the account, audit, and send a receipt."""
    result = AccountDeletion()
    for entry in registered():
        if entry.erase is not None:
            for name, count in entry.erase(user).items():
                result.counts[name] = result.counts.get(name, 0) + count
    receipt = {
        "email": user.email,
        "name": user.name,
        "language": user.language or settings.LANGUAGE_CODE,
    }
    pk, role = user.pk, user.role
    _forget_in_admin_log(pk)
    try:
        with transaction.atomic():
            User.objects.filter(pk=pk).delete()
    except (ProtectedError, RestrictedError):
        _anonymise(user)
        result.anonymised = True
    AuditLog.objects.create(
        actor=by,
        action=action,
        target_type="core.user",
        target_id=str(pk),
        data={"role": role, "anonymised": result.anonymised, **result.counts},
    )
    counts = dict(result.counts)
    # By convention an eraser names what it cancelled "<things>_cancelled".
    counts["cancelled_total"] = sum(n for k, n in counts.items() if k.endswith("_cancelled"))
    send_deletion_receipt(**receipt, counts=counts, when=timezone.now())
    return result


def _forget_in_admin_log(pk: int) -> None:
    """Django's admin log names the account in its rows ("Name <e-mail>"): keep the rows
    (what an administrator did), drop the name."""
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(pk)).update(
        object_repr=gettext("(deleted account)"), change_message=""
    )


def send_deletion_receipt(
    *, email: str, name: str, language: str, counts: dict[str, int], when: datetime
) -> None:
    """The receipt, rendered now and put in the outbox in the deletion's transaction: it
    leaves once the deletion is committed, and survives a mail-server outage. The delivery
    log forgets the address once it is sent."""
    context = {"name": name, "counts": counts, "when": timezone.localtime(when, local_tz())}
    with translation.override(language):
        subject = render_to_string("core/email/account_deleted_subject.txt", context).strip()
        body = render_to_string("core/email/account_deleted.txt", context)
    send_account_mail(
        kind=AccountMail.DELETED, to=email, subject=subject, body=body, forget_address=True
    )
