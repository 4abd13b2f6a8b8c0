"""Registrations: register (a seat or the waiting list), cancel, check in.

Every write locks the Event row first (``core.locking.lock_one``) and counts the confirmed
seats from the rows under that lock, so an event is never oversold; one live registration
per person and event is backed by a partial unique constraint.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction, MessageKind
from core.db import is_conflict_error
from core.exceptions import Conflict, ErrorCode, NotFound, PermissionDenied, RuleViolation
from core.models import User
from core.overrides import Override, override_for, override_log
from core.selectors import can_manage_branch
from core.services import audit_log
from core.timeutils import local_tz
from events.models import (
    LIVE_REGISTRATION_STATUSES,
    Event,
    EventState,
    Registration,
    RegistrationStatus,
)
from events.selectors import can_host_event
from events.services._common import _send
from events.services.door import check_in_is_open
from events.services.questions import _answers_checked, _answers_save, _questions_of
from events.services.waitlist import _free_seats, _promote, _renumber_waitlist
from rooms import selectors as room_selectors
from rooms import services as room_services

# --- Register -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def registration_create(
    *,
    actor: User,
    event: Event,
    seats: int = 1,
    answers: Mapping[int, str] | None = None,
    on_behalf_of: str | User | None = None,
    override_reason: str = "",
) -> Registration:
    """Register ``actor`` for ``seats`` seats: confirmed while seats remain, else waiting list.

    Newcomers join the waiting list when anyone is already waiting, so freed seats
    go to the queue first. ``answers`` maps the event's sign-up questions (by id) to the
    person's answers; each required question needs one (400 ``answer_required``). ``on_behalf_of`` (an e-mail): staff of the event's branch register
    that person under the person's rules; a rule broken is refused as for the person unless
    ``override_reason`` is given, then bent, logged and kept on the registration.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to register."))
    override = None
    if on_behalf_of:
        override = override_for(
            actor=actor, branch=event.branch_id, on_behalf_of=on_behalf_of, reason=override_reason
        )
    person = override.person if override is not None else actor
    try:
        event = locking.lock_one(Event, event.pk)
    except Event.DoesNotExist as error:
        raise NotFound(_("This event does not exist.")) from error
    _check_open_for(event, seats)
    for rule in (_check_not_started, _check_seats_per_registration):
        if override is None:
            rule(event, seats)
        else:
            with override.check():  # each rule on its own: bending one skips no other
                rule(event, seats)
    if event.registrations.filter(user=person, status__in=LIVE_REGISTRATION_STATUSES).exists():
        raise Conflict(
            _("You are already registered for this event. You can see it on your page."),
            code=ErrorCode.ALREADY_REGISTERED,
        )
    given = _answers_checked(_questions_of(event), answers or {})
    status, position = _place_for(event, seats)
    locking.pause(locking.Pause.REGISTRATION_AFTER_SEAT_COUNT)
    reg = _insert_registration(
        event=event, actor=person, seats=seats, status=status, position=position, o=override
    )
    _answers_save(reg, given)
    audit_log(
        actor=actor,
        action=AuditAction(f"registration.{status}"),
        target=reg,
        data={"event": event.pk, "seats": seats, "position": position},
    )
    override_log(override, target=reg, data={"event": event.pk})
    _send(reg, MessageKind(f"registration.{status}"), actor)
    return reg


def _check_open_for(event: Event, seats: int) -> None:
    """The (locked) event takes registrations, and ``seats`` is a number it allows."""
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event is cancelled."), code=ErrorCode.EVENT_CANCELLED)
    if event.state != EventState.PUBLISHED:
        raise NotFound(_("This event does not exist."))
    if not event.registration_required:
        raise RuleViolation(
            _("No registration is needed for this event: just come along."), code=ErrorCode.DROP_IN
        )
    _check_registration_open(event)
    if seats < 1:
        raise RuleViolation(_("Please register for at least 1 seat."), field="seats")
    if event.capacity is not None and seats > event.capacity:
        raise RuleViolation(
            _("The event has only %(capacity)s seats in all."),
            field="seats",
            capacity=event.capacity,
        )


# The rules staff may bend with a reason when registering someone at the desk.


def _check_not_started(event: Event, seats: int) -> None:
    if event.start <= timezone.now():
        raise RuleViolation(_("This event has already started."), code=ErrorCode.EVENT_STARTED)


def _check_seats_per_registration(event: Event, seats: int) -> None:
    if seats > event.max_seats_per_registration:
        raise RuleViolation(
            _("You can register for at most %(max)s seats."),
            field="seats",
            max=event.max_seats_per_registration,
        )


def _check_registration_open(event: Event) -> None:
    """Before the event's registration opens, nobody gets a seat or a place in line (a 409
    saying when it opens; people may ask to be told, ``opening_reminder_request``)."""
    opens = event.registration_opens_at
    if opens is not None and timezone.now() < opens:
        raise Conflict(
            _(
                "Registration opens %(opens)s. Ask to be told, and you get one message when "
                "it opens."
            ),
            code=ErrorCode.REGISTRATION_NOT_OPEN,
            opens=f"{timezone.localtime(opens, local_tz()):%d.%m.%Y %H:%M}",
            extra={"registration_opens_at": timezone.localtime(opens).isoformat()},
        )


