"""Writes of the notifications app: the outbox, the dispatcher, reminder settings, feed tokens.

Delivery guarantee (see notifications/README.md):

* A message is a ``Delivery`` row whose key (kind, object, recipient, version) is unique.
  Messages about a change are written by the ``state_changed`` receiver in the same
  transaction as the change; reminders are inserted by the dispatcher from the current state.
  A second scan, a second dispatcher or a retried task finds the row already there.
* Sending claims a row with a compare-and-swap UPDATE (pending -> sending, with a lease and
  a claim token) that is committed before the SMTP conversation, and marks it sent after.
  Two dispatchers never send the same row. A dispatcher that dies mid-batch leaves its
  rows pending (picked up by the next run) or one row "sending", which is sent again when
  its lease runs out. The only window for a repeat is between the SMTP server accepting
  the message and our UPDATE; the Message-ID is the same on every attempt for that case.
* Failures are retried with back-off (30 s doubling up to 2 h, 10 attempts), then the row
  is "failed" and visible in the admin's delivery log, where staff can retry it.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction, MessageKind
from core.exceptions import RuleViolation
from core.models import User
from core.services import audit_log
from core.timeutils import local_today
from events.selectors import opening_reminders_due
from notifications.kinds import ALL_KINDS, DeliveryKind, DerivedKind
from notifications.messages import SUBJECTS, build_email, prepare
from notifications.models import (
    Delivery,
    DeliveryStatus,
    FeedToken,
    ReminderDefault,
    ReminderPreference,
)
from notifications.selectors import (
    MAX_LEAD_MINUTES,
    claimable_q,
    deliveries_due,
    due_reminders,
    hash_token,
)
from rooms.models import Booking
from volunteers.models import Activity, VolunteerProfile
from volunteers.selectors import certificates_expiring

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=2)
BATCH = 100
# How long a claimed delivery belongs to one dispatcher before another may take it over.
LEASE = timedelta(seconds=int(os.environ.get("MODESTED_DELIVERY_LEASE_SECONDS", "600")))

# Test-only switch for the negative control of the concurrency test; never changed in code.
CLAIMS_ENABLED = True

# The lead times a person may choose on "my page" (minutes).
LEAD_CHOICES = [7 * 24 * 60, 2 * 24 * 60, 24 * 60, 12 * 60, 4 * 60, 2 * 60, 60, 30]


# --- The outbox (written by the state_changed receiver) -----------------------------


def _label(obj: Model) -> str:
    return obj._meta.label_lower


def _plain(data: dict[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if value is None or isinstance(value, str | int | float | bool):
            clean[str(key)] = value
        elif isinstance(value, datetime):
            clean[str(key)] = value.isoformat()
        else:
            clean[str(key)] = str(value)
    return clean


def _row(
    kind: DeliveryKind, obj: Model, user: User | None, version: str, data: dict[str, Any]
) -> Delivery | None:
    if user is None or not user.pk:
        return None
    return Delivery(
        kind=kind,
        object_type=_label(obj),
        object_id=str(obj.pk),
        recipient=user,
        recipient_key=str(user.pk),
        version=version[:120],
        data=data,
        next_attempt_at=timezone.now(),
    )


def _moment(obj: Model, *names: str) -> str:
    for name in names:
        value: datetime | None = getattr(obj, name, None)
        if value is not None:
            return value.isoformat()
    return timezone.now().isoformat()


def _is_library_hold(booking: Booking) -> bool:
    """A room booking made for an event or a shift, not a person's own booking."""
    return getattr(booking, "kind", "booking") in {"event", "shift", "hold"}


# Who hears about each kind of change. Each rule gets (kind, instance, actor, plain data) and
# returns the rows, one per recipient; a row of None (no recipient account) is dropped.
Recipients = Callable[[MessageKind, Any, User | None, dict[str, Any]], list[Delivery | None]]


