"""A branch closed at short notice: its shifts in the closed time are cancelled with the
closure's reason (``shift.cancelled`` tells the volunteers). Registered with
``core.closure_apply`` in ``VolunteersConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from core.closure_apply import ApplyResult
from core.closure_impact import ImpactItem
from core.models import User
from volunteers.models import Shift
from volunteers.services.shifts import _shift_cancel


@transaction.atomic
def closure_cancel_shifts(
    *, actor: User, items: Sequence[ImpactItem], reason: str, moves: Sequence[Any] = ()
) -> ApplyResult:
    """Cancel the shifts among ``items`` (composable)."""
    ids = sorted(int(i["id"]) for i in items)
    result = ApplyResult(cancelled={"shifts": []})
    for shift in Shift.objects.select_related("activity").filter(pk__in=ids).order_by("pk"):
        _shift_cancel(actor=actor, shift=shift, reason=reason)
        result.cancelled["shifts"].append(shift.pk)
    return result
