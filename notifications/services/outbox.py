"""The outbox: the messages a state change means, and the reminders the state makes due."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.utils import timezone

from core.contracts import AccountMail, MessageKind
from core.db import insert_quietly
from core.models import User
from core.timeutils import local_today
from events.selectors import opening_reminders_due
from notifications.kinds import ALL_KINDS, DeliveryKind, DerivedKind
from notifications.messages import SUBJECTS
from notifications.models import Delivery
from notifications.selectors import due_reminders
from notifications.services.kick import kick_dispatcher_on_commit
from rooms.models import Booking
from volunteers.models import Activity, VolunteerProfile
from volunteers.selectors import certificates_expiring

logger = logging.getLogger(__name__)

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
    return [_row(kind, slot, slot.booker, f"{getattr(slot, 'sequence', 0)}", data)]


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


def _to_person_in(field: str, *moments: str) -> Recipients:
    """The person in ``field`` of the object, once per moment (the first of ``moments`` set)."""
    return lambda kind, obj, actor, data: [
        _row(kind, obj, getattr(obj, field), _moment(obj, *moments), data)
    ]


_TO_VOLUNTEER = _to_person_in("volunteer", "decided_at", "updated_at")
_TO_PROPOSER = _to_person_in("proposer", "decided_at", "created_at")
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
    MessageKind.BOOKING_PAUSED: _to_person_in("person", "created_at"),
    MessageKind.SHIFT_CHANGED: _to_shift_volunteers,
    MessageKind.SHIFT_CANCELLED: _to_shift_volunteers,
    MessageKind.PROPOSAL_APPROVED: _TO_VOLUNTEER,
    MessageKind.PROPOSAL_REJECTED: _TO_VOLUNTEER,
    MessageKind.PROPOSAL_CHANGES_REQUESTED: _TO_VOLUNTEER,
    MessageKind.CERTIFICATE_EXPIRING: lambda kind, profile, actor, data: list(
        certificate_rows(profile=profile, data=data)
    ),
    MessageKind.ASSOCIATION_EVENT_APPROVED: _TO_PROPOSER,
    MessageKind.ASSOCIATION_EVENT_REJECTED: _TO_PROPOSER,
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
    insert_quietly(rows, ignore_conflicts=True)  # in the sender's batch, if it holds one
    kick_dispatcher_on_commit()
    return len(rows)


def account_mail_add(
    *,
    kind: AccountMail,
    to: str,
    subject: str,
    body: str,
    user: User | None = None,
    forget_address: bool = False,
) -> Delivery:
    """An account e-mail core rendered (sign-up link, password reset, deletion receipt), in
    the caller's transaction; kicked on commit. Its text waits in ``data`` until it is sent
    or given up, then only the subject stays in the delivery log (and, with
    ``forget_address``, not even the address)."""
    delivery = Delivery.objects.create(
        kind=AccountMail(kind),
        object_type="core.user" if user is not None and user.pk else "core.account",
        object_id=str(user.pk) if user is not None and user.pk else "-",
        recipient=user if user is not None and user.pk else None,
        recipient_key=hashlib.sha256(to.strip().lower().encode()).hexdigest()[:40],
        version=secrets.token_hex(16),  # each request is a message of its own
        data={"to": to, "subject": subject, "body": body, "forget_address": forget_address},
        subject=subject[:250],
        next_attempt_at=timezone.now(),
    )
    kick_dispatcher_on_commit()
    return delivery


def scrub_after_sending(delivery: Delivery) -> dict[str, Any]:
    """What an account e-mail's row forgets once it is sent or given up: its text (which
    holds a link), and the address if asked."""
    if delivery.kind not in set(AccountMail):
        return {}
    scrubbed: dict[str, Any] = {"data": {}}
    if (delivery.data or {}).get("forget_address"):
        scrubbed["to_email"] = ""
    return scrubbed


# --- Derived from state: reminders and expiring certificates ---------------------------


# Rows per INSERT (and per look-up of the keys already there) when a scan queues many.
INSERT_BATCH = 2000


def _insert_new(rows: list[Delivery]) -> int:
    """Insert the rows whose key is not there yet (the unique key settles any race), in
    batches: one look-up and one INSERT statement per ``INSERT_BATCH`` rows."""
    inserted = 0
    for offset in range(0, len(rows), INSERT_BATCH):
        chunk = rows[offset : offset + INSERT_BATCH]
        existing = set(
            Delivery.objects.filter(
                kind__in={r.kind for r in chunk}, object_id__in={r.object_id for r in chunk}
            ).values_list("kind", "object_type", "object_id", "recipient_key", "version")
        )
        new = [
            r
            for r in chunk
            if (r.kind, r.object_type, r.object_id, r.recipient_key, r.version) not in existing
        ]
        if new:
            Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=INSERT_BATCH)
        inserted += len(new)
    return inserted


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
