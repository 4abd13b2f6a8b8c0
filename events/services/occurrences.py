"""Changing and cancelling one occurrence under its lock: the steps that ``event_update``,
``series_update``, ``event_cancel`` and ``series_cancel`` compose.

A change of time or place bumps the occurrence's ``sequence``, moves its room booking and
tells those registered (``event.changed``); a cancellation cancels its registrations,
releases its room and tells them (``event.cancelled``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import locking
from core.contracts import AuditAction, MessageKind
from core.exceptions import RuleViolation
from core.models import User
from core.services import audit_log
from core.signals import state_changed
from events.models import (
    LIVE_REGISTRATION_STATUSES,
    Event,
    EventState,
    PlaceKind,
    Registration,
    RegistrationStatus,
)
from events.services._common import (
    M2M_FIELDS,
    SHARED_FIELDS,
    TIME_PLACE_FIELDS,
    _plain,
    _require_branch,
    _set_m2m,
)
from events.services.places import _release, _sync_room
from events.services.roomfit import RoomFit, move_to_waitlist, plan_room_fit
from events.services.validation import (
    ClosedOverride,
    _check_data,
    _check_publishable,
    _check_times,
    _closed_days,
    _closed_override_reason,
    _local_days,
)
from events.services.waitlist import _confirmed_seats, _promote


def _apply_changes(
    *,
    actor: User | None,
    event: Event,
    changes: Mapping[str, Any],
    mark_edited: bool,
    override: ClosedOverride | None = None,
    closed: Mapping[date, str] | None = None,
    fit: RoomFit | None = None,
) -> bool:
    """Apply field changes to a locked event; returns True when something changed.

    A move onto a day the branch is closed is refused unless ``override`` holds it anyway
    with a reason (``_check_still_open``); ``closed`` is the branch's closed days when the
    caller (a series) asked once for all its dates. A move to a room smaller than the
    confirmed seats is a 409 unless ``fit`` says who moves to the waiting list.
    """
    before = (event.branch_id, event.start, event.end)
    old_place = _place_text(event)
    old = _changed_fields(event, changes)
    for name, value in changes.items():
        if name not in M2M_FIELDS:
            setattr(event, name, value)
    if old:
        _check_changed_event(event, changes, old)
    _check_still_open(event, before, old, override or ClosedOverride(), closed)
    if not old:
        return False
    demoted = plan_room_fit(event, old, fit or RoomFit())
    if mark_edited and event.series.events.count() > 1:
        event.edited = True
    time_or_place = bool(TIME_PLACE_FIELDS & set(old))
    if set(old) != {"closed_override_reason"}:  # the staff note alone is no new revision
        event.sequence += 1
    event.save()
    _set_m2m(event, changes)
    if time_or_place or "state" in old:
        _sync_room(event, actor, room_changed="room" in old or "place_kind" in old)
    move_to_waitlist(event, demoted, actor)
    moved = {
        "old_start": before[1].isoformat(),
        "old_end": before[2].isoformat(),
        "old_where": old_place,
        "moved_to_waitlist": ",".join(str(r.pk) for r in demoted),
    }
    _record_change(actor=actor, event=event, old=old, time_or_place=time_or_place, moved=moved)
    if "capacity" in old or "registration_required" in old:
        _promote(event=event, actor=actor)
    return True


def _changed_fields(event: Event, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The old values of the fields ``changes`` really changes (m2m: the old keys, sorted)."""
    old: dict[str, Any] = {}
    for name, value in changes.items():
        if name in M2M_FIELDS:
            current = {o.pk for o in getattr(event, name).all()}
            if value is not None and current != {o.pk for o in value}:
                old[name] = sorted(current)
        elif getattr(event, name) != value:
            old[name] = getattr(event, name)
    return old


def _check_changed_event(event: Event, changes: Mapping[str, Any], old: Mapping[str, Any]) -> None:
    """The changed event keeps every rule; the capacity stays above the confirmed seats."""
    merged = {name: getattr(event, name) for name in SHARED_FIELDS}
    merged["title"] = event.title
    _check_data(merged)
    _check_times(event.start, event.end)
    if event.state == EventState.PUBLISHED:
        tracks = changes.get("tracks")
        _check_publishable(tracks if tracks is not None else event.tracks.all())
    if event.capacity is not None and "capacity" in old:
        confirmed = _confirmed_seats(event)
        if event.capacity < confirmed:
            raise RuleViolation(
                _("%(confirmed)s seats are already confirmed: the capacity cannot be lower."),
                field="capacity",
                confirmed=confirmed,
            )


