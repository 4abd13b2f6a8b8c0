"""What the events services share: the fields a series gives its occurrences, the keyword
arguments the services take, who may change an event, and small helpers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.files import File
from django.utils.translation import gettext_lazy as _

from core.exceptions import PermissionDenied
from core.models import Audience, BookmobileStop, Branch, Partner, Track, User
from core.selectors import can_manage_branch
from core.signals import MessageKind, state_changed
from events.models import DEFAULT_MAX_SEATS, Event, EventSeries, PlaceKind, Registration
from rooms.models import Room

if TYPE_CHECKING:
    from events.services.questions import QuestionChange
    from events.services.roomfit import RoomFit

# Fields a series shares with its occurrences (copied to future occurrences not edited one by one).
SHARED_FIELDS = [
    "title",
    "description",
    "branch",
    "room",
    "place_kind",
    "stop",
    "address",
    "online_url",
    "image",
    "image_alt",
    "capacity",
    "registration_required",
    "max_seats_per_registration",
    "price_dkk",
    "licence_equipment_kind",
    "host",
    "registration_opens_at",
]
M2M_FIELDS = ["tracks", "audiences", "partners"]
# A change of these is "time or place": people registered hear about it.
TIME_PLACE_FIELDS = {
    "start",
    "end",
    "branch",
    "room",
    "place_kind",
    "stop",
    "address",
    "online_url",
}


class SharedFields(TypedDict, total=False):
    """The shared fields (``SHARED_FIELDS``) other than title and branch, as keyword arguments
    of ``series_create``, ``series_build`` and ``event_create``."""

    description: str
    room: Room | None
    place_kind: str
    stop: BookmobileStop | None
    address: str
    online_url: str
    image: File[bytes] | None
    image_alt: str
    capacity: int | None
    registration_required: bool
    max_seats_per_registration: int
    price_dkk: Decimal
    licence_equipment_kind: str
    host: User | None
    registration_opens_at: datetime | None


class EventChanges(SharedFields, total=False):
    """What ``event_update`` may change on one occurrence (``EVENT_EDITABLE``)."""

    title: str
    branch: Branch
    start: datetime
    end: datetime
    state: str
    tracks: Iterable[Track] | None
    audiences: Iterable[Audience] | None
    partners: Iterable[Partner] | None
    closed_override: bool
    closed_override_reason: str
    room_fit: RoomFit
    questions: Sequence[QuestionChange]


class SeriesChanges(SharedFields, total=False):
    """What ``series_update`` may change on a series (``SERIES_EDITABLE``)."""

    title: str
    branch: Branch
    start_time: time
    duration: timedelta
    state: str
    rrule: str
    include_closed: bool
    tracks: Iterable[Track] | None
    audiences: Iterable[Audience] | None
    partners: Iterable[Partner] | None
    closed_override_reason: str
    room_fit: RoomFit


@dataclass
class EventData:
    """What staff give for an event or a series (validated by ``_check_data``)."""

    title: str
    branch: Branch
    description: str = ""
    room: Room | None = None
    place_kind: str = PlaceKind.BRANCH
    stop: BookmobileStop | None = None
    address: str = ""
    online_url: str = ""
    image: File[bytes] | None = None
    image_alt: str = ""
    capacity: int | None = None
    registration_required: bool = True
    max_seats_per_registration: int = DEFAULT_MAX_SEATS
    price_dkk: Decimal = Decimal("0")
    licence_equipment_kind: str = ""
    host: User | None = None
    registration_opens_at: datetime | None = None


# --- Permissions ----------------------------------------------------------------


def _require_branch(actor: User | None, branch: Branch) -> None:
    if not can_manage_branch(user=actor, branch=branch):
        raise PermissionDenied(
            _("Only staff of %(branch)s may change its events."), branch=branch.name
        )


def _require_host_or_staff(actor: User | None, event: Event) -> None:
    if actor is not None and event.host_id is not None and event.host_id == actor.pk:
        return
    _require_branch(actor, event.branch)


# --- Rows and values ----------------------------------------------------------------


def _set_m2m(obj: Event | EventSeries, values: Mapping[str, Any]) -> None:
    for name in M2M_FIELDS:
        if name in values and values[name] is not None:
            getattr(obj, name).set(values[name])


def _new_event(
    series: EventSeries, start: datetime, end: datetime, state: str, closed_override_reason: str
) -> Event:
    fields = {name: getattr(series, name) for name in SHARED_FIELDS}
    return Event.objects.create(
        series=series,
        start=start,
        end=end,
        original_start=start,
        state=state,
        closed_override_reason=closed_override_reason,
        **fields,
    )


def _plain(value: object) -> object:
    """A field's value as the audit log stores it (keys, ISO times, strings)."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, File):  # an image (also none: "")
        return value.name or ""
    return value


def _send(reg: Registration, kind: MessageKind, actor: User | None) -> None:
    state_changed.send(sender=Registration, kind=kind, instance=reg, actor=actor, data={})
