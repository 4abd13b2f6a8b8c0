"""Registrations: register (a seat or the waiting list), cancel, check in.

Every write locks the Event row first (``core.locking.lock_one``) and counts the confirmed
seats from the rows under that lock, so an event is never oversold; one live registration
per person and event is backed by a partial unique constraint.

Registering is the hot path when a popular event opens, and every writer of the event waits
for the lock, so the work under it is two round trips on PostgreSQL: the lock and one
statement that counts the seats, the queue and the person's own registration (and whether the
event asks sign-up questions; only then are they read) go in one string
(``locking.lock_one_then``); the INSERT, its audit row, its message and the COMMIT that
releases the lock in another (``core.db.batched_inserts``: the registration's id is taken by
the count, so nothing is read back). The count is a statement of its own, after the lock: a
statement that waited for the lock would count with the snapshot it took before waiting. A
duplicate that slips past the count anyway (the unique constraint) rolls the whole
transaction back and becomes the same 409.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction, MessageKind
from core.db import batched_inserts, insert_quietly, is_conflict_error, next_id_sql, prepared
from core.exceptions import Conflict, ErrorCode, NotFound, PermissionDenied, RuleViolation
from core.models import User
from core.overrides import override_for, override_log
from core.selectors import can_manage_branch
from core.services import audit_append, audit_log
from core.timeutils import local_tz
from events.models import (
    Event,
    EventState,
    Registration,
    RegistrationStatus,
    SignupQuestion,
)
from events.selectors import can_host_event
from events.services._common import _send
from events.services.door import check_in_is_open
from events.services.questions import _answers_checked, _answers_save, _questions_of
from events.services.waitlist import _promote, _renumber_waitlist
from rooms import selectors as room_selectors
from rooms import services as room_services

# --- Register -----------------------------------------------------------------------


def registration_create(
    *,
    actor: User,
    event: Event | int,
    seats: int = 1,
    answers: Mapping[int, str] | None = None,
    on_behalf_of: str | User | None = None,
    override_reason: str = "",
) -> Registration:
    """Register ``actor`` for ``seats`` seats: confirmed while seats remain, else waiting list.

    ``event`` is the event or its primary key: it is loaded under its lock either way (an
    unknown key is a 404, as is a draft). Newcomers join the waiting list when anyone is
    already waiting, so freed seats go to the queue first. ``answers`` maps the event's
    sign-up questions (by id) to the person's answers; each required question needs one (400
    ``answer_required``). ``on_behalf_of`` (an e-mail): staff of the event's branch register
    that person under the person's rules; a rule broken is refused as for the person unless
    ``override_reason`` is given, then bent, logged and kept on the registration.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Please log in to register."))
    try:
        return _registration_create(
            actor=actor,
            event_id=event if isinstance(event, int) else event.pk,
            seats=seats,
            answers=answers or {},
            on_behalf_of=on_behalf_of,
            override_reason=override_reason,
        )
    except IntegrityError as error:
        # The unique constraints caught what the count under the lock did not (no savepoint:
        # the whole transaction is rolled back, and nothing of it was kept).
        if is_conflict_error(error):
            raise Conflict(
                _("Someone registered at the same moment. Please try again."),
                code=ErrorCode.REGISTRATION_CONFLICT,
            ) from error
        raise


