"""A branch closed at short notice: its events in the closed time are cancelled with the
closure's reason (``event.cancelled`` tells the registered and the waiting list once), or
moved where staff asked, keeping their registrations (``event.changed``). Registered with
``core.closure_apply`` in ``EventsConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import locking
from core.closure_apply import ApplyResult, EventMove, check_not_closed
from core.closure_impact import ImpactItem
from core.exceptions import RuleViolation
from core.models import User
from events.models import Event, EventState, PlaceKind
from events.services._common import _require_branch
from events.services.occurrences import _apply_changes, _event_cancel
from rooms.models import Room


def _move_changes(event: Event, move: EventMove) -> dict[str, Any]:
    changes: dict[str, Any] = {"start": move.start, "end": move.end}
    if move.room is not None:
        room = Room.objects.select_related("branch").filter(pk=move.room).first()
        if room is None:
            raise RuleViolation(_("There is no such room."), field="room")
        changes.update(room=room, branch=room.branch, place_kind=PlaceKind.ROOM)
    return changes


def _already_there(event: Event, move: EventMove) -> bool:
    return (
        event.start == move.start
        and event.end == move.end
        and (move.room is None or event.room_id == move.room)
    )


def _move(*, actor: User, event: Event, move: EventMove) -> None:
    """``event_update`` of time and place, composable; a taken room or a closed time is a 409."""
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    changes = _move_changes(event, move)
    target = changes.get("branch", event.branch)
    _require_branch(actor, target)
    if move.end <= move.start:
        raise RuleViolation(_("The event must end after it starts."), field="end")
    check_not_closed(branch=target, start=move.start, end=move.end)
    _apply_changes(actor=actor, event=event, changes=changes, mark_edited=True)


@transaction.atomic
def closure_cancel_events(
    *, actor: User, items: Sequence[ImpactItem], reason: str, moves: Sequence[EventMove] = ()
) -> ApplyResult:
    """Move the events of ``moves`` and cancel the other events among ``items``. A move of
    an event the closure does not touch is refused, unless the event is already where the
    move would put it (the same closure sent again)."""
    touched = {int(i["id"]) for i in items}
    moving = {m.event: m for m in moves}
    events = {e.pk: e for e in Event.objects.filter(pk__in=touched | set(moving))}
    result = ApplyResult(cancelled={"events": []})
    for pk, move in sorted(moving.items()):
        event = events.get(pk)
        if event is None or event.state == EventState.CANCELLED:
            raise RuleViolation(_("There is no such event to move."), field="moves")
        if pk not in touched:
            if _already_there(event, move):
                continue
            raise RuleViolation(_("The closure does not touch this event."), field="moves")
        _move(actor=actor, event=event, move=move)
        result.moved.append(pk)
    for pk in sorted(touched - set(moving)):
        _event_cancel(actor=actor, event=events[pk], reason=reason)
        result.cancelled["events"].append(pk)
    return result
