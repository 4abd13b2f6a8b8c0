"""Moving an event to a room that holds fewer people than its confirmed seats.

Staff see it before anything is saved: without a decision the move is a 409
(``room_too_small``) giving the count and the registrations that would move to the waiting
list by default (the last registered first). With a decision (``RoomFit``) those people move
to the front of the waiting list, in the order they registered, and each hears it in the one
``event.changed`` message of the move. The event's capacity becomes the room's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import Conflict, ErrorCode, RuleViolation
from core.models import User
from core.services import audit_log
from events.models import Event, PlaceKind, Registration, RegistrationStatus
from events.services.waitlist import _confirmed_seats


@dataclass(frozen=True)
class RoomFit:
    """Staff's decision when the new room is too small: move the last registered to the
    waiting list (``to_waitlist``), or exactly ``registrations`` (ids)."""

    to_waitlist: bool = False
    registrations: tuple[int, ...] = ()

    @property
    def decided(self) -> bool:
        return self.to_waitlist or bool(self.registrations)


def _last_registered_first(event: Event) -> list[Registration]:
    return list(
        event.registrations.filter(status=RegistrationStatus.CONFIRMED).order_by(
            "-created_at", "-id"
        )
    )


def _default_choice(confirmed: list[Registration], over: int) -> list[Registration]:
    """The last registered, as many as free ``over`` seats."""
    chosen: list[Registration] = []
    freed = 0
    for reg in confirmed:
        if freed >= over:
            break
        chosen.append(reg)
        freed += reg.seats
    return chosen


def plan_room_fit(event: Event, old: dict[str, Any], fit: RoomFit) -> list[Registration]:
    """For a locked event just moved to another room (not yet saved): who must move to the
    waiting list, by staff's decision; the capacity is lowered to the room's (in ``old``).

    Raises 409 ``room_too_small`` with the count when staff have not decided yet."""
    if not ({"room", "place_kind"} & set(old)) or event.place_kind != PlaceKind.ROOM:
        return []
    room = event.room
    if room is None:
        return []
    chosen: list[Registration] = []
    confirmed = _confirmed_seats(event)
    over = confirmed - room.capacity
    if over > 0:
        regs = _last_registered_first(event)
        if not fit.decided:
            raise _too_small(
                event, room.name, room.capacity, confirmed, _default_choice(regs, over)
            )
        if fit.registrations:
            wanted = set(fit.registrations)
            chosen = [r for r in regs if r.pk in wanted]
            left = confirmed - sum(r.seats for r in chosen)
            if left > room.capacity:
                raise RuleViolation(
                    _(
                        "%(room)s holds %(capacity)s people: choose registrations for "
                        "%(more)s more seats to move to the waiting list."
                    ),
                    field="to_waitlist",
                    code=ErrorCode.ROOM_TOO_SMALL,
                    room=room.name,
                    capacity=room.capacity,
                    more=left - room.capacity,
                )
        else:
            chosen = _default_choice(regs, over)
    if event.registration_required and (event.capacity is None or event.capacity > room.capacity):
        old.setdefault("capacity", event.capacity)
        event.capacity = room.capacity
    return chosen


def _too_small(
    event: Event, room: str, capacity: int, confirmed: int, suggested: list[Registration]
) -> Conflict:
    when = timezone.localtime(event.start).strftime("%d.%m.%Y %H:%M")
    return Conflict(
        _(
            "%(room)s holds %(capacity)s people, but %(confirmed)s seats are confirmed for "
            "%(when)s. Choose who moves to the waiting list (by default those who registered "
            "last), or choose a larger room."
        ),
        code=ErrorCode.ROOM_TOO_SMALL,
        field="room",
        room=room,
        capacity=capacity,
        confirmed=confirmed,
        when=when,
        extra={
            "event": event.pk,
            "room_capacity": capacity,
            "confirmed_seats": confirmed,
            "over": confirmed - capacity,
            "suggested": [r.pk for r in suggested],
        },
    )


def move_to_waitlist(event: Event, regs: list[Registration], actor: User | None) -> None:
    """Put ``regs`` at the front of the locked event's waiting list, in the order they
    registered; those already waiting keep their order behind them."""
    if not regs:
        return
    count = len(regs)
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "-waitlist_position"
    )
    for reg in waiting:  # from the back, so no two ever share a position
        Registration.objects.filter(pk=reg.pk).update(
            waitlist_position=(reg.waitlist_position or 0) + count
        )
    for position, reg in enumerate(sorted(regs, key=lambda r: (r.created_at, r.pk)), start=1):
        reg.status = RegistrationStatus.WAITLISTED
        reg.waitlist_position = position
        reg.sequence += 1
        reg.save(update_fields=["status", "waitlist_position", "sequence"])
        audit_log(
            actor=actor,
            action=AuditAction.REGISTRATION_MOVED_TO_WAITLIST,
            target=reg,
            data={"event": event.pk, "position": position, "room": event.room_id},
        )
