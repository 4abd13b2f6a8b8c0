"""What counts: held, planned and cancelled events, and the registrations that count.

The same filters serve the coverage numbers and the drill-down behind them, so a number
and the list behind it cannot disagree. ``prefix`` reaches the event from another model
(``"event__"`` from a registration).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from events.models import EventState, RegistrationStatus


def _held_q(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": EventState.PUBLISHED, f"{prefix}end__lt": now})


def _planned_q(now: datetime, prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}state": EventState.CANCELLED}) & Q(**{f"{prefix}end__gte": now})


def _cancelled_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": EventState.CANCELLED})


def _counted_registration_q() -> Q:
    return Q(status=RegistrationStatus.CONFIRMED) | Q(checked_in_at__isnull=False)
