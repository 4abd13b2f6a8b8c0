"""The rules an event's fields must keep, each with a message a person can act on.

The checks run in a fixed order (title, place, numbers, host and course, price), so the
first rule broken is the one reported. Then the time: an event is held while its branch is
open (``_closed_override_reason``), unless staff hold it although the library is closed and
say why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import Conflict, ErrorCode, RuleViolation
from core.models import Branch, BranchKind, Track
from core.selectors import closure_reasons
from core.timeutils import local_tz
from events.models import PlaceKind
from rooms.models import EquipmentKind


def _check_data(data: Mapping[str, Any]) -> None:
    """Rules a person understands, each with a message saying what to do.

    ``data`` maps field names (``SHARED_FIELDS``) to values; a missing field is not checked.
    """
    _check_title(data)
    _check_place(data)
    _check_numbers(data)
    _check_host_and_course(data)
    _check_image(data)
    if data.get("price_dkk") is not None and Decimal(data["price_dkk"]) < 0:
        raise RuleViolation(_("The price cannot be negative."), field="price_dkk")


def _check_image(data: Mapping[str, Any]) -> None:
    """An image needs its description, for those who cannot see it (WCAG 1.1.1)."""
    if data.get("image") and not (data.get("image_alt") or "").strip():
        raise RuleViolation(
            _("Please describe the image in a few words, for those who cannot see it."),
            field="image_alt",
            code=ErrorCode.IMAGE_ALT_REQUIRED,
        )


def _check_title(data: Mapping[str, Any]) -> None:
    title = (data.get("title") or "").strip()
    if "title" in data and not title:
        raise RuleViolation(_("Please give the event a title."), field="title")


def _check_place(data: Mapping[str, Any]) -> None:
    """A room of the branch, a stop of the bookmobile, an address or a link, as the kind says."""
    branch = data.get("branch")
    place = data.get("place_kind")
    room = data.get("room")
    if place == PlaceKind.ROOM:
        if room is None:
            raise RuleViolation(_("Please choose the room."), field="room")
        if branch is not None and room.branch_id != branch.pk:
            raise RuleViolation(
                _("The room %(room)s is not at %(branch)s."),
                field="room",
                room=room.name,
                branch=branch.name,
            )
    elif place is not None and room is not None:
        raise RuleViolation(
            _("A room is only given when the place is a room of the branch."), field="room"
        )
    if place == PlaceKind.BOOKMOBILE_STOP:
        stop = data.get("stop")
        if stop is None:
            raise RuleViolation(_("Please choose the bookmobile stop."), field="stop")
        if branch is not None and (
            branch.kind != BranchKind.BOOKMOBILE or stop.branch_id != branch.pk
        ):
            raise RuleViolation(
                _("A bookmobile stop belongs to the bookmobile: choose the bookmobile as branch."),
                field="stop",
            )
    if place == PlaceKind.ADDRESS and not (data.get("address") or "").strip():
        raise RuleViolation(_("Please give the address."), field="address")
    if place == PlaceKind.ONLINE and not data.get("online_url"):
        raise RuleViolation(_("Please give the online link."), field="online_url")


def _check_numbers(data: Mapping[str, Any]) -> None:
    if data.get("capacity") is not None and data["capacity"] < 1:
        raise RuleViolation(
            _("The capacity must be at least 1, or empty for no limit."), field="capacity"
        )
    if (
        data.get("max_seats_per_registration") is not None
        and data["max_seats_per_registration"] < 1
    ):
        raise RuleViolation(
            _("At least 1 seat per registration."), field="max_seats_per_registration"
        )


def _check_host_and_course(data: Mapping[str, Any]) -> None:
    host = data.get("host")
    if host is not None and not (host.is_library_staff or host.is_volunteer):
        raise RuleViolation(
            _("The host must be a staff member or a volunteer."),
            field="host",
            code=ErrorCode.BAD_HOST,
        )
    kind = data.get("licence_equipment_kind")
    if kind and kind not in EquipmentKind.values:
        raise RuleViolation(
            _("Unknown kind of machine: %(kind)s."), field="licence_equipment_kind", kind=kind
        )


def _check_times(start: datetime, end: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise RuleViolation(_("Times must include the time zone offset."), field="start")
    if end <= start:
        raise RuleViolation(_("The end must be after the start."), field="end")
    if end - start > timedelta(days=14):
        raise RuleViolation(_("An event can last at most 14 days."), field="end")


def _check_publishable(tracks: Iterable[Track]) -> None:
    if not list(tracks):
        raise RuleViolation(
            _("Tag the event with at least one of the plan's tracks before publishing it."),
            field="tracks",
            code=ErrorCode.TRACK_REQUIRED,
        )


# --- Closures -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedOverride:
    """Staff's "held although the library is closed" tick and its reason. The reason is
    required only when the event really falls on a day its branch is closed."""

    held: bool = False
    reason: str = ""


def _local_days(start: datetime, end: datetime) -> list[date]:
    """The local days [start, end) touches (an end at midnight does not touch the next day)."""
    tz = local_tz()
    first = timezone.localtime(start, tz).date()
    last = timezone.localtime(max(end - timedelta(microseconds=1), start), tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _closed_days(branch: Branch, spans: Iterable[tuple[datetime, datetime]]) -> dict[date, str]:
    """``{day: reason}`` for the days ``branch`` is closed across ``spans`` (one query, through
    ``core.selectors.closure_reasons``: holidays, calendar closing days and closures)."""
    days = [day for start, end in spans for day in _local_days(start, end)]
    if not days:
        return {}
    return closure_reasons(branch=branch, start=min(days), end=max(days))


def _closed_override_reason(
    *,
    branch: Branch,
    start: datetime,
    end: datetime,
    override: ClosedOverride,
    closed: Mapping[date, str] | None = None,
    already: Collection[date] = (),
    current: str = "",
) -> str:
    """The reason the event keeps for being held although the library is closed: "" when the
    branch is open on every day it takes.

    A closed day the event did not already take (``already``: moving within a day it was
    placed on before is not moving onto it) is refused, naming the closure (409
    ``branch_closed``), unless staff tick "held although the library is closed" and give a
    reason. ``closed`` is ``_closed_days`` when the caller asked already (a whole series).
    """
    if closed is None:
        closed = _closed_days(branch, [(start, end)])
    taken = [day for day in _local_days(start, end) if day in closed]
    if not taken:
        return ""
    new = [day for day in taken if day not in already]
    reason = (override.reason or "").strip()[:300]
    if not new:
        return reason if override.held and reason else current
    day = new[0]
    where, when, why = branch.name, f"{day:%d.%m.%Y}", closed[day]
    if not override.held:
        raise Conflict(
            _(
                "%(branch)s is closed on %(date)s (%(reason)s). Choose another day, or tick "
                "“Held although the library is closed” and say why."
            ),
            code=ErrorCode.BRANCH_CLOSED,
            field="start",
            extra={"closure": {"date": day.isoformat(), "reason": why}},
            branch=where,
            date=when,
            reason=why,
        )
    if not reason:
        raise RuleViolation(
            _(
                "%(branch)s is closed on %(date)s (%(reason)s). Say why the event is held "
                "although the library is closed."
            ),
            code=ErrorCode.CLOSED_REASON_REQUIRED,
            field="closed_override_reason",
            branch=where,
            date=when,
            reason=why,
        )
    return reason
