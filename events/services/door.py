"""At the door: when check-in is open, undoing a check-in, and walk-ins.

Every write locks the Event row first (``core.locking.lock_one``), as registering does, and
re-reads what it changes, so two tablets at one door agree: the second of two identical
actions changes nothing, and a walk-in takes a seat only if the confirmed seats counted
under the lock leave room for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction
from core.exceptions import ErrorCode, EventFull, NotFound, RuleViolation
from core.models import AuditLog, User
from core.selectors import can_manage_branch
from core.services import audit_log
from core.timeutils import day_bounds, local_tz
from events.models import Event, EventState, Registration, RegistrationStatus
from events.services.waitlist import _free_seats, _promote
from rooms import services as room_services

# Check-in stays open this long after the end (a late list, a forgotten tap).
CHECK_IN_AFTER_END = timedelta(hours=12)
WALK_IN_MAX_SEATS = 20


def check_in_opens(event: Event) -> datetime:
    """Check-in opens at 00:00 local time on the day the event starts."""
    start_day = timezone.localtime(event.start, local_tz()).date()
    return day_bounds(start_day)[0]


def check_in_is_open(event: Event, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return check_in_opens(event) <= now <= event.end + CHECK_IN_AFTER_END


def _check_door_open(*, actor: User, event: Event) -> None:
    """Staff of the branch or the host, at a live event on its day; else a clear refusal."""
    if not (
        can_manage_branch(user=actor, branch=event.branch_id)
        or (actor is not None and event.host_id == actor.pk)
    ):
        raise NotFound(_("Event not found."))
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event was cancelled."), code=ErrorCode.EVENT_CANCELLED)
    if not check_in_is_open(event):
        raise RuleViolation(
            _("Check-in is open from the start of the day of the event until the day after."),
            code=ErrorCode.CHECK_IN_CLOSED,
        )


def _licence_granted_by_check_in(reg: Registration) -> int | None:
    """The licence the check-in being undone gave (a licence course's check-in writes its id
    on its audit row when the person did not hold the licence before), else None."""
    last = (
        AuditLog.objects.filter(
            action=AuditAction.REGISTRATION_CHECKED_IN,
            target_type=reg._meta.label_lower,
            target_id=str(reg.pk),
        )
        .order_by("-id")  # the latest check-in of this registration
        .values_list("data", flat=True)
        .first()
    )
    granted = last.get("licence_granted") if isinstance(last, dict) else None
    return granted if isinstance(granted, int) else None


@transaction.atomic(durable=True)
def registration_check_in_undo(*, actor: User, registration: Registration) -> Registration:
    """Undo a check-in tapped by mistake: the person counts as not (yet) come.

    A walk-in has no registration to fall back to, so undoing it removes the walk-in
    (cancelled, its seats free again). Undoing what is not checked in changes nothing.
    """
    event = locking.lock_one(Event, registration.event_id)
    reg = Registration.objects.get(pk=registration.pk)
    _check_door_open(actor=actor, event=event)
    if reg.checked_in_at is None:
        return reg
    was = reg.checked_in_at
    reg.checked_in_at = None
    fields = ["checked_in_at"]
    if reg.walk_in:
        reg.status = RegistrationStatus.CANCELLED
        reg.cancelled_at = timezone.now()
        fields += ["status", "cancelled_at"]
    reg.save(update_fields=fields)
    licence_id = _licence_granted_by_check_in(reg)
    if licence_id is not None:
        room_services.licence_revoke_course_grant(actor=actor, licence_id=licence_id)
    audit_log(
        actor=actor,
        action=AuditAction.REGISTRATION_CHECK_IN_UNDONE,
        target=reg,
        data={
            "event": event.pk,
            "was": was.isoformat(),
            "walk_in": reg.walk_in,
            "licence_revoked": licence_id,
        },
    )
    if reg.walk_in:
        _promote(event=event, actor=actor)
    return reg


@transaction.atomic(durable=True)
def registration_walk_in(
    *, actor: User, event: Event, seats: int = 1, name: str = ""
) -> Registration:
    """Staff add people who came without registering, checked in at once, if seats are free.

    The walk-in is a confirmed registration without a user, so it holds its seats in the
    same count (under the event's lock) that registering and the waiting list use.
    """
    event = locking.lock_one(Event, event.pk)
    _check_door_open(actor=actor, event=event)
    if event.state != EventState.PUBLISHED:
        raise NotFound(_("Event not found."))
    if not 1 <= seats <= WALK_IN_MAX_SEATS:
        raise RuleViolation(
            _("Enter between 1 and %(max)s people."), field="seats", max=WALK_IN_MAX_SEATS
        )
    free = _free_seats(event) if event.registration_required else None
    locking.pause(locking.Pause.REGISTRATION_AFTER_SEAT_COUNT)
    if free is not None and seats > free:
        raise EventFull(
            _("There is no room for %(seats)s more: %(free)s seats are free."),
            field="seats",
            seats=seats,
            free=free,
        )
    now = timezone.now()
    reg = Registration.objects.create(
        event=event,
        user=None,
        walk_in=True,
        walk_in_name=name.strip()[:120],
        seats=seats,
        status=RegistrationStatus.CONFIRMED,
        checked_in_at=now,
    )
    audit_log(
        actor=actor,
        action=AuditAction.REGISTRATION_WALK_IN,
        target=reg,
        data={"event": event.pk, "seats": seats, "named": bool(reg.walk_in_name)},
    )
    return reg
