"""Moving an event instead of cancelling it, from the closure page.

The closure page lists each event the closure touches with a small "move it instead" form
(``move_<id>_date``, ``move_<id>_start``, ``move_<id>_end``, ``move_<id>_room``); this module
turns those fields into the ``core.closure_apply.EventMove`` list the API takes as ``moves``.
The rooms to move to come from the rooms app (core cannot import it), registered in
``RoomsConfig.ready()``::

    register_move_rooms(selectors.move_room_choices)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, time

from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext_lazy as _

from core.closure_apply import EventMove
from core.closure_impact import ImpactItem
from core.exceptions import RuleViolation
from core.models import User
from core.timeutils import make_local

RoomChoicesFn = Callable[[User], list[tuple[int, str]]]

_room_choices: list[RoomChoicesFn] = []


def register_move_rooms(fn: RoomChoicesFn) -> None:
    """Register the function listing ``(room id, "Branch: room")`` an actor may move to."""
    _room_choices[:] = [fn]


def move_room_choices(*, actor: User) -> list[tuple[int, str]]:
    return _room_choices[0](actor) if _room_choices else []


def movable_events(items: Iterable[ImpactItem]) -> list[ImpactItem]:
    """The events of a preview that apply would cancel (not those already over)."""
    return [i for i in items if i.get("kind") == "event" and not i.get("ended")]


def _parse(value: str, parser: Callable[[str], date | time | None], field: str) -> date | time:
    try:
        parsed = parser(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise RuleViolation(_("Please enter a valid date and times for the move."), field=field)
    return parsed


def moves_from_post(
    post: Mapping[str, str], items: Iterable[ImpactItem], *, rooms: Iterable[int]
) -> list[EventMove]:
    """The moves staff typed in; an event with an empty date is cancelled as the preview says.
    Half-filled or unreadable fields are a RuleViolation naming the event, and nothing moves."""
    allowed = set(rooms)
    moves = []
    for item in movable_events(items):
        prefix = f"move_{item['id']}_"
        if not post.get(prefix + "date", "").strip():
            continue
        day = _parse(post.get(prefix + "date", ""), parse_date, prefix + "date")
        start = _parse(post.get(prefix + "start", ""), parse_time, prefix + "start")
        end = _parse(post.get(prefix + "end", ""), parse_time, prefix + "end")
        assert isinstance(day, date) and isinstance(start, time) and isinstance(end, time)
        room: int | None = None
        if raw_room := post.get(prefix + "room", "").strip():
            if not raw_room.isdigit() or int(raw_room) not in allowed:
                raise RuleViolation(_("There is no such room."), field=prefix + "room")
            room = int(raw_room)
        moves.append(
            EventMove(
                event=int(item["id"]),
                start=make_local(day, start, field=prefix + "start"),
                end=make_local(day, end, field=prefix + "end"),
                room=room,
            )
        )
    return moves
