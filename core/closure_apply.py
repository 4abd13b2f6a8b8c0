"""Closing a branch at short notice in one action: what a closure touches is cancelled (or,
for an event, moved), through the apps' own services, so everyone is told as usual.

core cannot import rooms, events or volunteers, so each registers one handler in its
``AppConfig.ready()`` beside its ``core.closure_impact`` selector::

    register_closure_apply("rooms", services.closure_cancel_bookings)

A handler is called inside the closure's transaction with the items of its group from
``closure_impact`` (exactly those the preview lists), the closure's reason and the moves
staff asked for; it returns ``ApplyResult``. ``closure_touched`` is the preview both the
page and the API show; ``core.services_branch.closure_create_and_apply`` runs the handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.closure_impact import ImpactItem, closure_impact
from core.exceptions import Conflict, ErrorCode
from core.models import Branch, Closure, User
from core.selectors import closure_period

# The keys of the API's answer, in its order, for each item ``kind`` of the selectors.
TOUCHED_KEYS = {
    "room_booking": "room_bookings",
    "equipment_booking": "equipment_bookings",
    "event": "events",
    "shift": "shifts",
}


@dataclass(frozen=True)
class EventMove:
    """Staff move ``event`` to [start, end) (in ``room`` if given) instead of cancelling it."""

    event: int
    start: datetime
    end: datetime
    room: int | None = None


@dataclass
class ApplyResult:
    cancelled: dict[str, list[int]] = field(default_factory=dict)
    moved: list[int] = field(default_factory=list)


ApplyFn = Callable[..., ApplyResult]
"""``fn(*, actor, items, reason, moves) -> ApplyResult``."""

_handlers: dict[str, ApplyFn] = {}


def register_closure_apply(key: str, fn: ApplyFn) -> None:
    """Register (or replace) the handler that cancels what of ``key`` a closure touches."""
    _handlers[key] = fn


def closure_touched(*, branch: Branch, start: datetime, end: datetime) -> dict[str, list[Any]]:
    """What closing ``branch`` in [start, end) would change, by kind; what has already ended
    is left alone. ``{"room_bookings": [items], ...}`` with every key present."""
    now = timezone.now()
    touched: dict[str, list[Any]] = {key: [] for key in TOUCHED_KEYS.values()}
    for group in closure_impact(branch=branch, start=start, end=end):
        for item in group.items:
            key = TOUCHED_KEYS.get(str(item.get("kind")))
            if key is not None and item["end"] > now:
                touched[key].append(item)
    return touched


def closure_apply_handlers(
    *,
    actor: User,
    branch: Branch,
    start: datetime,
    end: datetime,
    reason: str,
    moves: Sequence[EventMove] = (),
) -> ApplyResult:
    """Run every registered handler on its items (in the order of ``closure_impact``);
    the caller holds the transaction."""
    result = ApplyResult(cancelled={key: [] for key in TOUCHED_KEYS.values()})
    by_source: dict[str, list[ImpactItem]] = {}
    now = timezone.now()
    for group in closure_impact(branch=branch, start=start, end=end):
        by_source[group.key] = [i for i in group.items if i["end"] > now]
    for key, fn in _handlers.items():
        done: ApplyResult = fn(
            actor=actor, items=by_source.get(key, []), reason=reason, moves=list(moves)
        )
        for kind, ids in done.cancelled.items():
            result.cancelled.setdefault(kind, []).extend(ids)
        result.moved.extend(done.moved)
    return result


def check_not_closed(*, branch: Branch, start: datetime, end: datetime) -> None:
    """A 409 naming the closure when ``branch`` (or every branch) is closed at some time of
    [start, end): where an event moved away from a closure must not land."""
    candidates = Closure.objects.filter(
        Q(branch=branch) | Q(branch__isnull=True),
        starts_on__lte=timezone.localtime(end).date(),
        ends_on__gte=timezone.localtime(start).date(),
    )
    for closure in candidates:
        closed_from, closed_until = closure_period(closure)
        if closed_from < end and start < closed_until:
            raise Conflict(
                _("%(branch)s is closed then: %(reason)s."),
                code=ErrorCode.BRANCH_CLOSED,
                branch=branch.name,
                reason=closure.reason,
            )
