"""Staff set up rooms and machines: create them and change their rules.

A change to a room's rules never silently breaks the bookings already made: ``room_update``
saves the new rules, leaves every booking in place, and returns the coming bookings the new
rules would not allow (``room_rule_breaches``, a read-only check that reuses ``rules.py``), so
the page can list them and the audit row records how many there were.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.contracts import AuditAction
from core.exceptions import DomainError, PermissionDenied, RuleViolation
from core.locking import lock_one
from core.models import Branch, User
from core.selectors import can_manage_branch
from core.services import audit_log
from rooms.models import LIVE_BOOKING_STATUSES, BookableBy, Booking, BookingKind, Equipment, Room
from rooms.services._common import _local
from rooms.services.rules import _check_request, _check_shape, _hours_problem

# The fields of a room and of a machine that staff set in the pages.
ROOM_FIELDS = (
    "name",
    "capacity",
    "description",
    "amenities",
    "is_active",
    "bookable_by",
    "requires_approval",
    "min_duration_minutes",
    "max_duration_minutes",
    "slot_minutes",
    "buffer_minutes",
    "max_days_ahead",
    "max_per_day",
    "max_per_week",
    "max_future",
    "max_series_occurrences",
    "self_service_allowed",
    "fee_dkk",
    "rent_dkk",
    "resident_price_tier",
    "resident_max_days_ahead",
    "cancel_days_before",
)
EQUIPMENT_FIELDS = (
    "name",
    "kind",
    "room",
    "description",
    "is_active",
    "licence_required",
    "min_age",
    "slot_minutes",
    "max_slots_per_day",
    "max_slots_per_week",
    "max_days_ahead",
    "release_after_minutes",
    "self_service_allowed",
)

# Which rules of ``rules.py`` read which fields: only the rules whose fields changed are run.
_REQUEST_FIELDS = {"is_active", "bookable_by", "capacity"}
_SHAPE_FIELDS = {
    "min_duration_minutes",
    "max_duration_minutes",
    "slot_minutes",
    "max_days_ahead",
    "resident_max_days_ahead",
}
_HOURS_FIELDS = {"self_service_allowed"}
_LIMIT_FIELDS = {"max_per_day", "max_per_week", "max_future"}


@dataclass(frozen=True)
class RuleBreach:
    """A coming booking the new rules would not allow, and why."""

    booking: Booking
    reason: str


@dataclass
class RoomChange:
    room: Room
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    breaches: list[RuleBreach] = field(default_factory=list)


def _plain(value: Any) -> Any:
    """A value as the audit row's JSON keeps it."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    return value


