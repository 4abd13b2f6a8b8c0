"""The rules an event's fields must keep, each with a message a person can act on.

The checks run in a fixed order (title, place, numbers, host and course, price), so the
first rule broken is the one reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import ErrorCode, RuleViolation
from core.models import BranchKind, Track
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
    if data.get("price_dkk") is not None and Decimal(data["price_dkk"]) < 0:
        raise RuleViolation(_("The price cannot be negative."), field="price_dkk")


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
