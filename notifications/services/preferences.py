"""Reminder settings, feed tokens, a deleted account."""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import RuleViolation
from core.models import User
from core.services import audit_log
from notifications.models import (
    Delivery,
    DeliveryStatus,
    FeedToken,
    ReminderDefault,
    ReminderPreference,
)
from notifications.selectors import (
    MAX_LEAD_MINUTES,
    hash_token,
)

logger = logging.getLogger(__name__)

# The lead times a person may choose on "my page" (minutes).
LEAD_CHOICES = [7 * 24 * 60, 2 * 24 * 60, 24 * 60, 12 * 60, 4 * 60, 2 * 60, 60, 30]

# --- Reminder settings ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def reminder_preference_set(
    *, actor: User, enabled: bool, lead_minutes: list[int] | None
) -> ReminderPreference:
    """A person turns reminders on or off and picks lead times (None: the library's defaults)."""
    leads = None
    if lead_minutes:
        leads = sorted({int(v) for v in lead_minutes}, reverse=True)
        if any(v not in LEAD_CHOICES for v in leads):
            raise RuleViolation(_("Please choose lead times from the list."), field="lead_minutes")
    pref, _created = ReminderPreference.objects.get_or_create(user=actor)
    old = {"enabled": pref.enabled, "lead_minutes": pref.lead_minutes}
    new = {"enabled": enabled, "lead_minutes": leads}
    if old == new:
        return pref
    pref.enabled = enabled
    pref.lead_minutes = leads
    pref.save()
    audit_log(
        actor=actor,
        action=AuditAction.REMINDERS_PREFERENCE_SET,
        target=pref,
        data={"old": old, "new": new},
    )
    return pref


@transaction.atomic  # not durable: the admin's change form already runs in a transaction
def reminder_default_set(
    *, actor: User, kind: str, enabled: bool, lead_minutes: list[int]
) -> ReminderDefault:
    """Staff: the default lead times of one kind of reminder."""
    leads = sorted({int(v) for v in lead_minutes}, reverse=True)
    if any(v <= 0 or v > MAX_LEAD_MINUTES for v in leads):
        raise RuleViolation(
            _("Lead times must be between 1 minute and one week."), field="lead_minutes"
        )
    row, _created = ReminderDefault.objects.get_or_create(kind=kind)
    old = {"enabled": row.enabled, "lead_minutes": row.lead_minutes}
    row.enabled = enabled
    row.lead_minutes = leads
    row.save()
    audit_log(
        actor=actor,
        action=AuditAction.REMINDERS_DEFAULT_SET,
        target=row,
        data={"old": old, "new": {"enabled": enabled, "lead_minutes": leads}},
    )
    return row


# --- Personal feed tokens ---------------------------------------------------------------------


@transaction.atomic(durable=True)
def feed_token_renew(*, actor: User) -> str:
    """Make (or replace) the person's feed token and return it; the old URL stops at once.

    Only the SHA-256 of the token is stored, so it is shown once, right after this call.
    """
    token = secrets.token_urlsafe(32)  # 256 bits
    row, created = FeedToken.objects.update_or_create(
        user=actor,
        defaults={"token_hash": hash_token(token), "created_at": timezone.now()},
    )
    audit_log(
        actor=actor,
        action=AuditAction.FEED_TOKEN_CREATED if created else AuditAction.FEED_TOKEN_RENEWED,
        target=row,
    )
    return token


@transaction.atomic(durable=True)
def feed_token_revoke(*, actor: User) -> None:
    row = FeedToken.objects.filter(user=actor).first()
    if row is None:
        return
    audit_log(actor=actor, action=AuditAction.FEED_TOKEN_REVOKED, target=row)
    row.delete()


# --- A deleted account ---------------------------------------------------------------------


@transaction.atomic
def deliveries_forget_person(*, person: User) -> dict[str, int]:
    """Account deletion (composable, after the other apps' cancellations): messages still
    waiting for the person are not sent (the receipt goes instead), and the delivery log keeps
    kind, object, subject and time of each message but neither the person nor their address.
    The feed token and reminder settings go with the account."""
    rows = Delivery.objects.filter(recipient=person)
    rows.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]).update(
        status=DeliveryStatus.SKIPPED, claimed_until=None
    )
    unlinked = rows.update(recipient=None, to_email="")
    return {"messages_unlinked": unlinked}
