"""A branch closed at short notice: its live room and machine bookings are cancelled with
the closure's reason, each through the cancel services (so the bookers hear it as usual).
Registered with ``core.closure_apply`` in ``RoomsConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from core.closure_apply import ApplyResult
from core.closure_impact import ImpactItem
from core.exceptions import PermissionDenied
from core.locking import lock_one
from core.models import User
from core.selectors import can_manage_branch
from rooms.models import Booking, Equipment, EquipmentBooking, EquipmentBookingStatus
from rooms.services.bookings import _booking_cancel
from rooms.services.checkin import _equipment_booking_set_cancelled


@transaction.atomic
def closure_cancel_bookings(
    *, actor: User, items: Sequence[ImpactItem], reason: str, moves: Sequence[Any] = ()
) -> ApplyResult:
    """Cancel the room bookings and machine bookings among ``items`` (composable)."""
    rooms = [i["id"] for i in items if i["kind"] == "room_booking"]
    machines = [i["id"] for i in items if i["kind"] == "equipment_booking"]
    result = ApplyResult(cancelled={"room_bookings": [], "equipment_bookings": []})
    for booking in Booking.objects.select_related("room").filter(pk__in=rooms).order_by("pk"):
        done = _booking_cancel(actor=actor, booking=booking, reason=reason)
        result.cancelled["room_bookings"] += [b.pk for b in done if b.pk == booking.pk]
    for slot in EquipmentBooking.objects.select_related("equipment").filter(pk__in=machines):
        if not can_manage_branch(user=actor, branch=slot.equipment.branch_id):
            raise PermissionDenied()
        lock_one(Equipment, slot.equipment_id)
        fresh = EquipmentBooking.objects.get(pk=slot.pk)
        if fresh.status != EquipmentBookingStatus.CONFIRMED:
            continue
        _equipment_booking_set_cancelled(fresh, actor=actor, reason=reason)
        result.cancelled["equipment_bookings"].append(fresh.pk)
    result.cancelled["equipment_bookings"].sort()
    return result
