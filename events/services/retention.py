"""Retention: registrations forget the person 30 days after the event, and at once when the
person deletes the account; seats, status and check-ins stay, so the numbers stay right."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.contracts import AuditAction
from core.models import AuditLog, User
from events.models import (
    LIVE_REGISTRATION_STATUSES,
    OpeningReminder,
    Registration,
    RegistrationAnswer,
)
from events.services.registrations import _registration_cancel

RETENTION_DAYS = 30


@transaction.atomic(durable=True)
def registrations_anonymise_old(*, now: datetime | None = None) -> int:
    """Retention: drop the person from registrations of events that ended > 30 days ago.

    Seats, status and check-ins stay, so counts and attendance stay right.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=RETENTION_DAYS)
    # The answers to sign-up questions (a child's name and age) go with the person.
    RegistrationAnswer.objects.filter(registration__event__end__lt=cutoff).delete()
    count = Registration.objects.filter(event__end__lt=cutoff, user__isnull=False).update(user=None)
    # A walk-in's optional name goes at the same time (the seats and the check-in stay).
    count += (
        Registration.objects.filter(event__end__lt=cutoff, walk_in=True)
        .exclude(walk_in_name="")
        .update(walk_in_name="")
    )
    # "Tell me when it opens" requests have served their purpose once the event is long over.
    OpeningReminder.objects.filter(event__end__lt=cutoff).delete()
    if count:
        AuditLog.objects.create(
            action=AuditAction.REGISTRATIONS_ANONYMISED,
            target_type="events.registration",
            target_id="*",
            data={"count": count, "ended_before": cutoff.isoformat()},
        )
    return count


@transaction.atomic
def registrations_release_person(*, person: User) -> dict[str, int]:
    """Account deletion (composable): cancel the person's live registrations for events that
    have not started, as if they cancelled themselves (the waiting list moves and whoever
    gets the seat is told), then remove the person from all their registrations. Seats,
    status and check-ins stay, so the plan's numbers of past events do not change.
    """
    now = timezone.now()
    coming = list(
        Registration.objects.filter(
            user=person, status__in=LIVE_REGISTRATION_STATUSES, event__start__gt=now
        ).order_by("event_id", "pk")  # events are locked in a fixed order
    )
    for reg in coming:
        _registration_cancel(actor=person, registration=reg, reason="")
    RegistrationAnswer.objects.filter(registration__user=person).delete()
    unlinked = Registration.objects.filter(user=person).update(user=None)
    OpeningReminder.objects.filter(user=person).delete()
    return {"registrations_cancelled": len(coming), "registrations_unlinked": unlinked}