def _validate(obj: models.Model, *, exclude: list[str]) -> None:
    """The model's own field rules (choices, lengths, validators, constraints) as a 400 that
    names the field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            raise RuleViolation(
                str(messages[0]), field=None if name == "__all__" else name
            ) from error


def _check_room(room: Room) -> None:
    if not (room.name or "").strip():
        raise RuleViolation(_("Please give the room a name."), field="name")
    if room.capacity is None or room.capacity < 1:
        raise RuleViolation(_("A room holds at least one person."), field="capacity")
    if (room.max_duration_minutes or 0) < (room.min_duration_minutes or 0):
        raise RuleViolation(
            _("The longest booking cannot be shorter than the shortest."),
            field="max_duration_minutes",
        )
    for price in ("fee_dkk", "rent_dkk"):
        if getattr(room, price) is not None and getattr(room, price) < 0:
            raise RuleViolation(_("A price cannot be below zero."), field=price)
    _validate(room, exclude=["branch"])


def _require_branch(actor: User, branch: Branch | int) -> None:
    if not can_manage_branch(user=actor, branch=branch):
        raise PermissionDenied(_("Only staff of this branch can set up its rooms and machines."))


@transaction.atomic(durable=True)
def room_create(*, actor: User, branch: Branch, fields: Mapping[str, Any]) -> Room:
    """A new room of ``branch`` with the rules in ``fields`` (any of ``ROOM_FIELDS``)."""
    _require_branch(actor, branch)
    room = Room(branch=branch, **{k: v for k, v in fields.items() if k in ROOM_FIELDS})
    _check_room(room)
    room.save()
    audit_log(
        actor=actor,
        action=AuditAction.ROOM_CREATED,
        target=room,
        data={"branch": branch.pk, **{k: _plain(getattr(room, k)) for k in ROOM_FIELDS}},
    )
    return room


@transaction.atomic(durable=True)
def room_update(*, actor: User, room: Room, changes: Mapping[str, Any]) -> RoomChange:
    """Change a room's rules. Bookings already made stay as they are; the coming ones the new
    rules would not allow are returned (and counted in the audit row) for staff to look at."""
    _require_branch(actor, room.branch_id)
    fresh = lock_one(Room, room.pk)  # every writer of this room waits here
    old = copy.copy(fresh)
    changed: dict[str, dict[str, Any]] = {}
    for name, value in changes.items():
        if name in ROOM_FIELDS and getattr(fresh, name) != value:
            changed[name] = {"old": _plain(getattr(fresh, name)), "new": _plain(value)}
            setattr(fresh, name, value)
    if not changed:
        return RoomChange(room=fresh)
    _check_room(fresh)
    breaches = _breaches(old, fresh, set(changed))
    fresh.save(update_fields=list(changed))
    audit_log(
        actor=actor,
        action=AuditAction.ROOM_CHANGED,
        target=fresh,
        data={
            "changes": changed,
            "bookings_not_allowed": len(breaches),
            "booking_ids": [b.booking.pk for b in breaches],
        },
    )
    return RoomChange(room=fresh, changed=changed, breaches=breaches)


def room_rule_breaches(*, room: Room, changes: Mapping[str, Any]) -> list[RuleBreach]:
    """The coming bookings of ``room`` that its rules with ``changes`` would not allow while
    the present rules do (or refuse them for another reason). Reads only; nothing changes."""
    candidate = copy.copy(room)
    names = set()
    for name, value in changes.items():
        if name in ROOM_FIELDS and getattr(room, name) != value:
            setattr(candidate, name, value)
            names.add(name)
    return _breaches(room, candidate, names) if names else []


def _coming_bookings(room: Room) -> list[Booking]:
    return list(
        Booking.objects.filter(
            room_id=room.pk,
            kind=BookingKind.BOOKING,
            status__in=LIVE_BOOKING_STATUSES,
            start__gt=timezone.now(),
        )
        .select_related("booker", "partner", "room__branch")
        .order_by("start", "pk")
    )


def _breaches(old: Room, new: Room, changed: set[str]) -> list[RuleBreach]:
    bookings = _coming_bookings(old)
    staff: dict[int | None, bool] = {}
    found: dict[int, RuleBreach] = {}
    for booking in bookings:
        key = booking.booker_id
        if key not in staff:
            staff[key] = booking.booker is not None and can_manage_branch(
                user=booking.booker, branch=old.branch_id
            )
        reason = _problem(new, booking, changed, is_staff=staff[key])
        if reason is not None and reason != _problem(old, booking, changed, is_staff=staff[key]):
            found[booking.pk] = RuleBreach(booking=booking, reason=reason)
    if "buffer_minutes" in changed:
        for booking, reason in _buffer_breaches(old, new):
            found.setdefault(booking.pk, RuleBreach(booking=booking, reason=reason))
    if changed & _LIMIT_FIELDS:
        people = [b for b in bookings if b.booker_id is not None and not staff[b.booker_id]]
        for booking, reason in _limit_breaches(old, new, people):
            found.setdefault(booking.pk, RuleBreach(booking=booking, reason=reason))
    return sorted(found.values(), key=lambda b: (b.booking.start, b.booking.pk))


def _problem(room: Room, booking: Booking, changed: set[str], *, is_staff: bool) -> str | None:
    """Why ``room``'s rules would refuse ``booking`` today, running only the rules that read
    a changed field; None if they allow it."""
    booker = booking.booker or User()
    # A booking on an association's behalf meets "associations only"; whether the booker is
    # still one of its members is not a rule of the room.
    for_association = room.bookable_by == BookableBy.ASSOCIATIONS and booking.partner_id
    try:
        if changed & _REQUEST_FIELDS:
            _check_request(
                room,
                booker,
                is_staff=is_staff or bool(for_association),
                partner=None,
                purpose=booking.purpose or "-",
                attendees=booking.attendees,
            )
        if changed & _SHAPE_FIELDS:
            _check_shape(room, booking.start, booking.end, is_staff=is_staff, booker=booker)
        if changed & _HOURS_FIELDS:
            return _hours_problem(room, booking.start, booking.end, booker)
    except DomainError as error:
        return error.message
    return None


def _buffer_breaches(old: Room, new: Room) -> list[tuple[Booking, str]]:
    """People's coming bookings that would sit closer than the new buffer to the next or the
    previous use of the room (an event, a shift or another booking)."""
    live = list(
        Booking.objects.filter(
            room_id=old.pk, status__in=LIVE_BOOKING_STATUSES, end__gt=timezone.now()
        ).order_by("start", "pk")
    )
    now = timezone.now()
    gap_new, gap_old = timedelta(minutes=new.buffer_minutes), timedelta(minutes=old.buffer_minutes)
    reason = str(
        _("The room would keep %(minutes)s minutes free between bookings; this one is closer.")
        % {"minutes": new.buffer_minutes}
    )
    result = []
    for before, after in zip(live, live[1:], strict=False):
        if after.start < before.end + gap_new and not after.start < before.end + gap_old:
            result += [
                (b, reason)
                for b in (before, after)
                if b.kind == BookingKind.BOOKING and b.start > now
            ]
    return result


def _limit_breaches(old: Room, new: Room, bookings: list[Booking]) -> list[tuple[Booking, str]]:
    """People's coming bookings beyond the new per-person limits (the latest of each person's
    day, week or coming bookings), where the present limits allowed them."""
    result: list[tuple[Booking, str]] = []
    rules = (
        ("max_per_day", lambda b: _local(b.start).date(), _("at most %(n)s booking(s) a day")),
        (
            "max_per_week",
            lambda b: _local(b.start).isocalendar()[:2],
            _("at most %(n)s booking(s) a week"),
        ),
        ("max_future", lambda b: None, _("at most %(n)s coming booking(s) at a time")),
    )
    for name, period, text in rules:
        limit, before = getattr(new, name), getattr(old, name)
        if not limit or limit == before:
            continue
        groups: dict[tuple[int | None, Any], list[Booking]] = {}
        for booking in bookings:
            groups.setdefault((booking.booker_id, period(booking)), []).append(booking)
        for group in groups.values():
            holdings = _holdings(group) if name == "max_future" else [[b] for b in group]
            if len(holdings) > limit and (not before or len(holdings) <= before):
                reason = str(_("Per person %(rule)s.") % {"rule": text % {"n": limit}})
                result += [(b, reason) for held in holdings[limit:] for b in held]
    return result


def _holdings(bookings: list[Booking]) -> list[list[Booking]]:
    """A person's coming bookings grouped as the limit counts them: a series is one."""
    held: dict[Any, list[Booking]] = {}
    for booking in bookings:
        held.setdefault(booking.series_id or f"b{booking.pk}", []).append(booking)
    return list(held.values())


