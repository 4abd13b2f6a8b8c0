"""What a closure or a change of opening hours would touch, asked of the apps above core.

core cannot import rooms, events or volunteers, so each of them registers one selector in its
``AppConfig.ready()``::

    register_closure_impact("rooms", _("Room bookings"), selectors.bookings_in_period)

The selector takes ``(branch, start, end)`` (aware datetimes, [start, end)) and returns one
dict per thing in the way: ``{"id", "title", "start", "end", "people"}`` (``people``: how
many must be contacted). ``closure_impact`` asks them all, in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.models import Branch

ImpactItem = dict[str, Any]
ImpactFn = Callable[[Branch, datetime, datetime], list[ImpactItem]]


@dataclass(frozen=True)
class ImpactSource:
    key: str
    label: object
    fn: ImpactFn
    order: int


@dataclass
class ImpactGroup:
    key: str
    label: object
    items: list[ImpactItem] = field(default_factory=list)


_sources: dict[str, ImpactSource] = {}


def register_closure_impact(key: str, label: object, fn: ImpactFn, *, order: int = 50) -> None:
    """Register (or replace) the selector that lists what of ``key`` a closure touches."""
    _sources[key] = ImpactSource(key=key, label=label, fn=fn, order=order)


def closure_impact(
    *,
    branch: Branch,
    start: datetime,
    end: datetime,
    keep: Callable[[ImpactItem], bool] | None = None,
) -> list[ImpactGroup]:
    """What each registered app has of ``branch`` in [start, end); only the groups with
    something in them. ``keep`` filters the items (the hours change keeps those outside
    the new hours)."""
    groups = []
    for source in sorted(_sources.values(), key=lambda s: (s.order, s.key)):
        items = [item for item in source.fn(branch, start, end) if keep is None or keep(item)]
        if items:
            groups.append(ImpactGroup(key=source.key, label=source.label, items=items))
    return groups
