"""Rooms, machines and licences as staff set them up (rooms.views_setup)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.exceptions import NotFound
from core.models import User
from core.selectors import (
    branches_managed_by,
)
from rooms.models import (
    Equipment,
    EquipmentKind,
    Licence,
    Room,
)

# --- Rooms, machines and licences as staff set them up (rooms.views_setup) -----------


def rooms_managed_by(*, user: User | None) -> QuerySet[Room]:
    """Every room of the branches ``user`` manages, bookable or not (administrators: all)."""
    branches = branches_managed_by(user=user)
    return Room.objects.filter(branch__in=branches).select_related("branch")


def move_room_choices(user: User) -> list[tuple[int, str]]:
    """``(id, "Branch: room")`` of the rooms ``user`` may move an event to, when a closure
    moves it (``core.closure_moves``)."""
    return [
        (room.pk, f"{room.branch.name}: {room.name}")
        for room in rooms_managed_by(user=user).order_by("branch__position", "branch__name", "name")
    ]


def room_get_for_staff(*, actor: User | None, pk: int | str) -> Room:
    """A room of a branch ``actor`` manages; any other (or none) is a 404."""
    try:
        return rooms_managed_by(user=actor).get(pk=pk)
    except (Room.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error


def equipment_managed_by(*, user: User | None) -> QuerySet[Equipment]:
    branches = branches_managed_by(user=user)
    return Equipment.objects.filter(branch__in=branches).select_related("branch", "room")


def equipment_get_for_staff(*, actor: User | None, pk: int | str) -> Equipment:
    try:
        return equipment_managed_by(user=actor).get(pk=pk)
    except (Equipment.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error


def licence_kinds_managed_by(*, user: User | None) -> set[str]:
    """The machine kinds whose licences ``user`` grants and revokes: those of the machines of
    the branches they manage (administrators: every kind)."""
    if user is not None and user.is_authenticated and user.is_administrator:
        return set(EquipmentKind.values)
    return set(equipment_managed_by(user=user).values_list("kind", flat=True))


def licence_holders(*, user: User | None) -> QuerySet[Licence]:
    """Who holds which licence, for the kinds ``user`` manages."""
    return (
        Licence.objects.filter(equipment_kind__in=licence_kinds_managed_by(user=user))
        .select_related("person", "granted_by")
        .order_by("equipment_kind", "person__name", "person__email")
    )


def licence_get_for_staff(*, actor: User | None, pk: int | str) -> Licence:
    try:
        return licence_holders(user=actor).get(pk=pk)
    except (Licence.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound() from error
