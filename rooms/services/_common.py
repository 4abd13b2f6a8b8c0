"""Small helpers every rooms service shares: times, the booking's wording, saving under a
database constraint, and the signal that tells people."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import is_conflict_error
from core.exceptions import BookingConflict, RuleViolation
from core.models import User
from core.signals import state_changed
from core.timeutils import clock, clock_span
from rooms import selectors

ROOM_CONSTRAINTS = {"booking_no_overlap"}
EQUIPMENT_CONSTRAINTS = {"equipment_booking_no_overlap"}


def _utc(value: datetime) -> datetime:
    if timezone.is_naive(value):
        raise RuleViolation(_("Times must include their time zone."))
    return value.astimezone(UTC)


def _local(value: datetime) -> datetime:
    return selectors.to_local(value)


def format_when(start: datetime, end: datetime) -> str:
    """``03.12.2026 10.00–11.00`` in local time (``10:00–11:00`` in English)."""
    s, e = _local(start), _local(end)
    if s.date() == e.date() or (e.time() == time.min and e.date() == s.date() + timedelta(days=1)):
        return f"{s:%d.%m.%Y} {clock_span(s, e)}"
    return f"{s:%d.%m.%Y} {clock(s)}–{e:%d.%m.%Y} {clock(e)}"


def _signal(
    model: type[models.Model], kind: str, instance: models.Model, actor: User | None, **data: Any
) -> None:
    state_changed.send(sender=model, kind=kind, instance=instance, actor=actor, data=data)


def _save_or_conflict(
    obj: models.Model, constraints: set[str], conflict: BookingConflict, **kw: Any
) -> None:
    """Save inside a savepoint; an overlap found by the database becomes the same 409."""
    try:
        with transaction.atomic():
            obj.save(**kw)
    except (IntegrityError, OperationalError) as error:
        if is_conflict_error(error, constraints) or is_conflict_error(error):
            raise conflict from error
        raise