def _to_registrant(
    kind: MessageKind, reg: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    data.setdefault("by_staff", bool(actor is not None and actor.pk and actor.pk != reg.user_id))
    return [_row(kind, reg, reg.user, f"{reg.sequence}", data)]


def _to_registrants(
    kind: MessageKind, event: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    regs = event.registrations.filter(user__isnull=False).select_related("user")
    if kind == MessageKind.EVENT_CHANGED:
        regs = regs.filter(status__in=["confirmed", "waitlisted"])
        version = f"{event.sequence}|{event.start.isoformat()}|{event.room_id}"
    else:
        # Live ones, and those the cancellation itself has just cancelled.
        since = (event.cancelled_at or timezone.now()) - timedelta(minutes=5)
        regs = regs.filter(status__in=["confirmed", "waitlisted"]) | regs.filter(
            status="cancelled", cancelled_at__gte=since
        )
        version = "cancelled"
    return [_row(kind, reg, reg.user, version, data) for reg in regs]


def _to_booker(
    kind: MessageKind, booking: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    if _is_library_hold(booking):
        return []  # an event's or a shift's hold on the room: nobody booked it
    return [_row(kind, booking, booking.booker, f"{booking.sequence}", data)]


def _to_slot_booker(
    kind: MessageKind, slot: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    version = f"{getattr(slot, 'sequence', 0)}"
    return [_row(kind, slot, slot.booker, version, data)]


def _to_shift_volunteers(
    kind: MessageKind, shift: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    signups = shift.signups.filter(volunteer__isnull=False).select_related("volunteer")
    if kind == MessageKind.SHIFT_CHANGED:
        signups = signups.filter(status="signed_up")
        version = f"{shift.sequence}|{shift.start.isoformat()}|{shift.room_id}"
    else:
        since = (shift.cancelled_at or timezone.now()) - timedelta(minutes=5)
        signups = signups.filter(status="signed_up") | signups.filter(
            status="withdrawn", withdrawn_at__gte=since
        )
        version = "cancelled"
    return [_row(kind, s, s.volunteer, version, data) for s in signups]


def _to_proposer(
    kind: MessageKind, proposal: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    version = _moment(proposal, "decided_at", "updated_at")
    return [_row(kind, proposal, proposal.volunteer, version, data)]


def _to_certificate_holder(
    kind: MessageKind, profile: Any, actor: User | None, data: dict[str, Any]
) -> list[Delivery | None]:
    return list(certificate_rows(profile=profile, data=data))


RECIPIENTS: dict[MessageKind, Recipients] = {
    MessageKind.REGISTRATION_CONFIRMED: _to_registrant,
    MessageKind.REGISTRATION_WAITLISTED: _to_registrant,
    MessageKind.REGISTRATION_PROMOTED: _to_registrant,
    MessageKind.REGISTRATION_CANCELLED: _to_registrant,
    MessageKind.EVENT_CHANGED: _to_registrants,
    MessageKind.EVENT_CANCELLED: _to_registrants,
    MessageKind.BOOKING_REQUESTED: _to_booker,
    MessageKind.BOOKING_CONFIRMED: _to_booker,
    MessageKind.BOOKING_REJECTED: _to_booker,
    MessageKind.BOOKING_CANCELLED: _to_booker,
    MessageKind.EQUIPMENT_BOOKING_CONFIRMED: _to_slot_booker,
    MessageKind.EQUIPMENT_BOOKING_CANCELLED: _to_slot_booker,
    MessageKind.SHIFT_CHANGED: _to_shift_volunteers,
    MessageKind.SHIFT_CANCELLED: _to_shift_volunteers,
    MessageKind.PROPOSAL_APPROVED: _to_proposer,
    MessageKind.PROPOSAL_REJECTED: _to_proposer,
    MessageKind.PROPOSAL_CHANGES_REQUESTED: _to_proposer,
    MessageKind.CERTIFICATE_EXPIRING: _to_certificate_holder,
}


def _check_every_kind_is_handled() -> None:
    """Every MessageKind has recipients and a subject, and every subject is for a known kind:
    a kind added in core without its message here fails when this module is imported."""
    problems = [
        f"{kind}: no recipients in RECIPIENTS" for kind in MessageKind if kind not in RECIPIENTS
    ]
    problems += [
        f"{kind}: no subject in messages.SUBJECTS" for kind in ALL_KINDS if kind not in SUBJECTS
    ]
    problems += [
        f"{kind}: a subject for an unknown kind" for kind in SUBJECTS if kind not in ALL_KINDS
    ]
    if problems:
        raise ImproperlyConfigured("notifications: " + "; ".join(problems))


_check_every_kind_is_handled()


def outbox_rows(
    *,
    kind: MessageKind,
    instance: Any,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> list[Delivery]:
    """The messages one state change means, one per recipient (not yet saved).

    A ``kind`` that is not a ``MessageKind`` raises ``ValueError``: it is a bug in the sender,
    not a change nobody needs to hear about.
    """
    kind = MessageKind(kind)
    rows = RECIPIENTS[kind](kind, instance, actor, _plain(data))
    return [r for r in rows if r is not None]


def certificate_rows(
    *, profile: VolunteerProfile, data: dict[str, Any] | None = None
) -> list[Delivery]:
    """To the volunteer, and to the coordinators of the child activities they help at."""
    version = str(getattr(profile, "certificate_valid_until", "") or "")
    rows = [_row(MessageKind.CERTIFICATE_EXPIRING, profile, profile.user, version, data or {})]
    coordinators = certificate_coordinators(profile=profile)
    rows += [
        _row(DerivedKind.CERTIFICATE_EXPIRING_COORDINATOR, profile, coordinator, version, {})
        for coordinator in coordinators
        if coordinator.pk != profile.user_id
    ]
    return [r for r in rows if r is not None]


def certificate_coordinators(*, profile: VolunteerProfile) -> list[User]:
    loaded = getattr(profile, "child_activities", None)  # from volunteers.selectors
    if loaded is not None:
        found = {a.coordinator for a in loaded if a.coordinator_id}
        return sorted((u for u in found if u.is_active), key=lambda u: u.pk)

    activities = Activity.objects.filter(children_under_15=True, coordinator__isnull=False)
    regular = activities.filter(volunteer_profiles=profile)
    upcoming = activities.filter(
        shifts__signups__volunteer_id=profile.user_id,
        shifts__signups__status="signed_up",
        shifts__start__gte=timezone.now(),
    )
    ids = set(regular.values_list("coordinator_id", flat=True)) | set(
        upcoming.values_list("coordinator_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def outbox_add(
    *,
    kind: MessageKind,
    instance: Any,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Write the messages of one state change in the caller's transaction; kick on commit."""
    rows = outbox_rows(kind=kind, instance=instance, actor=actor, data=data)
    if not rows:
        return 0
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    kick_dispatcher_on_commit()
    return len(rows)


def kick_dispatcher_on_commit() -> None:
    """Ask a worker to dispatch as soon as the transaction commits (never fails the write).
    One kick per transaction, however many messages it wrote."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(entry[1] is _kick for entry in conn.run_on_commit):
        return
    transaction.on_commit(_kick)


def _kick() -> None:
    from notifications.tasks import dispatch_due  # a cycle: tasks imports this module

    try:
        dispatch_due.delay()
    except Exception:
        # The broker is down: the beat schedule (every minute) will find the rows anyway.
        logger.warning("Could not kick the notifications dispatcher", exc_info=True)


# --- Derived from state: reminders and expiring certificates ---------------------------


def _insert_new(rows: list[Delivery]) -> int:
    """Insert the rows whose key is not there yet (the unique key settles any race)."""
    if not rows:
        return 0
    kinds = {r.kind for r in rows}
    ids = {r.object_id for r in rows}
    existing = set(
        Delivery.objects.filter(kind__in=kinds, object_id__in=ids).values_list(
            "kind", "object_type", "object_id", "recipient_key", "version"
        )
    )
    new = [
        r
        for r in rows
        if (r.kind, r.object_type, r.object_id, r.recipient_key, r.version) not in existing
    ]
    Delivery.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reminders_queue_due(*, now: datetime) -> int:
    rows = []
    for reminder in due_reminders(now=now):
        row = _row(
            DerivedKind.reminder(reminder.kind), reminder.obj, reminder.user, reminder.version, {}
        )
        if row is not None:
            row.next_attempt_at = now
            rows.append(row)
    return _insert_new(rows)


def openings_queue_due(*, now: datetime) -> int:
    """One "registration is open" message per request, once its event's registration opened
    (the key ends in the opening time: asked once, told once)."""
    rows = []
    for request in opening_reminders_due(now=now):
        opens = request.event.registration_opens_at
        version = f"opened@{opens.isoformat() if opens else ''}"
        row = _row(DerivedKind.REGISTRATION_OPENED, request, request.user, version, {})
        if row is not None:
            row.next_attempt_at = now
            rows.append(row)
    return _insert_new(rows)


def certificates_queue_expiring(*, now: datetime, within_days: int = 60) -> int:
    profiles = _certificates_expiring(within_days=within_days)
    rows: list[Delivery] = []
    for profile in profiles:
        rows += certificate_rows(profile=profile)
    for row in rows:
        row.next_attempt_at = now
    return _insert_new(rows)


def _certificates_expiring(*, within_days: int) -> list[VolunteerProfile]:
    """Clear certificates that run out within ``within_days`` (missing ones are the
    coordinator's list in the volunteers app, not a mail)."""
    today = local_today()
    profiles = [getattr(p, "profile", p) for p in certificates_expiring(within_days=within_days)]
    return [
        p
        for p in profiles
        if p.certificate_status == "clear"
        and p.certificate_valid_until is not None
        and p.certificate_valid_until >= today
    ]


# --- The dispatcher ----------------------------------------------------------------------


@dataclass
class DispatchResult:
    queued: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def dispatch_due(*, now: datetime | None = None, batch: int = BATCH) -> DispatchResult:
    """Queue what the current state makes due, then send everything waiting, each row once."""
    result = DispatchResult()
    now = now or timezone.now()
    result.queued += reminders_queue_due(now=now)
    result.queued += openings_queue_due(now=now)
    try:
        result.queued += certificates_queue_expiring(now=now)
    except Exception:  # a volunteers selector in flux must not stop the reminders
        logger.exception("Could not look up expiring certificates")
    for _round in range(50):
        ids = deliveries_due(now=timezone.now(), limit=batch)
        if not ids:
            break
        for pk in ids:
            token = _claim(pk)
            if token is None:
                continue  # another dispatcher has it
            outcome = _send_claimed(pk, token)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _claim(pk: int) -> str | None:
    now = timezone.now()
    token = secrets.token_hex(8)
    rows = Delivery.objects.filter(pk=pk)
    if CLAIMS_ENABLED:
        rows = rows.filter(claimable_q(now))
    claimed = (
        rows.update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            claimed_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
        == 1
    )
    return token if claimed else None


def _send_claimed(pk: int, token: str) -> str:
    delivery = Delivery.objects.select_related("recipient").get(pk=pk)
    mine = Delivery.objects.filter(pk=pk, claim_token=token, status=DeliveryStatus.SENDING)
    try:
        prepared = prepare(delivery)
        if prepared is None:
            mine.update(status=DeliveryStatus.SKIPPED, claimed_until=None, last_error="")
            return "skipped"
        message = build_email(delivery, prepared)
        message.send()
    except Exception as error:
        attempts = delivery.attempts
        final = attempts >= MAX_ATTEMPTS
        delay = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)
        mine.update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            next_attempt_at=timezone.now() + delay,
            claimed_until=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning("Delivery %s failed (attempt %s): %s", pk, attempts, error)
        return "failed"
    mine.update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        subject=prepared.subject[:250],
        to_email=prepared.to_email,
        last_error="",
    )
    return "sent"


@transaction.atomic(durable=True)
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """Staff: send a failed (or skipped) delivery again now."""
    if delivery.status in {DeliveryStatus.SENT, DeliveryStatus.SENDING}:
        return delivery
    old = delivery.status
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0, last_error=""
    )
    audit_log(
        actor=actor, action=AuditAction.DELIVERY_RETRIED, target=delivery, data={"old_status": old}
    )
    kick_dispatcher_on_commit()
    delivery.refresh_from_db()
    return delivery


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