def _place_for(event: Event, seats: int) -> tuple[str, int | None]:
    """Confirmed while the seats fit and nobody waits; else the next place in the queue."""
    free = _free_seats(event)
    someone_waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).exists()
    if free is None or (seats <= free and not someone_waiting):
        return RegistrationStatus.CONFIRMED, None
    last: int | None = event.registrations.filter(status=RegistrationStatus.WAITLISTED).aggregate(
        m=Max("waitlist_position")
    )["m"]
    return RegistrationStatus.WAITLISTED, (last or 0) + 1


def _insert_registration(
    *,
    event: Event,
    actor: User,
    seats: int,
    status: str,
    position: int | None,
    o: Override | None = None,
) -> Registration:
    """INSERT in a savepoint, so the unique constraints' ``IntegrityError`` becomes a 409."""
    try:
        with transaction.atomic():
            return Registration.objects.create(
                event=event,
                user=actor,
                seats=seats,
                status=status,
                waitlist_position=position,
                registered_by=o.by if o is not None else None,
                override_rule=o.rule if o is not None else "",
                override_reason=o.reason if o is not None and o.used else "",
            )
    except IntegrityError as error:
        if is_conflict_error(error):
            raise Conflict(
                _("Someone registered at the same moment. Please try again."),
                code=ErrorCode.REGISTRATION_CONFLICT,
            ) from error
        raise


# --- Cancel -------------------------------------------------------------------------


@transaction.atomic(durable=True)
def registration_cancel(
    *, actor: User, registration: Registration, reason: str = ""
) -> Registration:
    """Cancel a registration (the person's own, or staff for their branch) until the start.

    Frees its seats and promotes from the waiting list as many as now fit.
    """
    return _registration_cancel(actor=actor, registration=registration, reason=reason)


@transaction.atomic
def _registration_cancel(*, actor: User, registration: Registration, reason: str) -> Registration:
    """``registration_cancel``, composable (for a caller that is already a transaction)."""
    event = locking.lock_one(Event, registration.event_id)
    reg = Registration.objects.get(pk=registration.pk)
    own = actor is not None and reg.user_id == actor.pk
    if not own and not can_manage_branch(user=actor, branch=event.branch_id):
        raise NotFound(_("Registration not found."))
    if reg.status == RegistrationStatus.CANCELLED:
        return reg
    if event.start <= timezone.now():
        raise RuleViolation(
            _("The event has started; the registration can no longer be cancelled."),
            code=ErrorCode.EVENT_STARTED,
        )
    was = reg.status
    reg.status = RegistrationStatus.CANCELLED
    reg.waitlist_position = None
    reg.cancelled_at = timezone.now()
    reg.cancel_reason = reason.strip()[:300]
    reg.sequence += 1
    reg.save(
        update_fields=["status", "waitlist_position", "cancelled_at", "cancel_reason", "sequence"]
    )
    audit_log(
        actor=actor,
        action=AuditAction.REGISTRATION_CANCELLED,
        target=reg,
        data={"event": event.pk, "was": was, "reason": reg.cancel_reason},
    )
    _send(reg, MessageKind.REGISTRATION_CANCELLED, actor)
    if was == RegistrationStatus.WAITLISTED:
        _renumber_waitlist(event)
    _promote(event=event, actor=actor)
    return reg


# --- Check in -----------------------------------------------------------------------


@transaction.atomic(durable=True)
def registration_check_in(*, actor: User, registration: Registration) -> Registration:
    """Staff of the branch (or the event's host) check a confirmed registration in.

    At a licence course (``licence_equipment_kind``) the person gets the licence
    through ``rooms.services.licence_grant``. Checking in twice changes nothing.
    """
    event = locking.lock_one(Event, registration.event_id)
    reg = Registration.objects.select_related("user").get(pk=registration.pk)
    if not can_host_event(user=actor, event=event):  # staff, the host, the host association
        raise NotFound(_("Registration not found."))
    if reg.status != RegistrationStatus.CONFIRMED:
        raise RuleViolation(
            _("Only confirmed registrations can be checked in (this one is %(status)s)."),
            status=reg.get_status_display(),
            code=ErrorCode.NOT_CONFIRMED,
        )
    if event.state == EventState.CANCELLED:
        raise RuleViolation(_("This event was cancelled."))
    now = timezone.now()
    if not check_in_is_open(event, now=now):
        raise RuleViolation(
            _("Check-in is open from the start of the day of the event until the day after."),
            code=ErrorCode.CHECK_IN_CLOSED,
        )
    if reg.checked_in_at is not None:
        return reg
    reg.checked_in_at = now
    reg.save(update_fields=["checked_in_at"])
    data: dict[str, object] = {"event": event.pk}
    person = reg.user  # loaded with the registration (select_related): no query
    if event.licence_equipment_kind and person is not None:
        held = room_selectors.has_licence(user=person, equipment_kind=event.licence_equipment_kind)
        licence = room_services.licence_grant(
            person=person,
            equipment_kind=event.licence_equipment_kind,
            actor=actor,
            source="course",
        )
        if not held:  # this check-in gave it: undoing the check-in takes it back
            data["licence_granted"] = licence.pk
    audit_log(
        actor=actor,
        action=AuditAction.REGISTRATION_CHECKED_IN,
        target=reg,
        data=data,
    )
    return reg