def _check_still_open(
    event: Event,
    before: tuple[int, datetime, datetime],
    old: dict[str, Any],
    override: ClosedOverride,
    closed: Mapping[date, str] | None,
) -> None:
    """After a move (time or branch) or a new "held although closed" reason: the event's
    reason for being held although the library is closed, recorded in ``old`` if it
    changes. Days the event already took at the same branch are not moved onto."""
    moved = bool({"start", "end", "branch"} & set(old))
    if not moved and not (override.held and override.reason.strip()):
        return
    old_branch_id, old_start, old_end = before
    same_branch = old_branch_id == event.branch_id
    if closed is None:
        spans = [(event.start, event.end)] + ([(old_start, old_end)] if same_branch else [])
        closed = _closed_days(event.branch, spans)
    already = [d for d in _local_days(old_start, old_end) if d in closed] if same_branch else []
    reason = _closed_override_reason(
        branch=event.branch,
        start=event.start,
        end=event.end,
        override=override,
        closed=closed,
        already=already,
        current=event.closed_override_reason,
    )
    if reason != event.closed_override_reason:
        old["closed_override_reason"] = event.closed_override_reason
        event.closed_override_reason = reason


def _place_text(event: Event) -> str:
    """Where the event is, in words, for the "before" line of its change message."""
    if event.place_kind == PlaceKind.ROOM and event.room is not None:
        return f"{event.room.name}, {event.branch.name}"
    if event.place_kind == PlaceKind.ADDRESS and event.address:
        return event.address
    if event.place_kind == PlaceKind.ONLINE:
        return event.online_url or str(_("Online"))
    return event.branch.name


def _record_change(
    *,
    actor: User | None,
    event: Event,
    old: Mapping[str, Any],
    time_or_place: bool,
    moved: Mapping[str, str] | None = None,
) -> None:
    """The audit row; and, for a published event moved in time or place, ``event.changed``."""
    audit_log(
        actor=actor,
        action=AuditAction.EVENT_CHANGED,
        target=event,
        data={
            "old": {k: _plain(v) for k, v in old.items()},
            "new": {k: _plain(getattr(event, k)) for k in old if k not in M2M_FIELDS},
        },
    )
    if time_or_place and event.state == EventState.PUBLISHED:
        state_changed.send(
            sender=Event,
            kind=MessageKind.EVENT_CHANGED,
            instance=event,
            actor=actor,
            data={"fields": sorted(TIME_PLACE_FIELDS & set(old)), **(moved or {})},
        )


@transaction.atomic
def _event_cancel(*, actor: User | None, event: Event, reason: str) -> Event:
    """``event_cancel``, composable (for a caller that is already a transaction)."""
    event = locking.lock_one(Event, event.pk)
    _require_branch(actor, event.branch)
    if event.state == EventState.CANCELLED:
        return event
    now = timezone.now()
    event.state = EventState.CANCELLED
    event.cancelled_at = now
    event.cancel_reason = reason.strip()[:300]
    event.sequence += 1
    event.save()
    regs = list(event.registrations.filter(status__in=LIVE_REGISTRATION_STATUSES))
    for reg in regs:
        reg.status = RegistrationStatus.CANCELLED
        reg.waitlist_position = None
        reg.cancelled_at = now
        reg.cancel_reason = str(_("The event was cancelled."))
        reg.sequence += 1
    Registration.objects.bulk_update(
        regs, ["status", "waitlist_position", "cancelled_at", "cancel_reason", "sequence"]
    )
    _release(event, actor)
    audit_log(
        actor=actor,
        action=AuditAction.EVENT_CANCELLED,
        target=event,
        data={"reason": event.cancel_reason, "registrations_cancelled": len(regs)},
    )
    state_changed.send(
        sender=Event,
        kind=MessageKind.EVENT_CANCELLED,
        instance=event,
        actor=actor,
        data={"reason": event.cancel_reason, "registrations": [r.pk for r in regs]},
    )
    return event