@transaction.atomic(durable=True)
def _registration_create(
    *,
    actor: User,
    event_id: int,
    seats: int,
    answers: Mapping[int, str],
    on_behalf_of: str | User | None,
    override_reason: str,
) -> Registration:
    try:
        if on_behalf_of:  # at the desk: the person is known once the event's branch is
            event = locking.lock_one(Event, event_id)
        else:  # the lock and the count in one round trip
            count = prepared("modested_registration_tally", *_tally_sql(event_id, actor))
            event, counted = locking.lock_one_then(Event, event_id, *count)
    except Event.DoesNotExist as error:
        raise NotFound(_("This event does not exist.")) from error
    override = None
    if on_behalf_of:
        override = override_for(
            actor=actor, branch=event.branch_id, on_behalf_of=on_behalf_of, reason=override_reason
        )
        counted = _count(*_tally_sql(event_id, override.person))
    person = override.person if override is not None else actor
    _check_open_for(event, seats)
    for rule in (_check_not_started, _check_seats_per_registration):
        if override is None:
            rule(event, seats)
        else:
            with override.check():  # each rule on its own: bending one skips no other
                rule(event, seats)
    tally = Tally.of(counted)
    if tally.mine:
        raise Conflict(
            _("You are already registered for this event. You can see it on your page."),
            code=ErrorCode.ALREADY_REGISTERED,
        )
    given = _answers_checked(_questions_of(event) if tally.asks_questions else [], answers)
    status, position = _place_for(event, seats, tally)
    locking.pause(locking.Pause.REGISTRATION_AFTER_SEAT_COUNT)
    reg = Registration(
        pk=tally.next_id,
        event=event,
        user=person,
        seats=seats,
        status=status,
        waitlist_position=position,
        registered_by=override.by if override is not None else None,
        override_rule=override.rule if override is not None else "",
        override_reason=override.reason if override is not None and override.used else "",
    )
    # The registration, its audit row, its message and the COMMIT that releases the event's
    # lock: one round trip (nothing may touch the database after this block).
    with batched_inserts(commit=True):
        insert_quietly([reg])
        _answers_save(reg, given)
        audit_append(
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


@dataclass(frozen=True)
class Tally:
    """What registering needs to know about an event's registrations, counted under its lock."""

    confirmed: int  # seats confirmed
    waiting: int  # registrations on the waiting list
    last_position: int | None  # the waiting list's last place
    mine: int  # the person's live registrations (confirmed or waiting: 0 or 1)
    asks_questions: bool  # the event asks sign-up questions
    next_id: int  # the new registration's id, so nothing needs reading back after its INSERT

    @classmethod
    def of(cls, row: tuple[object, ...]) -> Tally:
        confirmed, waiting, last_position, mine, asks_questions, next_id = row
        return cls(
            int(confirmed),  # type: ignore[call-overload]
            int(waiting),  # type: ignore[call-overload]
            None if last_position is None else int(last_position),  # type: ignore[call-overload]
            int(mine),  # type: ignore[call-overload]
            bool(asks_questions),
            int(next_id),  # type: ignore[call-overload]
        )


# The tally in plain SQL: it runs while every other writer of the event waits, and the ORM
# took several times longer to build this query than the database takes to answer it.
_TALLY_SQL = """
    SELECT
        COALESCE(SUM(r.seats) FILTER (WHERE r.status = %s), 0),
        COUNT(*) FILTER (WHERE r.status = %s),
        MAX(r.waitlist_position) FILTER (WHERE r.status = %s),
        COUNT(*) FILTER (WHERE r.user_id = %s AND r.status IN (%s, %s)),
        EXISTS (
            SELECT 1 FROM {questions} q
            WHERE q.series_id = (SELECT e.series_id FROM {events} e WHERE e.id = %s)
            AND NOT q.removed
        ),
        {next_id}
    FROM {registrations} r
    WHERE r.event_id = %s
"""


def _tally_sql(event_id: int, person: User) -> tuple[str, list[Any]]:
    """The statement that counts an event's registrations; it must run after the event's
    lock is taken (``locking.lock_one_then``), so it sees every registration committed
    before."""
    confirmed, waitlisted = RegistrationStatus.CONFIRMED.value, RegistrationStatus.WAITLISTED.value
    params = [confirmed, waitlisted, waitlisted, person.pk, confirmed, waitlisted, event_id]
    return _tally_statement(connection.vendor), [*params, event_id]


@functools.cache
def _tally_statement(vendor: str) -> str:
    """``_TALLY_SQL`` with the tables' names and the next id's expression (per database)."""
    return _TALLY_SQL.format(
        questions=SignupQuestion._meta.db_table,
        events=Event._meta.db_table,
        registrations=Registration._meta.db_table,
        next_id=next_id_sql(Registration),
    )


def _count(sql: str, params: list[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def _place_for(event: Event, seats: int, tally: Tally) -> tuple[str, int | None]:
    """Confirmed while the seats fit and nobody waits; else the next place in the queue."""
    if event.capacity is None or (
        seats <= max(event.capacity - tally.confirmed, 0) and not tally.waiting
    ):
        return RegistrationStatus.CONFIRMED, None
    return RegistrationStatus.WAITLISTED, (tally.last_position or 0) + 1


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
