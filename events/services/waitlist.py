"""Seats and the waiting list: confirmed seats are counted from the rows under the event's
lock (never a counter), and freed seats go to the waiting list in arrival order."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core import locking
from core.contracts import AuditAction, MessageKind
from core.models import User
from core.services import audit_log
from events.models import Event, EventState, Registration, RegistrationStatus
from events.services._common import _send


def _confirmed_seats(event: Event) -> int:
    seats: int | None = event.registrations.filter(status=RegistrationStatus.CONFIRMED).aggregate(
        n=Sum("seats")
    )["n"]
    return seats or 0


def _free_seats(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - _confirmed_seats(event), 0)


def _renumber_waitlist(event: Event) -> None:
    """Close the gaps: positions 1..n in arrival order (ascending, so never two alike)."""
    waiting = list(
        event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "waitlist_position"
        )
    )
    for index, reg in enumerate(waiting, start=1):
        if reg.waitlist_position != index:
            Registration.objects.filter(pk=reg.pk).update(waitlist_position=index)
            reg.waitlist_position = index


def _promote(*, event: Event, actor: User | None) -> list[Registration]:
    """Give freed seats to the waiting list in order, as many as fit (event row locked).

    Strictly first come, first served: a party that does not fit yet keeps its
    place and is not passed by smaller parties behind it.
    """
    if event.state != EventState.PUBLISHED or event.start <= timezone.now():
        return []
    waiting = list(
        event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
            "waitlist_position"
        )
    )
    if not waiting:
        return []
    free = _free_seats(event) if event.registration_required else None
    locking.pause(locking.Pause.PROMOTION_AFTER_SEAT_COUNT)
    promoted = []
    for reg in waiting:
        if free is not None and reg.seats > free:
            break
        reg.status = RegistrationStatus.CONFIRMED
        reg.waitlist_position = None
        reg.sequence += 1
        reg.save(update_fields=["status", "waitlist_position", "sequence"])
        if free is not None:
            free -= reg.seats
        promoted.append(reg)
        audit_log(
            actor=actor,
            action=AuditAction.REGISTRATION_PROMOTED,
            target=reg,
            data={"event": event.pk},
        )
        _send(reg, MessageKind.REGISTRATION_PROMOTED, actor)
    if promoted:
        _renumber_waitlist(event)
    return promoted


@transaction.atomic
def waitlist_promote(*, event: Event, actor: User | None = None) -> list[Registration]:
    """Promote from the waiting list as many as now fit (composable; locks the event)."""
    event = locking.lock_one(Event, event.pk)
    return _promote(event=event, actor=actor)