# --- Machines ------------------------------------------------------------------------------


def _check_equipment(equipment: Equipment) -> None:
    if not (equipment.name or "").strip():
        raise RuleViolation(_("Please give the machine a name."), field="name")
    room = equipment.room
    if room is not None and room.branch_id != equipment.branch_id:
        raise RuleViolation(_("Choose a room of the machine's own branch."), field="room")
    _validate(equipment, exclude=["branch"])


@transaction.atomic(durable=True)
def equipment_create(*, actor: User, branch: Branch, fields: Mapping[str, Any]) -> Equipment:
    """A new machine of ``branch`` (any of ``EQUIPMENT_FIELDS``)."""
    _require_branch(actor, branch)
    equipment = Equipment(
        branch=branch, **{k: v for k, v in fields.items() if k in EQUIPMENT_FIELDS}
    )
    _check_equipment(equipment)
    equipment.save()
    audit_log(
        actor=actor,
        action=AuditAction.EQUIPMENT_CREATED,
        target=equipment,
        data={
            "branch": branch.pk,
            **{k: _plain(getattr(equipment, k)) for k in EQUIPMENT_FIELDS},
        },
    )
    return equipment


@transaction.atomic(durable=True)
def equipment_update(*, actor: User, equipment: Equipment, changes: Mapping[str, Any]) -> Equipment:
    """Change a machine's rules; its booked slots stay as they are."""
    _require_branch(actor, equipment.branch_id)
    fresh = lock_one(Equipment, equipment.pk)  # every writer of its slots waits here
    changed: dict[str, dict[str, Any]] = {}
    for name, value in changes.items():
        if name in EQUIPMENT_FIELDS and getattr(fresh, name) != value:
            changed[name] = {"old": _plain(getattr(fresh, name)), "new": _plain(value)}
            setattr(fresh, name, value)
    if not changed:
        return fresh
    _check_equipment(fresh)
    fresh.save(update_fields=list(changed))
    audit_log(
        actor=actor, action=AuditAction.EQUIPMENT_CHANGED, target=fresh, data={"changes": changed}
    )
    return fresh
